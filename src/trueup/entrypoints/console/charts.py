"""Per-minute bar charts drawn as inline SVG by the templates: this computes the bars' geometry."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 600, 120


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    total: int
    width: int = WIDTH
    height: int = HEIGHT


def bars(values: list[int], ceiling: int | None = None) -> Chart:
    """One bar per value, scaled to the largest, or to `ceiling` for a fixed scale such as a percentage (a chart
    of zeros stays flat)."""
    peak = max(values, default=0)
    top = max(ceiling or 0, peak)
    step = WIDTH / max(len(values), 1)
    scale = (HEIGHT - 4) / top if top else 0
    drawn = [
        Bar(x=i * step, y=HEIGHT - value * scale, width=max(step - 1, 1), height=value * scale, value=value)
        for i, value in enumerate(values)
    ]
    return Chart(drawn, peak, sum(values))
