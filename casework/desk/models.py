"""What the desk's contacts cost: each contact an agent handled, with its minutes (the effort of the contact
stage). A contact either took a request (``request_id``) or was answered on the spot (a ``topic`` from the
list admins keep, in ``casework.agency_setup``).

Contacts answered on the spot keep no personal data: they name a case only when the agent links one.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agency_setup import ContactTopic
from casework.models import Case
from core.accounts.models import Staff
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from intake.models import ServiceRequest


class Contact(db.Model):
    """A contact at the desk: its channel and the agent's minutes; the request it took, or the topic answered."""

    __tablename__ = "contact"
    __table_args__ = (
        CheckConstraint("(request_id IS NULL) <> (topic_id IS NULL)", name="ck_contact_request_or_topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    channel: Mapped[str] = mapped_column(String(12))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("contact_topic.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"), index=True)
    minutes: Mapped[int]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))

    staff: Mapped[Staff] = relationship()
    topic: Mapped[ContactTopic | None] = relationship()
    request: Mapped[ServiceRequest | None] = relationship()
    case: Mapped[Case | None] = relationship()

    @property
    def answered_on_the_spot(self):
        return self.request_id is None
