"""Addresses whose mail bounced: Tandem stops writing to them until a message from them arrives (or the citizen
gives another address), and staff see why on the case."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class BouncedAddress(db.Model):
    __tablename__ = "bounced_address"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)
    bounced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the delivery report that said so (its Message-ID or digest)
    reported_by: Mapped[str | None] = mapped_column(String(255))


def mark(addresses, reported_by=None):
    """Mark ``addresses`` as failing (the session's, not committed); return them."""
    marked = []
    for address in {a.strip().lower() for a in addresses if a and "@" in a}:
        row = db.session.scalar(db.select(BouncedAddress).filter_by(address=address))
        if row is None:
            db.session.add(BouncedAddress(address=address, reported_by=reported_by))
        else:
            row.bounced_at, row.reported_by = utcnow(), reported_by
        marked.append(address)
    return sorted(marked)


def clear(address):
    """A message from ``address`` arrived: it works again (the session's, not committed)."""
    if address:
        db.session.execute(db.delete(BouncedAddress).where(BouncedAddress.address == address.strip().lower()))


def bounced_since(address):
    """When mail to ``address`` last bounced, or None when it has not (or works again)."""
    if not address:
        return None
    return db.session.scalar(db.select(BouncedAddress.bounced_at).where(
        BouncedAddress.address == address.strip().lower()))
