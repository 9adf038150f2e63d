"""The caseworker console: lists, the case page and the actions staff take on cases."""
from flask import Blueprint

bp = Blueprint("console", __name__, template_folder="templates")


@bp.after_request
def keep_out_of_caches(response):
    # console pages show citizens' details: never kept by browsers or proxies
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def clock():
    from core.timeutil import utcnow

    return {"now": utcnow()}
