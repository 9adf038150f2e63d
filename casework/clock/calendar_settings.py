"""The agency calendar admins keep in the console: opening hours, public holidays and the agency's own closures.

Saved in one ``CalendarSetting`` row, which replaces the ``AGENCY_HOURS``,
``AGENCY_HOLIDAYS_*`` and ``AGENCY_CLOSURES`` settings from then on. New
cases' due dates follow it at once; cases already open keep theirs. A queue
may keep opening hours of its own (``Queue.hours``); its cases count on those.
"""
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import current_app

from casework.clock.agency_time import agency_zone
from casework.clock.calendar import CalendarError, build_calendar
from casework.agency_setup import CalendarSetting
from core import audit
from core.extensions import db
from core.timeutil import utcnow


class CalendarProblem(CalendarError):
    """``values`` cannot make a calendar; ``field`` says which of them is wrong."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CalendarValues:
    hours: str
    holidays_country: str
    holidays_subdivision: str
    closures: str


def current_values():
    """What the calendar is now: the admins' row, or the deployment's settings."""
    # read without flushing: callers ask mid-change, with objects still being put together
    with db.session.no_autoflush:
        setting = db.session.get(CalendarSetting, 1)
    if setting is not None:
        return CalendarValues(setting.hours, setting.holidays_country, setting.holidays_subdivision, setting.closures)
    config = current_app.config
    return CalendarValues(config.get("AGENCY_HOURS", "always"), config.get("AGENCY_HOLIDAYS_COUNTRY") or "",
                          config.get("AGENCY_HOLIDAYS_SUBDIVISION") or "", config.get("AGENCY_CLOSURES") or "")


def calendar_for(values):
    """The ``BusinessCalendar`` of ``values`` in the agency's time zone; raise ``CalendarProblem`` saying what is wrong."""
    zone = str(agency_zone())
    for word in values.closures.replace(",", " ").split():
        try:
            date.fromisoformat(word)
        except ValueError:
            raise CalendarProblem("closures", f"“{word[:20]}” is not a date: write closed days like 2026-12-24") from None
    try:
        return build_calendar(zone, values.hours, values.holidays_country.upper(), values.holidays_subdivision.upper(),
                              values.closures)
    except CalendarError as error:
        raise CalendarProblem("hours", str(error)) from None
    except NotImplementedError:
        raise CalendarProblem("holidays_country", f"There are no public holidays for “{values.holidays_country}”"
                            f"{' / ' + values.holidays_subdivision if values.holidays_subdivision else ''}: "
                            "use a two-letter country code like US, and a state or province code like CA") from None


def agency_calendar():
    """The agency's business calendar: as admins keep it in the console, else from the ``AGENCY_*`` settings.

    One small query; the calendar itself is built once per distinct setting.
    """
    return calendar_for(current_values())


def queue_calendar(queue):
    """The calendar ``queue``'s SLA clocks count on: its own opening hours with the agency's holidays, else the agency's.

    A queue with ``hours`` "always" (an emergency team) counts every hour of every day.
    """
    values = current_values()
    if queue is not None and queue.hours:
        values = replace(values, hours=queue.hours)
    return calendar_for(values)


def check_queue_hours(hours):
    """Raise ``CalendarProblem`` unless ``hours`` (a queue's own, or "always") can make a calendar."""
    calendar_for(replace(current_values(), hours=hours))


def save(values, by):
    """Check and keep ``values`` as the agency calendar. Commits; audited. Raises ``CalendarProblem``."""
    calendar_for(values)
    setting = db.session.get(CalendarSetting, 1) or CalendarSetting(id=1)
    setting.hours, setting.closures = values.hours.strip(), " ".join(sorted(set(values.closures.replace(",", " ").split())))
    setting.holidays_country = values.holidays_country.strip().upper()
    setting.holidays_subdivision = values.holidays_subdivision.strip().upper()
    db.session.add(setting)
    audit.record("agency_calendar_saved", actor=by, target="CalendarSetting", target_id=1, hours=setting.hours,
                 holidays=f"{setting.holidays_country} {setting.holidays_subdivision}".strip(),
                 closures=setting.closures)
    db.session.commit()


def closed_days_ahead(calendar, days=90, limit=12):
    """The next ``limit`` days within ``days`` on which the agency is closed though it usually opens that weekday."""
    today = utcnow().astimezone(calendar.zone).date()
    ahead = (today + timedelta(days=n) for n in range(days))
    return [day for day in ahead if day in calendar.closed_dates and day.weekday() in calendar.hours][:limit]
