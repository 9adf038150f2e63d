"""The ideas pages: a team's ideas, proposing one, an idea with its figures, "me too", comments and answers."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from casework.forms import first_errors
from casework.ideas import loop, proposals
from casework.ideas.evidence import evidence_for
from casework.ideas.models import STATUS_WORDS, Idea
from casework.ideas.schemas import AnswerForm, CommentForm, IdeaForm
from casework.models import StepType
from core.accounts.models import Staff
from core.auth import caseworker_required, refuse, supervisor_required
from core.extensions import db
from core.security import keep_out_of_caches
from intake.models import Service

bp = Blueprint("ideas", __name__, url_prefix="/console/ideas", template_folder="templates")
bp.after_request(keep_out_of_caches)
HELPS_WORDS = {"citizens": "Citizens", "staff": "Staff", "both": "Citizens and staff"}


def visible_idea(idea_id):
    """Idea ``idea_id`` if the signed-in person's team may see it: 404 if missing, 403 if not theirs."""
    idea = db.session.get(Idea, idea_id) or abort(404)
    if not proposals.may_see(current_user, idea):
        refuse(f"idea {idea_id}", "This idea belongs to a team you are not in.")
    return idea


@bp.get("/")
@caseworker_required
def index():
    teams = proposals.teams_of(current_user)
    ideas = db.session.scalars(select(Idea).where(Idea.queue_id.in_([team.id for team in teams]))
                               .order_by(Idea.id.desc()).limit(200)).all() if teams else []
    health = loop.health([team.id for team in teams]) if current_user.has_role("supervisor") and teams else None
    return render_template("ideas/index.html", ideas=ideas, teams={team.id: team.name for team in teams},
                           words=STATUS_WORDS, health=health, within=loop.ANSWER_WITHIN_DAYS)


def render_new(values, errors=None, status=200):
    services = db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name)).all()
    step_types = [(step_id, f"{service}: {name}") for step_id, name, service in db.session.execute(
        select(StepType.id, StepType.name, Service.name).join(Service, Service.id == StepType.service_id)
        .order_by(Service.name, StepType.position))]
    return render_template("ideas/new.html", values=values, errors=errors or {}, services=services,
                           step_types=step_types, teams=proposals.teams_of(current_user), helps=HELPS_WORDS), status


@bp.get("/new")
@caseworker_required
def new():
    # "suggest a fix" from a step rated hard: the step and its reason filled in
    values = {key: value for key, value in request.args.items()
              if key in ("service", "step_type_id", "hurts", "queue_id")}
    return render_new(values)


@bp.post("/new")
@caseworker_required
def propose():
    try:
        idea = proposals.propose(current_user, IdeaForm().load(request.form))
    except ValidationError as error:
        return render_new(request.form, first_errors(error), 400)
    except proposals.IdeaRefused as refusal:
        return render_new(request.form, {refusal.field: refusal.message}, 400)
    flash("Thank you. Your team can see your idea now, and a supervisor will answer it." if not idea.anonymous else
          "Thank you. Your idea is kept without your name; your team can see it, and a supervisor will answer it.",
          "success")
    return redirect(url_for("ideas.show", idea_id=idea.id), 303)


def render_idea(idea, errors=None, values=None, status=200):
    return render_template(
        "ideas/idea.html", idea=idea, evidence=evidence_for(idea), errors=errors or {}, values=values or {},
        effects=loop.effects(idea)[0] if idea.status == "done" else [],
        words=STATUS_WORDS, helps=HELPS_WORDS, team=proposals.idea_queue(idea),
        service=db.session.get(Service, idea.service_id) if idea.service_id else None,
        step_type=db.session.get(StepType, idea.step_type_id) if idea.step_type_id else None,
        authors=names_of({comment.author_id for comment in idea.comments} | {idea.author_id})), status


def names_of(staff_ids):
    """``{staff id: name}`` in one query; a person since removed (None) is "A former colleague"."""
    found = dict(db.session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids - {None}))).all())
    return {staff_id: found.get(staff_id, "A former colleague") for staff_id in staff_ids}


@bp.get("/<int:idea_id>")
@caseworker_required
def show(idea_id):
    return render_idea(visible_idea(idea_id))


@bp.post("/<int:idea_id>/support")
@caseworker_required
def support(idea_id):
    idea = visible_idea(idea_id)
    if proposals.support(current_user, idea):
        flash("Counted: “me too”. Only the count is kept, never who.", "success")
    else:
        flash("You have already said “me too” to this idea (or it is your own).", "info")
    return redirect(url_for("ideas.show", idea_id=idea.id), 303)


@bp.post("/<int:idea_id>/comments")
@caseworker_required
def add_comment(idea_id):
    idea = visible_idea(idea_id)
    try:
        fields = CommentForm().load(request.form)
    except ValidationError as error:
        return render_idea(idea, first_errors(error), request.form, 400)
    proposals.comment(current_user, idea, fields["text"])
    return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="comments"), 303)


@bp.post("/<int:idea_id>/answer")
@supervisor_required
def answer(idea_id):
    idea = visible_idea(idea_id)
    try:
        fields = AnswerForm().load(request.form)
        change = proposals.answer(current_user, idea, fields["status"], fields["answer"])
    except ValidationError as error:
        return render_idea(idea, first_errors(error), request.form, 400)
    except proposals.IdeaRefused as refusal:
        return render_idea(idea, {refusal.field: refusal.message}, request.form, 400)
    flash("Answered. The team sees your answer" + (", and its author is told by email." if not idea.anonymous
                                                     else ".") +
          (" A process change was marked on the service: its blueprint compares before and after." if change else ""),
          "success")
    return redirect(url_for("ideas.show", idea_id=idea.id), 303)
