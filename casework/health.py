"""Casework's part of the metrics: SLA breaches and the open backlog."""
from casework.models import OPEN_STATES, Case
from core.extensions import db
from core.health import register_gauge
from core.timeutil import utcnow


def breached_open_cases():
    """Open cases past their resolution date (reads the (state, resolution_due_at) index)."""
    return db.session.scalar(db.select(db.func.count(Case.id))
                             .where(Case.state.in_(OPEN_STATES), Case.resolution_due_at < utcnow()))


def open_cases():
    return db.session.scalar(db.select(db.func.count(Case.id)).where(Case.state.in_(OPEN_STATES)))


def init_app(app):
    register_gauge(app, "tandem_sla_breached_open_cases", "Open cases past their resolution date.",
                   breached_open_cases)
    register_gauge(app, "tandem_open_cases", "Cases not yet resolved.", open_cases)
