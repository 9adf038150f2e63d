"""How hard staff rate each workflow step: counted over everyone who did it, never per person."""
import json
from datetime import timedelta

from redis.exceptions import RedisError

from casework.models import Step
from core.extensions import db
from core.queues import redis_connection
from core.timeutil import utcnow

# friction is shown only where enough people rated a step that no one rating can be picked out
FRICTION_MIN_RATINGS = 5
FRICTION_DAYS = 90
# a busy service's ratings are re-counted at most this often
FRICTION_FRESH_SECONDS = 600


def friction_by_step_type(step_type_ids):
    """``{step_type_id: (ratings, share rated 4-5)}`` over the last 90 days, for step types with at least 5 ratings.

    Aggregated over everyone who did the step: never per person. Read from
    the step-type index (friction is in it), and kept in Redis for ten
    minutes, since a busy service's 90 days are a hundred thousand steps.
    """
    type_ids = sorted(set(step_type_ids))
    if not type_ids:
        return {}
    key = "tandem:friction:" + ",".join(map(str, type_ids))
    try:
        kept = redis_connection().get(key)
        if kept is not None:
            return {int(type_id): tuple(pair) for type_id, pair in json.loads(kept).items()}
    except RedisError:
        kept = None
    found = count_friction(type_ids)
    try:
        redis_connection().set(key, json.dumps(found), ex=FRICTION_FRESH_SECONDS)
    except RedisError:
        pass
    return found


def count_friction(type_ids):
    """The friction ratings of the last 90 days of ``type_ids``, counted in PostgreSQL."""
    hard = db.func.sum(db.case((Step.friction >= 4, 1), else_=0))
    since = utcnow() - timedelta(days=FRICTION_DAYS)
    rows = db.session.execute(
        db.select(Step.step_type_id, db.func.count(Step.friction), hard)
        .where(Step.step_type_id.in_(type_ids), Step.ended_at >= since, Step.friction.is_not(None))
        .group_by(Step.step_type_id)
    )
    return {step_type_id: (n, int(hard_count or 0) / n) for step_type_id, n, hard_count in rows
            if n >= FRICTION_MIN_RATINGS}
