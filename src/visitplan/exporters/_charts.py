"""Charts of the evaluation (shared, not an output), drawn with matplotlib as PNG images
to print.

matplotlib is imported here only, and only when feedback exists. Figures are made with
the object API on the Agg canvas (no pyplot state, safe in the forked exporter
workers), in DejaVu Sans (shipped with matplotlib; it has Latin, Greek and Cyrillic),
at a fixed resolution and without the software tag, so that the same answers give the
same bytes. The charts take their wording ready-made: they know no language.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

DPI = 200
WIDTH_IN = 16 / 2.54  # the width the document shows them at
FONT = "DejaVu Sans"
STYLE: Any = {
    "font.family": FONT,
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.parse_math": False,  # a title with two dollar signs is text, not a formula
    "path.simplify": True,
}
BAR = "#3f6fa8"
SPAN = "#b8c4d6"
LIMIT = "#c0392b"
LOAD_COLOURS = ("#8fbfe0", "#7fbf7b", "#f08c3c")  # too light, about right, too heavy
ENOUGH_COLOURS = ("#7fbf7b", "#f08c3c")
INK = "#222222"
MAX_LABEL_LINES = 2
LABEL_WIDTH = 34  # characters per line of a session's title beside its bar


def short_label(text: str, width: int = LABEL_WIDTH, lines: int = MAX_LABEL_LINES) -> str:
    """``text`` wrapped to ``lines`` lines of ``width``, an ellipsis ending what is cut."""
    wrapped = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(STYLE), warnings.catch_warnings():
        # A character DejaVu Sans lacks (Chinese, say) is drawn as a box, not reported
        # on the organiser's terminal.
        warnings.filterwarnings("ignore", message="Glyph .* missing", category=UserWarning)
        yield


def _figure(height_in: float, **options: Any) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained", **options)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def usefulness_chart(rows: Sequence[tuple[str, float, str]], axis: str) -> bytes:
    """Horizontal bars, one per session (label, mean, text at the bar's end), drawn top
    to bottom in the order given, on the scale of the ratings (1 to 5)."""
    with _style():
        lines = sum(label.count("\n") + 1 for label, _, _ in rows)
        figure = _figure(0.55 + 0.16 * lines + 0.08 * len(rows))
        ax = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        ax.barh(positions, [value for _, value, _ in rows], height=0.62, color=BAR)
        ax.set_yticks(positions, labels=[label for label, _, _ in rows])
        for position, (_, value, text) in zip(positions, rows, strict=True):
            ax.text(value + 0.06, position, text, va="center", ha="left", color=INK)
        ax.set_xlim(0, 6.1)
        ax.set_xticks([1, 2, 3, 4, 5])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlabel(axis)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        return _png(figure)


@dataclass(frozen=True)
class LoadChart:
    """The wording and figures of the load chart, one entry per day."""

    days: Sequence[str]
    counts: Sequence[tuple[int, int, int]]  # too light, about right, too heavy
    load_words: tuple[str, str, str]
    felt_title: str
    felt_axis: str
    programme_hours: Sequence[float]
    span_hours: Sequence[float]
    measured_texts: Sequence[tuple[str, str]]  # programme and span, as written
    limits: tuple[float, float]  # the check's limits of programme hours and span
    measured_title: str
    measured_axis: str
    measure_words: tuple[str, str, str]  # programme, span, the check's limits


def load_chart(chart: LoadChart) -> bytes:
    """Each day's load as participants felt it (stacked shares of the answers) beside
    the check's measure of that day (programme hours and span, with its limits)."""
    with _style():
        figure = _figure(1.5 + 0.55 * len(chart.days))
        figure.get_layout_engine().set(wspace=0.08)  # "100" and "0" apart
        felt, measured = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
        positions = list(range(len(chart.days)))[::-1]
        left = [0.0] * len(positions)
        handles = []
        for kind in range(3):
            shares = [100 * counts[kind] / (sum(counts) or 1) for counts in chart.counts]
            bars = felt.barh(
                positions,
                shares,
                left=left,
                height=0.62,
                color=LOAD_COLOURS[kind],
                label=chart.load_words[kind],
                edgecolor="white",
                linewidth=0.6,
            )
            handles.append(bars)
            for position, start, share, counts in zip(
                positions, left, shares, chart.counts, strict=True
            ):
                if share >= 7:
                    felt.text(
                        start + share / 2,
                        position,
                        str(counts[kind]),
                        ha="center",
                        va="center",
                        color=INK,
                    )
            left = [a + b for a, b in zip(left, shares, strict=True)]
        felt.set_yticks(positions, labels=[short_label(day, 26) for day in chart.days])
        felt.set_xlim(0, 100)
        felt.set_xlabel(chart.felt_axis)
        felt.set_title(short_label(chart.felt_title, 44), loc="left")
        felt.tick_params(axis="y", length=0)
        offset = 0.17
        programme_bars = measured.barh(
            [p + offset for p in positions],
            chart.programme_hours,
            height=0.32,
            color=BAR,
            label=chart.measure_words[0],
        )
        span_bars = measured.barh(
            [p - offset for p in positions],
            chart.span_hours,
            height=0.32,
            color=SPAN,
            label=chart.measure_words[1],
        )
        for position, hours, (programme, span), day_span in zip(
            positions,
            chart.programme_hours,
            chart.measured_texts,
            chart.span_hours,
            strict=True,
        ):
            for value, y, text in (
                (hours, position + offset, programme),
                (day_span, position - offset, span),
            ):
                measured.text(
                    value + 0.2,
                    y,
                    text,
                    va="center",
                    fontsize=7,
                    zorder=3,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.4},
                )
        lines = [
            measured.axvline(limit, color=LIMIT, linestyle=style, linewidth=1, zorder=2)
            for limit, style in zip(chart.limits, ("--", ":"), strict=True)
        ]
        top = max([*chart.span_hours, *chart.programme_hours, *chart.limits, 1.0])
        measured.set_xlim(0, top * 1.3)
        measured.set_xlabel(chart.measured_axis)
        measured.set_title(short_label(chart.measured_title, 20), loc="left")
        measured.tick_params(axis="y", length=0)
        # Three columns filled top to bottom: the answers on the first row, the
        # check's measures on the second.
        handles += [programme_bars, span_bars, lines[0]]
        names = [*chart.load_words, *chart.measure_words]
        order = [n for pair in zip(range(3), range(3, 6), strict=True) for n in pair]
        figure.legend(
            [handles[n] for n in order],
            [names[n] for n in order],
            loc="outside lower center",
            ncols=3,
            frameon=False,
        )
        measured.grid(axis="x", color="#e3e3e3", linewidth=0.6)
        measured.set_axisbelow(True)
        measured.set_ylim(-0.6, len(positions) - 0.4)
        return _png(figure)


def free_time_chart(rows: Sequence[tuple[str, int, str]], axis: str) -> bytes:
    """Two bars: who found the free time enough and who did not (label, count, text)."""
    with _style():
        figure = _figure(1.5)
        ax = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        counts = [count for _, count, _ in rows]
        ax.barh(positions, counts, height=0.6, color=ENOUGH_COLOURS[: len(rows)])
        ax.set_yticks(positions, labels=[short_label(label) for label, _, _ in rows])
        top = max([*counts, 1])
        for position, (_, count, text) in zip(positions, rows, strict=True):
            ax.text(count + top * 0.015, position, text, va="center", ha="left", color=INK)
        ax.set_xlim(0, top * 1.3)
        ax.set_xlabel(axis)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.get_major_locator().set_params(integer=True)
        return _png(figure)
