"""The public performance page: how each service is doing, against what it promised, with no sign-in."""
from flask import Blueprint, current_app, render_template, request
from flask_babel import format_date, gettext

from casework.agency_setup import District
from casework.clock.agency_time import today_in_agency
from casework.public import periods, published, trend
from casework.public.figures import CACHE_SECONDS, FEW, performance
from casework.public.standards import standard_text
from core.extensions import db, limiter
from core.i18n import current_language
from intake.models import Service

bp = Blueprint("public", __name__, template_folder="templates")


def public_data_limit():
    return current_app.config["PUBLIC_DATA_RATE_LIMIT"]


@bp.after_request
def cache_publicly(response):
    # the same for everyone who reads it in a language: shared caches may keep it as long as the figures stand
    if response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        response.vary.update(("Cookie", "Accept-Language"))
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def services_listed():
    return db.session.scalars(db.select(Service).where(Service.active.is_(True))
                              .order_by(Service.group, Service.name)).all()


@bp.get("/performance")
@limiter.limit(public_data_limit)
def performance_page():
    today = today_in_agency()
    errors, status = {}, 200
    try:
        choice = periods.choose(request.args.get("period"), today)
    except periods.UnknownPeriod:
        choice, status = periods.choose(None, today), 400
        errors["period"] = gettext("Choose a period from the list")
    services = services_listed()
    districts = db.session.scalars(db.select(District).order_by(District.name)).all()
    language = current_language()
    names = {service.id: service.translated("name", language) for service in services}
    trend_code = request.args.get("trend", "")
    trend_service = next((service for service in services if service.code == trend_code), None)
    if trend_code and trend_service is None:
        errors["trend"], status = gettext("Choose a service from the list"), 400
    by_service = performance("service", choice.period, [service.id for service in services])
    by_district = performance("district", choice.period, [district.id for district in districts]) \
        if districts else None
    buckets = trend.trend("service", trend_service.id if trend_service else None, choice)
    return render_template(
        "public/performance.html", choice=choice, choices=periods.choices(today), errors=errors,
        services=services, names=names, district_names={district.id: district.name for district in districts},
        by_service=by_service, by_district=by_district,
        standards={service.id: standard_text(service, language) for service in services},
        trend_service=trend_service, buckets=buckets, chart=trend.trend_chart(buckets, choice.long),
        changes=published.published_changes(names), channel_names=public_channel_names(), few=FEW), status


@bp.app_template_filter("day_label")
def day_label(day, pattern):
    """A date in the reader's language, in a CLDR ``pattern`` ("d MMM yyyy")."""
    return format_date(day, pattern)


def public_channel_names():
    """How the page names each channel, in the reader's language."""
    return {"web": gettext("Web form"), "api": gettext("Apps"), "phone": gettext("Phone"),
            "counter": gettext("In person"), "email": gettext("Email"), "field": gettext("Found by staff")}
