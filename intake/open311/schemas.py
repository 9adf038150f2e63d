"""Reading Open311 parameters the way existing clients send them, and refusing what they cannot mean.

Parameters come from the form body or the query string (clients use both);
each reader raises ``BadParameter`` with the spec's status and a
description the partner's developer can act on.
"""
import re
from datetime import datetime, timedelta, timezone

from flask import request
from marshmallow import ValidationError, validate

from core.timeutil import utcnow
from intake.models import QuestionType

ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
DEFAULT_DAYS, MAX_ROWS = 90, 1000
# offsets stay inside PostgreSQL's bigint however large a page is asked for
MAX_PAGE = 1_000_000


class BadParameter(ValueError):
    """A parameter the call cannot mean; ``status`` is the answer's (400 unless said)."""

    def __init__(self, description, status=400):
        super().__init__(description)
        self.status = status


def param(name):
    """A parameter from the form body or the query string; blank counts as absent."""
    for source in (request.form, request.args):
        value = source.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def listed(name):
    """A comma-separated parameter as a list of non-blank values."""
    value = param(name)
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


def attributes():
    """``attribute[CODE]=v`` and ``attribute[CODE][]=v1&...=v2`` as ``{code: value or [values]}``."""
    answers = {}
    for source in (request.args, request.form):
        for key in source:
            match = ATTRIBUTE.match(key)
            if not match:
                continue
            values = [value.strip() for value in source.getlist(key) if value.strip()]
            if values:
                answers[match.group(1)] = values if match.group(2) else values[0]
    return answers


def date_param(name):
    """A W3C date-time parameter as an aware datetime (UTC when it names no zone), or None."""
    value = param(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(f"{name} must be a W3C date-time such as 2026-11-01T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def window(default_days):
    """``(start, end)`` of ``start_date``/``end_date``: by default the ``default_days`` up to now."""
    end = date_param("end_date") or utcnow()
    return date_param("start_date") or end - timedelta(days=default_days), end


def request_list_query():
    """What ``GET requests`` asks for: ``ids`` (which override every other filter, as the spec says), or a
    window, service codes and statuses; and the page."""
    ids = listed("service_request_id")
    start, end = window(DEFAULT_DAYS) if not ids else (None, None)
    try:
        # a page past what any database holds is simply empty, not an overflow
        page = min(max(int(param("page") or 1), 1), MAX_PAGE)
        page_size = min(max(int(param("page_size") or MAX_ROWS), 1), MAX_ROWS)
    except ValueError:
        raise BadParameter("page and page_size are numbers") from None
    return {"ids": ids, "start": start, "end": end, "service_codes": [] if ids else listed("service_code"),
            "statuses": set() if ids else set(listed("status")), "page": page, "page_size": page_size}


def location():
    """``(lat, long, address)`` of a new request: coordinates together, or an address, or both."""
    try:
        lat, long = (float(param(name)) if param(name) else None for name in ("lat", "long"))
    except ValueError:
        raise BadParameter("lat and long must be decimal degrees") from None
    if (lat is None) != (long is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= long <= 180)):
        raise BadParameter("lat and long go together, in decimal degrees")
    address = param("address_string")
    if lat is None and not address:
        raise BadParameter("A location is required: lat and long, or address_string")
    return lat, long, address


def checked_answers(service):
    """The call's ``attribute[...]`` answers, checked against ``service``'s questions (and ``media_url`` kept)."""
    answers = attributes()
    for question in service.questions:
        if not question.variable:
            continue
        answer = answers.get(question.code)
        if answer in (None, "", []):
            if question.required:
                raise BadParameter(f"attribute[{question.code}] is required: {question.prompt}")
            continue
        keys = {value["key"] for value in question.values or []}
        if question.datatype in (QuestionType.SINGLE, QuestionType.MULTI):
            given = answer if isinstance(answer, list) else [answer]
            if question.datatype == QuestionType.SINGLE and len(given) > 1:
                raise BadParameter(f"attribute[{question.code}] takes one value")
            if any(value not in keys for value in given):
                raise BadParameter(f"attribute[{question.code}] must be one of {', '.join(sorted(keys))}")
        elif question.datatype == QuestionType.NUMBER:
            try:
                float(answer if isinstance(answer, str) else answer[0])
            except ValueError:
                raise BadParameter(f"attribute[{question.code}] must be a number") from None
    if param("media_url"):
        answers["_media_url"] = param("media_url")[:500]
    return answers


def contact():
    """``(email, name, phone)`` of the citizen, as far as the call gives them."""
    email = param("email")
    if email:
        try:
            validate.Email()(email)
        except ValidationError:
            raise BadParameter("email is not an email address") from None
    name = " ".join(filter(None, (param("first_name"), param("last_name")))) or None
    return (email[:254] if email else None, name[:120] if name else None, (param("phone") or "")[:40] or None)


def update_text():
    """The public text of a partner's update (its ``status``, if given, must be one the spec knows)."""
    text = param("description")
    if not text or len(text) > 2000:
        raise BadParameter("description is required, 2,000 characters or fewer")
    if param("status") and param("status") not in ("open", "closed"):
        raise BadParameter("status is open or closed")
    return text
