"""``public/index.html``, the programme as a self-contained web page, and each
participant's own page, ``public/p/<token>.html``.

Rendered by jinja2 with autoescaping, so text from the visit file is always text;
inline CSS and script, no external requests, readable on a phone and printable. The
programme page names no participant; a personal page names only its owner, shows
only their group's sessions and their own arrival and departure, and is linked from
nowhere public.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, ClassVar

from visitplan import __version__
from visitplan.dates import moment_text
from visitplan.exporters import BuildContext
from visitplan.labels import Labels, personal_language
from visitplan.links import feed_links, personal_page_path
from visitplan.model import REST_KINDS, Participant, Session, SessionKind, Venue, Visit, zone
from visitplan.publication import Publication, PublishedEvent, describe_change
from visitplan.session_view import Place, place_of, session_view


class WebAgenda:
    id: ClassVar[str] = "html"
    name: ClassVar[str] = "Web agenda"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        target = context.path("public", "index.html")
        values = page(visit, context)
        target.write_text(_template().render(_=context.labels, **values), encoding="utf-8")
        return [target]


class PersonalPages:
    """Each participant's own page, beside their personal feed."""

    id: ClassVar[str] = "personal-pages"
    name: ClassVar[str] = "Personal pages"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:

        template = _template("personal.html.j2")
        common = _personal_common(visit, context)
        programmes: dict[tuple[str | None, str], list[Entry]] = {}
        in_language: dict[str, _Articles] = {}
        written = []
        for person in visit.participants:
            token = context.publication.tokens.get(person.id)
            if token is None:
                continue
            language = personal_language(visit, person)
            if language not in in_language:
                labels = context.labels if language == context.labels.language else None
                in_language[language] = _Articles(visit, labels or Labels(language))
            articles = in_language[language]
            key = (person.group, language)
            if key not in programmes:
                programmes[key] = articles.programme(context, person.group)
            values = personal_page(visit, person, token, programmes[key], articles, context.now)
            target = context.path("public", *personal_page_path(token))
            page_text = template.render(_=articles.labels, **common, **values)
            target.write_text(page_text, encoding="utf-8")
            written.append(target)
        for articles in in_language.values():
            context.labels.missing.update(articles.labels.missing)
        return written


# A line of a personal programme: when it starts, its day, and its article as HTML.
Entry = tuple[datetime, date, Any]


class _Articles:
    """Sessions as articles of the personal pages in one language, each rendered once:
    hundreds of participants share them."""

    def __init__(self, visit: Visit, labels: Labels) -> None:
        self.visit = visit
        self.labels = labels
        self._macro = _environment().get_template("_parts.html.j2").make_module({"_": labels})
        self._made: dict[Any, Entry] = {}
        self._days: dict[date, str] = {}

    def entry(self, key: Any, start: datetime, values: dict[str, Any]) -> Entry:
        if key not in self._made:
            self._made[key] = (start, values["date"], self._macro.session(values))
        return self._made[key]

    def programme(self, context: BuildContext, group: str | None) -> list[Entry]:
        """The sessions a group's feed holds, in time order: those removed since they
        were published stay, as cancelled, as they stay in the feed."""
        sessions = {s.id: s for s in self.visit.sessions}
        entries = []
        for event in context.publication.events_for(group):
            session = sessions.get(event.session_id)
            if session is None:
                values = _withdrawn(event, self.labels)
            elif event.session_id in self._made:
                values = {}
            else:
                values = _session(self.visit, session, self.labels)
            entries.append(self.entry(event.session_id, event.starts_at, values))
        return entries

    def day(self, day: date) -> str:
        if day not in self._days:
            self._days[day] = self.labels.full_date(day)
        return self._days[day]


@cache
def _template(name: str = "index.html.j2") -> Any:
    """A page's template, compiled once per process (compiling costs more than
    rendering a whole programme)."""
    return _environment().get_template(name)


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader("visitplan", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["names_in_bold"] = names_in_bold
    return environment


def names_in_bold(text: str, **names: str) -> Any:
    """``text`` with each ``{name}`` filled in bold, the rest escaped: the words of a
    button or a menu, which a reader looks for on the screen."""
    from markupsafe import Markup

    bold = {key: Markup("<strong>{}</strong>").format(value) for key, value in names.items()}
    return Markup.escape(text).format(**bold)


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
        "personal": bool(visit.participants),
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
    """The subscribe options of the whole programme and of each group."""
    title = visit.details.title
    result = [feed_options(visit, "all", "", labels("Whole programme"), title, "all")]
    result += [
        feed_options(visit, "group", g.id, g.name, f"{title} — {g.name}", f"group-{n}")
        for n, g in enumerate(visit.groups, 1)
    ]
    return result


def feed_options(
    visit: Visit, kind: str, key: str, label: str, name: str, anchor: str, *, fast: bool = False
) -> dict[str, Any]:
    """Every way to add one feed, as the pages show it: the address as text, the
    webcal, Google and Outlook links, the one-off download, and a QR code of the https
    address. Without a base_url only the path is known: the page's script fills in
    the links from the address it is served from, and hides them until then."""
    links = feed_links(visit, kind, key, name)
    # Relative to the page that shows it: the programme page is in public/, a
    # personal page beside its feed in public/p/.
    relative = links.path.rsplit("/", 1)[-1] if kind == "personal" else links.path
    return {
        "id": anchor,
        "label": label,
        "name": name,
        "path": relative,
        "address": links.address,
        "https": links.https,
        "webcal": links.webcal,
        "google": links.google,
        "outlook": links.outlook,
        "download": links.https or relative,
        "qr": qr_svg(links.https, fast=fast) if links.https else None,
    }


def qr_svg(url: str, *, fast: bool = False) -> Any:
    """An inline SVG QR code of ``url`` (trusted markup: made by segno from our URL).

    ``fast`` fixes the mask pattern instead of trying all eight (a third of the time,
    for one code per participant): every mask is valid and read by every scanner;
    the best one only spares a few black blocks."""
    from markupsafe import Markup

    svg = _qr_svg(url, fast)
    return Markup(svg)  # noqa: S704 - segno's SVG of our own URL: no user text in it


@lru_cache(maxsize=4096)
def _qr_svg(url: str, fast: bool) -> str:
    """Kept for the process: feed addresses stay the same from build to build, and
    ``watch`` rebuilds in one process on every save."""
    import segno

    code = segno.make(url, error="m", mask=FAST_MASK if fast else None)
    return str(code.svg_inline(scale=4, border=2, omitsize=True))


FAST_MASK = 0


def _personal_common(visit: Visit, context: BuildContext) -> dict[str, Any]:
    """What every personal page shows alike."""
    return {
        "generator": f"visitplan {__version__}",
        "title": visit.details.title,
        "base_url": visit.details.publishing.base_url,
    }


# An entry of a personal page with nothing but its time, title and kind: a withdrawn
# session, or the participant's own arrival or departure.
_BARE: dict[str, Any] = {
    "rest": False,
    "status_label": "",
    "groups": "",
    "groups_ids": "",
    "venue": "",
    "address": "",
    "map": None,
    "hosts": "",
    "language": "",
    "description": "",
}


def _withdrawn(event: PublishedEvent, labels: Labels) -> dict[str, Any]:
    start, end = event.starts_at, event.ends_at
    return {
        "id": event.session_id,
        "time": f"{start:%H:%M}–{end:%H:%M}",
        "zone": start.tzname() or event.text.tzid,
        "title": labels("Cancelled session"),
        "kind": event.text.category,
        "status": "cancelled",
        "date": start.date(),
        **_BARE,
    }


def personal_page(
    visit: Visit,
    person: Participant,
    token: str,
    programme: list[Entry],
    articles: _Articles,
    now: datetime,
) -> dict[str, Any]:
    """What one participant's page shows: nothing about anyone else."""
    labels = articles.labels
    title = visit.details.title
    feed = feed_options(
        visit,
        "personal",
        token,
        labels("Your calendar"),
        f"{title} — {person.name}",
        "own",
        fast=True,
    )
    entries = programme + list(_travel(visit, person, articles))
    entries.sort(key=lambda entry: entry[0])
    return {
        "lang": labels.language,
        "person": person.name,
        "dates": labels.date_range(visit.details.start_date, visit.details.end_date),
        "feed": feed,
        "days": _by_day(entries, articles),
        "updated": moment_text(now, labels.language),
    }


def _travel(visit: Visit, person: Participant, articles: _Articles) -> Iterator[Entry]:
    """The participant's own arrival and departure, as their feed holds them."""
    labels = articles.labels
    tz = zone(visit.details.timezone)
    for kind, moment in (("arrival", person.arrival), ("departure", person.departure)):
        if moment is None:
            continue
        local = moment.astimezone(tz)
        values = {
            "id": kind,
            "time": f"{local:%H:%M}",
            "zone": local.tzname() or visit.details.timezone,
            "title": labels("Your arrival") if kind == "arrival" else labels("Your departure"),
            "kind": labels.kind(SessionKind.TRAVEL),
            "status": "own",
            "date": local.date(),
            **_BARE,
        }
        yield articles.entry((kind, local), local, values)


def _by_day(entries: list[Entry], articles: _Articles) -> list[dict[str, Any]]:
    days: dict[date, list[Any]] = {}
    for _, day, article in entries:
        days.setdefault(day, []).append(article)
    return [
        {"id": day.isoformat(), "label": articles.day(day), "sessions": found}
        for day, found in days.items()
    ]


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
        "date": session.date,
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
