"""Coverage: objectives no session serves, hosts no session meets. Linear in sessions."""

from __future__ import annotations

from collections.abc import Iterator

from visitplan.checks.base import at_item
from visitplan.findings import Finding
from visitplan.load import Loaded


def check_coverage(loaded: Loaded) -> Iterator[Finding]:
    visit = loaded.visit
    served = {o for s in visit.active_sessions() for o in s.objectives}
    met = {h for s in visit.active_sessions() for h in s.hosts}
    for objective in visit.details.objectives:
        if objective.id not in served:
            yield at_item(
                loaded,
                "VP141",
                f"objective '{objective.id}' is served by no session",
                "objectives",
                objective.id,
                hint=f"add '{objective.id}' to the `objectives:` of the sessions that serve "
                "it, or drop the objective",
            )
    for host in visit.hosts:
        if host.id not in met:
            yield at_item(
                loaded,
                "VP142",
                f"host '{host.id}' ({host.name}) is met in no session",
                "hosts",
                host.id,
                hint=f"add '{host.id}' to the `hosts:` of a session, or remove the host",
            )
