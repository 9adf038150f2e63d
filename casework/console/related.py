"""Cases related to the one on screen: the same address, within 50 m, or from the same citizen."""
from math import cos, radians

from sqlalchemy.orm import contains_eager

from casework.models import Case, DuplicateLink, DuplicateStatus
from casework.triage.duplicates import distance_m
from core.extensions import db
from intake.models import ServiceRequest

NEAR_M = 50
# about 50 m of latitude; the longitude band is widened by the cosine below
DEGREES_PER_50_M = 0.00045
MOST = 10


def related_cases(case):
    """``[(case, why)]`` for up to ``MOST`` other cases, newest first; each search is bounded by an index."""
    request = case.request
    found = {}

    def add(rows, why):
        for other in rows:
            if other.id != case.id and other.id not in found:
                found[other.id] = (other, why(other))

    base = (db.select(Case).join(ServiceRequest, Case.request_id == ServiceRequest.id)
            .options(contains_eager(Case.request)).order_by(Case.id.desc()))
    if request.address:
        add(db.session.scalars(base.where(db.func.lower(ServiceRequest.address) == request.address.strip().lower())
                               .limit(MOST + 1)), lambda other: "same address")
    if request.lat is not None and request.long is not None:
        widen = DEGREES_PER_50_M / max(cos(radians(request.lat)), 0.01)
        nearby = db.session.scalars(base.where(
            ServiceRequest.lat.between(request.lat - DEGREES_PER_50_M, request.lat + DEGREES_PER_50_M),
            ServiceRequest.long.between(request.long - widen, request.long + widen)).limit(MOST * 3))
        close = [other for other in nearby if other.request.lat is not None
                 and distance_m(request.lat, request.long, other.request.lat, other.request.long) <= NEAR_M]
        add(close, lambda other: f"{distance_m(request.lat, request.long, other.request.lat, other.request.long):.0f} m away")
    if request.contact_email:
        add(db.session.scalars(base.where(db.func.lower(ServiceRequest.contact_email) == request.contact_email.lower())
                               .limit(MOST + 1)), lambda other: "same citizen")
    return sorted(found.values(), key=lambda pair: -pair[0].id)[:MOST]


def merged_into(case):
    """The cases confirmed as duplicates of ``case``."""
    return db.session.scalars(db.select(Case).filter_by(duplicate_of_id=case.id)).all()


def likely_duplicates(case):
    """Undecided duplicate links on ``case``, best score first."""
    return db.session.scalars(
        db.select(DuplicateLink).filter_by(case_id=case.id, status=DuplicateStatus.LIKELY)
        .order_by(DuplicateLink.score.desc())
    ).all()
