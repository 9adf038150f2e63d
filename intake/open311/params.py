"""Reading Open311 parameters the way existing clients send them."""
import re

from flask import request

ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


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
