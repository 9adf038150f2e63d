"""The console's search box: a reference, a citizen's email or phone (exact), or words.

A search by email or phone looks into citizens' personal data, so each one is
recorded in the audit trail (who searched, what kind, which cases it found;
never the address or number itself). Words are looked for in the description
and the address: on PostgreSQL through trigram indexes, on SQLite with LIKE.
"""
import re
from dataclasses import dataclass

from casework.console.lists import PAGE_SIZE, list_query
from casework.models import Case
from core import audit
from core.extensions import db
from core.transactions import commit_keeping_state
from intake.models import ServiceRequest
from intake.phones import as_stored

REFERENCE = re.compile(r"^R-?[0-9A-Z]{4}-?[0-9A-Z]{4}$", re.IGNORECASE)
PHONE = re.compile(r"^\+?[\d\s().-]{7,40}$")
SHORTEST_WORD = 3
MOST_WORDS = 6


class SearchRefused(ValueError):
    """The search cannot be run as typed; the message says what to type instead."""


@dataclass
class SearchResult:
    kind: str
    cases: list
    capped: bool


def classify(text):
    """``(kind, term)``: "reference", "email", "phone" or "words" for what was typed. Raises ``SearchRefused``."""
    term = " ".join(text.split())
    if not term:
        raise SearchRefused("Type a reference, an email address, a phone number or some words")
    if len(term) > 200:
        raise SearchRefused("Keep the search to 200 characters or fewer")
    if REFERENCE.match(term):
        compact = term.upper().replace("-", "")
        return "reference", f"{compact[:1]}-{compact[1:5]}-{compact[5:]}"
    if "@" in term and " " not in term:
        return "email", term.lower()
    if PHONE.match(term) and sum(ch.isdigit() for ch in term) >= 7:
        return "phone", term
    words = re.findall(r"\w+", term.lower())
    if not words or any(len(word) < SHORTEST_WORD for word in words):
        raise SearchRefused(f"Search words need at least {SHORTEST_WORD} letters each")
    if len(words) > MOST_WORDS:
        raise SearchRefused(f"Search for at most {MOST_WORDS} words")
    return "words", words


def like_pattern(word):
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_cases(text, queue_ids, by):
    """Cases in ``queue_ids`` (None: every queue) matching what ``by`` typed, newest first, at most a page.

    Open and closed cases both count: a citizen calling about last month's
    report is found. Email and phone searches are audited. Commits (the
    audit record). Raises ``SearchRefused``.
    """
    kind, term = classify(text)
    query = list_query().join(ServiceRequest, Case.request_id == ServiceRequest.id)
    if queue_ids is not None:
        query = query.where(Case.queue_id.in_(queue_ids))
    if kind == "reference":
        query = query.where(ServiceRequest.reference == term)
    elif kind == "email":
        query = query.where(db.func.lower(ServiceRequest.contact_email) == term)
    elif kind == "phone":
        query = query.where(ServiceRequest.contact_phone.in_({term, as_stored(term)}))
    else:
        for word in term:
            pattern = like_pattern(word)
            query = query.where(db.or_(ServiceRequest.description.ilike(pattern, escape="\\"),
                                       ServiceRequest.address.ilike(pattern, escape="\\")))
    rows = db.session.scalars(query.order_by(Case.id.desc()).limit(PAGE_SIZE + 1)).all()
    capped = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if kind in ("email", "phone"):
        audit.record("personal_data_searched", actor=by, target="Case", target_id=None,
                     searched_by=kind, case_ids=[case.id for case in rows])
        # the rows stay loaded for the page: no second query per case after the commit
        commit_keeping_state()
    return SearchResult(kind=kind, cases=rows, capped=capped)

