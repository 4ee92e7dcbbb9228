"""How session kinds and governance levels are named in the outputs (English); dates
are written by ``visitplan.dates``."""

from __future__ import annotations

from visitplan.model import GovernanceLevel, SessionKind

KIND_LABELS = {
    SessionKind.MEETING: "Meeting",
    SessionKind.SITE_VISIT: "Site visit",
    SessionKind.WORKSHOP: "Workshop",
    SessionKind.TRAVEL: "Travel",
    SessionKind.MEAL: "Meal",
    SessionKind.BREAK: "Break",
    SessionKind.FREE_TIME: "Free time",
    SessionKind.REFLECTION: "Reflection",
    SessionKind.SOCIAL: "Social",
}

LEVEL_LABELS = {
    GovernanceLevel.NATIONAL: "National",
    GovernanceLevel.REGIONAL: "Regional",
    GovernanceLevel.INTERMEDIARY: "Intermediary",
    GovernanceLevel.MUNICIPAL: "Municipal",
    GovernanceLevel.CIVIL_SOCIETY: "Civil society",
    GovernanceLevel.INTERNATIONAL: "International",
}
