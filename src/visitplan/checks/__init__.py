"""Schedule checks: each family is a module with functions from a loaded visit to findings.

``CHECKS`` lists them; ``run_checks`` runs them all and drops what the visit's
rules or a session's ``accept`` list say to ignore.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from visitplan.checks.calendar import check_ambiguous_times, check_holidays, check_tentative
from visitplan.checks.coverage import check_coverage
from visitplan.checks.free_time import check_breathing_space, check_free_time
from visitplan.checks.language import check_language
from visitplan.checks.overlaps import check_overlaps, check_transfers
from visitplan.checks.presence import check_presence
from visitplan.checks.venues import check_venues
from visitplan.checks.workload import check_breaks, check_day_load, check_rest
from visitplan.findings import CATALOGUE, Finding
from visitplan.load import Loaded

Check = Callable[[Loaded], Iterable[Finding]]

CHECKS: list[Check] = [
    check_overlaps,
    check_transfers,
    check_day_load,
    check_breaks,
    check_rest,
    check_free_time,
    check_breathing_space,
    check_presence,
    check_coverage,
    check_venues,
    check_holidays,
    check_tentative,
    check_ambiguous_times,
    check_language,
]


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
            involved = finding.extra.get("sessions") or [finding.subject]
            if any(finding.code in accepted.get(s, ()) for s in involved):
                continue
            findings.append(finding)
    return sorted(findings, key=Finding.sort_key)


def _code(name: str) -> str:
    """A code from either its code (VP201) or its name (long-day)."""
    for info in CATALOGUE.values():
        if name in (info.code, info.name):
            return info.code
    return name
