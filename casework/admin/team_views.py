"""The admin page for queues (members, hand-out mode, opening hours) and absences."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework import lookups
from casework.admin import bp, team
from casework.admin.schemas import AbsenceSchema, QueueSettingsSchema
from casework.errors import ActionRefused
from casework.models import AssignmentMode
from core.auth import admin_required
from core.form_errors import first_messages


@bp.get("/queues")
@admin_required
def queues():
    return render_queues({}, {})


def render_queues(errors, values, status=200):
    return render_template("admin/queues.html", queues=lookups.all_queues(), staff=team.staff_directory(),
                           absences=team.upcoming_absences(), modes=AssignmentMode, errors=errors,
                           values=values), status


@bp.post("/queues/<int:queue_id>")
@admin_required
def save_queue(queue_id):
    queue = lookups.queue_by_id(queue_id) or abort(404)
    try:
        fields = QueueSettingsSchema().load(request.form)
        team.configure_queue(queue, fields["assignment_mode"], fields["member_ids"], by=current_user,
                             hours=fields["hours"])
    except ValidationError as error:
        return render_queues({f"queue-{queue_id}": first_messages(error.messages).popitem()[1]}, {}, status=400)
    except ActionRefused as error:
        return render_queues({f"queue-{queue_id}": error.message}, {}, status=400)
    flash(f"{queue.name} saved.", "success")
    return redirect(url_for("admin.queues"), 303)


@bp.post("/absences")
@admin_required
def add_absence():
    try:
        fields = AbsenceSchema().load(request.form)
        team.add_absence(by=current_user, **fields)
    except ValidationError as error:
        return render_queues(prefixed_absence(first_messages(error.messages)), prefixed_absence(request.form), status=400)
    except ActionRefused as error:
        return render_queues({"absence-staff_id": error.message}, prefixed_absence(request.form), status=400)
    flash("Absence recorded. Auto-assignment skips them on those days.", "success")
    return redirect(url_for("admin.queues"), 303)


def prefixed_absence(by_field):
    """Key errors and input by the element ids of the absence form."""
    return {f"absence-{field}": value for field, value in by_field.items()}
