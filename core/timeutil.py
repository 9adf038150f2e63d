"""Timezone-aware UTC timestamps, the only kind Tandem stores."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import DateTime, TypeDecorator


def utcnow():
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def agency_zone(config=None):
    """The agency's time zone (``AGENCY_TIMEZONE``) from ``config``, or the current app's: the one reading of it.

    Casework's days and weeks are counted in ``casework.clock.agency_time``, built on this.
    """
    return ZoneInfo((config if config is not None else current_app.config).get("AGENCY_TIMEZONE") or "UTC")


class UTCDateTime(TypeDecorator):
    """A timestamp column that always returns aware UTC datetimes.

    SQLite drops the zone on the way in; this puts it back on the way out so
    the rest of the code never meets a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
