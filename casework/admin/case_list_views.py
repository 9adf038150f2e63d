"""Admin pages for the outcomes a case can end with and the reply templates staff start from."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework import reply_templates
from casework.admin import case_lists
from casework.admin.schemas import ContactTopicSchema, OutcomeSchema, ReplyTemplateSchema
from core.form_errors import first_messages
from casework.errors import ActionRefused
from core.auth import admin_required
from core.i18n import offered_languages
from intake.services import active_services

bp = Blueprint("admin_case_lists", __name__, url_prefix="/admin/case-lists", template_folder="templates")


def render(errors=None, values=None, editing=None, status=200):
    return render_template(
        "admin/case_lists.html", outcomes=case_lists.outcomes(), templates=case_lists.templates(),
        topics=case_lists.topics(), services=active_services(),
        errors=errors or {}, values=values or {}, editing=editing, languages=offered_languages(),
        placeholders=reply_templates.PLACEHOLDERS,
    ), status


@bp.get("/")
@admin_required
def index():
    editing = request.args.get("template", type=int)
    template = reply_templates.template_by_id(editing) if editing else None
    if editing and template is None:
        abort(404)
    values = {"name": template.name, "language": template.language, "body": template.body,
              "active": template.active} if template else {"active": True}
    return render(values=values, editing=template)


@bp.post("/outcomes")
@bp.post("/outcomes/<int:outcome_id>")
@admin_required
def save_outcome(outcome_id=None):
    prefix = f"outcome-{outcome_id}" if outcome_id else "outcome-new"
    try:
        fields = OutcomeSchema().load(request.form)
        case_lists.save_outcome(outcome_id, fields["label"], fields["active"] or outcome_id is None, by=current_user)
    except ValidationError as error:
        return render(errors={f"{prefix}-{field}": text for field, text in first_messages(error.messages).items()},
                      status=400)
    except ActionRefused as error:
        return render(errors={f"{prefix}-label": error.message}, status=409)
    flash("Outcome saved.", "success")
    return redirect(url_for("admin_case_lists.index"), 303)


@bp.post("/topics")
@bp.post("/topics/<int:topic_id>")
@admin_required
def save_topic(topic_id=None):
    """Add a topic callers ask about, or rename or retire one; the contact desk offers the active ones."""
    prefix = f"topic-{topic_id}" if topic_id else "topic-new"
    try:
        fields = ContactTopicSchema().load(request.form)
        case_lists.save_topic(topic_id, fields["name"], fields["service_code"], fields["active"] or topic_id is None,
                              by=current_user)
    except ValidationError as error:
        return render(errors={f"{prefix}-{field}": text for field, text in first_messages(error.messages).items()},
                      status=400)
    except ActionRefused as error:
        return render(errors={f"{prefix}-service_code": error.message}, status=400)
    flash("Topic saved.", "success")
    return redirect(url_for("admin_case_lists.index") + "#topics", 303)


@bp.post("/templates")
@bp.post("/templates/<int:template_id>")
@admin_required
def save_template(template_id=None):
    try:
        fields = ReplyTemplateSchema().load(request.form)
        case_lists.save_template(template_id, by=current_user, **fields)
    except ValidationError as error:
        return render(errors={f"template-{field}": text for field, text in first_messages(error.messages).items()},
                      values=request.form, editing=reply_templates.template_by_id(template_id) if template_id else None,
                      status=400)
    except ActionRefused as error:
        return render(errors={"template-body": error.message}, values=request.form,
                      editing=reply_templates.template_by_id(template_id) if template_id else None, status=409)
    flash("Reply template saved.", "success")
    return redirect(url_for("admin_case_lists.index"), 303)
