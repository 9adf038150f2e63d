"""Staff ideas: what hurts, what to change and whom it would help; colleagues' "me too" and comments; the
supervisor's answer. An anonymous idea is stored without its author, and a "me too" as a key nobody can read
back to a person."""
import hashlib
import hmac
from datetime import date, datetime

from flask import current_app
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

HELPS = ("citizens", "staff", "both")
STATUSES = ("open", "planned", "not_now", "done")
STATUS_WORDS = {"open": "Waiting for an answer", "planned": "Planned", "not_now": "Not now", "done": "Done"}


class Idea(db.Model):
    """An improvement a staff member proposed for a service or a step type, seen by their team."""

    __tablename__ = "idea"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the team whose members see it (and whose supervisor answers it)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    step_type_id: Mapped[int | None] = mapped_column(ForeignKey("step_type.id", ondelete="SET NULL"))
    hurts: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(Text)
    helps: Mapped[str] = mapped_column(String(8))
    # None for an anonymous idea: nothing anywhere says whose it is
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # the day only: a time could be matched against the author's other traces
    proposed_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(8), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # "done": the process change it became, whose before and after the team is told
    process_change_id: Mapped[int | None] = mapped_column(ForeignKey("process_change.id", ondelete="SET NULL"))
    supporters: Mapped[int] = mapped_column(default=0)
    # when the team (and a named author) were told what the change did, once both sides had enough cases
    effect_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # what it was told, kept: the loop's health lists it without measuring again
    effect_summary: Mapped[str | None] = mapped_column(Text)

    comments: Mapped[list["IdeaComment"]] = relationship(order_by="IdeaComment.id", cascade="all, delete-orphan")

    @property
    def anonymous(self):
        return self.author_id is None


class IdeaSupport(db.Model):
    """One "me too": the idea and a key made from the person with a secret the database does not hold."""

    __tablename__ = "idea_support"
    __table_args__ = (UniqueConstraint("idea_id", "key", name="uq_idea_support"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))


def support_key(idea_id, staff_id):
    """The same for one person and idea, and nothing anyone with the database alone can turn back into a person."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"idea-support:{idea_id}:{staff_id}".encode(), hashlib.sha256).hexdigest()


class IdeaComment(db.Model):
    """A colleague's comment on an idea, with their name (a comment is a conversation)."""

    __tablename__ = "idea_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
