"""What the public side keeps of its own: requests received per day, and the agency's publishing settings."""
from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db

# what a new agency publishes from: fewer cases than this and a figure is not shown
DEFAULT_MIN_CASES = 10


class ArrivalDay(db.Model):
    """How many requests arrived on one local day for one service, area and channel.

    ``casework.public.arrivals`` counts the last two days again every run and
    every day on a recount, from ``service_request``: it is a count, never a
    record of its own. ``district_id`` 0: no area (or not triaged yet).
    """

    __tablename__ = "arrival_day"

    received_on: Mapped[date] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(12), primary_key=True)
    received: Mapped[int] = mapped_column(default=0)


class PublicSetting(db.Model):
    """The agency's one row of publishing settings (absent: the defaults)."""

    __tablename__ = "public_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    # no figure from fewer cases (or survey answers) than this
    min_cases: Mapped[int] = mapped_column(default=DEFAULT_MIN_CASES)


def min_cases():
    """The smallest number of cases a published figure may rest on."""
    found = db.session.scalar(db.select(PublicSetting.min_cases).order_by(PublicSetting.id).limit(1))
    return found or DEFAULT_MIN_CASES


def save_min_cases(value, by):
    """Set the smallest number of cases a published figure may rest on. Commits; audited."""
    from core import audit

    setting = db.session.scalar(db.select(PublicSetting).order_by(PublicSetting.id).limit(1))
    if setting is None:
        setting = PublicSetting(min_cases=DEFAULT_MIN_CASES)
        db.session.add(setting)
    before, setting.min_cases = setting.min_cases, value
    db.session.flush()
    audit.record("publishing_changed", actor=by, target=setting, before=before, after=value)
    db.session.commit()
