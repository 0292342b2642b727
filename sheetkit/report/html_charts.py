"""The HTML report's inline SVG charts, laid out around their labels so no label is clipped in any language.

Text is measured generously (:func:`text_width`: Chinese characters a full em,
other letters 0.62 em, Vietnamese letters with their stacked accents the same as
any letter), and the margins follow: the left and right margins fit the widest
axis label, the bottom margin the longest category label, the top the title
(wrapped onto two lines) and the legend (wrapped onto as many rows as it needs).
A category label longer than :data:`MAX_LABEL` is shortened with an ellipsis and
keeps its full text as a tooltip (an SVG ``<title>``). A chart with nothing to
draw is replaced by a sentence, never drawn with an empty or broken scale.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from sheetkit.report.content import WeeklyReport, therapist_period_label
from sheetkit.report.formats import NumberStyle
from sheetkit.report.tables import group_label
from sheetkit.template import Labels

__all__ = ["TOP_GROUPS", "no_show_chart", "text_width", "therapist_chart", "trend_chart"]

ACCENT: Final = "#4472C4"
SECOND: Final = "#ED7D31"
RED: Final = "#C00000"
#: Chart width and plot height (px); the margins around the plot come from the labels.
WIDTH: Final = 520
PLOT_HEIGHT: Final = 170
TITLE_SIZE: Final = 14
LABEL_SIZE: Final = 10
#: Longest category label (px along the text) before it is shortened.
MAX_LABEL: Final = 110.0
#: Category labels are turned by this angle (degrees) when they do not fit side by side.
ANGLE: Final = 40
_SIN, _COS = math.sin(math.radians(ANGLE)), math.cos(math.radians(ANGLE))


#: Therapists (and categories) the HTML shows, most visits first; the .xlsx has them all.
TOP_GROUPS: Final = 20


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width (px) of ``text`` at font ``size`` in a sans-serif font.

    >>> text_width("ab", 10), text_width("美容", 10)
    (12.4, 20.0)
    """
    width = 0.0
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.combining(ch):
            continue
        if unicodedata.east_asian_width(ch) in "WF":
            width += 1.0
        elif ch.isupper() or ch in "mwMW%@":
            width += 0.78
        elif ch in " .,:;'|!il":
            width += 0.34
        else:
            width += 0.62
    return round(width * size, 2)


def _shorten(text: str, size: float, limit: float) -> str:
    """``text``, or its longest start that fits ``limit`` px followed by an ellipsis."""
    if text_width(text, size) <= limit:
        return text
    cut = len(text)
    while cut > 1 and text_width(text[:cut] + "\u2026", size) > limit:
        cut -= 1
    return text[:cut].rstrip() + "\u2026"


def _tokens(text: str) -> list[str]:
    """Words, with every Chinese character a word of its own (Chinese breaks between any two)."""
    tokens: list[str] = []
    for word in text.split(" "):
        piece = ""
        for ch in word:
            if unicodedata.east_asian_width(ch) in "WF":
                if piece:
                    tokens.append(piece)
                tokens.append(ch)
                piece = ""
            else:
                piece += ch
        tokens.append(piece + " ")
    return tokens


def wrap(text: str, size: float, width: float, lines: int = 2) -> list[str]:
    """``text`` broken into at most ``lines`` lines of ``width`` px; the last one shortened if need be."""
    out = [""]
    for token in _tokens(text):
        if out[-1] and text_width((out[-1] + token).rstrip(), size) > width and len(out) < lines:
            out.append("")
        out[-1] += token
    out = [line.strip() for line in out]
    out[-1] = _shorten(out[-1], size, width)
    return out


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the chart: margins around a plot of :data:`PLOT_HEIGHT`."""

    left: float
    right: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.top + PLOT_HEIGHT + self.bottom

    def x(self, i: int, n: int) -> float:
        span = WIDTH - self.left - self.right
        return self.left + (span * (i + 0.5) / n if n else 0)

    def y(self, value: float, lo: float, hi: float) -> float:
        return self.top + PLOT_HEIGHT * (1 - (value - lo) / (hi - lo))

    @property
    def floor(self) -> float:
        return self.top + PLOT_HEIGHT


@dataclass(frozen=True)
class _Axis:
    lo: float
    hi: float
    text: Callable[[float], str]

    def ticks(self) -> list[tuple[float, str]]:
        values = [self.lo + (self.hi - self.lo) * k / 4 for k in range(5)]
        return [(value, self.text(value)) for value in values]

    def width(self) -> float:
        return max(text_width(label, LABEL_SIZE) for _, label in self.ticks())


def _nice(values: Sequence[float | None], text: Callable[[float, int], str], *, percent: bool = False) -> _Axis:
    """An axis from 0 to a round number above the largest value, in 4 steps.

    ``text(value, digits)`` writes a tick; ``digits`` is what the step needs (2.5 -> 1),
    counted on the percentage when ``percent``.
    """
    top = max((v for v in values if v is not None), default=0.0)
    if top <= 0:
        top = 0.04 if percent else 4.0
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    shown = round(float(step) * (100 if percent else 1), 9)
    digits = 0 if shown.is_integer() else len(repr(shown).split(".")[1])
    return _Axis(0.0, 4 * step, lambda v: text(v, digits))


@dataclass
class _Chart:
    """One chart being laid out: title, legend, axes and category labels decide the frame."""

    title: str
    legend: list[tuple[str, str]]
    categories: list[str]
    left: _Axis
    right: _Axis | None = None
    every: int = 1

    def _legend_rows(self) -> list[list[tuple[str, str, float]]]:
        rows: list[list[tuple[str, str, float]]] = [[]]
        x = 8.0
        for name, colour in self.legend:
            shown = _shorten(name, 11, WIDTH - 40)
            size = 18 + text_width(shown, 11) + 14
            if rows[-1] and x + size > WIDTH - 8:
                rows.append([])
                x = 8.0
            rows[-1].append((shown, colour, x))
            x += size
        return rows

    def _labels(self) -> tuple[list[str], bool]:
        """Category labels as drawn, and whether they are turned (they do not fit side by side)."""
        shown = [_shorten(c, LABEL_SIZE, MAX_LABEL) for c in self.categories]
        span = WIDTH - 90
        slot = span / max(len(shown), 1) * self.every
        turned = any(text_width(s, LABEL_SIZE) > slot - 6 for s in shown)
        return shown, turned

    def layout(self) -> tuple[_Frame, list[str], list[list[tuple[str, str, float]]], list[str], bool]:
        titles = wrap(self.title, TITLE_SIZE, WIDTH - 16)
        legend = self._legend_rows()
        shown, turned = self._labels()
        longest = max((text_width(s, LABEL_SIZE) for s in shown), default=0.0)
        bottom = longest * _SIN + LABEL_SIZE * _COS + 14 if turned else LABEL_SIZE + 14
        top = 8 + 18 * len(titles) + 16 * len(legend) + 10
        left = max(self.left.width() + 10, 30.0, longest * _COS - 10 if turned else 0.0)
        right = self.right.width() + 10 if self.right else 16.0
        return _Frame(left, right, top, bottom), titles, legend, shown, turned

    def svg(self, body: Callable[[_Frame], list[str]]) -> str:
        frame, titles, legend, shown, turned = self.layout()
        parts = [
            f'<text x="{WIDTH / 2}" y="{22 + 18 * i}" text-anchor="middle" font-size="{TITLE_SIZE}" '
            f'font-weight="bold">{_e(line)}</text>'
            for i, line in enumerate(titles)
        ]
        if titles[-1] != self.title:  # shortened: the whole title as a tooltip
            parts.insert(0, f"<title>{_e(self.title)}</title>")
        legend_top = 8 + 18 * len(titles) + 12
        for r, row in enumerate(legend):
            y = legend_top + 16 * r
            parts += [
                f'<rect x="{x:.0f}" y="{y - 5}" width="14" height="4" fill="{colour}"/>'
                f'<text x="{x + 18:.0f}" y="{y}" font-size="11">{_e(name)}</text>'
                for name, colour, x in row
            ]
        parts += self._axes(frame)
        parts += self._category_labels(frame, shown, turned)
        parts += body(frame)
        return (
            f'<svg class="chart" width="{WIDTH}" height="{frame.height:.0f}" viewBox="0 0 {WIDTH} '
            f'{frame.height:.0f}" role="img" aria-label="{_e(self.title)}" '
            f'font-family="Helvetica,Arial,sans-serif">{"".join(parts)}</svg>'
        )

    def _axes(self, frame: _Frame) -> list[str]:
        out = [
            f'<line x1="{frame.left:.0f}" y1="{frame.floor:.0f}" x2="{WIDTH - frame.right:.0f}" '
            f'y2="{frame.floor:.0f}" stroke="#888"/>'
        ]
        for value, label in self.left.ticks():
            y = frame.y(value, self.left.lo, self.left.hi)
            out.append(
                f'<line x1="{frame.left:.0f}" y1="{y:.1f}" x2="{WIDTH - frame.right:.0f}" y2="{y:.1f}" stroke="#EEE"/>'
                f'<text x="{frame.left - 4:.0f}" y="{y + 3.5:.1f}" font-size="{LABEL_SIZE}" '
                f'text-anchor="end">{_e(label)}</text>'
            )
        if self.right is not None:
            for value, label in self.right.ticks():
                y = frame.y(value, self.right.lo, self.right.hi)
                out.append(
                    f'<text x="{WIDTH - frame.right + 4:.0f}" y="{y + 3.5:.1f}" font-size="{LABEL_SIZE}">'
                    f"{_e(label)}</text>"
                )
        return out

    def _category_labels(self, frame: _Frame, shown: list[str], turned: bool) -> list[str]:
        """Labels under the plot, every ``every``-th counted back from the last (the newest is always there)."""
        n = len(shown)
        out = []
        for i, (label, full) in enumerate(zip(shown, self.categories, strict=True)):
            if (n - 1 - i) % self.every:
                continue
            x, y = frame.x(i, n), frame.floor + 12
            tip = f"<title>{_e(full)}</title>" if label != full else ""
            if turned:
                out.append(
                    f'<text x="{x:.1f}" y="{y:.1f}" font-size="{LABEL_SIZE}" text-anchor="end" '
                    f'transform="rotate(-{ANGLE} {x:.1f} {y:.1f})">{tip}{_e(label)}</text>'
                )
            else:
                out.append(
                    f'<text x="{x:.1f}" y="{y + 2:.1f}" font-size="{LABEL_SIZE}" text-anchor="middle">'
                    f"{tip}{_e(label)}</text>"
                )
        return out


def _line(frame: _Frame, values: Sequence[float | None], axis: _Axis, colour: str, dash: str = "") -> list[str]:
    """A line through the known values, broken where one is missing, with a dot on each."""
    n = len(values)
    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
        else:
            segments[-1].append(f"{frame.x(i, n):.1f},{frame.y(v, axis.lo, axis.hi):.1f}")
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    out = [
        f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dashes} points="{" ".join(s)}"/>'
        for s in segments
        if s
    ]
    out += [
        f'<circle cx="{frame.x(i, n):.1f}" cy="{frame.y(v, axis.lo, axis.hi):.1f}" r="2.2" fill="{colour}"/>'
        for i, v in enumerate(values)
        if v is not None
    ]
    return out


def _no_chart(labels: Labels, title: str) -> str:
    return f'<p class="nochart">{_e(labels.report["chart_no_data"].format(chart=title))}</p>'


def trend_chart(labels: Labels, style: NumberStyle, report: WeeklyReport) -> str:
    """Visits (left axis) and revenue (right axis, dashed) of the last weeks."""
    t = labels.report
    title = t["chart_visits_revenue"].format(weeks=len(report.trend))
    if not report.trend or not any(p.visits or p.revenue for p in report.trend):
        return _no_chart(labels, title)
    visits = [float(p.visits) for p in report.trend]
    revenue = [p.revenue for p in report.trend]
    legend = [(t["legend_visits_left"], ACCENT)]
    if report.money_reason is None:
        legend.append((t["legend_revenue_right"].format(currency=style.currency), SECOND))
    chart = _Chart(
        title=title,
        legend=legend,
        categories=[p.week for p in report.trend],
        left=_nice(visits, style.number),
        # Branches in different currencies: no revenue line, since no sum of their amounts means anything.
        right=_nice(revenue, style.number) if report.money_reason is None else None,
        every=2,
    )
    right = chart.right or chart.left
    return chart.svg(
        lambda f: _line(f, visits, chart.left, ACCENT) + _line(f, revenue, right, SECOND, "5,3"),
    )


def therapist_chart(labels: Labels, style: NumberStyle, report: WeeklyReport) -> str:
    """Visits per therapist (bars, left axis) and their mean satisfaction (diamonds, right axis 1-5).

    Only the :data:`TOP_GROUPS` therapists with most visits: a chain's hundreds of
    bars would be unreadable (the table below says how many there are).
    """
    t = labels.report
    rows = report.therapists[:TOP_GROUPS]
    title = t["chart_therapists"].format(period=therapist_period_label(labels, report))
    if not rows:
        return _no_chart(labels, title)
    chart = _Chart(
        title=title,
        legend=[(t["legend_visits_left"], ACCENT), (t["legend_satisfaction_right"], SECOND)],
        categories=[group_label(r) for r in rows],
        left=_nice([float(r.visits) for r in rows], style.number),
        right=_Axis(1.0, 5.0, style.number),
    )

    def bars(frame: _Frame) -> list[str]:
        n = len(rows)
        bar = (WIDTH - frame.left - frame.right) / n * 0.6
        out = []
        for i, row in enumerate(rows):
            x, y = frame.x(i, n), frame.y(row.visits, chart.left.lo, chart.left.hi)
            out.append(
                f'<rect x="{x - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{frame.floor - y:.1f}" '
                f'fill="{ACCENT}"><title>{_e(group_label(row))}: {_e(style.count(row.visits))}</title></rect>'
                f'<text x="{x:.1f}" y="{y - 3:.1f}" font-size="{LABEL_SIZE}" text-anchor="middle">'
                f"{_e(style.count(row.visits))}</text>"
            )
            if row.satisfaction is not None:
                sy = frame.y(row.satisfaction, 1.0, 5.0)
                out.append(
                    f'<path d="M{x:.1f},{sy - 6:.1f} l6,6 l-6,6 l-6,-6 z" fill="{SECOND}">'
                    f"<title>{_e(group_label(row))}: {_e(style.score(row.satisfaction))}</title></path>"
                )
        return out

    svg = chart.svg(bars)
    total = len(report.therapists)
    if total <= TOP_GROUPS:
        return svg
    more = t["showing_top"].format(shown=TOP_GROUPS, total=total)
    return f'<div>{svg}<p class="more">{_e(more)}</p></div>'


def no_show_chart(labels: Labels, style: NumberStyle, report: WeeklyReport) -> str:
    """The weekly no-show rate, broken where a week had no appointments."""
    t = labels.report
    rates = [p.no_show_rate for p in report.trend]
    if not any(r is not None for r in rates):
        return _no_chart(labels, t["chart_no_show"])
    chart = _Chart(
        title=t["chart_no_show"],
        legend=[(t["col_no_show_rate"], RED)],
        categories=[p.week for p in report.trend],
        left=_nice(rates, style.rate, percent=True),
        every=2,
    )
    return chart.svg(lambda f: _line(f, rates, chart.left, RED))
