"""The catalogue (departments, services) and the requests citizens submit."""
from datetime import datetime
import secrets
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

# Crockford's base32 without the look-alikes I, L, O, U: a reference read
# over the phone cannot be misheard as another one
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference():
    """Return a random public reference such as ``R-7K3M-Q9XA`` (40 bits)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"R-{chars[:4]}-{chars[4:]}"


def new_tracking_token():
    """Return an unguessable token (192 bits) for the citizen's private tracking link."""
    return secrets.token_urlsafe(24)


def new_reply_token():
    """Return an unguessable token (128 bits, lower-case hex: mail systems may fold an address's case) for the
    request's reply address."""
    return secrets.token_hex(16)


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    PHONE = "phone"
    COUNTER = "counter"
    EMAIL = "email"
    # a problem staff found themselves, in the field
    FIELD = "field"


# how staff pages name each channel
CHANNEL_NAMES = {Channel.WEB: "Web form", Channel.API: "Partner app (Open311)", Channel.PHONE: "Phone",
                 Channel.COUNTER: "Counter", Channel.EMAIL: "Email", Channel.FIELD: "Found by staff"}


class ContactChannel(StrEnum):
    """How the citizen chose to hear from the agency."""

    EMAIL = "email"
    SMS = "sms"


class TriageState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Translated:
    """Records whose citizen-facing texts admins translate: ``translations`` is ``{language: {field: text}}``."""

    def translated(self, field, language):
        """``field`` in ``language``, falling back to the English column."""
        return (self.translations or {}).get(language, {}).get(field) or getattr(self, field)


class Department(Translated, db.Model):
    """An agency or division; Open311's ``agency_responsible``."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # {"es": {"name": "Calles"}}: the team name citizens read in their language
    translations: Mapped[dict | None] = mapped_column(JSON, default=dict)

    services: Mapped[list["Service"]] = relationship(back_populates="department")


class Service(Translated, db.Model):
    """A catalogue entry a citizen can ask for."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    group: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(String(400), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # SLA targets in hours; business-calendar arithmetic arrives with triage rules
    first_response_hours: Mapped[int] = mapped_column(default=24)
    resolution_hours: Mapped[int] = mapped_column(default=120)
    # what the public is promised, in English ("We aim to fix potholes within 5 working days"); None: worded from
    # ``resolution_hours`` (``casework.public.standards``); other languages under translations[lang]["public_standard"]
    public_standard: Mapped[str | None] = mapped_column(String(300))
    # the share (percent) resolved within the standard the agency aims for: the performance page's ratio is to it
    on_time_goal: Mapped[int] = mapped_column(default=80, server_default="80")
    # the citizen's description goes into the open data (scrubbed of emails, phone and identity numbers)
    publish_description: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # what a minute of staff time costs, for cost per request
    cost_per_minute: Mapped[float] = mapped_column(default=0.75)
    # citizens may leave name, email and phone blank
    allows_anonymous: Mapped[bool] = mapped_column(default=False)
    # {"es": {"name": ..., "description": ..., "keywords": ...}, "pt": {...}}; English lives in the columns
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    department: Mapped[Department] = relationship(back_populates="services")
    questions: Mapped[list["ServiceQuestion"]] = relationship(
        back_populates="service", order_by="ServiceQuestion.position", cascade="all, delete-orphan")


class QuestionType(StrEnum):
    """Open311 GeoReport v2 attribute datatypes."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLE = "singlevaluelist"
    MULTI = "multivaluelist"


class ServiceQuestion(Translated, db.Model):
    """A question a service asks beyond the description; an Open311 ``attribute``.

    A question with ``variable`` False is an informational notice, not asked.
    An answer listed in ``stop_values`` stops the form with ``stop_notice``
    (for example: "Is anyone in danger?" yes -> "Call 911 now").
    """

    __tablename__ = "service_question"
    __table_args__ = (UniqueConstraint("service_id", "code", name="uq_service_question_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", name="fk_service_question_service"))
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    datatype: Mapped[str] = mapped_column(String(20), default=QuestionType.STRING)
    variable: Mapped[bool] = mapped_column(default=True)
    required: Mapped[bool] = mapped_column(default=False)
    prompt: Mapped[str] = mapped_column(String(300))
    hint: Mapped[str] = mapped_column(String(300), default="")
    # [{"key": "yes", "name": "Yes"}, ...] for the list types
    values: Mapped[list] = mapped_column(JSON, default=list)
    stop_values: Mapped[list] = mapped_column(JSON, default=list)
    stop_notice: Mapped[str] = mapped_column(String(500), default="")
    # {"es": {"prompt": ..., "hint": ..., "stop_notice": ..., "values": {"yes": "Sí"}}}
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    service: Mapped[Service] = relationship(back_populates="questions")

    def choices(self, language="en"):
        """The list values as ``(key, label)`` pairs in ``language``."""
        names = (self.translations or {}).get(language, {}).get("values", {})
        return [(value["key"], names.get(value["key"]) or value["name"]) for value in self.values or []]


class ServiceRequest(db.Model):
    """What a citizen submitted. Committed before triage; never lost."""

    __tablename__ = "service_request"
    __table_args__ = (Index("ix_service_request_triage_pending", "triage_state", "submitted_at"),
                      UniqueConstraint("imported_from", "imported_id", name="uq_service_request_imported"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, default=new_reference)
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_tracking_token)
    # in the address a citizen's reply goes to (``requests+<token>@...``); older requests get one when first written to
    reply_token: Mapped[str | None] = mapped_column(String(32), unique=True, default=new_reply_token)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    description: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None]
    long: Mapped[float | None]
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="en")
    consent_to_contact: Mapped[bool] = mapped_column(default=True)
    notify_by: Mapped[str] = mapped_column(String(8), default=ContactChannel.EMAIL)
    channel: Mapped[str] = mapped_column(String(12), default=Channel.WEB)
    # the same key twice is the same submission (double click, retried POST)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    triage_state: Mapped[str] = mapped_column(String(12), default=TriageState.PENDING)
    triage_attempts: Mapped[int] = mapped_column(default=0)
    # its triage job could not be queued (Redis away): the sweep takes it at once, not after the grace period
    triage_wake_missed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    triage_error: Mapped[str | None] = mapped_column(Text)
    # the Open311 client that submitted it, for requests that came through the API
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id", name="fk_service_request_api_client"))
    # brought in from another system's export (``casework.history``): its name and that system's id, unique
    imported_from: Mapped[str | None] = mapped_column(String(40))
    imported_id: Mapped[str | None] = mapped_column(String(80))
    # the citizen asked that the request be left out of the open data
    keep_private: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # set when retention removed the personal data (see core/personal_data.py)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[Service] = relationship()

    def __repr__(self):
        return f"<ServiceRequest {self.reference}>"

    def contact_address(self):
        """Return ``(channel, recipient)`` for messages to this citizen, or None when we may not write.

        Text messages go to the phone when the citizen chose them; otherwise email.
        """
        if not self.consent_to_contact:
            return None
        if self.notify_by == ContactChannel.SMS and self.contact_phone:
            return ContactChannel.SMS, self.contact_phone
        if self.contact_email:
            return ContactChannel.EMAIL, self.contact_email
        return None
