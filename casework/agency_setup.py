"""How the agency has set casework up: its areas, routing rules, the outcomes a case can end with, the reply
templates staff start from, its calendar, and the topics callers ask about. Admins keep these; triage and the console read them."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.models import Priority, Queue
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from intake.models import Service


class District(db.Model):
    """An area of the city, by postcodes and/or a polygon, that routing rules can name."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # whitespace- or comma-separated postcodes, as citizens write them
    postcodes: Mapped[str] = mapped_column(Text, default="")
    # [[lat, long], ...] corners, or empty
    polygon: Mapped[list] = mapped_column(JSON, default=list)


class RoutingRule(db.Model):
    """An ordered rule: when all its conditions hold, the case goes to its queue."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    # any of these words in the description (space separated, lower case)
    keywords: Mapped[str] = mapped_column(String(400), default="")
    # the answer to one of the service's questions
    answer_code: Mapped[str | None] = mapped_column(String(60))
    answer_value: Mapped[str | None] = mapped_column(String(200))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    channel: Mapped[str | None] = mapped_column(String(12))
    language: Mapped[str | None] = mapped_column(String(8))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"))
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    # space-separated labels put on the case
    tags: Mapped[str] = mapped_column(String(200), default="")
    # a resolution target replacing the service's, in business hours
    resolution_hours: Mapped[int | None]

    service: Mapped[Service | None] = relationship()
    district: Mapped[District | None] = relationship()
    queue: Mapped[Queue] = relationship()


class Outcome(db.Model):
    """How a case can end ("fixed", "referred elsewhere"...), a list admins keep; chosen on resolving."""

    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)


# the list a new installation starts with (the migration and a fresh schema both write it)
STANDARD_OUTCOMES = [
    ("fixed", "Fixed"), ("no_action_needed", "No action needed"), ("referred_elsewhere", "Referred elsewhere"),
    ("duplicate", "Duplicate of another case"), ("could_not_find", "Could not find the problem"),
    ("not_our_responsibility", "Not the agency's responsibility"),
]


def standard_outcome_rows():
    return [{"code": code, "label": label, "position": position, "active": True}
            for position, (code, label) in enumerate(STANDARD_OUTCOMES, start=1)]


@event.listens_for(Outcome.__table__, "after_create")
def write_standard_outcomes(table, connection, **kwargs):
    connection.execute(table.insert(), standard_outcome_rows())


class ReplyTemplate(db.Model):
    """A reply staff start from, in one language, with placeholders like ``{reference}``."""

    __tablename__ = "reply_template"
    __table_args__ = (UniqueConstraint("name", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8), default="en")
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CalendarSetting(db.Model):
    """The agency calendar as admins keep it in the console (one row); without it the ``AGENCY_*`` settings apply.

    The time zone stays a deployment setting: it changes what every stored time means.
    """

    __tablename__ = "calendar_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    hours: Mapped[str] = mapped_column(String(200))
    holidays_country: Mapped[str] = mapped_column(String(8), default="")
    holidays_subdivision: Mapped[str] = mapped_column(String(16), default="")
    # the agency's own closed days (snow days, a local holiday), ISO dates separated by spaces
    closures: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ContactTopic(db.Model):
    """What callers ask about, as admins list it: general, or about one service."""

    __tablename__ = "contact_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    active: Mapped[bool] = mapped_column(default=True)

    service: Mapped[Service | None] = relationship()
