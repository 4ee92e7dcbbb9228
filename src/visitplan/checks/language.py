"""Language: attendees who cannot follow a session's language and get no interpretation.

Attendees are grouped by the set of languages they speak, once per group, so each
session costs O(distinct language sets of its groups), not O(participants).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from visitplan.checks.base import at_session
from visitplan.findings import Finding
from visitplan.load import Loaded


def check_language(loaded: Loaded) -> Iterator[Finding]:
    visit = loaded.visit
    by_group: dict[str | None, Counter[frozenset[str]]] = defaultdict(Counter)
    for person in visit.participants:
        if person.languages:
            by_group[person.group][frozenset(person.languages)] += 1
    if not by_group:
        return
    for session in visit.active_sessions():
        if session.language is None:
            continue
        understood = {session.language, *session.interpretation}
        groups: list[str | None] = [*session.groups] if session.groups else [*by_group]
        lost: Counter[str] = Counter()
        for group in groups:
            for spoken, count in by_group.get(group, Counter()).items():
                if not spoken & understood:
                    lost[sorted(spoken)[0]] += count
        total = sum(lost.values())
        if total:
            wanted = ", ".join(sorted(lost))
            provided = (
                "interpretation into " + ", ".join(session.interpretation)
                if session.interpretation
                else "no interpretation"
            )
            yield at_session(
                loaded,
                "VP171",
                f"'{session.id}' is in '{session.language}' with {provided}; {total} "
                f"attendee{'s' if total != 1 else ''} follow none of these",
                session,
                key="language",
                hint=f"add interpretation into a language they speak (e.g. {wanted}): "
                f"`interpretation: [{wanted}]`",
            )
