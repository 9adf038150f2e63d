"""One row of a legacy export as a request and its case, or the reason it cannot be one.

Times without an offset are in the mapping's time zone; each of its date
formats is tried in turn ("iso" for ISO 8601). A row is refused, with a
reason a person can act on, when its id or opening time is missing, a time
cannot be read or closes before it opens, its status, service, queue or
channel is not one the mapping allows, or a coordinate is out of range.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from casework.models import CaseState

# the mapping's states as a case's
CASE_STATES = {"open": CaseState.TRIAGED, "in_progress": CaseState.IN_PROGRESS,
               "waiting": CaseState.WAITING_ON_CITIZEN, "resolved": CaseState.RESOLVED, "closed": CaseState.CLOSED}
CLOSED_STATES = ("resolved", "closed")


class Refused(ValueError):
    """The row cannot be brought in; the message says why."""


@dataclass
class Row:
    line: int
    source_id: str
    opened: datetime
    due: datetime | None
    closed: datetime | None
    state: str
    service: object  # an id, or a placeholder until made
    queue: object
    channel: str
    lat: float | None
    long: float | None
    address: str | None
    description: str
    closing_text: str | None


def value(record, mapping, name):
    column = mapping.columns.get(name)
    return (record.get(column) or "").strip() if column else ""


# patterns whose text ``datetime.fromisoformat`` reads alike, ten times faster than ``strptime``: the exact shape
ISO_LIKE = {pattern: re.compile(shape) for pattern, shape in (
    ("%Y-%m-%d %H:%M:%S", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"),
    ("%Y-%m-%dT%H:%M:%S", r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"),
    ("%Y-%m-%d %H:%M", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"), ("%Y-%m-%d", r"^\d{4}-\d{2}-\d{2}$"))}


def parse_time(text, mapping, name):
    """A UTC datetime from ``text`` (None when blank). Raises ``Refused``."""
    if not text:
        return None
    for pattern in mapping.date_formats:
        try:
            if pattern == "iso" or (pattern in ISO_LIKE and ISO_LIKE[pattern].match(text)):
                moment = datetime.fromisoformat(text)
            else:
                moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=mapping.timezone)
        return moment.astimezone(timezone.utc)
    raise Refused(f"{name} “{text[:40]}” is not written as the mapping's date_formats say "
                  f"({', '.join(mapping.date_formats)})")


def parse_degrees(text, name, limit):
    if not text:
        return None
    try:
        degrees = float(text)
    except ValueError:
        raise Refused(f"{name} “{text[:20]}” is not a number") from None
    if not -limit <= degrees <= limit:
        raise Refused(f"{name} {degrees} is outside -{limit} to {limit}")
    return degrees


def convert(line, record, mapping, catalogue):
    """The ``Row`` of ``record``. Raises ``Refused``."""
    source_id = value(record, mapping, "id")
    if not source_id:
        raise Refused("it has no id")
    if len(source_id) > 80:
        raise Refused("its id is longer than 80 characters")
    opened = parse_time(value(record, mapping, "opened"), mapping, "opened")
    if opened is None:
        raise Refused("it has no opening time")
    due = parse_time(value(record, mapping, "due"), mapping, "due")
    closed = parse_time(value(record, mapping, "closed"), mapping, "closed")
    status = value(record, mapping, "status")
    if "status" in mapping.columns:
        if status not in mapping.statuses:
            raise Refused(f"its status “{status[:40]}” is not in the mapping's statuses")
        state = mapping.statuses[status]
    else:
        state = "resolved" if closed else "open"
    if state in CLOSED_STATES:
        if closed is None:
            raise Refused(f"it is {status or state} but has no closing time")
        if closed < opened:
            raise Refused("it closes before it opens")
    else:
        closed = None
    if due is not None and due < opened:
        raise Refused("it is due before it opens")
    name = value(record, mapping, "service")
    if not name:
        raise Refused("it names no service")
    service = catalogue.service(name, value(record, mapping, "department"))
    if service is None:
        raise Refused(f"its service “{name[:60]}” is not in Tandem's catalogue, and the mapping refuses unknown ones")
    queue_name = value(record, mapping, "queue")
    queue = catalogue.queue(queue_name, service)
    if queue is None:
        raise Refused(f"its queue “{queue_name[:60]}” is not one of Tandem's, and the mapping refuses unknown ones")
    channel_name = value(record, mapping, "channel")
    channel = mapping.channels.get(channel_name) or mapping.default_channel
    if channel is None:
        raise Refused(f"its channel “{channel_name[:40]}” is not in the mapping's channels (and it sets no "
                      "default_channel)")
    lat = parse_degrees(value(record, mapping, "latitude"), "latitude", 90)
    long = parse_degrees(value(record, mapping, "longitude"), "longitude", 180)
    if (lat is None) != (long is None):
        lat = long = None
    return Row(line=line, source_id=source_id, opened=opened, due=due, closed=closed, state=state, service=service,
               queue=queue, channel=channel, lat=lat, long=long,
               address=value(record, mapping, "address")[:300] or None,
               description=value(record, mapping, "description") or name,
               closing_text=value(record, mapping, "closing_text") or None)
