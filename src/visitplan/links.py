"""Where subscribers find the programme: each feed's and page's addresses, one rule
for the web page, the personal pages, the workbook, the link lists and the messages.

A feed can be added in several ways, and none works everywhere:

- ``webcal://`` opens the calendar app on iPhone, iPad, macOS and in desktop Outlook,
  and subscribes; Android has no handler for it.
- Google Calendar adds a subscription from ``https://calendar.google.com/calendar/r?cid=``
  followed by the feed's address (the way Android users get a calendar that follows
  changes, through their Google account).
- Outlook on the web adds one from
  ``https://outlook.live.com/calendar/0/addfromweb?url=…&name=…``.

Neither of the last two links is documented by its vendor (read in November 2026).
Google's help documents only "Other calendars > + > From URL", and Microsoft's only
"Add calendar > Subscribe from web", both with the address pasted by hand; that is
why every output also shows the https address as text. What the link shapes rest on:

- Google: ``cid`` must hold the *webcal://* address, percent-encoded. A plain
  ``https://`` address there is taken for an account and refused ("This email address
  isn't associated with an active Google Calendar account", calagator/calagator#556,
  where the encoded webcal form worked); an unencoded address loses everything after
  its first ``&`` (pl4nty/anutimetable#52). Reports disagree on how reliable the link
  is (gpu-mode/kernelboard#256 dropped it in 2026 for "From URL"; afterclass-io
  #498 switched it to https), so the page offers the pasted address beside it.
- Outlook: ``addfromweb`` takes ``url`` (the https address: Outlook on the web does
  not take webcal://) and ``name``, both percent-encoded query parameters, as the
  community documentation of Outlook links records it (InteractionDesignFoundation
  add-event-to-calendar-docs, services/outlook-web; spatie/calendar-links#134 notes
  that work accounts use outlook.office.com with the same path).
- The plain ``https://`` address is what every app's "subscribe by URL" field takes,
  and what QR codes carry: camera apps on both platforms open it.

Pure: no files. Without a ``base_url`` in the visit, only paths relative to
``public/`` are known, and the links that need a full address are None.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from visitplan.file_names import safe_stem
from visitplan.model import Visit


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """The ways to add one calendar feed."""

    path: str  # relative to public/, with forward slashes
    https: str | None  # the full address, when the visit has a base_url
    webcal: str | None
    google: str | None
    outlook: str | None

    @property
    def address(self) -> str:
        """The best address to show as text: the full one, else the path."""
        return self.https or self.path


def feed_path(kind: str, key: str) -> tuple[str, ...]:
    """Where a feed lives under public/: ``all`` (key ignored), ``group`` (a group id)
    or ``personal`` (a participant's token)."""
    if kind == "all":
        return ("calendar.ics",)
    if kind == "group":
        return ("groups", f"{safe_stem(key)}.ics")
    return ("p", f"{key}.ics")


def personal_page_path(token: str) -> tuple[str, ...]:
    """Where a participant's own page lives under public/, beside their feed."""
    return ("p", f"{token}.html")


def public_url(visit: Visit, path: tuple[str, ...]) -> str | None:
    base = visit.details.publishing.base_url
    return base + "/".join(path) if base else None


def feed_links(visit: Visit, kind: str, key: str, name: str) -> FeedLinks:
    """Every way to add the feed ``kind``/``key``; ``name`` is what the calendar is
    called where a service asks for one (Outlook)."""
    path = feed_path(kind, key)
    https = public_url(visit, path)
    if https is None:
        return FeedLinks("/".join(path), None, None, None, None)
    webcal = "webcal://" + https.split("://", 1)[1]
    return FeedLinks(
        path="/".join(path),
        https=https,
        webcal=webcal,
        google="https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        outlook="https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https, "name": name}, quote_via=quote),
    )
