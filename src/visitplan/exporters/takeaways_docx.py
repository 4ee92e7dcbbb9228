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
from visitplan.labels import Labels
from visitplan.model import PROGRAMME_KINDS, GovernanceLevel, SessionKind, Visit

# The report's levels of governance, in order; regional and intermediary share one.
LEVEL_GROUPS: list[tuple[str, tuple[GovernanceLevel, ...]]] = [
    ("level.national", (GovernanceLevel.NATIONAL,)),
    ("level.regional_intermediary", (GovernanceLevel.REGIONAL, GovernanceLevel.INTERMEDIARY)),
    ("level.municipal", (GovernanceLevel.MUNICIPAL,)),
    ("level.civil_society", (GovernanceLevel.CIVIL_SOCIETY,)),
    ("level.international", (GovernanceLevel.INTERNATIONAL,)),
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
        frame = frame_of(visit, context, context.labels("tk.title"))
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
        key = "tk.representative_from" if people[country] == 1 else "tk.representatives_from"
        lines.append((country or "?", labels(key, organisations=organisations)))
    return lines


def write_takeaways(visit: Visit, labels: Labels, target: Path, frame: Any) -> None:
    from docx.shared import Pt

    from visitplan.exporters import _docx as word

    details = visit.details
    document = word.new_document(landscape=False, frame=frame)
    add = word.Paragraphs(document)
    add.add(labels("tk.title"), "Title")
    word.add_version(document, frame)
    _title_block(add, visit, labels)
    if estimated_pages(visit) >= CONTENTS_FROM_PAGES:
        word.add_contents(document, labels("contents"), _outline(visit, labels))

    add.heading(f"1. {labels('tk.1')}", level=1)
    _text_or_prompt(add, details.description, labels("tk.1_prompt"))

    add.heading(f"2. {labels('tk.2')}", level=1)
    if details.objectives:
        add.add(labels("tk.objectives_intro"))
        for objective in details.objectives:
            add.add(" ".join(objective.text.split()), "List Bullet")
    if details.guiding_question:
        add.add(labels("tk.guiding_intro"))
        question = add.add()
        question.add_run(" ".join(details.guiding_question.split())).bold = True

    add.heading(f"3. {labels('tk.3')}", level=1)
    word.placeholder(add.add(), labels("tk.3_prompt"))
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
                labels("tk.host_prompt", host=host.name),
            )

    add.heading(f"4. {labels('tk.4')}", level=1)
    word.placeholder(add.add(), labels("tk.4_prompt"))

    add.heading(f"5. {labels('tk.5')}", level=1)
    for session in _seen(visit):
        add.heading(session.title, level=2)
        when = add.add()
        when.add_run(
            f"{labels.full_date(session.date)}, {session.start:%H:%M}–{session.end:%H:%M}"
        ).italic = True
        names = [h.name for hid in session.hosts if (h := visit.host(hid)) is not None]
        if names:
            when.add_run(f" · {labels('tk.hosted_by', hosts=labels.join(names))}").italic = True
        for prompt in ("tk.prompt_presented", "tk.prompt_practices", "tk.prompt_relevance"):
            word.placeholder(add.add("", "List Bullet"), labels(prompt))

    add.heading(f"6. {labels('tk.6')}", level=1)
    for n in range(1, GOOD_PRACTICE_BLOCKS + 1):
        # A bold line, not a heading: a placeholder must not reach the contents.
        title = add.add()
        title.add_run(f"{labels('tk.good_practice', n=n)}: ").bold = True
        word.placeholder(title, labels("tk.gp_name"))
        title.paragraph_format.keep_with_next = True
        title.paragraph_format.space_before = Pt(8)
        for prompt in ("tk.gp_practice", "tk.gp_value", "tk.gp_requires"):
            word.placeholder(add.add("", "List Bullet"), labels(prompt))
    word.placeholder(add.add(), labels("tk.gp_repeat"))

    add.heading(f"7. {labels('tk.7')}", level=1)
    add.heading(labels("tk.opportunities"), level=2)
    word.placeholder(add.add(), labels("tk.opportunities_prompt"))
    add.heading(labels("tk.challenges"), level=2)
    word.placeholder(add.add(), labels("tk.challenges_prompt"))

    add.heading(f"8. {labels('tk.8')}", level=1)
    for n in range(1, TAKEAWAY_PROMPTS + 1):
        word.placeholder(add.add("", "List Number"), labels("tk.takeaway_prompt", n=n))
    add.heading(labels("tk.insight"), level=2)
    word.placeholder(add.add(), labels("tk.insight_prompt"))

    add.heading(labels("tk.representatives"), level=1)
    lines = representatives(visit, labels)
    for n, (country, text) in enumerate(lines):
        paragraph = add.add()
        paragraph.add_run(f"{country}: ").bold = True
        paragraph.add_run(text + ("." if n == len(lines) - 1 else ";"))

    add.heading(labels("tk.met"), level=1)
    met = [h.name for h in visit.hosts]
    if met:
        add.add("; ".join(met) + ".")
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
        (labels("tk.place"), place),
        (labels("fact.dates"), labels.date_range(details.start_date, details.end_date)),
        (labels("fact.project"), details.project or ""),
        (labels("fact.funder"), details.funder or ""),
    ]
    for label, value in lines:
        if not value:
            continue
        paragraph = add.add()
        paragraph.paragraph_format.space_after = 0
        if label:
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
        else:
            paragraph.add_run(value).bold = True


def _text_or_prompt(add: Any, text: str | None, prompt: str) -> None:
    from visitplan.exporters._docx import placeholder

    if text:
        for block in text.split("\n\n"):
            add.add(" ".join(block.split()))
    else:
        placeholder(add.add(), prompt)


def _seen(visit: Visit) -> list[Any]:
    return [s for s in visit.active_sessions() if s.kind in SEEN_KINDS]


def _outline(visit: Visit, labels: Labels) -> list[tuple[int, str]]:
    entries: list[tuple[int, str]] = [
        (1, f"1. {labels('tk.1')}"),
        (1, f"2. {labels('tk.2')}"),
        (1, f"3. {labels('tk.3')}"),
    ]
    entries += [
        (2, labels(key))
        for key, levels in LEVEL_GROUPS
        if any(h.level in levels for h in visit.hosts)
    ]
    entries += [(1, f"4. {labels('tk.4')}"), (1, f"5. {labels('tk.5')}")]
    entries += [(2, s.title) for s in _seen(visit)]
    entries += [(1, f"6. {labels('tk.6')}"), (1, f"7. {labels('tk.7')}")]
    entries += [(2, labels("tk.opportunities")), (2, labels("tk.challenges"))]
    entries += [(1, f"8. {labels('tk.8')}"), (2, labels("tk.insight"))]
    entries += [(1, labels("tk.representatives")), (1, labels("tk.met"))]
    return entries
