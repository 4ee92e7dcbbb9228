"""How heavy each day is: programme hours, span, visits, breaks, lunch and night rest.

Each check looks at each distinct day plan once (groups with the same day share it),
so it is linear in the number of sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from visitplan.checks.base import at_session, day_name, hm, hours
from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import PROGRAMME_KINDS, REST_KINDS, Session, SessionKind
from visitplan.timeline import DayPlan, groups_label, minutes, timeline

_WORK_KINDS = PROGRAMME_KINDS | {SessionKind.TRAVEL}


def check_day_load(loaded: Loaded) -> Iterator[Finding]:
    """Programme hours, day span, site visits per day, early starts and late ends."""
    visit = loaded.visit
    rules = visit.rules
    for plan, groups in timeline(visit).distinct_days:
        if not plan.sessions:
            continue
        who = groups_label(visit, groups)
        sessions = list(plan.sessions)
        when = day_name(sessions[0].starts_at)
        programme = plan.programme
        load = plan.programme_minutes
        if programme and load > rules.max_programme_hours * 60:
            yield at_session(
                loaded,
                "VP111",
                f"{when}{who}: {hours(load)} of programme, more than "
                f"{hours(rules.max_programme_hours * 60)}",
                programme[-1],
                involved=sessions,
            )
        span = plan.span_minutes
        first, last = plan.first_start, plan.last_end
        if first and last and span > rules.max_day_span_hours * 60:
            yield at_session(
                loaded,
                "VP112",
                f"{when}{who}: the day runs {hours(span)}, from {hm(first)} to {hm(last)}, "
                f"longer than {hours(rules.max_day_span_hours * 60)}",
                plan.scheduled[-1],
                involved=sessions,
            )
        visits = [s for s in sessions if s.kind is SessionKind.SITE_VISIT]
        if len(visits) > rules.max_site_visits:
            yield at_session(
                loaded,
                "VP113",
                f"{when}{who}: {len(visits)} site visits, more than {rules.max_site_visits}",
                visits[rules.max_site_visits],
                involved=sessions,
            )
        for session in plan.scheduled:
            if session.start < rules.earliest_start or session.end > rules.latest_end:
                edge = "starts" if session.start < rules.earliest_start else "ends"
                moment = session.starts_at if edge == "starts" else session.ends_at
                yield at_session(
                    loaded,
                    "VP114",
                    f"'{session.id}' {edge} at {hm(moment)} on {when}"
                    f" (usual day: {rules.earliest_start:%H:%M}–{rules.latest_end:%H:%M})",
                    session,
                    key="start" if edge == "starts" else "end",
                )


def check_breaks(loaded: Loaded) -> Iterator[Finding]:
    """Long stretches without a break, and no time for lunch."""
    visit = loaded.visit
    rules = visit.rules
    for plan, groups in timeline(visit).distinct_days:
        if not plan.programme:
            continue
        who = groups_label(visit, groups)
        when = day_name(plan.sessions[0].starts_at)
        # Stretches of work: programme and travel with gaps shorter than a break.
        stretch: list[Session] = []
        stretches: list[list[Session]] = []
        for session in plan.sessions:
            if session.kind not in _WORK_KINDS:
                if session.kind in REST_KINDS and stretch:
                    stretches.append(stretch)
                    stretch = []
                continue
            if (
                stretch
                and (session.starts_at - max(s.ends_at for s in stretch)).total_seconds()
                >= rules.min_break_minutes * 60
            ):
                stretches.append(stretch)
                stretch = []
            stretch.append(session)
        if stretch:
            stretches.append(stretch)
        for run in stretches:
            if not any(s.kind in PROGRAMME_KINDS for s in run):
                continue
            length = minutes((run[0].starts_at, max(s.ends_at for s in run)))
            if length > rules.max_continuous_minutes:
                yield at_session(
                    loaded,
                    "VP115",
                    f"{when}{who}: {hours(length)} without a break, from "
                    f"{hm(run[0].starts_at)} to {hm(max(s.ends_at for s in run))} "
                    f"(more than {hours(rules.max_continuous_minutes)})",
                    run[-1],
                    involved=run,
                )
        yield from _lunch(loaded, plan, who, when)


def _lunch(loaded: Loaded, plan: DayPlan, who: str, when: str) -> Iterator[Finding]:
    rules = loaded.visit.rules
    opens, closes = rules.lunch_window
    programme = plan.programme
    morning = any(s.start < opens for s in programme)
    afternoon = any(s.end > closes for s in programme)
    if not (morning and afternoon):
        return
    busy = plan.busy(frozenset(SessionKind) - REST_KINDS)
    gaps = plan.free_between(opens, closes, busy)
    longest = max((minutes(g) for g in gaps), default=0)
    if longest >= rules.min_lunch_minutes:
        return
    midday = [s for s in plan.sessions if s.start < closes and s.end > opens] or programme
    yield at_session(
        loaded,
        "VP116",
        f"{when}{who}: the longest gap between {opens:%H:%M} and {closes:%H:%M} is "
        f"{longest} min, too short for lunch ({rules.min_lunch_minutes} min)",
        midday[0],
        involved=list(plan.sessions),
    )


def check_rest(loaded: Loaded) -> Iterator[Finding]:
    """Less night rest than the working-time rule of 11 hours in 24."""
    visit = loaded.visit
    rules = visit.rules
    reported: set[tuple[str, str]] = set()
    for group, plans in timeline(visit).days.items():
        for today, tomorrow in pairwise(plans):
            end, start = today.last_end, tomorrow.first_start
            if end is None or start is None or (tomorrow.day - today.day).days != 1:
                continue
            rest = minutes((end, start))
            if rest >= rules.min_rest_hours * 60:
                continue
            last = today.scheduled[-1]
            first = tomorrow.scheduled[0]
            if (last.id, first.id) in reported:
                continue
            reported.add((last.id, first.id))
            yield at_session(
                loaded,
                "VP117",
                f"only {hours(rest)} between '{last.id}' (ends {day_name(end)} {hm(end)}) and "
                f"'{first.id}' (starts {day_name(start)} {hm(start)}){groups_label(visit, [group])}"
                f"; at least {hours(rules.min_rest_hours * 60)} of rest are needed",
                first,
                involved=[last],
                key="start",
            )
