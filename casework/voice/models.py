"""What a staff member chose about the citizens' voice: whether new comments about their work come by email."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime

FREQUENCIES = ("off", "daily", "weekly")


class VoiceDigest(db.Model):
    """A person's choice of digest (absent: off), and up to when the last one told them."""

    __tablename__ = "voice_digest"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(8), default="off")
    # the answers up to this moment were in a digest already
    told_up_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
