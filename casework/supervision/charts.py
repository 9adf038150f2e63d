"""Charts drawn on the server as SVG: readable with JavaScript off and without colour, with a table beside each.

Each function returns the geometry a template draws; the numbers in it are
the numbers the table beside it shows (a test holds them equal).
"""
import math
from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 48, 36, 12


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    series: str


@dataclass
class Chart:
    title: str
    description: str
    bars: list
    line: list  # (x, y, value, label)
    ticks: list  # (y, value)
    labels: list  # (x, text)
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def line_points(self):
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.line)


def nice_top(largest):
    """A round axis maximum at or above ``largest``."""
    if largest <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= largest:
            return int(step * magnitude) if step * magnitude >= 1 else 1
    return int(10 * magnitude)


def trend_chart(weeks):
    """Arrivals and closures as paired bars per week, the backlog at each week's end as a line."""
    plot_height = HEIGHT - BOTTOM - TOP
    top = nice_top(max([max(w.arrivals, w.closures, w.backlog_at_end) for w in weeks] or [0]))
    slot = (WIDTH - LEFT) / max(len(weeks), 1)
    bar_width = slot * 0.35

    def y_of(value):
        return TOP + plot_height - plot_height * value / top

    bars, line, labels = [], [], []
    for index, week in enumerate(weeks):
        x = LEFT + slot * index + slot * 0.1
        label = week.starts_on.strftime("%-d %b")
        for offset, series, value in ((0, "arrivals", week.arrivals), (bar_width, "closures", week.closures)):
            bars.append(Bar(x + offset, y_of(value), bar_width, TOP + plot_height - y_of(value), value, label, series))
        line.append((x + bar_width, y_of(week.backlog_at_end), week.backlog_at_end, label))
        labels.append((x + bar_width, label))
    ticks = [(y_of(top * n / 4), round(top * n / 4)) for n in range(5)]
    # the headline counts from the first week anything happened, not from empty weeks before the history began
    active = weeks[next((n for n, w in enumerate(weeks) if w.arrivals or w.closures or w.backlog_at_end),
                        len(weeks)):]
    growing = active and active[-1].backlog_at_end > active[0].backlog_at_end
    description = (f"Over {len(active)} week{'s' if len(active) != 1 else ''} from {active[0].starts_on:%-d %B} the "
                   f"backlog went from {active[0].backlog_at_end:,} to {active[-1].backlog_at_end:,} open cases "
                   f"({'growing' if growing else 'not growing'}); {sum(w.arrivals for w in active):,} arrived and "
                   f"{sum(w.closures for w in active):,} closed."
                   if active else "No cases arrived or closed in these weeks.")
    return Chart("Arrivals, closures and backlog by week", description, bars, line, ticks, labels)
