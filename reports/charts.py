"""
Bar charts for the printed reports, drawn as inline SVG on the server.

Pure Python: the functions turn ``[(label, value)]`` (or stacked rows) into
geometry that ``reports/bar_chart.html`` writes out. Labels stay plain
text here; the template escapes them. No script, no external resource.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format

# Geometry, in SVG user units (1 unit = 1 CSS px in the page).
WIDTH = 560
LABEL_WIDTH = 170
VALUE_WIDTH = 60
ROW_HEIGHT = 22
BAR_HEIGHT = 14
TOP = 8
AXIS_HEIGHT = 18
LEGEND_HEIGHT = 20
MAX_LABEL_CHARS = 28

# Colours with enough contrast on white, and distinguishable in greyscale.
PALETTE = ["#1f5f8b", "#6fa8dc", "#c0504d", "#9e9e9e", "#8064a2", "#f79646"]


@dataclass
class Segment:
    label: str
    value: float
    x: float
    width: float
    colour: str


@dataclass
class Bar:
    label: str
    value_text: str
    y: float  # top of the bar
    text_y: float  # baseline of the label and the value
    segments: list
    value_x: float


@dataclass
class Tick:
    x: float
    text: str


@dataclass
class LegendItem:
    label: str
    colour: str
    x: float
    y: float


@dataclass
class Chart:
    id: str
    title: str
    width: int
    height: int
    bars: list
    ticks: list = field(default_factory=list)
    legend: list = field(default_factory=list)
    plot_x: int = LABEL_WIDTH
    plot_width: int = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    axis_y: float = 0

    @property
    def title_id(self):
        return f"{self.id}-title"


def shorten(label, limit=MAX_LABEL_CHARS):
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value, decimals):
    if decimals == 0:
        return number_format(int(round(value)))
    return number_format(round(Decimal(str(value)), decimals), decimals)


def nice_step(span, max_ticks=5):
    """A round step (1, 2 or 5 times a power of ten) giving at most `max_ticks` intervals."""
    raw = span / max_ticks if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover


def _ticks(maximum, minimum, step, plot_x, plot_width):
    ticks, i = [], 0
    span = (maximum - minimum) or 1
    decimals = 0 if float(step).is_integer() else 1
    while minimum + i * step <= maximum + 1e-9:
        value = minimum + i * step
        x = round(plot_x + plot_width * (value - minimum) / span, 1)
        ticks.append(Tick(x=x, text=_number(value, decimals)))
        i += 1
    return ticks


def bar_chart(chart_id, title, items, *, max_value=None, min_value=0, decimals=0, suffix=""):
    """A horizontal bar chart of ``[(label, value)]``; values at or above ``min_value``."""
    items = [(label, float(value or 0)) for label, value in items]
    if max_value is not None:
        maximum = max_value
        step = nice_step(maximum - min_value)
    else:
        largest = max([v for _l, v in items] + [min_value + 1])
        step = max(nice_step(largest - min_value), 1 if decimals == 0 else 0)
        maximum = min_value + math.ceil((largest - min_value) / step) * step
    plot_x, plot_width = LABEL_WIDTH, WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for i, (label, value) in enumerate(items):
        y = TOP + i * ROW_HEIGHT
        clipped = min(max(value, min_value), maximum)
        width = round(plot_width * (clipped - min_value) / (maximum - min_value), 1)
        bars.append(
            Bar(
                label=shorten(label),
                value_text=_number(value, decimals) + suffix,
                y=y,
                text_y=y + BAR_HEIGHT - 3,
                segments=[Segment(shorten(label), value, plot_x, width, PALETTE[0])],
                value_x=plot_x + width + 4,
            )
        )
    axis_y = TOP + len(items) * ROW_HEIGHT
    return Chart(
        id=chart_id,
        title=str(title),
        width=WIDTH,
        height=int(axis_y + AXIS_HEIGHT),
        bars=bars,
        ticks=_ticks(maximum, min_value, step, plot_x, plot_width),
        axis_y=axis_y,
    )


def stacked_chart(chart_id, title, series, rows):
    """
    Horizontal bars of shares: ``series`` names the parts (["Met", "Partly met", ...]),
    ``rows`` is ``[(label, [count per series])]``; each bar shows the parts as shares
    of the row's total, and the total at its end.
    """
    plot_x, plot_width = LABEL_WIDTH, WIDTH - LABEL_WIDTH - VALUE_WIDTH
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    bars = []
    for i, (label, counts) in enumerate(rows):
        y = TOP + i * ROW_HEIGHT
        total = sum(counts)
        x = plot_x
        segments = []
        for name, count, colour in zip(series, counts, colours, strict=True):
            width = round(plot_width * count / total, 1) if total else 0
            if width:
                segments.append(Segment(str(name), count, x, width, colour))
            x += width
        bars.append(
            Bar(
                label=shorten(label),
                value_text=number_format(total),
                y=y,
                text_y=y + BAR_HEIGHT - 3,
                segments=segments,
                value_x=plot_x + plot_width + 4,
            )
        )
    axis_y = TOP + len(rows) * ROW_HEIGHT
    ticks = [Tick(x=round(plot_x + plot_width * i / 4, 1), text=f"{25 * i}%") for i in range(5)]
    legend_y = axis_y + AXIS_HEIGHT + 4
    legend, x, y = [], 0, legend_y
    for name, colour in zip(series, colours, strict=True):
        name = shorten(name, 22)
        needed = 18 + 7 * len(name)
        if x and x + needed > WIDTH:
            x, y = 0, y + LEGEND_HEIGHT
        legend.append(LegendItem(name, colour, x, y))
        x += needed
    return Chart(
        id=chart_id,
        title=str(title),
        width=WIDTH,
        height=int(y + LEGEND_HEIGHT),
        bars=bars,
        ticks=ticks,
        legend=legend,
        axis_y=axis_y,
    )
