"""The admin pages for routing rules (list, edit, test) and the areas rules can name."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework.admin import bp
from casework.admin.schemas import DistrictSchema, RuleSchema
from casework.triage import rulebook
from core.auth import admin_required
from core.form_errors import first_messages
from core.i18n import offered_languages


@bp.get("/routing")
@admin_required
def rules():
    return render_template("admin/rules.html", rules=rulebook.all_rules(), districts=rulebook.all_districts(),
                           errors={}, values={})


def render_rule(rule, values, errors=None, effects=None, counts=None, examined=None, status=200):
    return render_template(
        "admin/rule.html", rule=rule, values=values, errors=errors or {}, effects=effects, counts=counts,
        examined=examined,
        choices=rulebook.rule_choices(), languages=offered_languages(),
    ), status


def rule_or_404(rule_id):
    return rulebook.rule_by_id(rule_id) or abort(404) if rule_id else None


@bp.get("/routing/new")
@bp.get("/routing/<int:rule_id>")
@admin_required
def edit_rule(rule_id=None):
    rule = rule_or_404(rule_id)
    return render_rule(rule, rulebook.form_values(rule))


@bp.post("/routing/new")
@bp.post("/routing/<int:rule_id>")
@admin_required
def save_rule(rule_id=None):
    """Test the rule against recent requests, or save it, by the button pressed."""
    rule = rule_or_404(rule_id)
    try:
        fields = RuleSchema().load(request.form)
        candidate = rulebook.candidate_rule(fields, rule_id)
    except ValidationError as error:
        return render_rule(rule, request.form, errors=first_messages(error.messages), status=400)
    except rulebook.UnknownChoice as error:
        return render_rule(rule, request.form, errors={error.field: error.message}, status=400)
    if request.form.get("action") == "save":
        saved = rulebook.save_rule(rule, fields, by=current_user)
        flash(f"Rule “{saved.name}” saved. New requests are routed with it from now on.", "success")
        return redirect(url_for("admin.rules"), 303)
    draft = rulebook.draft_with(rule_id, candidate if fields["active"] else None, fields["position"])
    effects, counts, examined = rulebook.test_change(draft)
    return render_rule(rule, request.form, effects=effects, counts=counts, examined=examined)


@bp.post("/routing/districts")
@admin_required
def add_district():
    try:
        rulebook.add_district(DistrictSchema().load(request.form), by=current_user)
    except ValidationError as error:
        return render_template("admin/rules.html", rules=rulebook.all_rules(),
                               districts=rulebook.all_districts(), errors=first_messages(error.messages),
                               values=request.form), 400
    flash("Area added. Rules can now name it.", "success")
    return redirect(url_for("admin.rules"), 303)
