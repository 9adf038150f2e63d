"""Contacts answered on the spot, without a request: what was asked (a topic admins keep, in
``casework.agency_setup``), how, and the minutes.

They keep no personal data: a contact names a case only when the agent links one.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agency_setup import ContactTopic
from casework.models import Case
from core.accounts.models import Staff
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class Contact(db.Model):
    """A contact answered without a request: its topic, channel and the agent's minutes (their effort)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    channel: Mapped[str] = mapped_column(String(12))
    topic_id: Mapped[int] = mapped_column(ForeignKey("contact_topic.id"))
    minutes: Mapped[int]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))

    staff: Mapped[Staff] = relationship()
    topic: Mapped[ContactTopic] = relationship()
    case: Mapped[Case | None] = relationship()
