"""What admins decide about mail coming in: whether an email that answers no request opens one, filed under
which service, and where it waits when no routing rule places it."""
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from intake.models import Service


class MailSetting(db.Model):
    """The agency's one row of mail settings (absent: new requests by email are off)."""

    __tablename__ = "mail_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    new_requests: Mapped[bool] = mapped_column(default=False)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    # a queue id (casework's): where an email request waits when no routing rule places it
    queue_id: Mapped[int | None]

    service: Mapped[Service | None] = relationship()


def mail_setting():
    """The agency's mail settings, or None before an admin saved any."""
    return db.session.scalar(db.select(MailSetting).order_by(MailSetting.id).limit(1))
