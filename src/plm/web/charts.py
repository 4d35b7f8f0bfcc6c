"""The utilization chart: an SVG drawn on the server (no script, no external assets, CSP-safe:
presentation attributes only, no style attributes)."""

from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from plm.core.utilization import DayUsage

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


def _ticks(top: int) -> list[int]:
    """Round values from 0 to at least `top`, at most 5 steps (steps of 1, 2, 5, 10, 20, ...)."""
    for power in range(12):
        for mantissa in (1, 2, 5):
            step = mantissa * 10**power
            count = -(-top // step)
            if count <= 5:
                return list(range(0, count * step + 1, step))
    return [0, top]


def _steps(values: Sequence[int], x: Callable[[int], float], y: Callable[[int], float]) -> str:
    """A step path: horizontal through each day, vertical where the value changes."""
    parts = [f"M{x(0):.1f},{y(values[0]):.1f}"]
    for index in range(1, len(values)):
        if values[index] != values[index - 1]:
            parts.append(f"H{x(index):.1f}V{y(values[index]):.1f}")
    parts.append(f"H{x(len(values)):.1f}")
    return "".join(parts)


def seats_chart(days: Sequence[DayUsage], license_id: str) -> SafeString:
    """Assigned seats per day (solid step line) under the license's seats (dashed)."""
    top = max(1, *(d.seats for d in days), *(d.peak for d in days))
    ticks = _ticks(top)
    span = ticks[-1]
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + inner_w * index / len(days)

    def y(value: int) -> float:
        return TOP + inner_h * (1 - value / span)

    first, last = days[0], days[-1]
    title = (
        f"Assigned seats of {license_id} from {first.day.isoformat()} to {last.day.isoformat()}: "
        f"{last.assigned} of {last.seats} now, at most {max(d.peak for d in days)}."
    )
    grid = "".join(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
        f'stroke="#e3e6ea"/><text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
        f'font-size="11" fill="#555">{t}</text>'
        for t in ticks
    )
    labels = "".join(
        f'<text x="{x(i) if anchor != "end" else x(len(days)):.1f}" y="{HEIGHT - BOTTOM + 16}" '
        f'text-anchor="{anchor}" font-size="11" fill="#555">{days[i].day.isoformat()}</text>'
        for i, anchor in ((0, "start"), (len(days) - 1, "end"))[: 2 if len(days) > 1 else 1]
    )
    seats = _steps([d.seats for d in days], x, y)
    assigned = _steps([d.assigned for d in days], x, y)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="chart-title" class="chart">'
        f'<title id="chart-title">{escape(title)}</title>{grid}{labels}'
        f'<path d="{seats}" fill="none" stroke="#8a94a6" stroke-width="1.5" '
        f'stroke-dasharray="6 4"/>'
        f'<path d="{assigned}" fill="none" stroke="#1f6feb" stroke-width="2"/>'
        f'<g font-size="11"><line x1="{LEFT}" x2="{LEFT + 20}" y1="{HEIGHT - 8}" '
        f'y2="{HEIGHT - 8}" stroke="#1f6feb" stroke-width="2"/>'
        f'<text x="{LEFT + 24}" y="{HEIGHT - 4}" fill="#333">Assigned</text>'
        f'<line x1="{LEFT + 100}" x2="{LEFT + 120}" y1="{HEIGHT - 8}" y2="{HEIGHT - 8}" '
        f'stroke="#8a94a6" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT + 124}" y="{HEIGHT - 4}" fill="#333">Seats</text></g></svg>'
    )
    return mark_safe(svg)  # built from numbers, dates and escaped text only
