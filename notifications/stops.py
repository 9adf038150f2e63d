"""One-click "stop these messages" links, signed so nobody can stop someone else's."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from notifications.models import MessageStop

SALT = "tandem-stop-messages"


def serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def stop_url(subject_key):
    """Return the absolute link that stops messages about ``subject_key``."""
    return f"{current_app.config['PUBLIC_URL']}/messages/stop/{serializer().dumps(subject_key)}"


def subject_from_token(token):
    """Return the subject key a stop token names, or None if it was not signed by us."""
    try:
        subject_key = serializer().loads(token)
    except BadSignature:
        return None
    return subject_key if isinstance(subject_key, str) else None


def is_stopped(subject_key):
    return db.session.scalar(db.select(MessageStop.id).filter_by(subject_key=subject_key)) is not None


def stop_messages(subject_key):
    """Record that messages about ``subject_key`` must stop. Idempotent; commits."""
    if is_stopped(subject_key):
        return
    db.session.add(MessageStop(subject_key=subject_key))
    try:
        db.session.commit()
    except IntegrityError:
        # the same link pressed twice at once: the first one counts
        db.session.rollback()
