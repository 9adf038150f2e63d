"""Business-time arithmetic: opening hours, holidays and daylight-saving changes."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from casework.clock.calendar import BusinessCalendar, CalendarError, build_calendar, parse_hours

NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc
NINE_TO_FIVE = parse_hours("mon-fri 09:00-17:00")


def local(*parts):
    return datetime(*parts, tzinfo=NEW_YORK)


def city_calendar(**extra):
    return BusinessCalendar(zone=NEW_YORK, hours=NINE_TO_FIVE, **extra)


def test_friday_afternoon_plus_four_hours_is_monday_morning():
    due = city_calendar().add_business_hours(local(2026, 11, 20, 16, 0), 4)
    assert due.astimezone(NEW_YORK) == local(2026, 11, 23, 12, 0)


def test_a_request_sent_at_night_starts_its_clock_at_opening():
    due = city_calendar().add_business_hours(local(2026, 11, 17, 22, 30), 2)
    assert due.astimezone(NEW_YORK) == local(2026, 11, 18, 11, 0)


def test_public_holidays_from_the_holidays_package_are_skipped():
    calendar = build_calendar("America/New_York", "mon-fri 09:00-17:00", "US", "", "")
    assert date(2026, 12, 25) in calendar.closed_dates
    due = calendar.add_business_hours(local(2026, 12, 24, 16, 0), 2)  # Christmas is a Friday in 2026
    assert due.astimezone(NEW_YORK) == local(2026, 12, 28, 10, 0)


def test_the_agencys_own_closures_are_skipped():
    calendar = build_calendar("America/New_York", "mon-fri 09:00-17:00", "", "", "2026-11-18, 2026-11-19")
    due = calendar.add_business_hours(local(2026, 11, 17, 16, 0), 2)
    assert due.astimezone(NEW_YORK) == local(2026, 11, 20, 10, 0)


def test_a_daylight_saving_change_moves_the_opening_hour_not_the_count():
    # clocks go back on Sunday 1 November 2026: Friday 9am is 13:00 UTC, Monday 9am is 14:00 UTC
    due = city_calendar().add_business_hours(local(2026, 10, 30, 16, 0), 2)
    assert due.astimezone(NEW_YORK) == local(2026, 11, 2, 10, 0)
    assert due.astimezone(UTC).hour == 15


def test_opening_hours_that_cannot_be_read_are_explained():
    with pytest.raises(CalendarError, match="mon-fri 08:00-17:00"):
        parse_hours("weekdays nine to five")
    with pytest.raises(CalendarError, match="closing time must be after"):
        parse_hours("mon 17:00-09:00")
    assert parse_hours("mon-wed 08:00-12:00; sat 10:00-14:00")[5] == (time(10), time(14))


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                       timezones=st.just(NEW_YORK))
hours = st.floats(min_value=0.25, max_value=400).map(lambda h: round(h * 4) / 4)  # quarter hours


def is_open_at(calendar, moment):
    opening = calendar.opening_on(moment.astimezone(NEW_YORK).date())
    return opening is not None and opening[0] <= moment <= opening[1]


@settings(max_examples=150, deadline=None)
@given(start=moments, amount=hours)
def test_adding_hours_then_measuring_gives_them_back_and_lands_in_opening_hours(start, amount):
    calendar = build_calendar("America/New_York", "mon-fri 09:00-17:00", "US", "", "")
    due = calendar.add_business_hours(start, amount)
    assert due >= start
    assert calendar.business_hours_between(start, due) == pytest.approx(amount, abs=1e-6)
    assert is_open_at(calendar, due)


@settings(max_examples=100, deadline=None)
@given(start=moments, first=hours, second=hours)
def test_business_time_adds_up_and_is_monotonic(start, first, second):
    calendar = city_calendar()
    one = calendar.add_business_hours(start, first)
    both = calendar.add_business_hours(start, first + second)
    assert calendar.add_business_hours(one, second) == both
    assert (one <= both) and (first <= first + second)


@settings(max_examples=100, deadline=None)
@given(start=moments, days=st.integers(min_value=0, max_value=60))
def test_measuring_counts_only_opening_hours(start, days):
    calendar = city_calendar()
    end = start + timedelta(days=days)
    measured = calendar.business_hours_between(start, end)
    assert 0 <= measured <= (end - start).total_seconds() / 3600
    assert measured <= (days + 1) * 8
