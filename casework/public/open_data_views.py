"""Open data over HTTP: the requests as CSV and JSON (all, by date range and service, or one day), their
``datapackage.json``, and a page that explains them. Streamed: a million rows never sit in memory."""
import csv
import io
import json

from flask import Blueprint, Response, jsonify, render_template, request, stream_with_context
from sqlalchemy import select

from casework.clock.agency_time import today_in_agency
from casework.public import datapackage, open_data
from casework.public.views import public_data_limit
from core.extensions import db, limiter
from intake.models import Service

bp = Blueprint("open_data", __name__, url_prefix="/open-data", template_folder="templates")
# today's rows change as requests arrive; a past day's file only as cases close
FRESH_SECONDS, PAST_DAY_SECONDS = 60, 3600


def refused(error):
    response = jsonify({"error": error.message, "field": error.field})
    response.status_code = 400
    response.headers["Cache-Control"] = "no-store"
    return response


def streamed(chunks, mimetype, filename, max_age=FRESH_SECONDS):
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def csv_chunks(filters):
    """The CSV, header first, in chunks of ``open_data.BATCH`` rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(open_data.NAMES)
    for number, row in enumerate(open_data.rows(filters), start=1):
        writer.writerow(["true" if value is True else "false" if value is False else value for value in row])
        if number % open_data.BATCH == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def json_chunks(filters):
    """A JSON array of objects (one per request, keyed by column name), in chunks."""
    yield "["
    parts, first = [], True
    for row in open_data.rows(filters):
        parts.append(("\n" if first else ",\n") + json.dumps(dict(zip(open_data.NAMES, row)), ensure_ascii=False))
        first = False
        if len(parts) == open_data.BATCH:
            yield "".join(parts)
            parts = []
    yield "".join(parts) + "\n]\n"


@bp.get("/")
@limiter.limit(public_data_limit)
def open_data_page():
    services = db.session.scalars(select(Service).order_by(Service.code)).all()
    response = Response(render_template("public/open_data.html", services=services, columns=open_data.COLUMNS,
                                        today=today_in_agency()))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.get("/requests.<fmt>")
@limiter.limit(public_data_limit)
def requests_export(fmt):
    if fmt not in ("csv", "json"):
        return refused(open_data.BadFilter("format", "Ask for requests.csv or requests.json"))
    try:
        filters = open_data.read_filters(request.args)
    except open_data.BadFilter as error:
        return refused(error)
    if fmt == "json":
        return streamed(json_chunks(filters), "application/json", "requests.json")
    return streamed(csv_chunks(filters), "text/csv", "requests.csv")


@bp.get("/requests-<day>.csv")
@limiter.limit(public_data_limit)
def daily_file(day):
    try:
        chosen = open_data.read_day(day, "day")
    except open_data.BadFilter as error:
        return refused(error)
    past = chosen < today_in_agency()
    return streamed(csv_chunks(open_data.Filters(chosen, chosen)), "text/csv", f"requests-{chosen}.csv",
                    PAST_DAY_SECONDS if past else FRESH_SECONDS)


@bp.get("/datapackage.json")
@limiter.limit(public_data_limit)
def package():
    response = jsonify(datapackage.descriptor())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
