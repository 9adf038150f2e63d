"""Open data: every request, one row each, without anything that could identify the person who made it.

A row holds the reference, service, channel, status, times, whether it was
resolved by its due date, the area, the place coarsened (coordinates to
three decimals, about 100 m; the street without its number) and the outcome
code. Never a name, an email, a phone number, staff notes, the closing text
or photos; the citizen's description only where an admin publishes it for
the service, and then scrubbed (``privacy.scrub``). Requests whose citizen
asked to keep them private are left out.

``rows`` reads the database with a server-side cursor, a batch at a time,
so an export of a million requests never sits in memory.
"""
import re
from dataclasses import dataclass
from datetime import date, timezone

from sqlalchemy import select

from casework.agency_setup import District, Outcome
from casework.clock.agency_time import local_midnight
from casework.models import Case
from casework.public.privacy import scrub, street_of
from core.extensions import db
from intake.models import Service, ServiceRequest

BATCH = 5000
# (name, Table Schema type, title, description): the columns in order, as datapackage.json describes them
COLUMNS = (
    ("reference", "string", "Reference", "The request's reference, as the person who made it was told it"),
    ("service_code", "string", "Service code", "The service asked for (stable code)"),
    ("service_name", "string", "Service", "The service asked for, in English"),
    ("channel", "string", "Channel", "How the request arrived: web, api (a partner app), phone, counter, email "
     "or field (found by staff)"),
    ("status", "string", "Status", "received (not yet with a team), open, in_progress, waiting_on_requester, "
     "resolved or closed"),
    ("opened", "datetime", "Opened", "When the request was made (UTC)"),
    ("due", "datetime", "Due", "When the service standard says it should be resolved by (UTC); empty if none"),
    ("closed", "datetime", "Closed", "When it was resolved or closed (UTC); empty while open"),
    ("on_time", "boolean", "Resolved on time", "Resolved by its due date; empty while open or with no due date"),
    ("district", "string", "Area", "The area the request lies in, where areas are set up"),
    ("latitude", "number", "Latitude (about 100 m)", "Rounded to three decimals: about 100 m"),
    ("longitude", "number", "Longitude (about 100 m)", "Rounded to three decimals: about 100 m"),
    ("street", "string", "Street", "The address without house numbers, flat numbers or anything with a digit"),
    ("outcome", "string", "Outcome", "How it ended, as a code from the agency's list (duplicate: merged into "
     "another request)"),
    ("description", "string", "Description", "What the person wrote, only for services that publish it, with "
     "email addresses, phone numbers and identity numbers removed"),
)
NAMES = [name for name, *_rest in COLUMNS]
STATUS = {"new": "open", "triaged": "open", "assigned": "open", "in_progress": "in_progress",
          "waiting_on_citizen": "waiting_on_requester", "resolved": "resolved", "closed": "closed"}
COARSE_PLACES = 3


class BadFilter(ValueError):
    """A filter of the export cannot be read; ``field`` names it, the message says how to write it."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Filters:
    first_day: date | None = None
    last_day: date | None = None
    service_id: int | None = None


DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_day(value, field):
    if not value:
        return None
    try:
        if not DAY.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(field, f"Write the date as YYYY-MM-DD, like 2026-11-30 (not “{value[:20]}”)") from None


def read_filters(args):
    """``Filters`` from the query (``from``, ``to``: days requests were made, inclusive; ``service``: a code).
    Raises ``BadFilter``."""
    first, last = read_day(args.get("from", ""), "from"), read_day(args.get("to", ""), "to")
    if first and last and last < first:
        raise BadFilter("to", "The last day must not be before the first")
    service_id = None
    if args.get("service"):
        service_id = db.session.scalar(select(Service.id).filter_by(code=args["service"]))
        if service_id is None:
            raise BadFilter("service", "There is no service with that code: see /open-data/ for the list")
    return Filters(first, last, service_id)


def rows(filters):
    """Yield each published request as a tuple in ``NAMES`` order, oldest first."""
    services = {row.id: row for row in db.session.execute(
        select(Service.id, Service.code, Service.name, Service.publish_description))}
    districts = dict(db.session.execute(select(District.id, District.name)).all())
    outcomes = dict(db.session.execute(select(Outcome.id, Outcome.code)).all())
    published = [service_id for service_id, row in services.items() if row.publish_description]
    description = db.case((ServiceRequest.service_id.in_(published), ServiceRequest.description),
                          else_=None) if published else db.null()
    query = (select(ServiceRequest.reference, ServiceRequest.service_id, ServiceRequest.channel,
                    ServiceRequest.submitted_at, ServiceRequest.lat, ServiceRequest.long, ServiceRequest.address,
                    description, Case.state, Case.resolution_due_at, Case.closed_at, Case.district_id,
                    Case.outcome_id, Case.duplicate_of_id)
             .outerjoin(Case, Case.request_id == ServiceRequest.id)
             .where(ServiceRequest.keep_private.is_(False)).order_by(ServiceRequest.id))
    if filters.first_day:
        query = query.where(ServiceRequest.submitted_at >= local_midnight(filters.first_day))
    if filters.last_day:
        query = query.where(ServiceRequest.submitted_at < local_midnight(date.fromordinal(
            filters.last_day.toordinal() + 1)))
    if filters.service_id:
        query = query.where(ServiceRequest.service_id == filters.service_id)
    result = db.session.execute(query.execution_options(stream_results=True, yield_per=BATCH))
    for (reference, service_id, channel, submitted_at, lat, long, address, text, state, due, closed, district_id,
         outcome_id, duplicate_of_id) in result:
        service = services[service_id]
        yield (reference, service.code, service.name, channel, STATUS.get(state, "received"),
               stamp(submitted_at), stamp(due), stamp(closed),
               None if closed is None or due is None else closed <= due,
               districts.get(district_id), coarse(lat), coarse(long), street_of(address),
               "duplicate" if duplicate_of_id else outcomes.get(outcome_id), scrub(text) if text else None)


def stamp(moment):
    return None if moment is None else moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def coarse(degrees):
    return None if degrees is None else round(degrees, COARSE_PLACES)
