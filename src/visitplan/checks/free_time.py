"""Free time: a free block or evening every few days, a free afternoon on long visits,
and some breathing space each day. Linear in sessions: each day plan is read once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

from visitplan.checks.base import at_session, day_name, hours
from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import PROGRAMME_KINDS, Session, SessionKind
from visitplan.timeline import DayPlan, groups_label, minutes, timeline

DAYTIME = (time(9, 0), time(19, 0))
EVENING = time(19, 0)
AFTERNOON = (time(14, 0), time(18, 0))


def check_free_time(loaded: Loaded) -> Iterator[Finding]:
    """Every ``free_time_every_days`` days need a free block of ``free_block_hours`` in
    daytime, or a free evening; visits of ``free_afternoon_from_days`` days need a free
    afternoon on a day that is neither the first nor the last."""
    visit = loaded.visit
    rules = visit.rules
    days = visit.details.days()
    if len(days) < rules.free_time_every_days:
        return
    every = rules.free_time_every_days
    for group, plans in timeline(visit).days.items():
        in_visit = [p for p in plans if days[0] <= p.day <= days[-1]]
        who = groups_label(visit, [group])
        for start in range(0, len(in_visit), every):
            chunk = in_visit[start : start + every]
            if len(chunk) < every and start > 0:
                chunk = in_visit[-every:]
            if any(_has_free_time(plan, rules.free_block_hours) for plan in chunk):
                continue
            anchor = _last_programme(chunk)
            if anchor is None:
                continue
            first, last = chunk[0].day, chunk[-1].day
            yield at_session(
                loaded,
                "VP121",
                f"no free time from {first:%a} {first.day} to {last:%a} {last.day} {last:%b}"
                f"{who}: no free block of {hours(rules.free_block_hours * 60)} in daytime and "
                "no free evening",
                anchor,
                involved=[s for plan in chunk for s in plan.sessions],
            )
        if len(days) >= rules.free_afternoon_from_days:
            middle = in_visit[1:-1]
            if middle and not any(_free_afternoon(plan) for plan in middle):
                anchor = _last_programme(middle)
                if anchor is not None:
                    yield at_session(
                        loaded,
                        "VP122",
                        f"a {len(days)}-day visit with no free afternoon{who} "
                        f"({AFTERNOON[0]:%H:%M}–{AFTERNOON[1]:%H:%M} free on a middle day)",
                        anchor,
                        involved=[s for plan in middle for s in plan.sessions],
                    )


def check_breathing_space(loaded: Loaded) -> Iterator[Finding]:
    """A day of programme with no unscheduled hour between 09:00 and 19:00."""
    visit = loaded.visit
    needed = visit.rules.daily_gap_minutes
    for plan, groups in timeline(visit).distinct_days:
        if not plan.programme:
            continue
        busy = plan.busy(frozenset(SessionKind) - {SessionKind.FREE_TIME})
        gaps = plan.free_between(*DAYTIME, busy)
        longest = max((minutes(g) for g in gaps), default=0)
        if longest < needed:
            yield at_session(
                loaded,
                "VP123",
                f"{day_name(plan.sessions[0].starts_at)}{groups_label(visit, groups)}: the "
                f"longest free moment between 09:00 and 19:00 is {longest} min",
                plan.programme[-1],
                involved=list(plan.sessions),
            )


def _has_free_time(plan: DayPlan, block_hours: float) -> bool:
    needed = block_hours * 60
    if not plan.sessions:
        return True  # a whole free day
    for session in plan.sessions:
        if session.kind is SessionKind.FREE_TIME and session.minutes >= needed:
            return True
    busy = plan.busy()
    if any(minutes(gap) >= needed for gap in plan.free_between(*DAYTIME, busy)):
        return True
    return not any(s.end > EVENING for s in plan.scheduled)


def _free_afternoon(plan: DayPlan) -> bool:
    """Nothing but meals and free time between 14:00 and 18:00."""
    if not plan.sessions:
        return True
    busy = plan.busy(frozenset(SessionKind) - {SessionKind.FREE_TIME, SessionKind.MEAL})
    whole = (AFTERNOON[1].hour - AFTERNOON[0].hour) * 60
    return sum(minutes(gap) for gap in plan.free_between(*AFTERNOON, busy)) >= whole


def _last_programme(plans: list[DayPlan]) -> Session | None:
    for plan in reversed(plans):
        programme = [s for s in plan.sessions if s.kind in PROGRAMME_KINDS]
        if programme:
            return programme[-1]
    return None
