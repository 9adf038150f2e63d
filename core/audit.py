"""The audit trail: recording actions, and keeping recorded rows from being changed."""
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.extensions import db
from core.models import AuditEvent


class AppendOnlyViolation(RuntimeError):
    """Code tried to change or delete an audit record."""


def record(action, actor=None, target=None, target_id=None, **details):
    """Add an audit row for ``action`` by ``actor`` on ``target`` (a model instance or a type name).

    Does not commit: the row is part of the caller's transaction, so an
    action and its record stand or fall together.
    """
    if target is not None and not isinstance(target, str):
        target_type, target_id = type(target).__name__, getattr(target, "id", target_id)
    else:
        target_type = target
    row = AuditEvent(
        actor_id=getattr(actor, "id", None), action=action, target_type=target_type,
        target_id=str(target_id) if target_id is not None else None, details=details,
    )
    db.session.add(row)
    return row


def record_now(action, actor=None, target=None, target_id=None, **details):
    """Record and commit at once, for events with no transaction of their own (a refusal, a login)."""
    record(action, actor, target, target_id, **details)
    db.session.commit()


PROTECTED = set()


def refuse_changes(session, flush_context, instances):
    for instance in list(session.dirty) + list(session.deleted):
        if type(instance) in PROTECTED and (instance in session.deleted or session.is_modified(instance)):
            raise AppendOnlyViolation(f"{type(instance).__name__} rows are append-only")


def append_only(*models):
    """Refuse, at flush time, any update or delete of rows of ``models``.

    The database user can still change them (an operator can, on purpose);
    the application cannot, by mistake or by a bug.
    """
    PROTECTED.update(models)
    if not event.contains(Session, "before_flush", refuse_changes):
        event.listen(Session, "before_flush", refuse_changes)


def init_app(app):
    append_only(AuditEvent)
