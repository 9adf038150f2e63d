"""Personal access tokens: how a staff member's scripts and integrations call the staff API.

A token acts as the staff member who made it, read-only or read-write,
until it expires or is revoked. Only a digest is stored (tokens are 256
random bits, so a plain SHA-256 is enough); the token itself is shown once.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import UTCDateTime, utcnow

TOKEN_PREFIX = "tdm_"
# requests a minute a new token may make; admins change it per token
DEFAULT_QUOTA = 600
# last-used time is written at most this often, so reads do not each write a row
LAST_USED_RESOLUTION = timedelta(minutes=1)
EXPIRY_CHOICES = {"7": 7, "30": 30, "90": 90, "365": 365}


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    secret_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # the first characters, so a person can tell tokens apart
    hint: Mapped[str] = mapped_column(String(16))
    can_write: Mapped[bool] = mapped_column(default=False)
    requests_per_minute: Mapped[int] = mapped_column(default=DEFAULT_QUOTA, server_default=str(DEFAULT_QUOTA))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship()

    @classmethod
    def issue(cls, staff, name, can_write=False, days=90):
        """Return ``(token, secret)``: a new token for ``staff``; the caller shows ``secret`` once and commits."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls(staff=staff, name=name, secret_digest=digest(secret), hint=secret[:10], can_write=can_write,
                    expires_at=utcnow() + timedelta(days=days))
        return token, secret

    @property
    def status(self):
        """"active", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "active"

    def revoke(self):
        """Stop the token working at once. Does not commit."""
        self.revoked_at = self.revoked_at or utcnow()


def token_for(secret):
    """The usable token ``secret`` names (not revoked, not expired, its staff member active), or None.

    Marks it used (at most once a minute) and commits that mark.
    """
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(db.select(ApiToken).filter_by(secret_digest=digest(secret)))
    if token is None or token.status != "active" or not token.staff.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token


def tokens_of(staff):
    """``staff``'s tokens, newest first, whatever their status."""
    return db.session.scalars(db.select(ApiToken).filter_by(staff_id=staff.id)
                              .order_by(ApiToken.created_at.desc())).all()


def all_tokens():
    return db.session.scalars(db.select(ApiToken).order_by(ApiToken.created_at.desc())).all()
