"""Open cases of the same service at the caller's place: the same address, or within 50 m of their coordinates.

An agent who finds one adds the caller to it instead of opening another: the caller's request is closed as a
duplicate of it (merged), so they hear of its progress and resolution as its first reporter does.
"""
from math import cos, radians

from sqlalchemy.orm import contains_eager

from casework.console.changes import merge_into
from casework.console.related import DEGREES_PER_50_M, NEAR_M
from casework.models import OPEN, Case
from casework.triage import engine as triage
from casework.triage.duplicates import distance_m
from core.extensions import db
from intake.models import ServiceRequest

MOST = 10


def open_cases_near(service_id, address=None, lat=None, long=None):
    """``[(case, why)]``: up to ``MOST`` open cases of ``service_id`` at ``address`` or within 50 m, newest first."""
    if service_id is None:
        return []
    base = (db.select(Case).join(ServiceRequest, Case.request_id == ServiceRequest.id)
            .options(contains_eager(Case.request)).where(OPEN, Case.service_id == service_id)
            .order_by(Case.id.desc()))
    found = {}
    if address:
        for case in db.session.scalars(base.where(db.func.lower(ServiceRequest.address) == address.strip().lower())
                                       .limit(MOST)):
            found[case.id] = (case, "same address")
    if lat is not None and long is not None:
        widen = DEGREES_PER_50_M / max(cos(radians(lat)), 0.01)
        for case in db.session.scalars(base.where(
                ServiceRequest.lat.between(lat - DEGREES_PER_50_M, lat + DEGREES_PER_50_M),
                ServiceRequest.long.between(long - widen, long + widen)).limit(MOST * 3)):
            if case.id not in found and case.request.lat is not None:
                metres = distance_m(lat, long, case.request.lat, case.request.long)
                if metres <= NEAR_M:
                    found[case.id] = (case, f"{metres:.0f} m away")
    return sorted(found.values(), key=lambda pair: -pair[0].id)[:MOST]


def join(service_request, original, by):
    """Open the case of the caller's ``service_request`` now and merge it into ``original``. Commits.

    Returns the caller's case; raises ``ActionRefused`` when ``original`` has closed meanwhile (the caller's
    request then stays open, in triage's hands, and nothing is lost).
    """
    case = triage.triage(service_request.id) or db.session.scalar(
        db.select(Case).filter_by(request_id=service_request.id))
    merge_into(case, original, by)
    return case
