"""The agency's days: its time zone, today's date there, and where its days and weeks begin in UTC.

Every "today", "this week" and "from day A to day B" on the staff side is
counted here, in ``AGENCY_TIMEZONE``, so a supervisor in the agency reads
the same day boundaries on every page.
"""
from datetime import UTC, datetime, time, timedelta

from core.timeutil import agency_zone, utcnow

__all__ = ["agency_zone", "today_in_agency", "local_midnight", "week_start"]


def today_in_agency(now=None):
    """The agency's date at ``now`` (default: now)."""
    return (now or utcnow()).astimezone(agency_zone()).date()


def local_midnight(day, zone=None):
    """The UTC instant the agency's ``day`` begins (in ``zone``, default the agency's)."""
    return datetime.combine(day, time(0), zone or agency_zone()).astimezone(UTC)


def week_start(day):
    """The UTC instant the agency's week holding ``day`` begins (Monday, midnight)."""
    return local_midnight(day - timedelta(days=day.weekday()))
