"""Bar charts drawn on the server as small SVG (templates/library/_charts.html), for figures a
person would rather look at than read. Each has a title and a description that screen readers
announce, and the page gives the same figures in a table beside it: the chart adds nothing the
table does not say. No script, no external service.

Bars are horizontal, each under its label, so that long labels (policy areas, SDG goals) never get
cut and a phone shows the chart at full width.
"""

from dataclasses import dataclass

WIDTH = 640
ROW = 46  # a label line and its bar
BAR = 18
LEGEND = 30
VALUE_ROOM = 56  # right of the longest bar, for its number


@dataclass(frozen=True)
class Segment:
    series: int
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    label_y: float
    bar_y: float
    segments: list
    end_x: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    series: list  # the series' names (a legend when more than one)
    bars: list
    height: float
    width: int = WIDTH
    bar_height: int = BAR

    @property
    def legend(self) -> bool:
        return len(self.series) > 1


def bar_chart(chart_id: str, title: str, description: str, rows: list[tuple[str, list[int]]],
              series: list[str]) -> Chart:
    """rows: (label, [value of each series]); the bars stacked by series, scaled to the largest total."""
    top = LEGEND if len(series) > 1 else 0
    largest = max((sum(values) for _label, values in rows), default=0) or 1
    room = WIDTH - VALUE_ROOM
    bars = []
    for number, (label, values) in enumerate(rows):
        y = top + number * ROW
        x = 0.0
        segments = []
        for series_number, value in enumerate(values):
            width = room * value / largest
            if value:
                segments.append(Segment(series_number, value, round(x, 1), round(max(width, 1.5), 1)))
            x += width
        bars.append(Bar(label, sum(values), y + 16, y + 22, segments, round(x, 1)))
    return Chart(chart_id, title, description, series, bars, top + len(rows) * ROW + 4)
