"""``public/index.html``: the programme as a self-contained web page.

Rendered by jinja2 with autoescaping, so text from the visit file is always text;
inline CSS and script, no external requests, readable on a phone and printable.
Nothing personal: no participant appears on the page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from visitplan import __version__
from visitplan.dates import moment_text
from visitplan.exporters import BuildContext
from visitplan.labels import Labels
from visitplan.links import feed_path
from visitplan.model import REST_KINDS, Session, Venue, Visit
from visitplan.publication import Publication, describe_change
from visitplan.session_view import Place, place_of, session_view


class WebAgenda:
    id: ClassVar[str] = "html"
    name: ClassVar[str] = "Web agenda"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        target = context.path("public", "index.html")
        values = page(visit, context)
        target.write_text(_template().render(_=context.labels, **values), encoding="utf-8")
        return [target]


@cache
def _template() -> Any:
    """The page's template, compiled once per process (compiling costs more than
    rendering a whole programme)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader("visitplan", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("index.html.j2")


def page(visit: Visit, context: BuildContext) -> dict[str, Any]:
    details = visit.details
    publication = context.publication
    labels = context.labels
    facts = [
        f
        for f in (
            details.project,
            details.organiser and labels.colon(labels("Organiser")) + " " + details.organiser,
            details.funder and labels.colon(labels("Funded by")) + " " + details.funder,
        )
        if f
    ]
    return {
        "lang": details.language,
        "generator": f"visitplan {__version__}",
        "title": details.title,
        "dates": labels.date_range(details.start_date, details.end_date),
        "cities": ", ".join(visit.cities()),
        "facts": facts,
        "description": " ".join((details.description or "").split()),
        "objectives": [o.text for o in details.objectives],
        "guiding_question": " ".join((details.guiding_question or "").split()),
        **notices(publication, labels),
        "feeds": feeds(visit, labels),
        "groups": [{"id": g.id, "name": g.name} for g in visit.groups],
        "days": days(visit, labels),
        "venues": [_venue(v) for v in visit.venues if _used(visit, v)],
        "hosts": [
            {"name": h.name, "level": labels.level(h.level), "website": _safe_url(h.website)}
            for h in visit.hosts
        ],
        "updated": moment_text(context.now, labels.language),
    }


def notices(publication: Publication, labels: Labels) -> dict[str, Any]:
    """The latest version's changes, shown until a newer version replaces them, and the
    versions before it that changed something, the latest first."""
    shown = [
        {
            "number": version.number,
            "date": labels.date(version.published.date()) if version.published else "",
            "changes": [describe_change(c, labels) for c in version.changed],
        }
        for version in publication.versions()
        if version.changed
    ]
    latest = shown[0] if shown and shown[0]["number"] == publication.version.number else None
    return {"latest": latest, "earlier": shown[1:] if latest else shown}


def feeds(visit: Visit, labels: Labels) -> list[dict[str, Any]]:
    base = visit.details.publishing.base_url
    entries = [(labels("Whole programme"), "/".join(feed_path("all", "")))]
    entries += [(g.name, "/".join(feed_path("group", g.id))) for g in visit.groups]
    result = []
    for label, path in entries:
        if base:
            https = base + path
            webcal = "webcal://" + https.split("://", 1)[1]
            qr = qr_svg(webcal)
        else:
            https = webcal = path
            qr = None
        result.append({"label": label, "path": path, "https": https, "webcal": webcal, "qr": qr})
    return result


def qr_svg(url: str) -> Any:
    """An inline SVG QR code of ``url`` (trusted markup: made by segno from our URL)."""
    import segno
    from markupsafe import Markup

    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    return Markup(svg)  # noqa: S704 - segno's SVG of our own URL: no user text in it


def days(visit: Visit, labels: Labels) -> list[dict[str, Any]]:
    result = []
    for day, sessions in visit.sessions_by_day(include_cancelled=True).items():
        result.append(
            {
                "id": day.isoformat(),
                "label": labels.full_date(day),
                "sessions": [_session(visit, s, labels) for s in sessions],
            }
        )
    return result


def _session(visit: Visit, session: Session, labels: Labels) -> dict[str, Any]:
    view = session_view(visit, session, labels)
    venue = visit.venue(session.venue)
    return {
        "id": session.id,
        "time": f"{session.starts_at:%H:%M}–{session.ends_at:%H:%M}",
        "zone": session.starts_at.tzname() or str(session.tz),
        "title": session.title,
        "kind": view.kind,
        "rest": session.kind in REST_KINDS,
        "status": session.status.value,
        "status_label": view.status,
        "groups": view.groups,
        "groups_ids": " ".join(session.groups),
        "venue": _place(view.places),
        "address": view.places[0].address if len(view.places) == 1 else "",
        "map": map_url(venue) if venue else None,
        "hosts": view.hosted_by,
        "language": view.language,
        "description": " ".join((session.description or "").split()),
    }


def _place(places: tuple[Place, ...]) -> str:
    """Where a session is; for travel, from where to where, each with its address."""
    if len(places) == 1:
        return places[0].name
    return " → ".join(f"{p.name} ({p.address})" if p.address else p.name for p in places)


def _venue(venue: Venue) -> dict[str, Any]:
    return {
        "name": venue.name,
        "address": place_of(venue).address,
        "map": map_url(venue),
        "step_free": venue.step_free,
    }


def _used(visit: Visit, venue: Venue) -> bool:
    return any(venue.id in (s.venue, s.destination) for s in visit.sessions)


def map_url(venue: Venue) -> str | None:
    if venue.lat is None or venue.lon is None:
        return None
    return (
        f"https://www.openstreetmap.org/?mlat={venue.lat:.5f}&mlon={venue.lon:.5f}"
        f"#map=17/{venue.lat:.5f}/{venue.lon:.5f}"
    )


def _safe_url(url: str | None) -> str | None:
    """Only web links: a javascript: or data: URL in a host's website never becomes a link."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None
