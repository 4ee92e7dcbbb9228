"""``private/takeaways.docx``: the report template the rapporteur fills in after the visit.

Its outline follows the event-takeaway reports written after such visits: context,
objectives, the vertical perspective (hosts by level of governance), the horizontal
perspective, what was seen, good practices, opportunities and challenges, concluding
takeaways, then the participating representatives country by country and the
institutions met. What the visit file knows is filled in; every prompt is a grey
italic placeholder in square brackets, so nothing unfilled passes for content.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, ClassVar

from visitplan.exporters import BuildContext
from visitplan.i18n import N_
from visitplan.labels import Labels
from visitplan.model import PROGRAMME_KINDS, GovernanceLevel, SessionKind, Visit

# The report's levels of governance, in order; regional and intermediary share one.
LEVEL_GROUPS: list[tuple[str, tuple[GovernanceLevel, ...]]] = [
    (N_("National"), (GovernanceLevel.NATIONAL,)),
    (N_("Regional and intermediary"), (GovernanceLevel.REGIONAL, GovernanceLevel.INTERMEDIARY)),
    (N_("Municipal"), (GovernanceLevel.MUNICIPAL,)),
    (N_("Civil society"), (GovernanceLevel.CIVIL_SOCIETY,)),
    (N_("International"), (GovernanceLevel.INTERNATIONAL,)),
]
# The report's numbered sections.
SECTIONS = [
    N_("Context"),
    N_("Objectives and focus of the visit"),
    N_("The vertical perspective: levels of governance"),
    N_("The horizontal perspective: cooperation on the ground"),
    N_("What we saw"),
    N_("Good practices observed"),
    N_("Opportunities and challenges"),
    N_("Concluding takeaways"),
]
SEEN_KINDS = PROGRAMME_KINDS - {SessionKind.REFLECTION}
GOOD_PRACTICE_BLOCKS = 2
CONTENTS_FROM_PAGES = 6
TAKEAWAY_PROMPTS = 3


class TakeawaysTemplate:
    id: ClassVar[str] = "takeaways-docx"
    name: ClassVar[str] = "Takeaway report template (Word)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        from visitplan.exporters._docx import frame_of

        target = context.path("private", "takeaways.docx")
        frame = frame_of(visit, context, context.labels("Event takeaways"))
        write_takeaways(visit, context.labels, target, frame)
        return [target]


def representatives(visit: Visit, labels: Labels) -> list[tuple[str, str]]:
    """(country name, "representatives from A and B") per country, alphabetically."""
    by_country: dict[str, list[str]] = defaultdict(list)
    people: dict[str, int] = defaultdict(int)
    for person in visit.participants:
        country = labels.country(person.country)
        people[country] += 1
        organisation = person.organisation or ""
        if organisation and organisation not in by_country[country]:
            by_country[country].append(organisation)
        by_country.setdefault(country, [])
    lines = []
    for country in sorted(by_country, key=labels.sort_key):
        organisations = labels.join(by_country[country])
        text = labels.plural(
            "representative from {organisations}",
            "representatives from {organisations}",
            people[country],
            organisations=organisations,
        )
        lines.append((country or "?", text))
    return lines


def write_takeaways(visit: Visit, labels: Labels, target: Path, frame: Any) -> None:
    from docx.shared import Pt

    from visitplan.exporters import _docx as word

    details = visit.details
    document = word.new_document(landscape=False, frame=frame)
    add = word.Paragraphs(document)
    add.add(labels("Event takeaways"), "Title")
    word.add_version(document, frame)
    _title_block(add, visit, labels)
    if estimated_pages(visit) >= CONTENTS_FROM_PAGES:
        word.add_contents(document, labels("Contents"), _outline(visit, labels))

    add.heading(_section(labels, 1), level=1)
    word.text_or_prompt(
        add, details.description, labels("Why this visit, why here, and which question it answers.")
    )

    add.heading(_section(labels, 2), level=1)
    word.objectives(add, details, labels)

    add.heading(_section(labels, 3), level=1)
    word.placeholder(
        add.add(),
        labels(
            "How do the levels of government share the work? Summarise in two or three sentences."
        ),
    )
    for key, levels in LEVEL_GROUPS:
        hosts = [h for h in visit.hosts if h.level in levels]
        if not hosts:
            continue
        add.heading(labels(key), level=2)
        for host in hosts:
            name = add.add()
            name.add_run(host.name).bold = True
            name.paragraph_format.keep_with_next = True
            if host.description:
                context = add.add(" ".join(host.description.split()))
                context.paragraph_format.keep_with_next = True
            word.placeholder(
                add.add("", "List Bullet"),
                labels(
                    "Describe the role of the host, {host}, in the system, the work presented "
                    "and what the participants learned.",
                    host=host.name,
                ),
            )

    add.heading(_section(labels, 4), level=1)
    word.placeholder(
        add.add(),
        labels(
            "How do local actors (municipality, services, civil society) work together? "
            "Describe the mechanisms observed."
        ),
    )

    add.heading(_section(labels, 5), level=1)
    for session in _seen(visit):
        add.heading(session.title, level=2)
        when = add.add()
        when.add_run(
            f"{labels.full_date(session.date)}, {session.start:%H:%M}–{session.end:%H:%M}"
        ).italic = True
        names = [h.name for hid in session.hosts if (h := visit.host(hid)) is not None]
        if names:
            when.add_run(
                " · " + labels("Hosted by {hosts}", hosts=labels.join(names))
            ).italic = True
        for prompt in (
            N_("What was presented"),
            N_("Practices observed"),
            N_("Relevance for the participants' countries"),
        ):
            word.placeholder(add.add("", "List Bullet"), labels(prompt))

    add.heading(_section(labels, 6), level=1)
    for n in range(1, GOOD_PRACTICE_BLOCKS + 1):
        # A bold line, not a heading: a placeholder must not reach the contents.
        title = add.add()
        title.add_run(labels.colon(labels("Good practice {n}", n=n)) + " ").bold = True
        word.placeholder(title, labels("Name of the practice"))
        title.paragraph_format.keep_with_next = True
        title.paragraph_format.space_before = Pt(8)
        for prompt in (
            N_("The practice: what it is and who runs it"),
            N_("Its added value"),
            N_("What it requires in practice: legal basis, funding, staff, partners"),
        ):
            word.placeholder(add.add("", "List Bullet"), labels(prompt))
    word.placeholder(add.add(), labels("Copy this block for each further practice."))

    add.heading(_section(labels, 7), level=1)
    add.heading(labels("Opportunities"), level=2)
    word.placeholder(add.add(), labels("What could be taken up, by whom and where?"))
    add.heading(labels("Challenges"), level=2)
    word.placeholder(
        add.add(), labels("What limits the practices seen: funding, mandate, capacity, continuity?")
    )

    add.heading(_section(labels, 8), level=1)
    for n in range(1, TAKEAWAY_PROMPTS + 1):
        word.placeholder(
            add.add("", "List Number"),
            labels("Recommendation {n}: what should be done, and by whom", n=n),
        )
    add.heading(labels("Strategic insight"), level=2)
    word.placeholder(add.add(), labels("The one idea the reader should keep."))

    add.heading(labels("Participating representatives"), level=1)
    lines = representatives(visit, labels)
    for n, (country, text) in enumerate(lines):
        paragraph = add.add()
        paragraph.add_run(labels.colon(country) + " ").bold = True
        paragraph.add_run(text + ("." if n == len(lines) - 1 else labels.semicolon.rstrip()))

    add.heading(labels("Institutions and organisations met"), level=1)
    met = [h.name for h in visit.hosts]
    if met:
        add.add(labels.semicolon.join(met) + ".")
    document.save(str(target))


def estimated_pages(visit: Visit, lines_per_page: int = 46, chars_per_line: int = 90) -> float:
    """About how many pages the report fills: enough to tell a short one from a long one."""

    def lines(text: str | None) -> int:
        return 1 + len(text or "") // chars_per_line

    total = 70 + lines(visit.details.description) + 2 * len(visit.details.objectives)
    total += sum(4 + lines(host.description) for host in visit.hosts)
    total += 7 * len(_seen(visit))
    total += 2 * len({p.country for p in visit.participants}) + len(visit.hosts) // 4
    return total / lines_per_page


def _title_block(add: Any, visit: Visit, labels: Labels) -> None:
    details = visit.details
    place = ", ".join([*visit.cities(), labels.country(details.country)])
    lines = [
        ("", details.title),
        (labels("Place"), place),
        (labels("Dates"), labels.date_range(details.start_date, details.end_date)),
        (labels("Project"), details.project or ""),
        (labels("Funded by"), details.funder or ""),
    ]
    for label, value in lines:
        if not value:
            continue
        paragraph = add.add()
        paragraph.paragraph_format.space_after = 0
        if label:
            paragraph.add_run(labels.colon(label) + " ").bold = True
            paragraph.add_run(value)
        else:
            paragraph.add_run(value).bold = True


def _seen(visit: Visit) -> list[Any]:
    return [s for s in visit.active_sessions() if s.kind in SEEN_KINDS]


def _outline(visit: Visit, labels: Labels) -> list[tuple[int, str]]:
    entries: list[tuple[int, str]] = [
        (1, _section(labels, 1)),
        (1, _section(labels, 2)),
        (1, _section(labels, 3)),
    ]
    entries += [
        (2, labels(key))
        for key, levels in LEVEL_GROUPS
        if any(h.level in levels for h in visit.hosts)
    ]
    entries += [(1, _section(labels, 4)), (1, _section(labels, 5))]
    entries += [(2, s.title) for s in _seen(visit)]
    entries += [(1, _section(labels, 6)), (1, _section(labels, 7))]
    entries += [(2, labels("Opportunities")), (2, labels("Challenges"))]
    entries += [(1, _section(labels, 8)), (2, labels("Strategic insight"))]
    entries += [
        (1, labels("Participating representatives")),
        (1, labels("Institutions and organisations met")),
    ]
    return entries


def _section(labels: Labels, number: int) -> str:
    """A numbered section's heading: "3. The vertical perspective: ..."."""
    return f"{number}. {labels(SECTIONS[number - 1])}"
