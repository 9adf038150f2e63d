"""Open cases of the same service at the caller's place: the same address, or within 50 m of their coordinates.

An agent who finds one adds the caller to it instead of opening another: the caller's request is closed as a
duplicate of it (merged), so they hear of its progress and resolution as its first reporter does.
"""
from casework.console.changes import merge_into
from casework.console.related import cases_at, cases_with_requests
from casework.models import OPEN, Case
from casework.triage import engine as triage
from core.extensions import db

MOST = 10


def open_cases_near(service_id, address=None, lat=None, long=None):
    """``[(case, why)]``: up to ``MOST`` open cases of ``service_id`` at ``address`` or within 50 m, newest first."""
    if service_id is None:
        return []
    base = cases_with_requests().where(OPEN, Case.service_id == service_id)
    return sorted(cases_at(base, address, lat, long, MOST), key=lambda pair: -pair[0].id)[:MOST]


def join(service_request, original, by):
    """Open the case of the caller's ``service_request`` now and merge it into ``original``. Commits.

    Returns the caller's case; raises ``ActionRefused`` when ``original`` has closed meanwhile (the caller's
    request then stays open, in triage's hands, and nothing is lost).
    """
    case = triage.triage(service_request.id) or db.session.scalar(
        db.select(Case).filter_by(request_id=service_request.id))
    merge_into(case, original, by)
    return case
