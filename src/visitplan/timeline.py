"""Each group's programme, day by day: computed once, shared by checks and exporters.

A group's day is the sessions its members attend. Participants without a group
follow the sessions open to everyone (the ``None`` group).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from visitplan.model import PROGRAMME_KINDS, Participant, Session, SessionKind, Visit

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class DayPlan:
    """What one group does on one local date, in time order (cancelled left out)."""

    group: str | None
    day: date
    sessions: tuple[Session, ...]

    @property
    def programme(self) -> list[Session]:
        return [s for s in self.sessions if s.kind in PROGRAMME_KINDS]

    @property
    def programme_minutes(self) -> int:
        return _union_minutes([(s.starts_at, s.ends_at) for s in self.programme])

    @property
    def scheduled(self) -> list[Session]:
        """Everything that holds the group, i.e. all but free time."""
        return [s for s in self.sessions if s.kind is not SessionKind.FREE_TIME]

    @property
    def first_start(self) -> datetime | None:
        scheduled = self.scheduled
        return min(s.starts_at for s in scheduled) if scheduled else None

    @property
    def last_end(self) -> datetime | None:
        scheduled = self.scheduled
        return max(s.ends_at for s in scheduled) if scheduled else None

    @property
    def span_minutes(self) -> int:
        first, last = self.first_start, self.last_end
        return int((last - first).total_seconds() // 60) if first and last else 0

    def busy(self, kinds: frozenset[SessionKind] | None = None) -> list[Interval]:
        """Merged intervals taken by sessions (of ``kinds``; default all but free time)."""
        chosen = self.scheduled if kinds is None else [s for s in self.sessions if s.kind in kinds]
        return merge([(s.starts_at, s.ends_at) for s in chosen])

    def free_between(self, start: time, end: time, busy: list[Interval]) -> list[Interval]:
        """The gaps in ``busy`` between two local times of this day."""
        tz = self.sessions[0].tz if self.sessions else None
        window_start = datetime.combine(self.day, start, tzinfo=tz)
        window_end = datetime.combine(self.day, end, tzinfo=tz)
        gaps: list[Interval] = []
        cursor = window_start
        for begin, finish in busy:
            if finish <= cursor:
                continue
            if begin >= window_end:
                break
            if begin > cursor:
                gaps.append((cursor, min(begin, window_end)))
            cursor = max(cursor, finish)
        if cursor < window_end:
            gaps.append((cursor, window_end))
        return gaps


def merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
        else:
            merged.append((begin, finish))
    return merged


def minutes(interval: Interval) -> int:
    return int((interval[1] - interval[0]).total_seconds() // 60)


def _union_minutes(intervals: list[Interval]) -> int:
    return sum(minutes(i) for i in merge(intervals))


class Timeline:
    """Each group's programme: its sessions and its days, made once per visit.

    Use :func:`timeline`; every part is computed on first use."""

    def __init__(self, visit: Visit) -> None:
        self.visit = visit

    @cached_property
    def sessions(self) -> dict[str | None, list[Session]]:
        """Each group's sessions in time order. Linear in sessions x groups they name."""
        everyone: list[Session] = []
        named: dict[str | None, list[Session]] = defaultdict(list)
        for session in self.visit.active_sessions():
            if session.groups:
                for group in session.groups:
                    named[group].append(session)
            else:
                everyone.append(session)
        result: dict[str | None, list[Session]] = {}
        for key in self.visit.group_keys():
            mine = named.get(key, [])
            result[key] = (
                sorted([*everyone, *mine], key=lambda s: (s.starts_at, s.id)) if mine else everyone
            )
        return result

    @cached_property
    def days(self) -> dict[str | None, list[DayPlan]]:
        """Each group's days, every visit day included (empty days too)."""
        visit_days = self.visit.details.days()
        plans: dict[str | None, list[DayPlan]] = {}
        for group, sessions in self.sessions.items():
            by_day: dict[date, list[Session]] = defaultdict(list)
            for session in sessions:
                by_day[session.date].append(session)
            all_days = sorted(set(visit_days) | set(by_day))
            plans[group] = [DayPlan(group, d, tuple(by_day.get(d, ()))) for d in all_days]
        return plans

    @cached_property
    def distinct_days(self) -> list[tuple[DayPlan, list[str | None]]]:
        """Day plans that differ, each with the groups that share it.

        With a hundred groups that mostly attend the same sessions, a finding about a
        day is reported once, naming the groups, not once per group.
        """
        seen: dict[tuple[date, tuple[str, ...]], tuple[DayPlan, list[str | None]]] = {}
        for group, plans in self.days.items():
            for plan in plans:
                key = (plan.day, tuple(s.id for s in plan.sessions))
                if key in seen:
                    seen[key][1].append(group)
                else:
                    seen[key] = (plan, [group])
        return sorted(seen.values(), key=lambda item: item[0].day)


def timeline(visit: Visit) -> Timeline:
    """The visit's timeline, made once (the visit is not changed after loading)."""
    return visit.derived(Timeline, Timeline)


def group_label(visit: Visit, group: str | None) -> str:
    if group is None:
        return "everyone" if not visit.groups else "participants without a group"
    found = visit.group(group)
    return f"group '{found.name if found else group}'"


def groups_label(visit: Visit, groups: list[str | None]) -> str:
    """'' for a visit without groups, else ' for group X' / ' for 3 groups (A, B, C)'."""
    if not visit.groups:
        return ""
    if len(groups) == 1:
        return f" for {group_label(visit, groups[0])}"
    names = [group_label(visit, g).removeprefix("group ") for g in groups[:3]]
    more = ", ..." if len(groups) > 3 else ""
    return f" for {len(groups)} groups ({', '.join(names)}{more})"


@dataclass(frozen=True)
class DayLoad:
    """A day's figures for the load chart: minutes of programme, daytime freedom, span."""

    day: date
    programme: int
    free: int
    span: int


DAYTIME = (time(9, 0), time(19, 0))


def day_loads(visit: Visit) -> dict[str | None, list[DayLoad]]:
    """Each group's load per visit day (the chart that ``visitplan check`` draws)."""
    loads: dict[str | None, list[DayLoad]] = {}
    first, last = visit.details.start_date, visit.details.end_date
    for group, plans in timeline(visit).days.items():
        rows = []
        for plan in plans:
            if not first <= plan.day <= last:
                continue
            if plan.sessions:
                free = sum(minutes(g) for g in plan.free_between(*DAYTIME, plan.busy()))
            else:
                free = minutes_between(*DAYTIME)
            rows.append(DayLoad(plan.day, plan.programme_minutes, free, plan.span_minutes))
        loads[group] = rows
    return loads


def minutes_between(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def present_for(person: Participant, session: Session) -> bool:
    """Whether ``person`` is there for the whole of ``session``: it starts at or after
    their arrival and ends by their departure (the rule of the presence check). A
    departure given as a date only keeps them for that whole day."""
    if person.arrival is not None and session.starts_at < person.arrival:
        return False
    if person.departure is None:
        return True
    leaves = person.departure
    if person.departure_is_date:
        leaves = datetime.combine(leaves.date() + timedelta(days=1), time(0), leaves.tzinfo)
    return session.ends_at <= leaves


def planned_sessions(visit: Visit, person: Participant) -> list[Session]:
    """The sessions ``person`` is expected at: their group's (cancelled left out), in
    time order, within their arrival and departure."""
    return [s for s in timeline(visit).sessions.get(person.group, []) if present_for(person, s)]
