"""The periods the public can choose: the last 30 or 90 days, one of the last four quarters, the last year.

A period is whole local days (``casework.insight.scope.Period``, end
exclusive) up to and including today. Its code is what the page's address
carries (``30d``, ``90d``, ``2026-q3``, ``365d``).
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext

from casework.insight.scope import Period

DEFAULT = "90d"
ROLLING = {"30d": (30, lazy_gettext("Last 30 days")), "90d": (90, lazy_gettext("Last 90 days")),
           "365d": (365, lazy_gettext("Last 12 months"))}
QUARTER = re.compile(r"^(\d{4})-q([1-4])$")


class UnknownPeriod(ValueError):
    """The address asks for a period the page does not offer."""


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    period: Period

    @property
    def long(self):
        """Over a quarter: the trend is told by month, else by week."""
        return self.period.days > 100


def quarter_start(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_choices(today):
    """The current quarter (to date) and the three before it, newest first."""
    found, start = [], quarter_start(today)
    for _ in range(4):
        following = quarter_start(start + timedelta(days=95))
        number = (start.month - 1) // 3 + 1
        found.append(Choice(f"{start.year}-q{number}", lazy_gettext("Quarter %(number)s of %(year)s", number=number,
                                                             year=start.year),
                            Period(start, min(following, today + timedelta(days=1)))))
        start = quarter_start(start - timedelta(days=1))
    return found


def choices(today):
    """Every period on offer, in the order the page lists them."""
    rolling = [Choice(code, label, Period(today - timedelta(days=length - 1), today + timedelta(days=1)))
               for code, (length, label) in ROLLING.items()]
    return rolling[:2] + quarter_choices(today) + rolling[2:]


def choose(code, today):
    """The ``Choice`` of ``code`` (default: the last 90 days). Raises ``UnknownPeriod``."""
    for choice in choices(today):
        if choice.code == (code or DEFAULT):
            return choice
    raise UnknownPeriod(code)
