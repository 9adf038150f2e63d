"""The admin page for the agency calendar that SLA clocks count in."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casework.clock import calendar_settings
from casework.clock.agency_time import agency_zone
from core.auth import admin_required
from core.timeutil import utcnow

bp = Blueprint("admin_calendar", __name__, url_prefix="/admin/calendar", template_folder="templates")
FIELDS = ("hours", "holidays_country", "holidays_subdivision", "closures")
LIMITS = {"hours": 200, "holidays_country": 8, "holidays_subdivision": 16, "closures": 20000}


def render(values, errors=None, status=200):
    """The form with ``values``, and what the calendar now in force means for the next weeks."""
    calendar = calendar_settings.calendar_for(calendar_settings.current_values())
    now = utcnow()
    return render_template(
        "admin/calendar.html", values=values, errors=errors or {},
        closed_ahead=calendar_settings.closed_days_ahead(calendar),
        examples=[(hours, calendar.add_business_hours(now, hours)) for hours in (8, 24, 72)],
        zone=str(agency_zone()), always_open=calendar.always_open,
    ), status


@bp.get("/")
@admin_required
def index():
    return render(vars(calendar_settings.current_values()))


@bp.post("/")
@admin_required
def save():
    """Keep the calendar; any problem is shown beside its field and nothing changes."""
    values = {name: (request.form.get(name) or "").strip() for name in FIELDS}
    too_long = {name: f"Keep this to {LIMITS[name]:,} characters" for name in FIELDS if len(values[name]) > LIMITS[name]}
    if not values["hours"]:
        too_long["hours"] = "Enter the opening hours, like mon-fri 08:00-17:00, or always"
    if too_long:
        return render(values, too_long, status=400)
    try:
        calendar_settings.save(calendar_settings.CalendarValues(**values), by=current_user)
    except calendar_settings.CalendarProblem as problem:
        return render(values, {problem.field: str(problem)}, status=400)
    flash("Calendar saved. New cases' due dates count in it from now on; open cases keep theirs.", "success")
    return redirect(url_for("admin_calendar.index"), 303)
