"""The blueprint's chart: the stages along the line of visibility, citizen wait above it, staff effort below.

Returns geometry the template draws as SVG. Each half has its own scale
(calendar days above, minutes below); a bar is the median, a tick across it
the 90th percentile, a dashed mark the step type's standard minutes; n is
written under each stage. The numbers carried are the table's numbers.
"""
from dataclasses import dataclass

from casework.insight.measures import WAITING
from casework.supervision.charts import nice_top

WIDTH, LEFT, RIGHT = 760, 110, 12
HALF, TOP, LABELS = 130, 30, 86
# a stage's room on the chart at least: many stages (every service) make the chart wider and it scrolls
MIN_SLOT = 120


@dataclass
class StageBars:
    x: float
    width: float
    name: str
    cases: int
    wait_days: float | None
    wait_days_p90: float | None
    wait_y: float
    wait_height: float
    wait_p90_y: float | None
    minutes: float | None
    minutes_p90: float | None
    effort_height: float
    effort_p90_y: float | None
    standard_minutes: int | None
    standard_y: float | None
    label: tuple = ()  # the name in up to three short lines

    @property
    def centre(self):
        return self.x + self.width / 2


@dataclass
class BlueprintChart:
    title: str
    description: str
    stages: list
    wait_ticks: list  # (y, days)
    effort_ticks: list  # (y, minutes)
    line_y: float
    width: int = WIDTH

    @property
    def height(self):
        return int(self.line_y + HALF + LABELS)


def days(hours):
    return None if hours is None else hours / 24


def blueprint_chart(stages):
    """The chart of ``stages`` (``StageSummary``, in line order)."""
    line_y = TOP + HALF
    wait_top = nice_top(max([days(s.wait_hours_p90) or 0 for s in stages] or [0]))
    effort_top = nice_top(max([max(s.effort_minutes_p90 or 0, s.standard_minutes or 0) for s in stages
                               if s.steps] or [0]))
    fits = (WIDTH - LEFT - RIGHT) / max(len(stages), 1) >= MIN_SLOT / 2
    chart_width = WIDTH if fits else LEFT + RIGHT + MIN_SLOT * len(stages)
    slot = (chart_width - LEFT - RIGHT) / max(len(stages), 1)
    width = min(slot * 0.6, 80)

    def up(value):
        return line_y - HALF * value / wait_top

    def down(value):
        return line_y + HALF * value / effort_top

    drawn = []
    for index, stage in enumerate(stages):
        x = LEFT + slot * index + (slot - width) / 2
        wait, wait_p90 = days(stage.wait_hours_median), days(stage.wait_hours_p90)
        minutes = stage.effort_minutes_median if stage.steps else None
        minutes_p90 = stage.effort_minutes_p90 if stage.steps else None
        standard = stage.standard_minutes if stage.steps else None
        drawn.append(StageBars(
            x=x, width=width, name=stage.name, cases=stage.cases,
            wait_days=rounded(wait), wait_days_p90=rounded(wait_p90),
            wait_y=up(wait or 0), wait_height=line_y - up(wait or 0),
            wait_p90_y=up(wait_p90) if wait_p90 is not None else None,
            minutes=rounded(minutes, 1), minutes_p90=rounded(minutes_p90, 1),
            effort_height=down(minutes or 0) - line_y,
            effort_p90_y=down(minutes_p90) if minutes_p90 is not None else None,
            standard_minutes=standard, standard_y=down(standard) if standard else None,
            label=label_lines(stage.name, max(10, int(slot / 6.2)))))
    # (no zero tick: the line of visibility is labelled there)
    wait_ticks = [(up(wait_top * n / 2), round(wait_top * n / 2, 1)) for n in range(1, 3)]
    effort_ticks = [(down(effort_top * n / 2), round(effort_top * n / 2)) for n in range(1, 3)]
    return BlueprintChart("Citizen wait above the line of visibility, staff effort below, by stage",
                          describe(stages), drawn, wait_ticks, effort_ticks, line_y, chart_width)


def label_lines(name, width, most=3):
    """``name`` in at most ``most`` lines of about ``width`` characters, the last cut short with "…" if need be."""
    lines, current = [], ""
    for word in name.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    if len(lines) > most:
        lines = lines[:most - 1] + [" ".join(lines[most - 1:])]
    return tuple(line if len(line) <= width else line[:width - 1] + "…" for line in lines)


def rounded(value, places=2):
    return None if value is None else round(value, places)


def describe(stages):
    """One sentence of what the chart and table show, each figure named for what it is.

    Where citizens wait on the agency longest (the tallest wait bar: a median
    per case; "waiting on the citizen" is the agency waiting, not the citizen),
    where most waiting adds up when that is another stage, and where staff
    spend the most minutes in all (with that stage's median per case).
    """
    if not stages:
        return "No cases were resolved in this period."
    on_the_agency = [s for s in stages if s.kind != WAITING] or stages
    most_cases = max(s.cases for s in stages)
    longest = max(on_the_agency, key=lambda s: (s.wait_hours_median or 0, s.cases))
    sentence = (f"Citizens wait on the agency longest at {longest.name}: a median of "
                f"{days(longest.wait_hours_median or 0):.1f} days a case")
    if longest.cases < 0.1 * most_cases:
        sentence += f" (only {longest.cases} case{'s' if longest.cases != 1 else ''})"
    most_waiting = max(on_the_agency, key=lambda s: s.wait_business_hours_total)
    if most_waiting is not longest and most_waiting.wait_business_hours_total:
        sentence += (f"; most waiting adds up at {most_waiting.name}: {most_waiting.wait_business_hours_total:,.0f} "
                     f"business hours over {most_waiting.cases:,} cases")
    worked = [s for s in stages if s.steps]
    if worked:
        busiest = max(worked, key=lambda s: s.effort_minutes_total)
        median = f"; a median of {busiest.effort_minutes_median:.0f} a case" \
            if busiest.effort_minutes_median is not None else ""
        sentence += (f". Staff spend the most minutes at {busiest.name}: {busiest.effort_minutes_total:,} minutes in "
                     f"all{median}")
    return sentence + "."
