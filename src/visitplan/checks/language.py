"""Language: attendees who cannot follow a session's language and get no interpretation.

Attendees are grouped by the set of languages they speak, once per group, so each
session costs O(distinct language sets of its groups), not O(participants). A
participant's own interpretation need (``interpretation: el``, or ``en>el``) counts as
a language they follow only when the session provides it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from visitplan.checks.base import at_session
from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import interpretation_into

# A person's languages, and the language they need interpretation into ('' for none).
Speaker = tuple[frozenset[str], str]


def check_language(loaded: Loaded) -> Iterator[Finding]:
    visit = loaded.visit
    by_group: dict[str | None, Counter[Speaker]] = defaultdict(Counter)
    for person in visit.participants:
        _, into = interpretation_into(person.interpretation)
        if person.languages or into:
            by_group[person.group][(frozenset(person.languages), into or "")] += 1
    if not by_group:
        return
    for session in visit.active_sessions():
        if session.language is None:
            continue
        understood = {session.language, *session.interpretation}
        groups: list[str | None] = [*session.groups] if session.groups else [*by_group]
        lost: Counter[str] = Counter()
        for group in groups:
            for (spoken, into), count in by_group.get(group, Counter()).items():
                if spoken & understood or (into and into in session.interpretation):
                    continue
                lost[into or sorted(spoken)[0]] += count
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
