"""``private/factsheet.docx``: the good-practice factsheet a project writes after a visit.

Its sections are those of the factsheets that EU-funded projects publish on their
study visits: background information (a table), summary, goals, how it works (one
paragraph per host visited), results (the participants by organisation, role and
country, never by name), evaluation, who benefits, funding, replicability and
insights. What the visit file and the feedback answers know is filled in; the rest
are grey italic prompts in square brackets, so nothing unfilled passes for content.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from visitplan.exporters import BuildContext
from visitplan.feedback.questions import FREE_TIME, LOAD_PREFIX, USEFUL_PREFIX, rated_sessions
from visitplan.feedback.store import Feedback
from visitplan.i18n import N_
from visitplan.labels import Labels
from visitplan.model import PROGRAMME_KINDS, Host, Participant, Session, Visit

# The factsheet's sections, in order.
SECTIONS = [
    N_("Background information"),
    "Summary",  # a section's summary, not a sheet's overview: see section_titles()
    N_("Goals"),
    N_("How does it work?"),
    N_("Results"),
    N_("Evaluation"),
    N_("Who benefits?"),
    N_("Source of funding and resources used"),
    N_("Replicability"),
    N_("Insights gained"),
]
SUMMARY = 1


def section_titles(labels: Labels) -> list[str]:
    """The sections' headings in the labels' language."""
    titles = [labels(title) for title in SECTIONS]
    titles[SUMMARY] = labels.pgettext("factsheet", "Summary")
    return titles


ROLES_NAMED = 3  # the most frequent roles the results sentence names
BEST_SESSIONS = 3
NOUN_CAPITALS = frozenset({"de"})  # languages that capitalise every noun
LABEL_COLUMN_PT = 150.0


class GoodPracticeFactsheet:
    id: ClassVar[str] = "factsheet-docx"
    name: ClassVar[str] = "Good-practice factsheet (Word)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        from visitplan.exporters._docx import frame_of

        target = context.path("private", "factsheet.docx")
        frame = frame_of(visit, context, context.labels("Factsheet of good practice"))
        write_factsheet(visit, context.labels, target, frame, context.feedback)
        return [target]


def visited_hosts(visit: Visit) -> list[Host]:
    """The hosts met in the programme's sessions that take place, in order of the
    first meeting."""
    seen: dict[str, Host] = {}
    for session in visit.active_sessions():
        if session.kind not in PROGRAMME_KINDS:
            continue
        for host_id in session.hosts:
            host = visit.host(host_id)
            if host is not None:
                seen.setdefault(host.id, host)
    return list(seen.values())


def participant_rows(visit: Visit, labels: Labels) -> list[tuple[str, str, str]]:
    """(organisation, role, country name) of every participant, by country, then
    organisation, then role: nothing that names or reaches a person."""
    rows = [
        (_one_line(p.organisation), _one_line(p.role), labels.country(p.country))
        for p in visit.participants
    ]
    return sorted(
        rows,
        key=lambda r: (
            not r[2],
            labels.sort_key(r[2]),
            labels.sort_key(r[0]),
            labels.sort_key(r[1]),
        ),
    )


def totals_by_country(visit: Visit, labels: Labels) -> list[tuple[str, int]]:
    """How many participants came from each country, alphabetically; "" for those
    whose country is not given, last."""
    counts = Counter(labels.country(p.country) for p in visit.participants)
    return sorted(counts.items(), key=lambda item: (not item[0], labels.sort_key(item[0])))


@dataclass(frozen=True)
class FeedbackSummary:
    """The few figures of the feedback a factsheet reports."""

    responses: int
    mean_usefulness: float | None  # over every session's rating
    not_enough_free_time: float | None  # share of those who answered the question
    heavy_days: list[date]  # days that most of those who answered found too heavy
    best_sessions: list[tuple[Session, float]]  # highest mean usefulness first


def summarise_feedback(visit: Visit, feedback: Feedback) -> FeedbackSummary:
    ratings: list[int] = []
    means: list[tuple[Session, float]] = []
    for session in rated_sessions(visit):
        answers = [int(a) for a in feedback.answers(USEFUL_PREFIX + session.id) if _is_rating(a)]
        ratings += answers
        if answers:
            means.append((session, sum(answers) / len(answers)))
    free = [a for a in feedback.answers(FREE_TIME) if isinstance(a, bool)]
    heavy_days = []
    for day in sorted({s.date for s in rated_sessions(visit)}):
        loads = feedback.answers(LOAD_PREFIX + day.isoformat())
        if loads and 2 * loads.count("heavy") > len(loads):
            heavy_days.append(day)
    best = sorted(means, key=lambda item: (-item[1], item[0].starts_at))[:BEST_SESSIONS]
    return FeedbackSummary(
        responses=len(feedback),
        mean_usefulness=sum(ratings) / len(ratings) if ratings else None,
        not_enough_free_time=free.count(False) / len(free) if free else None,
        heavy_days=heavy_days,
        best_sessions=best,
    )


def _is_rating(answer: object) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


def write_factsheet(
    visit: Visit, labels: Labels, target: Path, frame: Any, feedback: Feedback | None
) -> None:
    from visitplan.exporters import _docx as word

    document = word.new_document(landscape=False, frame=frame)
    add = word.Paragraphs(document)
    titles = section_titles(labels)
    _title_page(document, add, visit, labels, frame, titles)

    add.heading(titles[0], level=1)
    _background(document, visit, labels)

    add.heading(titles[1], level=1)
    word.text_or_prompt(
        add,
        visit.details.description,
        labels(
            "What was the visit, where, for whom, and what did it show? Two or three sentences."
        ),
    )

    add.heading(titles[2], level=1)
    word.objectives(add, visit.details, labels)
    if not visit.details.objectives and not visit.details.guiding_question:
        word.placeholder(add.add(), labels("What did the visit set out to achieve?"))

    add.heading(titles[3], level=1)
    _how_it_works(add, visit, labels)

    add.heading(titles[4], level=1)
    _results(document, add, visit, labels)

    add.heading(titles[5], level=1)
    _evaluation(add, visit, labels, feedback)

    add.heading(titles[6], level=1)
    word.placeholder(
        add.add(),
        labels(
            "Who benefits from the practice: first the participants and their organisations, "
            "then the people and communities they serve?"
        ),
    )

    add.heading(titles[7], level=1)
    _funding(add, visit, labels, frame)

    add.heading(titles[8], level=1)
    word.placeholder(
        add.add(),
        labels(
            "Could the practice work elsewhere? Which conditions does it need (institutional "
            "support, funding, partners), and has it been repeated already?"
        ),
    )

    add.heading(titles[9], level=1)
    word.placeholder(
        add.add(),
        labels(
            "What are the key lessons, and what have the participants done since with what "
            "they learned?"
        ),
    )
    document.save(str(target))


def _title_page(
    document: Any, add: Any, visit: Visit, labels: Labels, frame: Any, titles: list[str]
) -> None:
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    from visitplan.exporters import _docx as word

    details = visit.details
    add.add(labels("Factsheet of good practice"), "Title")
    word.add_version(document, frame)
    title = add.add()
    run = title.add_run(word.xml_text(details.title))
    run.bold = True
    run.font.size = Pt(16)
    place = labels.join(visit.cities())
    country = labels.country(details.country)
    when = labels.date_range(details.start_date, details.end_date)
    add.add(", ".join(part for part in (place, country) if part) + f" · {when}")
    if details.project:
        add.add(details.project).paragraph_format.space_after = Pt(12)
    if frame.emblem is not None or frame.funding:
        funded = add.add()
        funded.paragraph_format.space_before = Pt(24)
        if frame.emblem is not None:
            word.picture(funded.add_run(), frame.emblem, width_mm=50, height_mm=25)
        if frame.funding:
            statement = add.add(frame.funding)
            statement.runs[0].font.size = Pt(9)
    word.add_contents(document, labels("Contents"), [(1, title) for title in titles])
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _background(document: Any, visit: Visit, labels: Labels) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt

    from visitplan.exporters import _docx as word

    details = visit.details
    contact = details.branding.contact
    cities = visit.cities()
    countries = [details.country]
    for session in visit.active_sessions():
        venue = visit.venue(session.venue)
        if venue is not None and venue.country and venue.country not in countries:
            countries.append(venue.country)
    rows: list[tuple[str, str, str]] = [
        (labels("Title"), details.title, ""),
        (labels("Geographic area"), labels.join([labels.country(c) for c in countries]), ""),
        (
            labels.plural("City", "Cities", max(len(cities), 1)),
            labels.join(cities),
            labels("Where the visit took place"),
        ),
        (labels("Organisation"), details.organiser or "", labels("Who organised the visit")),
        (
            labels("Contact person or organisation"),
            contact.name if contact is not None else details.organiser or "",
            labels("Who answers questions about the practice"),
        ),
        (labels("Contact email"), "", labels("An address that readers can write to")),
        (
            labels("Website"),
            details.publishing.base_url or "",
            labels("The project's or the organiser's website"),
        ),
        (labels("Start date"), labels.date(details.start_date), ""),
        (labels("End date"), labels.date(details.end_date), ""),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    word.table_grid(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    available = word.text_width_pt(landscape=False)
    word.set_widths(table, [LABEL_COLUMN_PT, available - LABEL_COLUMN_PT])
    for row, (label, value, prompt) in zip(table.rows, rows, strict=True):
        name, content = row.cells
        run = name.paragraphs[0].add_run(word.xml_text(label))
        run.bold = True
        run.font.size = Pt(word.TABLE_FONT_PT)
        word.shade(name, "E8ECF2")
        if value:
            content.paragraphs[0].add_run(word.xml_text(_one_line(value))).font.size = Pt(
                word.TABLE_FONT_PT
            )
        else:
            word.placeholder(content.paragraphs[0], prompt).font.size = Pt(word.TABLE_FONT_PT)


def _how_it_works(add: Any, visit: Visit, labels: Labels) -> None:
    from visitplan.exporters import _docx as word

    hosts = visited_hosts(visit)
    if not hosts:
        word.placeholder(
            add.add(),
            labels(
                "Which organisations and institutions did the participants visit, what does "
                "each do, and what did the participants learn there?"
            ),
        )
        return
    add.add(labels("The participants visited these organisations and institutions:"))
    for host in hosts:
        paragraph = add.add()
        paragraph.add_run(word.xml_text(labels.colon(_one_line(host.name)))).bold = True
        paragraph.add_run(" ")
        if host.description:
            paragraph.add_run(word.xml_text(" ".join(host.description.split())) + " ")
            word.placeholder(
                paragraph,
                labels(
                    "What did the participants learn at {host}, and what did they discuss?",
                    host=_one_line(host.name),
                ),
            )
        else:
            word.placeholder(
                paragraph,
                labels(
                    "What does {host} do, what did it present, and what did the participants "
                    "learn there?",
                    host=_one_line(host.name),
                ),
            )


def _results(document: Any, add: Any, visit: Visit, labels: Labels) -> None:
    from docx.shared import Pt

    from visitplan.exporters import _docx as word

    word.placeholder(
        add.add(),
        labels(
            "What did the visit achieve? Outcomes for the participants, their organisations "
            "and the partnership."
        ),
    )
    if not visit.participants:
        word.placeholder(
            add.add(),
            labels("Who took part? List the participants by organisation, role and country."),
        )
        return
    add.add(_participants_sentence(visit, labels))

    caption = add.add()
    caption.add_run(labels("Participants by organisation, role and country")).bold = True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    rows = participant_rows(visit, labels)
    header = [labels("Organisation"), labels("Role"), labels("Country")]
    columns = [[h, *(r[n] for r in rows)] for n, h in enumerate(header)]
    available = word.text_width_pt(landscape=False)
    widths = word.fit_columns(columns, available) or [
        available * 0.4,
        available * 0.4,
        available * 0.2,
    ]
    word.add_table(document, header, rows, widths)

    caption = add.add()
    caption.add_run(labels("Participants by country")).bold = True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(10)
    totals = totals_by_country(visit, labels)
    body: list[list[word.CellValue]] = [
        [country or labels("(not given)"), str(n)] for country, n in totals
    ]
    body.append(
        [
            [(labels("Total"), frozenset({"bold"}))],
            [(str(len(visit.participants)), frozenset({"bold"}))],
        ]
    )
    # Generous widths: the estimate is for Latin letters, and a header such as
    # "Συμμετέχοντες" must not break inside the word.
    country_width = max(word.text_width(c) for c in [labels("Country"), *(c for c, _ in totals)])
    count_width = word.text_width(labels("Participants"))
    table = word.add_table(
        document,
        [labels("Country"), labels("Participants")],
        body,
        [
            max(1.3 * country_width + word.CELL_PADDING_PT, 140.0),
            max(1.3 * count_width + word.CELL_PADDING_PT, 100.0),
        ],
    )
    _keep_together(table)


def _keep_together(table: Any) -> None:
    """The table on one page: each row's paragraphs keep with the next row."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for row in table._tbl.tr_lst[:-1]:
        for paragraph in row.iter(qn("w:p")):
            properties = paragraph.find(qn("w:pPr"))
            if properties is None:
                properties = OxmlElement("w:pPr")
                paragraph.insert(0, properties)
            if properties.find(qn("w:keepNext")) is None:
                properties.append(OxmlElement("w:keepNext"))


def _participants_sentence(visit: Visit, labels: Labels) -> str:
    """ "23 participants (role, role and role, among others) from A, B and C took part
    in the visit." """
    people = visit.participants
    n = len(people)
    countries = [c for c, _ in totals_by_country(visit, labels) if c]
    roles = _frequent_roles(people)
    if roles:
        shown = [_in_sentence(role, labels.language) for role in roles[:ROLES_NAMED]]
        # A role with a comma in it ("Member of the association, migrant participant")
        # would run into the next one: semicolons part them then.
        if any("," in role for role in shown):
            named = labels.semicolon.join(shown)
        else:
            named = labels.join(shown)
        if len(roles) > ROLES_NAMED:
            named = labels("{roles}, among others", roles=named)
        if countries:
            return labels.plural(
                "{n} participant ({roles}) from {countries} took part in the visit.",
                "{n} participants ({roles}) from {countries} took part in the visit.",
                n,
                roles=named,
                countries=labels.join(countries),
            )
        return labels.plural(
            "{n} participant ({roles}) took part in the visit.",
            "{n} participants ({roles}) took part in the visit.",
            n,
            roles=named,
        )
    if countries:
        return labels.plural(
            "{n} participant from {countries} took part in the visit.",
            "{n} participants from {countries} took part in the visit.",
            n,
            countries=labels.join(countries),
        )
    return labels.plural(
        "{n} participant took part in the visit.", "{n} participants took part in the visit.", n
    )


def _in_sentence(role: str, language: str) -> str:
    """A role as running text writes it: "Migrant participant" becomes "migrant
    participant"; acronyms ("CEO"), names ("IOM officer") and German nouns keep
    their capitals."""
    first = role.split(" ", 1)[0]
    if language in NOUN_CAPITALS or not (first[:1].isupper() and first[1:].islower()):
        return role
    return role[0].lower() + role[1:]


def _frequent_roles(people: list[Participant]) -> list[str]:
    """The roles participants hold, the most frequent first (then as they come)."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for person in people:
        role = _one_line(person.role)
        if role:
            key = role.casefold()
            counts[key] += 1
            shown.setdefault(key, role)
    return [shown[key] for key, _ in counts.most_common()]


def _evaluation(add: Any, visit: Visit, labels: Labels, feedback: Feedback | None) -> None:
    from babel.numbers import format_decimal, format_percent

    from visitplan import dates
    from visitplan.exporters import _docx as word

    if feedback is None or not len(feedback):
        word.placeholder(
            add.add(),
            labels(
                "How did the participants judge the visit: its usefulness, its load, the free "
                "time? Once their answers are imported with “visitplan feedback import”, the "
                "next build fills this section in."
            ),
        )
        return
    locale = dates.locale_of(labels.language)
    summary = summarise_feedback(visit, feedback)
    sentences = [
        labels.plural(
            "{responses} of {n} participant answered the feedback form.",
            "{responses} of {n} participants answered the feedback form.",
            len(visit.participants),
            responses=summary.responses,
        )
    ]
    if summary.mean_usefulness is not None:
        sentences.append(
            labels(
                "On average they rated the sessions' usefulness {mean} out of 5.",
                mean=format_decimal(summary.mean_usefulness, format="0.0", locale=locale),
            )
        )
    if summary.not_enough_free_time is not None:
        sentences.append(
            labels(
                "{share} of those who answered said there was not enough free time.",
                share=format_percent(summary.not_enough_free_time, locale=locale),
            )
        )
    if summary.heavy_days:
        sentences.append(
            labels(
                "Most found these days too heavy: {days}.",
                days=labels.join([labels.full_date(day) for day in summary.heavy_days]),
            )
        )
    if summary.best_sessions:
        best = [
            labels(
                "“{title}” ({mean})",
                title=_one_line(session.title),
                mean=format_decimal(mean, format="0.0", locale=locale),
            )
            for session, mean in summary.best_sessions
        ]
        sentences.append(labels("The best-rated sessions: {sessions}.", sessions=labels.join(best)))
    add.add(" ".join(sentences))
    word.placeholder(
        add.add(),
        labels(
            "What did the participants value most, what would they change, and what does "
            "the organising team conclude for the next visit?"
        ),
    )


def _funding(add: Any, visit: Visit, labels: Labels, frame: Any) -> None:
    from visitplan.exporters import _docx as word

    details = visit.details
    funder = _one_line(details.funder)
    project = _one_line(details.project)
    if funder and project:
        add.add(
            labels(
                "The visit was funded by {funder} under the project “{project}”.",
                funder=funder,
                project=project,
            )
        )
    elif funder:
        add.add(labels("The visit was funded by {funder}.", funder=funder))
    elif project:
        add.add(labels("The visit was part of the project “{project}”.", project=project))
    if frame.funding:
        add.add(frame.funding)
    if not funder:
        word.placeholder(add.add(), labels("Who funded the visit, under which programme?"))
    word.placeholder(
        add.add(),
        labels(
            "Which resources did the visit use: budget, staff, the hosts' time and rooms? "
            "Was other funding used?"
        ),
    )


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())
