"""API clients: partner systems and apps that may submit requests with a key an admin issued."""
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

KEY_PREFIX = "t311_"
DEFAULT_QUOTA = 600


def digest(key):
    """The stored form of an API key: keys are 192 random bits, so a plain SHA-256 is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(db.Model):
    """A holder of an Open311 API key. The key itself is shown once and never stored."""

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # the first characters, so an admin can tell keys apart
    key_hint: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    # its own quota: a partner posting as reports arrive is never held to the citizens' per-address limit
    requests_per_minute: Mapped[int] = mapped_column(default=DEFAULT_QUOTA, server_default=str(DEFAULT_QUOTA))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @classmethod
    def issue(cls, name):
        """Return ``(client, key)`` for a new client; the caller shows ``key`` once and commits."""
        key = KEY_PREFIX + secrets.token_urlsafe(24)
        return cls(name=name, key_digest=digest(key), key_hint=key[:9]), key


def client_for_key(key):
    """The active client holding ``key``, or None."""
    if not key or len(key) > 100:
        return None
    return db.session.scalar(db.select(ApiClient).filter_by(key_digest=digest(key), active=True))
