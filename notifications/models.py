"""The outbox: one row per message to send."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    # claimed by a delivery run, committed before the message leaves
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # the recipient asked for no more messages about this subject
    STOPPED = "stopped"


class Notification(db.Model):
    """A message waiting to be sent, sent, or given up on.

    ``dedupe_key`` names the event and recipient, so the same event never
    produces a second message however often the code that causes it runs.
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(8), default="en")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # the request it concerns, so its timeline can show failures
    request_id: Mapped[int | None] = mapped_column(index=True)
    # what the recipient can stop with one link, e.g. ``request:42``; None for staff messages
    subject_key: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # its delivery job could not be queued (Redis away): the sweep takes it at once
    wake_missed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when a delivery run claimed it (status sending)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MessageTemplate(db.Model):
    """An admin's wording for one event in one language, replacing the built-in text."""

    __tablename__ = "message_template"
    __table_args__ = (UniqueConstraint("event", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class MessageStop(db.Model):
    """A recipient's "stop these messages" for one subject (a request)."""

    __tablename__ = "message_stop"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(60), unique=True)
    stopped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
