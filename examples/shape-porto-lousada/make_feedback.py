"""Make ``feedback-responses.csv``: invented answers to the SHAPE visit's feedback form,
shaped as Google Forms exports them (a "Timestamp" column, then one column per
question headed with its title), so that the example's build shows an evaluation.

The answers follow what the project's own evaluation found: the three dense days
felt too heavy, most participants missed free time, site visits were valued more than
long meetings late in the day. No names, no addresses. Seeded: running it again writes
the same file.

    python examples/shape-porto-lousada/make_feedback.py
    visitplan feedback import examples/shape-porto-lousada/feedback-responses.csv \\
        --visit examples/shape-porto-lousada/visit.yaml
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

from visitplan.feedback.form import choices, titled
from visitplan.feedback.questions import Question, QuestionKind, questions
from visitplan.labels import Labels
from visitplan.load import load_visit

HERE = Path(__file__).resolve().parent
RESPONSES = 19  # of the 23 participants
NOT_ENOUGH_FREE_TIME = 13  # about 70 %
# How useful each session was on average: site visits high, the long meeting at the
# end of a full day and the evening programme low.
MEANS = {
    "d1-welcome": 3.4,
    "d1-cnaim": 4.6,
    "d1-jrs": 4.5,
    "d1-worst-tours": 4.3,
    "d1-cci": 3.6,
    "d2-city-council": 3.1,
    "d2-housing": 4.4,
    "d2-workshop": 3.8,
    "d2-cci-event": 2.9,
    "d3-lousada": 3.9,
    "d3-companies": 4.4,
    "d3-migrant-voices": 4.0,
    "d3-partner-talks": 2.6,
    "d4-evaluation": 3.7,
}
# Chances of "too light", "about right" and "too heavy" on each day.
LOADS = {
    "2023-05-15": (0.0, 0.2, 0.8),
    "2023-05-16": (0.0, 0.25, 0.75),
    "2023-05-17": (0.0, 0.15, 0.85),
    "2023-05-18": (0.1, 0.85, 0.05),
}
KEEP = [
    "The visits to CNAIM and JRS: hearing from the people who run the services was "
    "the most useful part.",
    "Meeting migrants who work in the services, not only the managers.",
    "The walking debate with Worst Tours made the centre and periphery question concrete.",
    "Small groups at the site visits, so that everyone could ask questions.",
    "The mix of a big city and a small municipality like Lousada.",
    "Time to talk with the other partner cities.",
    "The visit to the housing estate.",
    "Clear information before we travelled.",
]
CHANGE = [
    "Too many visits in one day. Two or three good ones would be better than five rushed ones.",
    "Please plan some free time: we were four days in Porto and hardly saw the city.",
    "Longer lunch breaks; we often ate in a hurry before the next visit.",
    "Finish earlier. After a full day the evening programme was too much.",
    "A more flexible schedule, for example a choice between two visits.",
    "Less time on the bus between the sites.",
    "The partner presentations at the end of the day were hard to follow, everyone was exhausted.",
    "A free afternoon in the middle of the week.",
    "Shorter presentations and more time for questions.",
    "Send the final programme earlier so that we can prepare.",
]
COMMENTS = [
    "A very rich programme, but tiring. I needed a day to recover afterwards.",
    "Thank you to the hosts, everyone was very welcoming.",
    "The interpretation was good, but the interpreter sometimes had to summarise because "
    "the speakers went too fast.",
    "I would like to receive the presentations afterwards.",
    "A quiet break after each visit would help to take in what we saw.",
]


def make(visit_file: Path, out: Path, seed: int = 2023) -> None:
    visit = load_visit(visit_file).visit
    labels = Labels(visit.details.language)
    asked = questions(visit)
    chance = random.Random(seed)  # noqa: S311 - seeded on purpose: the same file each run
    free_time = [False] * NOT_ENOUGH_FREE_TIME + [True] * (RESPONSES - NOT_ENOUGH_FREE_TIME)
    chance.shuffle(free_time)
    interpreted = set(chance.sample(range(RESPONSES), 8))
    keep = _spread(chance, KEEP, 9)
    change = _spread(chance, CHANGE, 12)
    comments = _spread(chance, COMMENTS, 5)
    start = datetime(2023, 5, 18, 11, 40, 12)
    rows = []
    for n in range(RESPONSES):
        start += timedelta(minutes=chance.randint(1, 50), seconds=chance.randint(0, 59))
        row = [f"{start:%Y/%m/%d %I:%M:%S %p} GMT+1"]
        for question in asked:
            row.append(
                _answer(question, n, labels, chance, free_time, interpreted, keep, change, comments)
            )
        rows.append(row)
    headings = ["Timestamp", *(titled(q, labels) for q in asked)]
    # A form maker who retyped the last title left out its id: the import still finds it.
    headings[-1] = asked[-1].text(labels)
    with out.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(headings)
        writer.writerows(rows)


def _spread(chance: random.Random, texts: list[str], count: int) -> dict[int, str]:
    """``count`` respondents, each with one of ``texts``."""
    who = chance.sample(range(RESPONSES), count)
    return {n: texts[i % len(texts)] for i, n in enumerate(who)}


def _answer(
    question: Question,
    n: int,
    labels: Labels,
    chance: random.Random,
    free_time: list[bool],
    interpreted: set[int],
    keep: dict[int, str],
    change: dict[int, str],
    comments: dict[int, str],
) -> str:
    if question.id.startswith("useful."):
        if chance.random() < 0.04:  # left blank now and then
            return ""
        mean = MEANS[question.id.removeprefix("useful.")]
        return str(min(5, max(1, round(chance.gauss(mean, 0.75)))))
    if question.kind is QuestionKind.LOAD:
        words = choices(question, labels)
        return chance.choices(words, weights=LOADS[question.id.removeprefix("load.")])[0]
    if question.kind is QuestionKind.YES_NO:
        return choices(question, labels)[0 if free_time[n] else 1]
    if question.id == "interpretation":
        return str(min(5, max(1, round(chance.gauss(3.9, 0.7))))) if n in interpreted else ""
    texts = {"keep": keep, "change": change, "comments": comments}[question.id]
    return texts.get(n, "")


if __name__ == "__main__":
    make(HERE / "visit.yaml", HERE / "feedback-responses.csv")
