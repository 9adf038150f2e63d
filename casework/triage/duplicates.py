"""Duplicate detection: is a new case the same problem as an open one, reported nearby and recently?"""
import math
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_

from casework.models import OPEN_STATES, Case, DuplicateLink
from core.extensions import db
from intake.models import ServiceRequest

# words too common in reports to say two of them are alike
STOP_WORDS = set("""
a an and are at be by for from has have i in is it its near of on or our the there this to was we with my
outside front road street st please there's very big large small next
""".split())
WORD = re.compile(r"[^\W\d_]+")
EARTH_RADIUS_M = 6_371_000


def distance_m(a_lat, a_long, b_lat, b_long):
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    d_phi, d_lambda = phi2 - phi1, math.radians(b_long - a_long)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def content_words(text):
    return {word for word in WORD.findall((text or "").lower()) if word not in STOP_WORDS and len(word) > 2}


def text_similarity(first, second):
    """Jaccard similarity of the two descriptions' content words, 0 to 1."""
    a, b = content_words(first), content_words(second)
    return len(a & b) / len(a | b) if a and b else 0.0


def normalised_address(address):
    return " ".join(WORD.findall((address or "").lower()) + re.findall(r"\d+", address or ""))


def place_closeness(new, old, radius_m):
    """Return ``(closeness 0..1, phrase)`` for two requests' places, or ``(0, None)`` if unrelated."""
    if None not in (new.lat, new.long, old.lat, old.long):
        metres = distance_m(new.lat, new.long, old.lat, old.long)
        if metres <= radius_m:
            return 1 - metres / radius_m / 2, f"{metres:.0f} m apart"
        return 0.0, None
    if new.address and normalised_address(new.address) == normalised_address(old.address):
        return 0.9, "the same address"
    return 0.0, None


def score(new, old, radius_m):
    """Return ``(score, reasons)`` for how likely ``new`` repeats ``old`` (both ServiceRequests)."""
    closeness, where = place_closeness(new, old, radius_m)
    if where is None:
        return 0.0, ""
    alike = text_similarity(new.description, old.description)
    # the place matters most; similar words make it likelier the same problem
    return round(0.6 * closeness + 0.4 * alike, 2), f"{where}; {alike:.0%} of the words in common"


def find_likely_original(case):
    """Return ``(original_case, score, reasons)`` for the best earlier open match of ``case``, or None.

    One query, reading plain columns (no ORM objects, no lazy loads), narrowed
    in SQL to the place: a bounding box around coordinates, or the same house
    number for an address. Triage runs this for every request, so its cost
    sets the worker's throughput.
    """
    config = current_app.config
    window = timedelta(days=config.get("DUPLICATE_WINDOW_DAYS", 14))
    radius = config.get("DUPLICATE_RADIUS_METERS", 150)
    threshold = config.get("DUPLICATE_MIN_SCORE", 0.5)
    new = case.request
    query = (
        db.select(Case.id, ServiceRequest.lat, ServiceRequest.long, ServiceRequest.address,
                  ServiceRequest.description)
        .join(ServiceRequest, Case.request_id == ServiceRequest.id)
        .where(ServiceRequest.service_id == new.service_id, Case.id != case.id, Case.state.in_(OPEN_STATES),
               Case.duplicate_of_id.is_(None), ServiceRequest.submitted_at >= new.submitted_at - window,
               # earlier, or (submitted in the same instant) opened before it: never each other's original
               or_(ServiceRequest.submitted_at < new.submitted_at,
                   and_(ServiceRequest.submitted_at == new.submitted_at, Case.id < case.id)))
        .order_by(ServiceRequest.submitted_at.desc())
        .limit(200)
    )
    query = narrowed_to_place(query, new, radius)
    if query is None:
        return None
    best = None
    for candidate in db.session.execute(query):
        value, reasons = score(new, candidate, radius)
        if value >= threshold and (best is None or value > best[1]):
            best = (candidate.id, value, reasons)
    if best is None:
        return None
    return db.session.get(Case, best[0]), best[1], best[2]


def narrowed_to_place(query, new, radius_m):
    """Add a cheap SQL filter on place to ``query``; None when ``new`` has no place to compare."""
    if new.lat is not None and new.long is not None:
        # a box a little larger than the circle; the haversine decides inside it
        d_lat = radius_m / 111_000 * 1.1
        d_long = d_lat / max(math.cos(math.radians(new.lat)), 0.01)
        return query.where(ServiceRequest.lat.between(new.lat - d_lat, new.lat + d_lat),
                           ServiceRequest.long.between(new.long - d_long, new.long + d_long))
    if not new.address:
        return None
    numbers = re.findall(r"\d+", new.address)
    if numbers:
        # the same address always shares its house number
        query = query.where(ServiceRequest.address.contains(numbers[0]))
    return query


def link_likely_duplicate(case):
    """Record a likely duplicate of the new ``case``, if any; return the link. Does not commit."""
    found = find_likely_original(case)
    if found is None:
        return None
    original, value, reasons = found
    link = DuplicateLink(case=case, original=original, score=value, reasons=reasons)
    db.session.add(link)
    return link
