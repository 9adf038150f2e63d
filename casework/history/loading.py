"""Bringing a legacy export in: each readable row becomes a request and its case, once, with its real times.

Rows are read, converted and written a batch at a time (one transaction
each), so a large file shows progress and an interruption keeps what was
committed; run again, the same file makes nothing twice: the source
system's id is kept (``imported_from``, ``imported_id``, unique together)
and rows already there are counted, not made. A dry run reads and checks
everything and writes nothing.

Imported requests never hear from Tandem (``consent_to_contact`` False):
their citizens asked another system, long ago. Afterwards the queue
counters are counted again and the days' arrivals recounted; resolved
cases wait to be measured for the blueprint (the command measures them).
"""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from casework import counts
from casework.history.catalogue import Catalogue
from casework.history.converting import CASE_STATES, Refused, convert
from casework.history.reading import records
from casework.models import PRIORITY_RANK, Case, CaseEvent, Priority
from casework.public import arrivals
from core.extensions import db
from core.timeutil import agency_zone, utcnow
from intake.models import ServiceRequest, TriageState

BATCH = 1000
PAGE = 10


@dataclass
class Report:
    read: int = 0
    made: int = 0
    # rows whose id Tandem already holds from this source (an earlier import), and ids seen earlier in this file
    already: int = 0
    repeated: int = 0
    refused: list = field(default_factory=list)  # (line, reason)
    planned: dict = field(default_factory=dict)
    first_day: object = None
    last_day: object = None


def import_file(path, mapping, dry_run=False, progress=None, batch=BATCH):
    """Bring ``path`` in as ``mapping`` says; return the ``Report``. Commits each batch unless ``dry_run``.

    ``progress(report)`` is called after each batch. Raises ``reading.FileRefused`` when the file as a whole
    cannot be read (nothing is written then).
    """
    catalogue = Catalogue(mapping)
    report = Report()
    seen, pending = set(), []
    for line, record, reason in records(path, mapping.format, mapping.columns.values()):
        report.read += 1
        if record is None:
            report.refused.append((line, reason))
            continue
        try:
            row = convert(line, record, mapping, catalogue)
        except Refused as refusal:
            report.refused.append((line, str(refusal)))
            continue
        if row.source_id in seen:
            report.repeated += 1
            continue
        seen.add(row.source_id)
        pending.append(row)
        if len(pending) >= batch:
            write(pending, mapping, catalogue, report, dry_run)
            pending = []
            if progress:
                progress(report)
    write(pending, mapping, catalogue, report, dry_run)
    report.planned = catalogue.planned() if dry_run else report.planned
    if not dry_run:
        counts.recount()
        if report.first_day is not None:
            arrivals.count_days(report.first_day, report.last_day + timedelta(days=1))
        db.session.commit()
    if progress:
        progress(report)
    return report


def write(rows, mapping, catalogue, report, dry_run):
    """Make the requests and cases of ``rows`` not already there. Commits unless ``dry_run``."""
    if not rows:
        return
    if dry_run:
        there = set(db.session.scalars(select(ServiceRequest.imported_id).where(
            ServiceRequest.imported_from == mapping.source,
            ServiceRequest.imported_id.in_([row.source_id for row in rows]))))
        report.made += sum(1 for row in rows if row.source_id not in there)
        report.already += len(there)
        return
    if catalogue.new_services or catalogue.new_queues or catalogue.new_departments:
        for kind, names in catalogue.planned().items():
            report.planned.setdefault(kind, []).extend(names)
        catalogue.make_planned()
    # a row already there is skipped by its unique (source, id), in the insert itself: asking first with an IN
    # list was planned as a scan of the growing table while its statistics lagged (450 rows a second at 200,000)
    # render_nulls: rows with and without a due date or place go in one kind of statement, not one per run of
    # alike rows; ten rows a statement: psycopg keeps its parsing of a statement only up to 4 kB, and a statement
    # it keeps is not parsed again (measured: 1,700 rows a second at 1,000 rows a statement, 2,600 at ten)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    made = dict((imported_id, request_id) for request_id, imported_id in db.session.execute(
        dialect.insert(ServiceRequest).on_conflict_do_nothing(index_elements=["imported_from", "imported_id"])
        .returning(ServiceRequest.id, ServiceRequest.imported_id)
        .execution_options(render_nulls=True, insertmanyvalues_page_size=PAGE),
        [{"service_id": catalogue.resolve(row.service, "service"), "description": row.description, "answers": {},
          "address": row.address, "lat": row.lat, "long": row.long, "language": "en",
          "consent_to_contact": False, "channel": row.channel, "submitted_at": row.opened,
          "triage_state": TriageState.DONE, "imported_from": mapping.source, "imported_id": row.source_id}
         for row in rows]))
    new = [row for row in rows if row.source_id in made]
    report.already += len(rows) - len(new)
    if not new:
        db.session.commit()
        return
    request_ids = [made[row.source_id] for row in new]
    now = utcnow()
    case_ids = db.session.scalars(
        insert(Case).returning(Case.id, sort_by_parameter_order=True)
        .execution_options(render_nulls=True, insertmanyvalues_page_size=PAGE),
        [{"request_id": request_id, "queue_id": catalogue.resolve(row.queue, "queue"),
          "service_id": catalogue.resolve(row.service, "service"), "state": CASE_STATES[row.state],
          "priority": Priority.NORMAL, "priority_rank": PRIORITY_RANK[Priority.NORMAL], "opened_at": row.opened,
          "resolution_due_at": row.due, "resolved_at": row.closed if row.state == "resolved" else None,
          "closed_at": row.closed, "resolution_note": row.closing_text, "updated_at": row.closed or row.opened,
          "triage_explanation": [f"Brought in from {mapping.source} (its id {row.source_id})."], "tags": [],
          # closed cases wait to be measured for the blueprint; open ones have nothing to measure yet
          "measured_at": None if row.closed else now}
         for request_id, row in zip(request_ids, new, strict=True)]).all()
    db.session.execute(insert(CaseEvent), [
        {"case_id": case_id, "at": row.opened, "kind": "imported", "public": False,
         "message": f"Brought in from {mapping.source}.", "details": {"source": mapping.source, "id": row.source_id}}
        for case_id, row in zip(case_ids, new, strict=True)])
    db.session.commit()
    report.made += len(new)
    zone = agency_zone()
    days = [row.opened.astimezone(zone).date() for row in new]
    report.first_day = min([*days, report.first_day] if report.first_day else days)
    report.last_day = max([*days, report.last_day] if report.last_day else days)
