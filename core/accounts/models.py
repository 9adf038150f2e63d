"""Staff accounts and their roles: who may sign in, to do what."""
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# what each role may do besides its own: a supervisor can do everything a
# caseworker can, an admin everything a supervisor can
ROLE_RANK = {Role.CASEWORKER: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


class Staff(UserMixin, db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.CASEWORKER)
    capacity_minutes: Mapped[int] = mapped_column(default=2100)
    languages: Mapped[str] = mapped_column(String(60), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # part of every session's id: raising it signs the account out everywhere
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # base32 secret of the optional second factor (TOTP); None when not set up
    totp_secret: Mapped[str | None] = mapped_column(String(64))

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def get_id(self):
        # Flask-Login keeps this in the session; a stale version is refused by the loader
        return f"{self.id}:{self.session_version}"

    def end_all_sessions(self):
        """Make every existing session of this account invalid (logout, password change). Does not commit."""
        self.session_version = (self.session_version or 1) + 1

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def spoken_languages(self):
        """The codes of the languages they work in, as a list (stored "en,es"; older rows "en es")."""
        return self.languages.replace(",", " ").split()

    def has_role(self, role):
        """True when this staff member's role is ``role`` or outranks it."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def is_active(self):
        return self.active

    def __repr__(self):
        return f"<Staff {self.id} {self.role}>"
