"""How dates, date ranges and session kinds are written in the outputs (English)."""

from __future__ import annotations

from datetime import date, datetime

from visitplan.model import GovernanceLevel, SessionKind, Visit

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


def day_label(day: date) -> str:
    """Tuesday 27 January 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def date_range(visit: Visit) -> str:
    """27–28 January 2026; 30 March – 2 April 2026; 29 December 2026 – 2 January 2027."""
    first, last = visit.details.start_date, visit.details.end_date
    if first == last:
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


def moment_text(iso: str) -> str:
    """26 November 2026, 14:05 UTC (build times are kept in UTC)."""
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M} UTC"
