"""Schedule checks: each family is a module with functions from a loaded visit to findings.

``CHECKS`` lists them; ``run_checks`` runs them all and drops what the visit's
rules or a session's ``accept`` list say to ignore.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from visitplan.findings import CATALOGUE, Finding
from visitplan.load import Loaded

Check = Callable[[Loaded], Iterable[Finding]]

CHECKS: list[Check] = []


def run_checks(loaded: Loaded) -> list[Finding]:
    """Every finding of every check, in file order, less those accepted."""
    ignored = {_code(name) for name in loaded.visit.rules.ignore}
    accepted = {
        session.id: {_code(name) for name in session.accept} for session in loaded.visit.sessions
    }
    findings = []
    for check in CHECKS:
        for finding in check(loaded):
            if finding.code in ignored:
                continue
            if finding.subject and finding.code in accepted.get(finding.subject, ()):
                continue
            findings.append(finding)
    return sorted(findings, key=Finding.sort_key)


def _code(name: str) -> str:
    """A code from either its code (VP201) or its name (long-day)."""
    for info in CATALOGUE.values():
        if name in (info.code, info.name):
            return info.code
    return name
