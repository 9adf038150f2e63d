"""Business time: the agency's opening hours and public holidays, for SLA clocks.

``BusinessCalendar`` is pure (no database, no app): hours per weekday in the
agency's time zone, and a set of closed dates. Its arithmetic walks local
days and converts each opening interval to UTC through ``zoneinfo``, so a
daylight-saving change moves the opening hour, never the count of hours.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# a search for the next opening gives up after this long: a calendar that is never open
MAX_DAYS = 3660


class CalendarError(ValueError):
    """The opening hours setting cannot be read; the message says how to write it."""


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    # weekday (0 = Monday) -> (opens, closes); a missing weekday is closed
    hours: dict = field(default_factory=dict)
    closed_dates: frozenset = frozenset()
    # every hour of every day counts (24/7 services, and the tests of wall-clock behaviour)
    always_open: bool = False

    @property
    def working_day_hours(self):
        """The hours of an average open day: what a working day is when business hours are told as days."""
        if self.always_open or not self.hours:
            return 24.0
        lengths = [(datetime.combine(date.min, closes) if closes != time(0) else
                    datetime.combine(date.min + timedelta(days=1), time(0))) - datetime.combine(date.min, opens)
                   for opens, closes in self.hours.values()]
        return sum(length.total_seconds() for length in lengths) / 3600 / len(lengths)

    def opening_on(self, day):
        """Return ``(start, end)`` in UTC of ``day``'s opening (a local date), or None if closed."""
        if day in self.closed_dates or day.weekday() not in self.hours:
            return None
        opens, closes = self.hours[day.weekday()]
        start = datetime.combine(day, opens, self.zone)
        end = datetime.combine(day, closes, self.zone) if closes != time(0) else \
            datetime.combine(day + timedelta(days=1), time(0), self.zone)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def openings_from(self, moment):
        """Yield the UTC opening intervals from ``moment`` on, the first clipped to start at it."""
        day = moment.astimezone(self.zone).date()
        for offset in range(MAX_DAYS):
            opening = self.opening_on(day + timedelta(days=offset))
            if opening is None:
                continue
            start, end = opening
            if end <= moment:
                continue
            yield max(start, moment), end
        raise CalendarError("The agency calendar has no opening hours in the next ten years.")

    def add_business_hours(self, start, hours):
        """The moment ``hours`` of opening time after ``start`` (aware datetime); UTC."""
        if self.always_open:
            return start + timedelta(hours=hours)
        remaining = timedelta(hours=hours)
        if remaining <= timedelta(0):
            return start
        for open_at, close_at in self.openings_from(start):
            if close_at - open_at >= remaining:
                return open_at + remaining
            remaining -= close_at - open_at

    def business_hours_between(self, first, second):
        """Opening hours from ``first`` to ``second`` (0 when second is not later), as a float."""
        if second <= first:
            return 0.0
        if self.always_open:
            return (second - first).total_seconds() / 3600
        total = timedelta(0)
        for open_at, close_at in self.openings_from(first):
            if open_at >= second:
                break
            total += min(close_at, second) - open_at
        return total.total_seconds() / 3600


def parse_hours(text):
    """Read ``"mon-fri 08:00-17:00; sat 09:00-12:00"`` into ``{weekday: (opens, closes)}``.

    ``"always"`` means open around the clock. Raises ``CalendarError`` with a
    plain explanation for anything else.
    """
    hours = {}
    for part in filter(None, (piece.strip() for piece in text.lower().split(";"))):
        try:
            days, times = part.split()
            opens, closes = (time.fromisoformat(value) for value in times.split("-"))
            first, _, last = days.partition("-")
            span = range(DAYS.index(first), DAYS.index(last or first) + 1)
        except ValueError:
            raise CalendarError(f"Cannot read opening hours {part!r}: write them like 'mon-fri 08:00-17:00'") from None
        if closes <= opens and closes != time(0):
            raise CalendarError(f"In {part!r} the closing time must be after the opening time")
        for weekday in span:
            hours[weekday] = (opens, closes)
    if not hours:
        raise CalendarError("Opening hours are empty: write them like 'mon-fri 08:00-17:00', or 'always'")
    return hours


@lru_cache(maxsize=16)
def build_calendar(zone_name, hours_text, country, subdivision, closures):
    """A calendar from settings; cached, since triage asks for it on every request."""
    zone = ZoneInfo(zone_name)
    if hours_text.strip().lower() == "always":
        return BusinessCalendar(zone=zone, always_open=True)
    closed = {date.fromisoformat(day) for day in closures.replace(",", " ").split()}
    if country:
        this_year = datetime.now(zone).year
        years = range(this_year - 2, this_year + 6)
        closed |= set(holidays.country_holidays(country, subdiv=subdivision or None, years=years))
    return BusinessCalendar(zone=zone, hours=parse_hours(hours_text), closed_dates=frozenset(closed))
