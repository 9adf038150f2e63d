"""The case page and the actions staff take on it.

Every action form carries the case's version; a form drawn from an older
version is refused (409) with what changed since, and nothing is saved. Bad
input re-renders the page (400) with what was typed and a message beside the
field; an action that does not fit the case as it is re-renders it with why.
"""
from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy.orm.exc import StaleDataError

from casework import reply_templates as replies
from casework.console import (
    access, assignment, bp, case_actions, changes, checklist, drafts, emails, presence, related, steps,
)
from casework import lookups
from casework.console.schemas import (
    AssignSchema, CompleteStepSchema, DraftSchema, InformationRequestSchema, MergeSchema, NoteSchema, PrioritySchema,
    QueueMoveSchema, ReleaseSchema, ReopenSchema, ReplySchema, ResolveSchema, StartStepSchema, StepSchema,
)
from casework.errors import ActionRefused
from casework.models import FRICTION_REASONS, MAX_STEP_MINUTES
from core.auth import caseworker_required
from core.form_errors import first_messages
from core.extensions import db
from intake import photos
from intake.open311.models import ApiClient
from notifications.services import failures_for_request


def render_case(case, errors=None, values=None, contact_shown=False, status=200, stale=None, preview=None):
    """The case page; ``values`` keeps what was typed per form, ``stale`` lists changes a refused form missed."""
    values = dict(values or {})
    mine = drafts.drafts_for(current_user, case)
    for kind, draft in mine.items():
        field = {"reply": "message", "note": "text", "ask": "question", "resolve": "public_note"}[kind]
        values.setdefault(kind, {field: draft.body})
    template_id = request.args.get("template", type=int)
    chosen = replies.template_by_id(template_id) if template_id else None
    if chosen is not None and chosen.active and "reply" not in typed_forms(values):
        values["reply"] = {"message": replies.render(chosen, case, format_date)}
    under_way = steps.step_under_way(case, current_user)
    presence.mark_viewing(case.id, current_user)
    return render_template(
        "console/case.html", case=case, step_types=lookups.step_types_for(case),
        assignable=assignment.assignable_staff(case), likely_duplicates=related.likely_duplicates(case),
        merged=related.merged_into(case), errors=errors or {}, values=values,
        contact_shown=contact_shown, max_minutes=MAX_STEP_MINUTES, under_way=under_way,
        suggested_minutes=steps.elapsed_minutes(under_way) if under_way else None,
        failed_messages=failures_for_request(case.request_id),
        api_client=db.session.get(ApiClient, case.request.api_client_id) if case.request.api_client_id else None,
        photos=photos.photos_of(case.request_id), related=related.related_cases(case),
        emails=emails.emails_of(case.request_id), bounced_at=emails.bounced_since(case.request),
        checklist=checklist.workflow_checklist(case), outcomes=lookups.active_outcomes(),
        queues=lookups.all_queues(), templates=replies.templates_for(case.request.language),
        friction_reasons=FRICTION_REASONS, stale=stale, preview=preview, drafts=mine,
        viewers=presence.viewers([case.id], current_user).get(case.id, []), last_event_id=max(
            (event.id for event in case.events), default=0),
    ), status


def typed_forms(values):
    """The forms whose values came from what was typed (a request's form), not from a draft."""
    return {kind for kind, fields in values.items() if fields is request.form}


def format_date(moment):
    return current_app.jinja_env.filters["datetime"](moment)


@bp.get("/console/cases/<int:case_id>/photos/<photo_token>")
@caseworker_required
def case_photo(case_id, photo_token):
    """A photo the citizen sent, for staff who may work the case."""
    work_case = access.case_for(current_user, case_id)
    found = photos.photo_for(work_case.request_id, photo_token) or abort(404)
    return Response(found.data, mimetype=found.content_type, headers={"Cache-Control": "no-store"})


@bp.get("/console/cases/<int:case_id>/emails/<int:mail_id>.eml")
@caseworker_required
def case_email(case_id, mail_id):
    """The whole email as it arrived, for staff who may work the case (a download: never shown as a page)."""
    work_case = access.case_for(current_user, case_id)
    mail = emails.email_of(work_case.request_id, mail_id) or abort(404)
    emails.record_opened(mail, by=current_user)
    return Response(mail.raw, mimetype="message/rfc822", headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="email-{mail.id}.eml"'})


@bp.get("/console/cases/<int:case_id>/emails/<int:mail_id>/attachments/<int:number>")
@caseworker_required
def case_email_attachment(case_id, mail_id, number):
    """One attachment of a citizen's email, downloaded (never opened in the page: it may be anything)."""
    work_case = access.case_for(current_user, case_id)
    mail = emails.email_of(work_case.request_id, mail_id) or abort(404)
    found = emails.attachment(mail, number) or abort(404)
    emails.record_opened(mail, by=current_user, attachment_number=number)
    safe_name = "".join(c for c in found.filename if c.isalnum() or c in "._- ")[:100] or "attachment"
    return Response(found.data, mimetype="application/octet-stream", headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{safe_name}"',
        "X-Content-Type-Options": "nosniff"})


@bp.get("/console/cases/<int:case_id>")
@caseworker_required
def case(case_id):
    return render_case(access.case_for(current_user, case_id))


@bp.post("/console/cases/<int:case_id>/contact")
@caseworker_required
def contact(case_id):
    work_case = access.case_for(current_user, case_id)
    case_actions.reveal_contact(work_case, by=current_user)
    return render_case(work_case, contact_shown=True)


def case_action(case_id, form, schema, action, first_field, done_message, draft=None, after=None, versioned=True):
    """Load ``form`` with ``schema``, check the version, run ``action(case, by=..., **fields)``, answer like a form page.

    Validation errors re-render the case page (400) with the input kept; a
    stale form (409) shows what changed since; an action that does not fit the
    case's state re-renders it with why (409). ``draft`` names the draft the
    action sends, cleared once it is sent. ``after(case, result, fields)`` may
    return the response instead of going back to the case. ``versioned=False``
    is for actions that overwrite nothing (an internal note): they never
    conflict with a colleague's change.
    """
    work_case = access.case_for(current_user, case_id)
    typed = {form: request.form}
    try:
        fields = schema().load(request.form)
    except ValidationError as error:
        return render_case(work_case, errors=prefixed(form, error.messages), values=typed, status=400)
    version, seen = fields.pop("version"), fields.pop("seen")
    extra = {name: fields.pop(name) for name in ("next",) if name in fields}
    try:
        if versioned:
            changes.check_fresh(work_case, version, seen)
        result = action(work_case, by=current_user, **fields)
    except changes.StaleCase as error:
        return render_case(work_case, errors={f"{form}-{first_field}": error.message}, values=typed, status=409,
                           stale=error.changes)
    except StaleDataError:
        # someone saved the same case between our read and our write: nothing of ours was kept
        db.session.rollback()
        fresh = access.case_for(current_user, case_id)
        return render_case(fresh, errors={f"{form}-{first_field}": changes.StaleCase([]).message}, values=typed,
                           status=409, stale=[])
    except ActionRefused as error:
        db.session.rollback()
        return render_case(work_case, errors={f"{form}-{error.field or first_field}": error.message}, values=typed,
                           status=409)
    if draft:
        drafts.clear_draft(current_user, work_case, draft)
    if after is not None:
        answer = after(work_case, result, extra)
        if answer is not None:
            return answer
    flash(done_message, "success")
    return redirect(url_for("console.case", case_id=case_id), 303)


def take_next_answer(done=""):
    """Take the next case for the signed-in caseworker and open it, or say there is none; ``done`` says what went before."""
    following = assignment.take_next(current_user)
    if following is None:
        flash(f"{done}There is no unassigned case waiting in your queues.", "success")
        return redirect(url_for("console.console_home"), 303)
    flash(f"{done}{following.request.reference} is yours: it was the most urgent waiting case.", "success")
    return redirect(url_for("console.case", case_id=following.id), 303)


def then_take_next(case, result, extra):
    """After "save step and take next": open the next case."""
    return take_next_answer("Step saved. ") if extra.get("next") else None


@bp.post("/console/cases/<int:case_id>/steps")
@caseworker_required
def record_step(case_id):
    return case_action(case_id, "step", StepSchema, case_actions.record_step, "effort_minutes", "Step recorded.")


@bp.post("/console/cases/<int:case_id>/steps/start")
@caseworker_required
def start_step(case_id):
    return case_action(case_id, "start", StartStepSchema, steps.start_step, "step_type_id",
                       "Step started: the timer is running. Save it when you finish.")


@bp.post("/console/cases/<int:case_id>/steps/complete")
@caseworker_required
def complete_step(case_id):
    return case_action(case_id, "complete", CompleteStepSchema, steps.complete_step, "effort_minutes",
                       "Step saved.", after=then_take_next)


@bp.post("/console/cases/<int:case_id>/reply")
@caseworker_required
def reply(case_id):
    if request.form.get("action") == "preview":
        work_case = access.case_for(current_user, case_id)
        text = request.form.get("message", "")
        return render_case(work_case, values={"reply": request.form}, preview=text)
    return case_action(case_id, "reply", ReplySchema, case_actions.reply_to_citizen, "message",
                       "Update posted. The citizen has been told.", draft="reply")


@bp.post("/console/cases/<int:case_id>/notes")
@caseworker_required
def note(case_id):
    return case_action(case_id, "note", NoteSchema, changes.add_note, "text", "Note added (staff only).", draft="note",
                       versioned=False)


@bp.post("/console/cases/<int:case_id>/information-request")
@caseworker_required
def request_information(case_id):
    return case_action(case_id, "ask", InformationRequestSchema, case_actions.request_information, "question",
                       "Question sent. The case now waits for the citizen.", draft="ask")


@bp.post("/console/cases/<int:case_id>/resolve")
@caseworker_required
def resolve(case_id):
    return case_action(case_id, "resolve", ResolveSchema, case_actions.resolve_case, "public_note",
                       "Case resolved. The citizen has been told.", draft="resolve")


@bp.post("/console/cases/<int:case_id>/reopen")
@caseworker_required
def reopen(case_id):
    return case_action(case_id, "reopen", ReopenSchema, case_actions.reopen_case, "reason",
                       "Case reopened. The citizen has been told.")


@bp.post("/console/cases/<int:case_id>/assign")
@caseworker_required
def assign(case_id):
    return case_action(case_id, "assign", AssignSchema, assignment.assign_by_choice, "staff_id", "Case assigned.")


@bp.post("/console/cases/<int:case_id>/release")
@caseworker_required
def release(case_id):
    return case_action(case_id, "release", ReleaseSchema, assignment.release_case, "reason",
                       "Case released back to its queue.")


@bp.post("/console/cases/<int:case_id>/priority")
@caseworker_required
def priority(case_id):
    return case_action(case_id, "priority", PrioritySchema, changes.change_priority, "priority",
                       "Priority changed; the due date was worked out again.")


@bp.post("/console/cases/<int:case_id>/queue")
@caseworker_required
def move_queue(case_id):
    def move(work_case, by, queue_id, reason=None):
        changes.change_queue(work_case, by, queue_id, reason)
        return work_case

    def back_to_list(work_case, result, extra):
        # a caseworker who moved the case out of their own queues may no longer see it
        if not access.can_work_queue(current_user, work_case.queue):
            flash(f"{work_case.request.reference} moved to {work_case.queue.name}.", "success")
            return redirect(url_for("console.console_home"), 303)
        return None

    return case_action(case_id, "move", QueueMoveSchema, move, "queue_id",
                       "Case moved; the due date was worked out again.", after=back_to_list)


@bp.post("/console/cases/<int:case_id>/merge")
@caseworker_required
def merge(case_id):
    return case_action(case_id, "merge", MergeSchema, changes.merge_by_reference, "reference",
                       "Merged: this citizen will hear the outcome of the earlier case.")


@bp.post("/console/cases/<int:case_id>/duplicates/<int:link_id>")
@caseworker_required
def decide_duplicate(case_id, link_id):
    work_case = access.case_for(current_user, case_id)
    confirmed = request.form.get("decision") == "confirm"
    try:
        changes.decide_duplicate(work_case, link_id, confirmed, by=current_user)
    except ActionRefused as error:
        db.session.rollback()
        return render_case(work_case, errors={"duplicates": error.message}, status=409)
    flash("Merged: this citizen will hear the outcome of the earlier case." if confirmed
          else "Noted: not the same problem.", "success")
    return redirect(url_for("console.case", case_id=case_id), 303)


@bp.post("/console/cases/<int:case_id>/drafts/<kind>")
@caseworker_required
def save_draft(case_id, kind):
    """Keep what is being typed (the page sends it as the caseworker writes). 204, or 400 with a JSON error."""
    if kind not in drafts.KINDS:
        abort(404)
    work_case = access.case_for(current_user, case_id)
    try:
        body = DraftSchema().load(request.form)["body"]
    except ValidationError as error:
        return jsonify(error="draft_refused", fields=error.messages), 400
    drafts.save_draft(current_user, work_case, kind, body)
    return "", 204


@bp.post("/console/cases/<int:case_id>/presence")
@caseworker_required
def still_viewing(case_id):
    """The page is still open and in view: keep "also viewing" fresh. 204."""
    access.case_for(current_user, case_id)
    presence.mark_viewing(case_id, current_user)
    return "", 204


def prefixed(form, messages):
    """Field errors keyed by the element ids of ``form`` on the case page."""
    return first_messages(messages, prefix=f"{form}-")

