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

    base = cases_with_requests()
    for other, why in cases_at(base, request.address, request.lat, request.long, MOST + 1):
        add([other], lambda _other, why=why: why)
    if request.contact_email:
        add(db.session.scalars(base.where(db.func.lower(ServiceRequest.contact_email) == request.contact_email.lower())
                               .limit(MOST + 1)), lambda other: "same citizen")
    return sorted(found.values(), key=lambda pair: -pair[0].id)[:MOST]


def cases_with_requests():
    """Cases with their requests loaded, newest first: what ``cases_at`` narrows."""
    return (db.select(Case).join(ServiceRequest, Case.request_id == ServiceRequest.id)
            .options(contains_eager(Case.request)).order_by(Case.id.desc()))


def cases_at(base, address=None, lat=None, long=None, most=MOST):
    """``[(case, why)]`` of ``base``'s cases at ``address`` (any case) or within 50 m of ``(lat, long)``.

    Each search is bounded by an index (the lower-cased address; a box of about 50 m on the coordinates,
    then the exact distance); a case found both ways is listed once, as at the same address.
    """
    found = {}
    if address:
        for other in db.session.scalars(base.where(db.func.lower(ServiceRequest.address) == address.strip().lower())
                                        .limit(most)):
            found[other.id] = (other, "same address")
    if lat is not None and long is not None:
        widen = DEGREES_PER_50_M / max(cos(radians(lat)), 0.01)
        for other in db.session.scalars(base.where(ServiceRequest.lat.between(lat - DEGREES_PER_50_M, lat + DEGREES_PER_50_M),
                                                   ServiceRequest.long.between(long - widen, long + widen)).limit(most * 3)):
            if other.id not in found and other.request.lat is not None:
                metres = distance_m(lat, long, other.request.lat, other.request.long)
                if metres <= NEAR_M:
                    found[other.id] = (other, f"{metres:.0f} m away")
    return list(found.values())


def merged_into(case):
    """The cases confirmed as duplicates of ``case``."""
    return db.session.scalars(db.select(Case).filter_by(duplicate_of_id=case.id)).all()


def likely_duplicates(case):
    """Undecided duplicate links on ``case``, best score first."""
    return db.session.scalars(
        db.select(DuplicateLink).filter_by(case_id=case.id, status=DuplicateStatus.LIKELY)
        .order_by(DuplicateLink.score.desc())
    ).all()
