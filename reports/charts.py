"""Bar charts drawn by the server as SVG: the geometry is worked out here, the template draws
it. Every bar carries its number, so a chart reads without colour."""

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 48
LABEL_WIDTH = 180  # horizontal charts: the category names
ROW_HEIGHT = 22


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float
    show_label: bool = True

    @property
    def text(self) -> str:
        """The bar's number as the reader's language writes it (1,234 or 1.234 or 1 234)."""
        return number_format(self.value, force_grouping=True)


@dataclass(frozen=True)
class Chart:
    title: str
    x_label: str
    y_label: str
    width: int
    height: int
    bars: list[Bar]
    axis: dict  # the axis lines' end points
    maximum: int
    horizontal: bool
    # Said instead of the chart when it has nothing to show (no bars, or all of them zero):
    # an empty frame reads as a broken chart.
    empty_text: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    @property
    def empty_message(self) -> str:
        return str(self.empty_text or _("Nothing in this period."))


def column_chart(
    title: str, labels: list[str], values: list[int], x_label, y_label, empty_text=None
) -> Chart:
    """Vertical bars, one per label (days, weeks, hours), in order."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    maximum = max(values, default=0) or 1
    slot = plot_width / max(len(values), 1)
    # Thin out the labels under many bars: about eight dates fit side by side.
    every = max(1, math.ceil(len(values) / 8))
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_height * value / maximum
        x = LEFT + index * slot + slot * 0.1
        y = TOP + plot_height - height
        bars.append(
            Bar(
                label,
                value,
                x,
                y,
                slot * 0.8,
                height,
                x + slot * 0.4,
                y - 4,
                show_label=index % every == 0,
            )
        )
    axis = {"x1": LEFT, "y1": TOP + plot_height, "x2": WIDTH - RIGHT, "y2": TOP + plot_height}
    return Chart(
        title,
        str(x_label),
        str(y_label),
        WIDTH,
        HEIGHT,
        bars,
        axis,
        maximum,
        horizontal=False,
        empty_text=empty_text or "",
    )


def bar_chart(
    title: str, labels: list[str], values: list[int], x_label, y_label, empty_text=None
) -> Chart:
    """Horizontal bars, one per category, largest first as given."""
    height = TOP + ROW_HEIGHT * max(len(values), 1) + BOTTOM
    plot_width = WIDTH - LABEL_WIDTH - RIGHT - 40
    maximum = max(values, default=0) or 1
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        width = plot_width * value / maximum
        y = TOP + index * ROW_HEIGHT + 3
        bars.append(
            Bar(
                label, value, LABEL_WIDTH, y, width, ROW_HEIGHT - 6, LABEL_WIDTH + width + 4, y + 12
            )
        )
    bottom = TOP + ROW_HEIGHT * max(len(values), 1)
    axis = {"x1": LABEL_WIDTH, "y1": TOP, "x2": LABEL_WIDTH, "y2": bottom}
    return Chart(
        title,
        str(x_label),
        str(y_label),
        WIDTH,
        height,
        bars,
        axis,
        maximum,
        horizontal=True,
        empty_text=empty_text or "",
    )
