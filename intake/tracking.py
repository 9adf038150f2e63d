"""What the citizen sees of their request's progress.

Intake knows requests, not cases. The package that works the cases registers
a progress source here, so the tracking page can show it without intake
importing that package.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _
from sqlalchemy import false


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    message: str = ""


@dataclass
class Progress:
    status: str
    team: str | None = None
    expected_by: datetime | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)
    # the staff's open question, when the request waits for the citizen's answer
    question: str | None = None
    # when resolved: which resolution this is (1, or more after reopening), for feedback
    resolution: int | None = None
    # resolved or closed: Open311's "closed", whatever the status says in the citizen's language
    closed: bool = False


def register_progress_source(app, source):
    """Make ``source(service_request) -> Progress | None`` answer for ``app``."""
    app.extensions["tandem.progress_source"] = source


def progress_for(service_request):
    """Return the citizen-facing progress of ``service_request``."""
    source = current_app.extensions.get("tandem.progress_source")
    progress = source(service_request) if source else None
    if progress is None:
        progress = Progress(status=_("Received"))
    received = TimelineEntry(
        at=service_request.submitted_at,
        title=_("Request received"),
        message=_("Reference %(reference)s", reference=service_request.reference),
    )
    progress.timeline.insert(0, received)
    return progress


def register_answer_handler(app, handler):
    """Make ``handler(request_id, answer, details) -> bool`` take citizens' answers for ``app``.

    The handler returns False when the request is not waiting for an answer.
    """
    app.extensions["tandem.answer_handler"] = handler


def answer_question(service_request, answer, details=None):
    """Hand the citizen's ``answer`` to whoever asked; True if it was taken. ``details`` go on its timeline
    entry (an email's record id, so staff can open the original)."""
    handler = current_app.extensions.get("tandem.answer_handler")
    return bool(handler and handler(service_request.id, answer, details))


def register_updates_source(app, source):
    """Make ``source(start, end, request_ids, limit) -> [dict]`` list public updates (Open311's updates)."""
    app.extensions["tandem.updates_source"] = source


def public_updates(start, end, request_ids=None, limit=1000):
    """Public updates on requests between ``start`` and ``end``, oldest first; [] when nothing works cases."""
    source = current_app.extensions.get("tandem.updates_source")
    return source(start, end, request_ids, limit) if source else []


def register_status_filter(app, narrow):
    """Make ``narrow(query, statuses) -> query`` keep only requests whose Open311 status is one of ``statuses``."""
    app.extensions["tandem.status_filter"] = narrow


def with_public_status(query, statuses):
    """``query`` (of ``ServiceRequest``) narrowed in SQL to the Open311 ``statuses`` ("open", "closed").

    With nothing working cases, every request is open.
    """
    narrow = current_app.extensions.get("tandem.status_filter")
    if narrow is not None:
        return narrow(query, statuses)
    return query if "open" in statuses else query.where(false())


def register_update_handler(app, handler):
    """Make ``handler(request_id, text, source_name) -> bool`` take partners' updates for ``app``."""
    app.extensions["tandem.update_handler"] = handler


def add_partner_update(service_request, text, source_name):
    """Hand a partner system's update to whoever works the request; True if it landed on a case."""
    handler = current_app.extensions.get("tandem.update_handler")
    return bool(handler and handler(service_request.id, text, source_name))
