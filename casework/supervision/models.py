"""Suggested rebalance plans, kept from preview to apply so what is applied is what was shown."""
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


def new_plan_id():
    return secrets.token_urlsafe(12)


class RebalancePlan(db.Model):
    """A plan as previewed: each move with the case's version then, the unplaceable cases and utilisation."""

    __tablename__ = "rebalance_plan"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_plan_id)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queue_ids: Mapped[list] = mapped_column(JSON, default=list)
    moves: Mapped[list] = mapped_column(JSON, default=list)
    unplaceable: Mapped[list] = mapped_column(JSON, default=list)
    over_target: Mapped[list] = mapped_column(JSON, default=list)
    utilisation_before: Mapped[dict] = mapped_column(JSON, default=dict)
    utilisation_after: Mapped[dict] = mapped_column(JSON, default=dict)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
