"""The caseworker console: lists, the case page and the actions staff take on cases."""
from flask import Blueprint

from core.security import keep_out_of_caches

bp = Blueprint("console", __name__, template_folder="templates")


# console pages show citizens' details: never kept by browsers or proxies
bp.after_request(keep_out_of_caches)


@bp.context_processor
def clock():
    from core.timeutil import utcnow

    return {"now": utcnow()}
