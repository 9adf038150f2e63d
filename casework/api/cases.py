"""Cases over the staff API: lists, one case, and every action the console's case page takes.

Each endpoint calls the same service function as the page. A case the caller
may not work is a 404 (it does not exist for them). Writes name the version
they were made against in ``If-Match`` (the case's ``ETag``): a stale one is
412 and nothing changes; an action that does not fit the case as it is, 409.
"""
from urllib.parse import urlencode

from flask import request
from flask_smorest import Blueprint, abort
from sqlalchemy.orm.exc import StaleDataError

from casework.api import schemas
from casework.api.visibility import case_record, visible_case, workable_filter
from casework.console import assignment, bulk, case_actions, changes, lists, search, steps
from casework.errors import ActionRefused, NotPermitted
from core.api import allowed, audit_write, caller, etag, expected_version, protect
from core.errors import problem
from core.extensions import db

blp = protect(Blueprint("api_cases", __name__, url_prefix="/api/v1", description="Cases and the work done on them"))

ETAG_HEADER = {"ETag": {"description": "The case's version: send it back as If-Match", "schema": {"type": "string"}}}
IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": 'The ETag of the case as you last read it, e.g. "7"; * for whatever it is now'}


def answer_case(case, status=200):
    """``(case record, status, headers)`` as flask-smorest answers them: the case, with its version as ETag."""
    return case_record(case), status, {"ETag": etag(case.version)}


def act(case_id, action, fields, versioned=True):
    """Run ``action(case, by=caller, **fields)`` on a case the caller works, at the version they name.

    ``versioned=False`` for actions that overwrite nothing (notes): any version will do.
    """
    staff = caller()
    case = visible_case(staff, case_id)
    version = expected_version()
    try:
        if version is not None and versioned:
            changes.check_fresh(case, version)
        audit_write(target=case)
        action(case, by=staff, **fields)
        db.session.commit()
    except changes.StaleCase:
        db.session.rollback()
        return stale(case)
    except StaleDataError:
        # a colleague saved the same case between our read and our write
        db.session.rollback()
        return stale(db.session.get(type(case), case_id))
    except NotPermitted as refusal:
        db.session.rollback()
        abort(403, message=refusal.message)
    except ActionRefused as refusal:
        db.session.rollback()
        abort(409, message=refusal.message)
    return answer_case(case)


def stale(case):
    return problem(412, "Precondition Failed", "The case changed since the version you sent; nothing was saved. "
                   "Read it again and send your change with its new ETag.", current_version=case.version,
                   headers={"ETag": etag(case.version)})


def page_link(cursor):
    if not cursor:
        return None
    kept = [(key, value) for key in request.args for value in request.args.getlist(key) if key != "cursor"]
    return f"{request.base_url}?{urlencode(kept + [('cursor', cursor)])}"


@blp.route("/cases", methods=["GET"])
@allowed("caseworker")
@blp.arguments(schemas.ListQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.CasePage)
def list_cases(queue_id, cursor, limit, q, **filters):
    """Cases in the queues you work, filtered and sorted as in the console, a keyset page at a time.

    Without ``state`` only open cases are listed. Follow ``next`` for the
    following page; a page never shifts while new cases arrive.
    """
    staff = caller()
    if q:
        try:
            queue_ids = None if staff.has_role("supervisor") else assignment.workable_queue_ids(staff)
            found = search.search_cases(q, queue_ids, by=staff)
        except search.SearchRefused as refusal:
            abort(400, message=refusal.args[0], errors={"q": [refusal.args[0]]})
        return {"cases": found.cases, "next": None, "previous": None}
    case_filter = workable_filter(staff, queue_id, filters)
    if case_filter is None:
        return {"cases": [], "next": None, "previous": None}
    try:
        page = lists.case_page(case_filter, cursor, size=limit)
    except lists.BadCursor:
        abort(400, message="That cursor was not made for this list; start again without it.",
              errors={"cursor": ["Not a cursor of this list"]})
    return {"cases": page.cases, "next": page_link(page.next_cursor), "previous": page_link(page.previous_cursor)}


@blp.route("/cases/<int:case_id>", methods=["GET"])
@allowed("caseworker")
@blp.response(200, schemas.CaseDetail, headers=ETAG_HEADER)
def get_case(case_id):
    """One case: its request, timeline (internal notes included), steps and likely duplicates."""
    return answer_case(visible_case(caller(), case_id))


@blp.route("/cases/<int:case_id>/contact", methods=["POST"])
@allowed("caseworker")
@blp.response(200, schemas.Contact)
def reveal_contact(case_id):
    """The citizen's contact details. Each look is recorded on the timeline and in the audit trail."""
    case = visible_case(caller(), case_id)
    audit_write(target=case)  # names the token; committed with the look itself
    case_actions.reveal_contact(case, by=caller())
    return case.request


@blp.route("/cases/<int:case_id>/steps", methods=["GET"])
@allowed("caseworker")
@blp.response(200, schemas.StepOut(many=True))
def list_steps(case_id):
    """The case's steps, oldest first: who, what, when, minutes, and how hard it was."""
    return visible_case(caller(), case_id).steps


def action_route(path, body, action, summary, versioned=True):
    """Add ``POST /cases/{id}/<path>``: ``body`` parsed, If-Match checked, ``action`` run, the case answered."""
    def view(fields, case_id):
        return act(case_id, action, fields, versioned)

    view.__name__ = "case_" + path.replace("/", "_").replace("-", "_")
    view.__doc__ = summary
    decorated = blp.response(200, schemas.CaseDetail, headers=ETAG_HEADER)(view)
    decorated = blp.doc(parameters=[IF_MATCH])(decorated)
    decorated = blp.arguments(body)(decorated)
    # the role and the token's access are checked before the body is read
    decorated = allowed("caseworker", write=True)(decorated)
    blp.route(f"/cases/<int:case_id>/{path}", methods=["POST"])(decorated)


def claim(case, by, reason=None):
    assignment.assign_by_choice(case, by, by.id, reason)


action_route("claim", schemas.ClaimBody, claim, "Take the case yourself (a reason is needed when a colleague holds it).")
action_route("assign", schemas.AssignBody, assignment.assign_by_choice,
             "Give the case to someone (supervisors), or to yourself; with a reason when it moves from a colleague.")
action_route("release", schemas.ReleaseBody, assignment.release_case, "Give the case back to its queue, unassigned.")
action_route("priority", schemas.PriorityBody, changes.change_priority,
             "Change the priority; the due date is worked out again.")
action_route("queue", schemas.QueueMoveBody, lambda case, by, queue_id, reason=None: changes.change_queue(
    case, by, queue_id, reason), "Move the case to another queue; the due date is worked out again.")
action_route("replies", schemas.ReplyBody, case_actions.reply_to_citizen, "Post an update the citizen reads.")
action_route("notes", schemas.NoteBody, changes.add_note,
             "Add an internal note (staff only). A note overwrites nothing, so it is never refused as stale.",
             versioned=False)
action_route("information-requests", schemas.InformationRequestBody, case_actions.request_information,
             "Ask the citizen a question; the case waits on them and its SLA clock pauses.")
action_route("resolve", schemas.ResolveBody, case_actions.resolve_case, "Resolve the case with an outcome and a note.")
action_route("reopen", schemas.ReopenBody, case_actions.reopen_case, "Open a resolved case again, saying why.")
action_route("merge", schemas.MergeBody, changes.merge_by_reference,
             "Resolve the case as a repeat of another (by its reference).")
action_route("steps", schemas.StepBody, case_actions.record_step, "Record a piece of work done, with its minutes.")
action_route("steps/start", schemas.StartStepBody, steps.start_step, "Start a step now; its timer runs from here.")
action_route("steps/complete", schemas.CompleteStepBody, steps.complete_step, "Finish the step under way.")


@blp.route("/cases/<int:case_id>/duplicates/<int:link_id>", methods=["POST"])
@allowed("caseworker", write=True)
@blp.arguments(schemas.DuplicateDecision)
@blp.doc(parameters=[IF_MATCH])
@blp.response(200, schemas.CaseDetail, headers=ETAG_HEADER)
def decide_duplicate(fields, case_id, link_id):
    """Confirm a likely duplicate (the case closes as a repeat) or say it is a different problem."""
    return act(case_id, lambda case, by: changes.decide_duplicate(case, link_id, fields["decision"] == "confirm",
                                                                   by=by), {})


@blp.route("/take-next", methods=["POST"])
@allowed("caseworker", write=True)
@blp.response(200, schemas.CaseDetail, headers=ETAG_HEADER)
@blp.alt_response(204, description="No unassigned case waits in your queues")
def take_next():
    """Take the most urgent unassigned case in your queues (priority, then due)."""
    audit_write()
    case = assignment.take_next(caller())
    if case is None:
        return "", 204
    return answer_case(case)


def bulk_target(fields):
    action = fields["action"]
    target = {"assign": fields["staff_id"], "move": fields["queue_id"], "priority": fields["priority"],
              "duplicate": fields["reference"]}[action]
    if target is None:
        needed = {"assign": "staff_id", "move": "queue_id", "priority": "priority", "duplicate": "reference"}[action]
        abort(422, message=f"{action} needs {needed}", errors={needed: [f"Required for {action}"]})
    return action, target


@blp.route("/cases/bulk/preview", methods=["POST"])
@allowed("caseworker")
@blp.arguments(schemas.BulkPreviewBody)
@blp.response(200, schemas.BulkPreview)
def bulk_preview(fields):
    """What a bulk action would do to each case, with each case's version to apply it at. Changes nothing."""
    action, target = bulk_target(fields)
    try:
        phrase, planned = bulk.plan(fields["case_ids"], action, target, by=caller())
    except NotPermitted as refusal:
        abort(403, message=refusal.message)
    except ActionRefused as refusal:
        abort(409, message=refusal.message)
    return {"action": phrase, "cases": [{"case_id": item.case.id, "reference": item.case.request.reference,
                                         "version": item.version, "effect": item.effect, "refusal": item.refusal}
                                        for item in planned]}


@blp.route("/cases/bulk", methods=["POST"])
@allowed("caseworker", write=True)
@blp.arguments(schemas.BulkApplyBody)
@blp.response(200, schemas.BulkResult)
def bulk_apply(fields):
    """Apply a bulk action; a case changed since the version given is skipped and reported, never overwritten."""
    action, target = bulk_target(fields)
    versions = {item["case_id"]: item["version"] for item in fields["cases"]}
    audit_write(cases=sorted(versions))
    try:
        changed, skipped = bulk.apply(versions, action, target, by=caller(), reason=fields["reason"])
    except NotPermitted as refusal:
        db.session.rollback()
        abort(403, message=refusal.message)
    except ActionRefused as refusal:
        db.session.rollback()
        abort(409, message=refusal.message)
    db.session.commit()
    return {"changed": changed, "skipped": [{"reference": ref, "reason": why} for ref, why in skipped]}

