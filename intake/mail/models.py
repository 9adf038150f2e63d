"""Every email that reached the agency, once: what it was and what became of it."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from intake.models import ServiceRequest


class MailOutcome(StrEnum):
    # a citizen's message on their case (or an answer to the staff's question)
    REPLY = "reply"
    # a new request opened from it
    NEW_REQUEST = "new_request"
    # new requests by email are off: the sender was pointed to the form
    POINTED_TO_FORM = "pointed_to_form"
    # recorded, never answered: auto-replies, Tandem's own mail, loops
    IGNORED = "ignored"
    # a delivery failure report: the citizen's address is marked as failing
    BOUNCE = "bounce"
    # its case is not open yet (triage is under way): taken again on the next round
    WAITING = "waiting"
    # it could not be read: admins see it with the reason, retry or discard it
    UNREADABLE = "unreadable"
    DISCARDED = "discarded"


class InboundMail(db.Model):
    """One email received, by its Message-ID (or a digest of it where it has none): recorded in the same
    transaction as what it makes, so the same message delivered twice makes nothing twice."""

    __tablename__ = "inbound_mail"
    __table_args__ = (Index("ix_inbound_mail_from_request_at", "sender", "request_id", "received_at"),
                      Index("ix_inbound_mail_outcome", "outcome", "received_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(255), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sender: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(20))
    # why it was ignored or could not be read, in the admin's words
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"), index=True)
    # it opened its request (the acknowledgement answers it in the same thread)
    opened_request: Mapped[bool] = mapped_column(default=False)
    # the whole original, for staff to open (and for a retry of an unreadable one)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    # the message as the case shows it: quotes and signature removed
    text: Mapped[str | None] = mapped_column(Text)

    request: Mapped[ServiceRequest | None] = relationship()
