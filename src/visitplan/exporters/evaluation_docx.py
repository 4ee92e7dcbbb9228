"""``private/evaluation.docx``: what participants said after the visit, with charts,
set against what the schedule check found.

Written only once answers to the feedback form are kept beside the visit file. Means
are rounded half up to one decimal, as shown; each day's load is measured as
``visitplan check`` measures it (``timeline.day_loads``), and each workload or
free-time finding stands beside what participants said of its day. Where most
participants contradict a threshold, a sentence suggests a value for the next
visit's ``rules:``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

from visitplan.exporters import BuildContext
from visitplan.feedback.questions import (
    CHANGE,
    COMMENTS,
    FREE_TIME,
    INTERPRETATION,
    KEEP,
    LOAD_WORDS,
    LOADS,
    USEFUL_PREFIX,
    Question,
    QuestionKind,
    questions,
    rated_sessions,
)
from visitplan.feedback.store import Feedback
from visitplan.findings import Finding
from visitplan.i18n import N_
from visitplan.labels import Labels
from visitplan.model import Session, Visit
from visitplan.timeline import day_loads

# Findings of the workload checks that concern one day (placed on the day of the
# session they name), and those of the free-time check (about several days).
DAY_CODES = frozenset({"VP111", "VP112", "VP113", "VP114", "VP115", "VP116", "VP117", "VP123"})
FREE_TIME_CODES = frozenset({"VP121", "VP122"})
LONG_DAY, LONG_SPAN = "VP111", "VP112"
STEP_MINUTES = 30  # suggested thresholds are whole or half hours
CHART_WIDTH_MM = 160
SESSIONS_PER_CHART = 24  # more go on a further chart, so none outgrows a page
TEXT_QUESTIONS = (KEEP, CHANGE, COMMENTS)


class EvaluationReport:
    id: ClassVar[str] = "evaluation-docx"
    name: ClassVar[str] = "Evaluation of the feedback (Word)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        if context.feedback is None:
            return []
        from visitplan.exporters._docx import frame_of

        target = context.path("private", "evaluation.docx")
        evaluation = evaluate(visit, context.feedback, context.findings)
        frame = frame_of(visit, context, context.labels("Evaluation of the visit"))
        write_evaluation(visit, evaluation, context.labels, target, frame)
        return [target]


# --- What the answers say --------------------------------------------------------


def rounded_mean(values: Sequence[int]) -> float:
    """The mean to one decimal, halves rounded up, computed exactly (4.25 is 4.3)."""
    exact = Fraction(sum(values), len(values))
    return math.floor(exact * 10 + Fraction(1, 2)) / 10


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` in whole per cent, halves rounded up."""
    return math.floor(Fraction(100 * part, whole) + Fraction(1, 2)) if whole else 0


@dataclass(frozen=True)
class SessionScore:
    session: Session
    mean: float  # as shown: one decimal
    count: int


@dataclass(frozen=True)
class DayFeeling:
    """A day's answers beside the check's measure of it and its findings."""

    day: date
    counts: dict[str, int]  # light, right, heavy
    programme: int  # minutes of programme (the heaviest group's, when groups differ)
    span: int  # minutes from the first start to the last end
    findings: tuple[Finding, ...]

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    def most(self, load: str) -> bool:
        """More than half of the day's answers say ``load``."""
        return self.counts[load] * 2 > self.answers > 0

    @property
    def codes(self) -> set[str]:
        return {finding.code for finding in self.findings}


@dataclass(frozen=True)
class Suggestion:
    """A threshold of ``rules:`` the answers contradict, and the value they point to."""

    message: str  # the sentence, with {days}, {share}, {setting}, {value}, {current}
    setting: str
    value: float
    current: float
    days: tuple[date, ...] = ()
    share: int = 0  # the per cent of the answers the sentence quotes


@dataclass(frozen=True)
class Evaluation:
    responses: int
    participants: int
    sessions: list[SessionScore]  # most useful first
    overall: float | None  # the mean of every session's ratings together
    days: list[DayFeeling]
    enough: int  # answered yes: enough free time
    not_enough: int
    free_findings: list[Finding]
    interpretation: tuple[float, int] | None
    texts: dict[str, list[str]]
    suggestions: list[Suggestion]
    limits: tuple[float, float]  # max_programme_hours, max_day_span_hours


def evaluate(visit: Visit, feedback: Feedback, findings: Sequence[Finding]) -> Evaluation:
    """Means, counts and the findings of the check beside them."""
    scores = []
    every_rating: list[int] = []
    for session in rated_sessions(visit):
        ratings = _ratings(feedback.answers(USEFUL_PREFIX + session.id))
        every_rating += ratings
        if ratings:
            scores.append(SessionScore(session, rounded_mean(ratings), len(ratings)))
    scores.sort(key=lambda s: (-s.mean, s.session.starts_at, s.session.id))

    by_id = {session.id: session for session in visit.sessions}
    day_findings: dict[date, list[Finding]] = {}
    for finding in findings:
        concerned = by_id.get(finding.subject or "")
        if finding.code in DAY_CODES and concerned is not None:
            day_findings.setdefault(concerned.date, []).append(finding)
    measure: dict[date, tuple[int, int]] = {}
    for loads in day_loads(visit).values():
        for load in loads:
            programme, span = measure.get(load.day, (0, 0))
            measure[load.day] = (max(programme, load.programme), max(span, load.span))
    days = []
    for question in questions(visit):
        if question.day is None:
            continue
        counted = Counter(a for a in feedback.answers(question.id) if a in LOADS)
        programme, span = measure.get(question.day, (0, 0))
        days.append(
            DayFeeling(
                question.day,
                {load: counted[load] for load in LOADS},
                programme,
                span,
                tuple(day_findings.get(question.day, ())),
            )
        )

    free = [a for a in feedback.answers(FREE_TIME) if isinstance(a, bool)]
    interpretation = _ratings(feedback.answers(INTERPRETATION))
    texts = {
        qid: [a for a in feedback.answers(qid) if isinstance(a, str) and a.strip()]
        for qid in TEXT_QUESTIONS
    }
    free_findings = [f for f in findings if f.code in FREE_TIME_CODES]
    enough, not_enough = free.count(True), free.count(False)
    rules = visit.rules
    return Evaluation(
        responses=len(feedback),
        participants=len(visit.participants),
        sessions=scores,
        overall=rounded_mean(every_rating) if every_rating else None,
        days=days,
        enough=enough,
        not_enough=not_enough,
        free_findings=free_findings,
        interpretation=(
            (rounded_mean(interpretation), len(interpretation)) if interpretation else None
        ),
        texts=texts,
        suggestions=[
            *_day_suggestions(visit, days),
            *_free_time_suggestions(visit, enough, not_enough, free_findings),
        ],
        limits=(rules.max_programme_hours, rules.max_day_span_hours),
    )


def _ratings(answers: Sequence[object]) -> list[int]:
    return [a for a in answers if isinstance(a, int) and not isinstance(a, bool)]


def hours_below(minutes: int) -> float:
    """The largest whole or half hour below ``minutes``: a limit that flags them."""
    return (math.ceil(minutes / STEP_MINUTES) - 1) * STEP_MINUTES / 60


def hours_from(minutes: int) -> float:
    """The smallest whole or half hour that holds ``minutes``: a limit they keep to."""
    return math.ceil(minutes / STEP_MINUTES) * STEP_MINUTES / 60


MISSED_DAYS = N_(
    "Most participants found {days} too heavy, but the check found no long day there. "
    "For the next visit, set `{setting}: {value}` under `rules:` (now {current}), so that "
    "the check flags days like these."
)
STRICT_DAYS = N_(
    "Most participants found {days} about right, although the check flagged a long day "
    "there. For the next visit, `{setting}: {value}` under `rules:` (now {current}) would "
    "match what they felt."
)
MISSED_FREE_TIME = N_(
    "{share} said there was not enough free time, but the check found none missing. For "
    "the next visit, set `{setting}: {value}` under `rules:` (now {current}), so that the "
    "check asks for free time sooner."
)
STRICT_FREE_TIME = N_(
    "{share} said there was enough free time, although the check found too little. For "
    "the next visit, `{setting}: {value}` under `rules:` (now {current}) would match what "
    "they felt."
)


def _day_suggestions(visit: Visit, days: list[DayFeeling]) -> list[Suggestion]:
    rules = visit.rules
    heavy = [d for d in days if d.most("heavy")]
    suggestions = []
    missed = [d for d in heavy if not d.codes & {LONG_DAY, LONG_SPAN}]
    off = ignored(visit)
    if missed and not {LONG_DAY, LONG_SPAN} <= off:
        lightest = min(missed, key=lambda d: (d.programme, d.span))
        shortest = min(missed, key=lambda d: (d.span, d.programme))
        on = tuple(d.day for d in missed)
        value = hours_below(lightest.programme)
        if LONG_DAY not in off and 0 < value < rules.max_programme_hours:
            suggestions.append(
                Suggestion(MISSED_DAYS, "max_programme_hours", value, rules.max_programme_hours, on)
            )
        elif (
            LONG_SPAN not in off
            and 0 < (value := hours_below(shortest.span)) < rules.max_day_span_hours
        ):
            suggestions.append(
                Suggestion(MISSED_DAYS, "max_day_span_hours", value, rules.max_day_span_hours, on)
            )
    for code, setting, current, minutes in (
        (LONG_DAY, "max_programme_hours", rules.max_programme_hours, _programme),
        (LONG_SPAN, "max_day_span_hours", rules.max_day_span_hours, _span),
    ):
        strict = [d for d in days if d.most("right") and code in d.codes]
        if not strict:
            continue
        value = hours_from(max(minutes(d) for d in strict))
        # Days most found too heavy must stay above the new limit.
        if value > current and all(minutes(d) > value * 60 for d in heavy):
            on = tuple(d.day for d in strict)
            suggestions.append(Suggestion(STRICT_DAYS, setting, value, current, on))
    return suggestions


def ignored(visit: Visit) -> set[str]:
    """The codes the visit turns off (``rules: ignore:`` takes codes or names): no new
    threshold is suggested for a check the organiser switched off."""
    from visitplan.findings import CATALOGUE

    names = set(visit.rules.ignore)
    return {info.code for info in CATALOGUE.values() if names & {info.code, info.name}}


def _programme(day: DayFeeling) -> int:
    return day.programme


def _span(day: DayFeeling) -> int:
    return day.span


def _free_time_suggestions(
    visit: Visit, enough: int, not_enough: int, found: list[Finding]
) -> list[Suggestion]:
    rules = visit.rules
    answers = enough + not_enough
    codes = {finding.code for finding in found}
    if not_enough * 2 > answers and not codes and "VP121" not in ignored(visit):
        share = percent(not_enough, answers)
        if rules.free_time_every_days > 1:
            every = rules.free_time_every_days
            return [
                Suggestion(MISSED_FREE_TIME, "free_time_every_days", every - 1, every, (), share)
            ]
        block = rules.free_block_hours
        return [Suggestion(MISSED_FREE_TIME, "free_block_hours", block + 1, block, (), share)]
    if enough * 2 > answers > 0 and codes:
        share = percent(enough, answers)
        if "VP121" in codes:
            every = rules.free_time_every_days
            return [
                Suggestion(STRICT_FREE_TIME, "free_time_every_days", every + 1, every, (), share)
            ]
        days = rules.free_afternoon_from_days
        return [Suggestion(STRICT_FREE_TIME, "free_afternoon_from_days", days + 1, days, (), share)]
    return []


# --- How it is written -----------------------------------------------------------


def number(value: float, labels: Labels) -> str:
    """A mean as the language writes it: 4.3, 4,3."""
    from babel.numbers import format_decimal

    from visitplan.dates import locale_of

    return format_decimal(value, format="0.0", locale=locale_of(labels.language))


def share(part: int, whole: int, labels: Labels) -> str:
    """A share in per cent as the language writes it: 70%, 70 %."""
    from decimal import Decimal

    from babel.numbers import format_percent

    from visitplan.dates import locale_of

    return format_percent(Decimal(percent(part, whole)) / 100, locale=locale_of(labels.language))


def duration(minutes: int, labels: Labels) -> str:
    whole, rest = divmod(minutes, 60)
    if rest:
        return labels("{hours} h {minutes}", hours=whole, minutes=f"{rest:02d}")
    return labels("{hours} h", hours=whole)


def setting_value(value: float) -> str:
    """A threshold as it is written in ``rules:`` (YAML, not prose): 5, 5.5."""
    return f"{value:g}"


def write_evaluation(
    visit: Visit, evaluation: Evaluation, labels: Labels, target: Path, frame: Any
) -> None:
    from visitplan.exporters import _docx as word

    document = word.new_document(landscape=False, frame=frame)
    add = word.Paragraphs(document)
    add.add(labels("Evaluation of the visit"), "Title")
    word.add_version(document, frame)
    _title_block(add, visit, evaluation, labels)
    if evaluation.responses == 0:
        word.placeholder(add.add(), labels("No answers to the feedback form yet."))
    _usefulness(document, add, evaluation, labels)
    _load(document, add, evaluation, labels)
    _free_time(document, add, evaluation, labels)
    if evaluation.interpretation is not None:
        add.heading(labels("Interpretation"), level=1)
        mean, count = evaluation.interpretation
        add.add(
            labels(
                "Quality of the interpretation: {mean} out of 5 (n = {n}).",
                mean=number(mean, labels),
                n=count,
            )
        )
    _check_beside_feedback(document, add, evaluation, labels)
    _comments(add, visit, evaluation, labels)
    document.save(str(target))


def _title_block(add: Any, visit: Visit, evaluation: Evaluation, labels: Labels) -> None:
    details = visit.details
    place = ", ".join([*visit.cities(), labels.country(details.country)])
    lines = [
        ("", details.title),
        (labels("Place"), place),
        (labels("Dates"), labels.date_range(details.start_date, details.end_date)),
        (labels("Project"), details.project or ""),
        (
            labels("Responses"),
            labels(
                "{answered} of {participants} participants",
                answered=evaluation.responses,
                participants=evaluation.participants,
            ),
        ),
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


def _picture(document: Any, png: bytes, description: str) -> None:
    """The chart at the document's chart width, its wording as the image's alt text."""
    import io

    from docx.shared import Mm

    from visitplan.exporters._docx import xml_text

    before = document.paragraphs[-1] if document.paragraphs else None
    if before is not None and not before._p.xpath(".//w:drawing"):
        # The chart stays on the page of the words that announce it.
        before.paragraph_format.keep_with_next = True
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.keep_together = True
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(CHART_WIDTH_MM))
    shape._inline.docPr.set("descr", xml_text(description))


def _session_label(session: Session, repeated: set[str], labels: Labels) -> str:
    title = " ".join(session.title.split())
    return f"{title} ({labels.date(session.date)})" if title.casefold() in repeated else title


def _usefulness(document: Any, add: Any, evaluation: Evaluation, labels: Labels) -> None:
    from visitplan.exporters import _charts as charts
    from visitplan.exporters import _docx as word

    scores = evaluation.sessions
    if not scores:
        return
    add.heading(labels("How useful the sessions were"), level=1)
    ratings = sum(score.count for score in scores)
    overall = evaluation.overall or 0.0
    add.add(
        labels(
            "Mean usefulness over all sessions: {mean} out of 5 ({ratings} ratings of "
            "{sessions} sessions; 1 = not useful, 5 = very useful).",
            mean=number(overall, labels),
            ratings=ratings,
            sessions=len(scores),
        )
    )
    titles = Counter(" ".join(s.session.title.split()).casefold() for s in scores)
    repeated = {title for title, count in titles.items() if count > 1}
    best, worst = scores[0], scores[-1]
    if len(scores) > 1:
        add.add(
            labels(
                "Most useful: “{best}” ({best_mean}, n = {best_n}). Least useful: “{worst}” "
                "({worst_mean}, n = {worst_n}).",
                best=_session_label(best.session, repeated, labels),
                best_mean=number(best.mean, labels),
                best_n=best.count,
                worst=_session_label(worst.session, repeated, labels),
                worst_mean=number(worst.mean, labels),
                worst_n=worst.count,
            )
        )
    axis = labels("Mean usefulness (1 = not useful, 5 = very useful)")
    for start in range(0, len(scores), SESSIONS_PER_CHART):
        part = scores[start : start + SESSIONS_PER_CHART]
        rows = [
            (
                charts.short_label(_session_label(s.session, repeated, labels)),
                s.mean,
                labels("{mean} (n = {n})", mean=number(s.mean, labels), n=s.count),
            )
            for s in part
        ]
        _picture(document, charts.usefulness_chart(rows, axis), axis)
    header = [labels("Session"), labels("Date"), labels("Mean"), "n"]
    body = [
        [
            " ".join(s.session.title.split()),
            labels.date(s.session.date),
            number(s.mean, labels),
            str(s.count),
        ]
        for s in scores
    ]
    available = word.text_width_pt(landscape=False)
    # The mean's column as wide as its heading ("Mean", "Μέσος όρος", "Gemiddelde").
    mean_width = min(max(45.0, word.text_width(header[2]) + word.CELL_PADDING_PT + 6), 90.0)
    widths = [available - 145.0 - mean_width, 110.0, mean_width, 35.0]
    word.add_table(document, header, body, widths)


def _load(document: Any, add: Any, evaluation: Evaluation, labels: Labels) -> None:
    from visitplan.exporters import _charts as charts

    days = [d for d in evaluation.days if d.answers]
    if not days:
        return
    add.heading(labels("The load of each day"), level=1)
    add.add(
        labels(
            "How participants felt each day, beside the check's measure of it: the hours "
            "of programme and the span from the first start to the last end."
        )
    )
    for day in days:
        add.add(_day_sentence(day, labels), "List Bullet")
    programme_limit, span_limit = evaluation.limits
    chart = charts.LoadChart(
        days=[labels.full_date(d.day) for d in days],
        counts=[tuple(d.counts[load] for load in LOADS) for d in days],  # type: ignore[misc]
        load_words=tuple(labels(LOAD_WORDS[load]) for load in LOADS),  # type: ignore[arg-type]
        felt_title=labels("As participants felt it"),
        felt_axis=labels("Share of the answers (%)"),
        programme_hours=[d.programme / 60 for d in days],
        span_hours=[d.span / 60 for d in days],
        measured_texts=[(duration(d.programme, labels), duration(d.span, labels)) for d in days],
        limits=(programme_limit, span_limit),
        measured_title=labels("As the check measures it"),
        measured_axis=labels("Hours"),
        measure_words=(
            labels("Programme"),
            labels("Span of the day"),
            labels("Limits of the check"),
        ),
    )
    description = labels.join([chart.felt_title, chart.measured_title])
    _picture(document, charts.load_chart(chart), description)


def _day_sentence(day: DayFeeling, labels: Labels) -> str:
    return labels(
        "{day}: {heavy} of {n} found it too heavy, {right} about right, {light} too light; "
        "{programme} of programme, {span} from first start to last end.",
        day=labels.full_date(day.day),
        heavy=day.counts["heavy"],
        right=day.counts["right"],
        light=day.counts["light"],
        n=day.answers,
        programme=duration(day.programme, labels),
        span=duration(day.span, labels),
    )


def _free_time_sentence(evaluation: Evaluation, labels: Labels) -> str:
    answers = evaluation.enough + evaluation.not_enough
    return labels(
        "{not_enough} of {n} ({not_enough_share}) said there was not enough free time; "
        "{enough} ({enough_share}) said there was enough.",
        not_enough=evaluation.not_enough,
        n=answers,
        not_enough_share=share(evaluation.not_enough, answers, labels),
        enough=evaluation.enough,
        enough_share=share(evaluation.enough, answers, labels),
    )


def _free_time(document: Any, add: Any, evaluation: Evaluation, labels: Labels) -> None:
    from visitplan.exporters import _charts as charts

    answers = evaluation.enough + evaluation.not_enough
    if not answers:
        return
    add.heading(labels("Free time"), level=1)
    add.add(_free_time_sentence(evaluation, labels))
    rows = [
        (
            labels("Enough free time"),
            evaluation.enough,
            f"{evaluation.enough} ({share(evaluation.enough, answers, labels)})",
        ),
        (
            labels("Not enough free time"),
            evaluation.not_enough,
            f"{evaluation.not_enough} ({share(evaluation.not_enough, answers, labels)})",
        ),
    ]
    axis = labels("Answers")
    _picture(document, charts.free_time_chart(rows, axis), labels("Was there enough free time?"))


def _finding_text(finding: Finding) -> list[tuple[str, frozenset[str]]]:
    return [
        (f"{finding.code} {finding.name}: ", frozenset({"bold"})),
        (finding.message, frozenset()),
    ]


def _check_beside_feedback(document: Any, add: Any, evaluation: Evaluation, labels: Labels) -> None:
    from docx.shared import Pt

    from visitplan.exporters import _docx as word

    add.heading(labels("What the check found, and what participants said"), level=1)
    add.add(
        labels(
            "Each finding of the schedule check (`visitplan check`) about the load and the "
            "free time, beside what participants said."
        )
    )
    nothing = [(labels("Nothing found."), frozenset({"grey", "italic"}))]
    rows: list[Sequence[word.CellValue]] = []
    for day in evaluation.days:
        if not day.answers and not day.findings:
            continue
        rows.append([[(labels.full_date(day.day), frozenset({"bold"}))]])
        found: list[tuple[str, frozenset[str]]] = []
        for n, finding in enumerate(day.findings):
            found += [("\n" if n else "", frozenset()), *_finding_text(finding)]
        said = _day_sentence_short(day, labels) if day.answers else ""
        rows.append([found or nothing, said])
    answers = evaluation.enough + evaluation.not_enough
    if answers or evaluation.free_findings:
        rows.append([[(labels("Free time"), frozenset({"bold"}))]])
        found = []
        for n, finding in enumerate(evaluation.free_findings):
            found += [("\n" if n else "", frozenset()), *_finding_text(finding)]
        said = (
            labels(
                "{share} said there was not enough free time ({n} of {answers}).",
                share=share(evaluation.not_enough, answers, labels),
                n=evaluation.not_enough,
                answers=answers,
            )
            if answers
            else ""
        )
        rows.append([found or nothing, said])
    if rows:
        available = word.text_width_pt(landscape=False)
        header = [labels("The check found"), labels("Participants said")]
        word.add_table(document, header, rows, [available * 0.58, available * 0.42])
    if not (answers or any(day.answers for day in evaluation.days)):
        return  # nothing said yet, so nothing to agree or disagree with
    paragraph = add.add()
    paragraph.paragraph_format.space_before = Pt(8)
    if not evaluation.suggestions:
        paragraph.add_run(
            labels("The answers agree with the check's thresholds: none needs to change.")
        )
        return
    paragraph.add_run(labels("Thresholds for the next visit")).bold = True
    paragraph.paragraph_format.keep_with_next = True
    for suggestion in evaluation.suggestions:
        add.add(
            labels(
                suggestion.message,
                days=labels.join([labels.date(d) for d in suggestion.days]),
                share=share(suggestion.share, 100, labels),
                setting=suggestion.setting,
                value=setting_value(suggestion.value),
                current=setting_value(suggestion.current),
            ),
            "List Bullet",
        )


def _day_sentence_short(day: DayFeeling, labels: Labels) -> str:
    return labels(
        "{heavy_share} found it too heavy ({heavy} of {n}); {right} about right, {light} too "
        "light.",
        heavy_share=share(day.counts["heavy"], day.answers, labels),
        heavy=day.counts["heavy"],
        n=day.answers,
        right=day.counts["right"],
        light=day.counts["light"],
    )


def _comments(add: Any, visit: Visit, evaluation: Evaluation, labels: Labels) -> None:
    from visitplan.exporters._docx import placeholder

    asked = {q.id: q for q in questions(visit) if q.kind is QuestionKind.TEXT}
    add.heading(labels("Comments"), level=1)
    for qid in TEXT_QUESTIONS:
        question: Question = asked[qid]
        add.heading(question.text(labels), level=2)
        answers = evaluation.texts.get(qid, [])
        if not answers:
            placeholder(add.add(), labels("No answers."))
        for answer in answers:
            add.add(answer.strip(), "List Bullet")
