"""Finding work: the caseworker's home, queue lists, search, take-next, and the triage page."""
from dataclasses import replace
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework.console import access, assignment, bp, bulk, lists, presence, search

from casework import lookups

from casework.triage import engine as triage_engine
from casework.console.case_views import prefixed, take_next_answer
from casework.console.schemas import BulkSchema, ListQuerySchema, ManualRouteSchema, SearchSchema
from casework.errors import ActionRefused
from casework.models import OPEN_STATES, CaseState, Priority
from casework.triage import engine as triage
from core.auth import caseworker_required, supervisor_required
from core.form_errors import first_messages
from core.i18n import offered_languages

STATE_LABELS = {state: state.value.replace("_", " ") for state in CaseState}


@bp.get("/console/")
@caseworker_required
def console_home():
    queues = assignment.workable_queues(current_user)
    return render_template(
        "console/home.html", summaries=lists.queue_summaries(queues), work=lists.my_work(current_user),
        open_states=OPEN_STATES, state_labels=STATE_LABELS,
    )


def filter_from(args, base):
    """``(CaseFilter, cursor, errors)`` from the address's query string, on top of ``base``."""
    try:
        query = ListQuerySchema().load(args)
    except ValidationError as error:
        return base, None, first_messages(error.messages, prefix="filter-")
    assignee = query["assignee"]
    if assignee == "me":
        assignee = current_user.id
    elif assignee not in (None, "nobody"):
        assignee = int(assignee)
    case_filter = replace(
        base, states=tuple(query["state"]), priorities=tuple(query["priority"]), service_id=query["service"],
        assignee=assignee, due=query["due"], tag=query["tag"], language=query["language"],
        district_id=query["district"], channel=query["channel"], sort=query["sort"],
    )
    return case_filter, query["after"] or query["before"], {}


def render_list(template, base, status=200, **context):
    """A filtered, sorted, keyset-paged list of cases; bad filters are shown beside the form (400)."""
    case_filter, cursor, errors = filter_from(request.args, base)
    if errors:
        status = 400
    try:
        page = lists.case_page(case_filter, cursor)
    except lists.BadCursor:
        flash("That page link no longer fits the list, so here is its first page.", "error")
        page = lists.case_page(case_filter)
    matching, capped = lists.capped_count(case_filter)
    page.viewers = presence.viewers([case.id for case in page.cases], current_user)
    return render_template(
        template, page=page, case_filter=case_filter, errors=errors, matching=matching, capped=capped,
        choices=lookups.filter_choices(case_filter.queue_ids), sort_labels=lists.SORT_LABELS,
        due_labels=lists.DUE_WINDOWS, state_labels=STATE_LABELS, languages=offered_languages(),
        page_query=page_query(request.args), bulk_queues=lookups.all_queues(),
        back=request.full_path if request.query_string else request.path, **context,
    ), status


def page_query(args):
    """The query string without its page cursor, ending ready for one: what next and previous links keep."""
    kept = urlencode([(key, value) for key in args for value in args.getlist(key) if key not in ("after", "before")])
    return f"{kept}&" if kept else ""


@bp.get("/console/queues/<int:queue_id>")
@caseworker_required
def queue(queue_id):
    work_queue = access.queue_for(current_user, queue_id)
    return render_list("console/queue.html", lists.CaseFilter(queue_ids=(queue_id,)), queue=work_queue,
                       list_url=url_for("console.queue", queue_id=queue_id))


@bp.get("/console/my-cases")
@caseworker_required
def my_cases():
    return render_list("console/my_cases.html", lists.CaseFilter(assignee=current_user.id),
                       list_url=url_for("console.my_cases"))


@bp.get("/console/search")
@caseworker_required
def search_cases():
    text = SearchSchema().load(request.args)["q"] if "q" in request.args else None
    if text is None:
        return render_template("console/search.html", query="", result=None, errors={})
    try:
        queue_ids = None if current_user.has_role("supervisor") else assignment.workable_queue_ids(current_user)
        result = search.search_cases(text, queue_ids, by=current_user)
    except (search.SearchRefused, ValidationError) as error:
        message = error.args[0] if isinstance(error, search.SearchRefused) else "Keep the search to 200 characters or fewer"
        return render_template("console/search.html", query=text[:200], result=None, errors={"q": message}), 400
    if result.kind == "reference" and len(result.cases) == 1:
        return redirect(url_for("console.case", case_id=result.cases[0].id), 303)
    return render_template("console/search.html", query=text, result=result, errors={},
                           state_labels=STATE_LABELS)


def bulk_target(fields):
    action, _, target = fields["choice"].partition(":")
    if action in ("assign", "move"):
        return action, int(target)
    return action, (target if action == "priority" else fields["reference"])


@bp.post("/console/bulk")
@caseworker_required
def bulk_action():
    """Preview a bulk action on the ticked cases (how many, what happens to each), or apply the previewed one."""
    try:
        fields = BulkSchema().load(request.form)
    except ValidationError as error:
        messages = [texts[0] if isinstance(texts, list) else "Choose from the list" for texts in error.messages.values()]
        flash("Nothing was changed: " + "; ".join(messages) + ".", "error")
        return redirect(request.form.get("back", "/console/") if request.form.get("back", "").startswith("/console/")
                        else url_for("console.console_home"), 303)
    action, target = bulk_target(fields)
    try:
        if fields["apply"]:
            versions = dict(tuple(int(part) for part in pair.split(":")) for pair in fields["versions"])
            changed, skipped = bulk.apply(versions, action, target, by=current_user, reason=fields["reason"])
            flash(f"Changed {len(changed)} {'case' if len(changed) == 1 else 'cases'}"
                  + (f"; left {len(skipped)} alone: " + "; ".join(f"{ref} ({why})" for ref, why in skipped) if skipped else "")
                  + ".", "success")
            return redirect(fields["back"], 303)
        phrase, planned = bulk.plan(fields["case_id"], action, target, by=current_user)
    except ActionRefused as error:
        flash(f"Nothing was changed: {error.message}", "error")
        return redirect(fields["back"], 303)
    return render_template("console/bulk.html", phrase=phrase, planned=planned, fields=fields)


@bp.post("/console/take-next")
@caseworker_required
def take_next():
    return take_next_answer()


@bp.get("/console/triage")
@supervisor_required
def triage_health():
    return render_triage_health({})


def render_triage_health(errors, status=200):
    return render_template(
        "console/triage.html", backlog=triage_engine.triage_backlog(), failed=triage.needing_manual_triage(),
        queues=lookups.all_queues(), errors=errors,
    ), status


@bp.post("/console/triage/<int:request_id>")
@supervisor_required
def route_by_hand(request_id):
    try:
        fields = ManualRouteSchema().load(request.form)
    except ValidationError as error:
        return render_triage_health({f"route-{request_id}": next(iter(prefixed("route", error.messages).values()))},
                                    status=400)
    queue = lookups.queue_by_id(fields["queue_id"])
    if queue is None:
        return render_triage_health({f"route-{request_id}": "Choose a queue from the list"}, status=400)
    case = triage.triage_by_hand(request_id, queue, Priority(fields["priority"]), by=current_user)
    if case is None:
        flash("That request was already routed.", "success")
        return redirect(url_for("console.triage_health"), 303)
    flash(f"{case.request.reference} routed to {queue.name}.", "success")
    return redirect(url_for("console.case", case_id=case.id), 303)
