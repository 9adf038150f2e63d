"""Staff ideas over the staff API: ``/api/v1/ideas``, one, propose, "me too", comment, answer.

The page's own checks and services (``casework.ideas.proposals``) run for
each, so an idea proposed by a script is the same as one proposed on the
page. An idea of a team the caller is not in does not exist for them (404).
An anonymous idea is proposed without the API's usual audit row (which names
the caller and their token): its own row names nobody, and no answer ever
carries its author.
"""
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select

from casework.forms import LARGEST_ID
from casework.ideas import proposals
from casework.ideas.models import HELPS, STATUSES, Idea
from casework.ideas.schemas import TEXT_MAX, AnswerForm, CommentForm, IdeaForm
from core.accounts.models import Staff
from core.api import allowed, audit_write, caller, protect
from core.extensions import db
from core.form_errors import first_messages
from intake.models import Service

blp = protect(Blueprint("api_ideas", __name__, url_prefix="/api/v1",
                        description="Staff ideas: proposed, supported, discussed and answered"))


class IdeaIn(Schema):
    class Meta:
        unknown = EXCLUDE

    queue_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=LARGEST_ID))
    service = fields.String(load_default="", validate=validate.Length(max=40))
    step_type_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(min=1, max=LARGEST_ID))
    hurts = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))
    change = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))
    helps = fields.String(required=True, validate=validate.OneOf(HELPS))
    anonymous = fields.Boolean(load_default=False)


class IdeaOut(Schema):
    id = fields.Integer(required=True)
    queue_id = fields.Integer(required=True)
    service_code = fields.String(required=True, allow_none=True)
    step_type_id = fields.Integer(required=True, allow_none=True)
    hurts = fields.String(required=True)
    change = fields.String(required=True)
    helps = fields.String(required=True)
    anonymous = fields.Boolean(required=True)
    # the author's name for a named idea; null for an anonymous one, always
    author = fields.String(required=True, allow_none=True)
    proposed_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    answer = fields.String(required=True, allow_none=True)
    answered_at = fields.DateTime(required=True, allow_none=True)
    supporters = fields.Integer(required=True)
    process_change_id = fields.Integer(required=True, allow_none=True)


class IdeaQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class Supported(Schema):
    counted = fields.Boolean(required=True)
    supporters = fields.Integer(required=True)


class CommentIn(Schema):
    class Meta:
        unknown = EXCLUDE

    text = fields.String(required=True, validate=validate.Length(min=1, max=TEXT_MAX))


class CommentOut(Schema):
    idea_id = fields.Integer(required=True)
    text = fields.String(required=True)


class AnswerIn(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(required=True, validate=validate.OneOf(("planned", "not_now", "done")))
    answer = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))


def refuse_fields(errors):
    abort(422, message="Some fields were refused; nothing was saved.", errors={"json": errors})


def shown(idea):
    """The idea as the API shows it: never an anonymous idea's author."""
    author = None if idea.author_id is None else db.session.get(Staff, idea.author_id)
    service = db.session.get(Service, idea.service_id) if idea.service_id else None
    return {"id": idea.id, "queue_id": idea.queue_id, "service_code": service.code if service else None,
            "step_type_id": idea.step_type_id, "hurts": idea.hurts, "change": idea.change, "helps": idea.helps,
            "anonymous": idea.anonymous, "author": author.name if author else None, "proposed_on": idea.proposed_on,
            "status": idea.status, "answer": idea.answer, "answered_at": idea.answered_at,
            "supporters": idea.supporters, "process_change_id": idea.process_change_id}


def visible(idea_id):
    """Idea ``idea_id`` if the caller's teams see it; else 404 (it does not exist for them)."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or not proposals.may_see(caller(), idea):
        abort(404, message="There is no such idea among your teams'.")
    return idea


def as_form(schema, body):
    """``body`` through the page's own form, its first message per field as the API's refusal."""
    try:
        return schema().load({name: "" if value is None else value for name, value in body.items()})
    except ValidationError as error:
        refuse_fields({name: [message] for name, message in first_messages(error.messages).items()})


@blp.route("/ideas", methods=["GET"])
@allowed("caseworker")
@blp.arguments(IdeaQuery, location="query")
@blp.response(200, IdeaOut(many=True))
def list_ideas(query):
    """The ideas of the caller's teams (every team for a supervisor), newest first, 200 at most."""
    teams = [team.id for team in proposals.teams_of(caller())]
    found = select(Idea).where(Idea.queue_id.in_(teams)).order_by(Idea.id.desc()).limit(200)
    if query.get("status"):
        found = found.where(Idea.status == query["status"])
    return [shown(idea) for idea in db.session.scalars(found)] if teams else []


@blp.route("/ideas/<int:idea_id>", methods=["GET"])
@allowed("caseworker")
@blp.response(200, IdeaOut)
def one_idea(idea_id):
    """One idea of the caller's teams."""
    return shown(visible(idea_id))


@blp.route("/ideas", methods=["POST"])
@allowed("caseworker", write=True)
@blp.arguments(IdeaIn)
@blp.response(201, IdeaOut)
def propose(body):
    """Propose an idea to one of the caller's teams; ``anonymous`` keeps it without the caller's name anywhere."""
    fields_ = as_form(IdeaForm, {**body, "anonymous": "y" if body.get("anonymous") else ""})
    if not fields_["anonymous"]:
        audit_write()
    try:
        idea = proposals.propose(caller(), fields_)
    except proposals.IdeaRefused as refusal:
        refuse_fields({refusal.field: [refusal.message]})
    return shown(idea)


@blp.route("/ideas/<int:idea_id>/support", methods=["POST"])
@allowed("caseworker", write=True)
@blp.response(200, Supported)
def support(idea_id):
    """Say "me too" (once each; a named author cannot support their own). Only the count is kept."""
    idea = visible(idea_id)
    counted = proposals.support(caller(), idea)
    return {"counted": counted, "supporters": db.session.get(Idea, idea_id).supporters}


@blp.route("/ideas/<int:idea_id>/comments", methods=["POST"])
@allowed("caseworker", write=True)
@blp.arguments(CommentIn)
@blp.response(201, CommentOut)
def add_comment(body, idea_id):
    """Comment on an idea, with the caller's name."""
    idea = visible(idea_id)
    fields_ = as_form(CommentForm, body)
    audit_write(target=idea)
    proposals.comment(caller(), idea, fields_["text"])
    return {"idea_id": idea.id, "text": fields_["text"].strip()}


@blp.route("/ideas/<int:idea_id>/answer", methods=["POST"])
@allowed("supervisor", write=True)
@blp.arguments(AnswerIn)
@blp.response(200, IdeaOut)
def answer(body, idea_id):
    """Answer an idea: planned, not_now (``answer`` required: the reason) or done (a process change)."""
    idea = visible(idea_id)
    fields_ = as_form(AnswerForm, body)
    audit_write(target=idea)
    try:
        proposals.answer(caller(), idea, fields_["status"], fields_.get("answer") or "")
    except proposals.IdeaRefused as refusal:
        db.session.rollback()
        refuse_fields({refusal.field: [refusal.message]})
    return shown(db.session.get(Idea, idea_id))
