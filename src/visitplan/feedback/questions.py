"""The feedback form's questions, derived from the visit, each with a stable id.

The ids are what the form carries and what the import matches, so they do not depend
on the wording or the language: ``useful.<session id>`` (a rating from 1 to 5),
``load.<YYYY-MM-DD>`` (too light, about right or too heavy), ``free-time`` (yes or no),
``interpretation`` (a rating; blank when none was used) and the open questions
``keep``, ``change`` and ``comments``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from visitplan.i18n import N_
from visitplan.labels import Labels
from visitplan.model import PROGRAMME_KINDS, Session, Visit


class QuestionKind(StrEnum):
    RATING = "rating"  # 1 (not useful) to 5 (very useful)
    LOAD = "load"  # one of LOADS
    YES_NO = "yes_no"
    TEXT = "text"


LOWEST_RATING = 1
HIGHEST_RATING = 5
# A day's load as participants felt it, lightest first.
LOADS = ("light", "right", "heavy")
LOAD_WORDS = {
    "light": N_("Too light"),
    "right": N_("About right"),
    "heavy": N_("Too heavy"),
}
YES_NO_WORDS = {True: N_("Yes"), False: N_("No")}

FREE_TIME = "free-time"
INTERPRETATION = "interpretation"
KEEP = "keep"
CHANGE = "change"
COMMENTS = "comments"
USEFUL_PREFIX = "useful."
LOAD_PREFIX = "load."

Answer = int | str | bool


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    session: Session | None = None
    day: date | None = None

    def text(self, labels: Labels) -> str:
        """The question as the form asks it, in the labels' language."""
        if self.session is not None:
            return labels(
                "How useful was “{title}” ({day})?",
                title=" ".join(self.session.title.split()),
                day=labels.date(self.session.date),
            )
        if self.day is not None:
            return labels("How was the load of {day}?", day=labels.full_date(self.day))
        return labels(FIXED_TEXTS[self.id])


FIXED_TEXTS = {
    FREE_TIME: N_("Was there enough free time?"),
    INTERPRETATION: N_("How good was the interpretation? (leave blank if you did not use it)"),
    KEEP: N_("What should the next visit keep?"),
    CHANGE: N_("What should the next visit change?"),
    COMMENTS: N_("Any other comments?"),
}


def rated_sessions(visit: Visit) -> list[Session]:
    """The sessions participants rate: meetings, visits, workshops and debriefs that
    take place, in time order."""
    return [s for s in visit.active_sessions() if s.kind in PROGRAMME_KINDS]


def questions(visit: Visit) -> list[Question]:
    """Every question of the visit's form, in the form's order."""
    sessions = rated_sessions(visit)
    days = sorted({session.date for session in sessions})
    return [
        *(Question(USEFUL_PREFIX + s.id, QuestionKind.RATING, session=s) for s in sessions),
        *(Question(LOAD_PREFIX + day.isoformat(), QuestionKind.LOAD, day=day) for day in days),
        Question(FREE_TIME, QuestionKind.YES_NO),
        Question(INTERPRETATION, QuestionKind.RATING),
        Question(KEEP, QuestionKind.TEXT),
        Question(CHANGE, QuestionKind.TEXT),
        Question(COMMENTS, QuestionKind.TEXT),
    ]


def question_kind(question_id: str) -> QuestionKind | None:
    """The kind of answer a question id takes, from the id alone (None: not an id)."""
    if question_id.startswith(USEFUL_PREFIX) or question_id == INTERPRETATION:
        return QuestionKind.RATING
    if question_id.startswith(LOAD_PREFIX):
        return QuestionKind.LOAD
    if question_id == FREE_TIME:
        return QuestionKind.YES_NO
    if question_id in (KEEP, CHANGE, COMMENTS):
        return QuestionKind.TEXT
    return None
