"""What the public is told to expect of a service: its published standard, and how long requests took lately.

The standard is the admins' wording in the citizen's language where they
wrote one, else worded from the service's resolution target in working days
(the agency calendar's average open day). "Lately" is the median working days
to resolve over the last ``RECENT_DAYS`` days, told only from
``RECENT_MIN_CASES`` resolved requests.
"""
import math
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext, ngettext

from casework.clock.agency_time import today_in_agency
from casework.clock.calendar_settings import agency_calendar
from casework.insight.scope import Period
from casework.public import tallies
from casework.public.figures import cached
from core.extensions import db

RECENT_DAYS = 90
RECENT_MIN_CASES = 20


@dataclass
class Expectation:
    standard: str
    # median working days to resolve lately, or None where too few were resolved to say
    recent_days: float | None
    recent_cases: int


def target_working_days(service, working_day_hours):
    """The service's resolution target in whole working days (at least one)."""
    return max(1, math.ceil(round(service.resolution_hours / working_day_hours, 6)))


def standard_text(service, language):
    """The published standard of ``service`` in ``language``: the admins' wording in it, else (rather than English
    on a page in another language) worded from the target in the page's language."""
    written = (service.translations or {}).get(language, {}).get("public_standard") or \
        (service.public_standard if language == "en" else None)
    if written:
        return written
    days = target_working_days(service, agency_calendar().working_day_hours)
    return ngettext("We aim to resolve requests about “%(service)s” within %(num)d working day.",
                    "We aim to resolve requests about “%(service)s” within %(num)d working days.", days,
                    service=service.translated("name", language))


def recent(service_id):
    """``(median working days, cases)`` of the service's requests resolved in the last ``RECENT_DAYS`` days."""
    today = today_in_agency()
    period = Period(today - timedelta(days=RECENT_DAYS - 1), today + timedelta(days=1))

    def compute():
        tally = tallies.total(tallies.read("service", period, service_id, key=lambda _scope, _day: 0).values())
        median = tally.business_hours(0.5)[0]
        if median is None:
            return None, tally.cases
        return median / agency_calendar().working_day_hours, tally.cases
    return cached((str(db.engine.url), "recent", service_id, period), compute)


def expectation(service, language):
    """The ``Expectation`` the form shows when ``service`` is chosen."""
    median, cases = recent(service.id)
    return Expectation(standard_text(service, language),
                       round(median, 1) if median is not None and cases >= RECENT_MIN_CASES else None, cases)


def recent_line(found):
    """The sentence about recent requests, or None."""
    if found.recent_days is None:
        return None
    return gettext("Lately, half of these requests were resolved within %(days)s working days (%(count)s "
                   "requests in the last 90 days).", days=f"{found.recent_days:.1f}", count=f"{found.recent_cases:,}")


def sentences(service, language):
    """What the public form says when ``service`` is chosen: its standard, and how long requests took lately."""
    found = expectation(service, language)
    return [found.standard] + [line for line in (recent_line(found),) if line]
