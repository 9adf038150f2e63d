"""Refuse input no column can hold, before it reaches the database.

The NUL character (U+0000): PostgreSQL text cannot store it and no person types it, so a request
carrying one anywhere (path, query, form fields, JSON body, headers) is
answered with a clear 400 before any view runs, instead of failing at the
database. Uploaded files are not looked at: binary data is expected there.
A form that names the field itself (``names_nul_beside_its_field``) gets its
form fields through, and refuses them beside the field, keeping what was typed.

Numbers in URLs past PostgreSQL's integer range: a 404, like any id that
names nothing.
"""
import re

from flask import current_app, request
from flask_babel import lazy_gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def texts_of_request():
    """Every piece of text the current request carries, parsed (files' contents excluded)."""
    yield request.path
    for key, value in request.args.items(multi=True):
        yield key
        yield value
    yield from request.headers.values()
    if request.mimetype in FORM_TYPES:
        for key, value in request.form.items(multi=True):
            yield key
            yield value
        for upload in request.files.values():
            yield upload.filename or ""


def names_nul_beside_its_field(view):
    """Mark ``view`` as refusing NUL in its form fields itself, beside each field (the path, query and headers
    are still checked here)."""
    view.names_nul_beside_its_field = True
    return view


def form_checked_by_view():
    view = current_app.view_functions.get(request.endpoint)
    return request.mimetype in FORM_TYPES and getattr(view, "names_nul_beside_its_field", False)


def carries_nul():
    """True when any text of the current request contains NUL (form fields aside where the view names them)."""
    if form_checked_by_view():
        return any(NUL in text for text in (request.path, *request.args.values(), *request.args.keys(),
                                             *request.headers.values()))
    if request.mimetype not in FORM_TYPES and request.content_length:
        body = request.get_data(cache=True)
        # raw in any other body, or escaped inside a JSON string
        if b"\x00" in body or (request.is_json and b"\\u0000" in body.lower()):
            return True
    return any(NUL in text for text in texts_of_request())


# a JSON string may escape half of a UTF-16 pair alone ("\ud800"): text no column can store
LONE_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def carries_half_characters():
    """True when a JSON body escapes a lone UTF-16 surrogate (no character at all)."""
    return bool(request.is_json and request.content_length and LONE_SURROGATE.search(request.get_data(cache=True)))


def refuse_nul():
    if carries_nul():
        raise BadRequest(description=_(
            "What you sent contains a character we cannot store (a null character). "
            "Remove it and try again."))
    if carries_half_characters():
        raise BadRequest(description=_(
            "What you sent contains half of a character (an unpaired \\u escape) we cannot store. "
            "Send the text as UTF-8."))


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` in URLs: a number past PostgreSQL's integer range names nothing, so it is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app):
    """Install the NUL check and the bounded ``int`` converter; call before any blueprint is registered."""
    app.url_map.converters["int"] = RecordIdConverter
    app.before_request(refuse_nul)
