"""Who else has a case open right now: a short-lived key per case in Redis.

Each open case page says "I am here" when it loads and every ``BEAT`` seconds
while it is in view; a mark older than ``FRESH`` seconds no longer counts.
If Redis cannot be reached, nobody is shown: presence is a hint, never a lock.
"""
import time

from redis.exceptions import RedisError

from core.queues import redis_connection

BEAT = 25
FRESH = 60


def key(case_id):
    return f"tandem:viewing:case:{case_id}"


def mark_viewing(case_id, staff):
    """Note that ``staff`` is looking at case ``case_id`` now."""
    try:
        connection = redis_connection()
        pipeline = connection.pipeline()
        pipeline.hset(key(case_id), str(staff.id), f"{time.time():.0f}|{staff.name}")
        pipeline.expire(key(case_id), FRESH)
        pipeline.execute()
    except RedisError:
        pass


def viewers(case_ids, besides):
    """``{case_id: [names]}`` of staff other than ``besides`` viewing each case, from one Redis round trip."""
    if not case_ids:
        return {}
    try:
        pipeline = redis_connection().pipeline()
        for case_id in case_ids:
            pipeline.hgetall(key(case_id))
        marks = pipeline.execute()
    except RedisError:
        return {}
    now, found = time.time(), {}
    for case_id, marked in zip(case_ids, marks):
        names = sorted(value.decode().split("|", 1)[1] for staff_id, value in marked.items()
                       if int(staff_id) != besides.id and now - float(value.decode().split("|", 1)[0]) <= FRESH)
        if names:
            found[case_id] = names
    return found
