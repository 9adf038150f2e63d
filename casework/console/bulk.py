"""Bulk actions on cases chosen in a list: assign, move queue, change priority, resolve as a duplicate.

A bulk action is previewed first (how many cases, what will happen to each,
which cannot be changed and why), then applied. The preview carries each
case's version; a case changed in between is skipped and reported, never
overwritten. Each case goes through the same operation a single change uses,
so its timeline, due dates and counters are kept exactly as one by one.
"""
from dataclasses import dataclass

from casework.console import access, assignment, changes

from casework import lookups
from casework.errors import ActionRefused, NotPermitted
from casework.models import Case, Priority, Queue
from core.extensions import db

ACTIONS = ("assign", "move", "priority", "duplicate")
MOST = 200


@dataclass
class Planned:
    case: Case
    version: int
    effect: str | None
    refusal: str | None


def chosen_cases(case_ids, by):
    """The cases among ``case_ids`` that ``by`` may work (others are left out as if absent)."""
    rows = db.session.scalars(db.select(Case).where(Case.id.in_(case_ids[:MOST])).order_by(Case.id)).all()
    return [case for case in rows if access.can_work_queue(by, case.queue)]


def describe(action, target, by):
    """``(target record, what it does as a sentence)``; raise ``ActionRefused`` when the target is not valid."""
    if action == "assign":
        person = lookups.staff_member(target) if isinstance(target, int) else None
        if person is None:
            raise ActionRefused("Choose who should take the cases.")
        if person.id != by.id and not by.has_role("supervisor"):
            raise NotPermitted("Only supervisors can give cases to someone else.")
        return person, f"Give to {person.name}"
    if action == "move":
        queue = db.session.get(Queue, target) if isinstance(target, int) else None
        if queue is None:
            raise ActionRefused("Choose the queue to move the cases to.")
        return queue, f"Move to {queue.name}"
    if action == "priority":
        if target not in {str(level) for level in Priority}:
            raise ActionRefused("Choose a priority from the list.")
        return target, f"Set {target} priority"
    original = changes.case_by_reference(str(target or ""))
    if original is None or not access.can_work_queue(by, original.queue):
        raise ActionRefused("There is no case with that reference in your queues.")
    return original, f"Resolve as a duplicate of {original.request.reference}"


def refusal_for(case, action, resolved_target):
    """Why ``action`` cannot apply to ``case``, or None."""
    if not case.is_open:
        return "already resolved"
    if action == "assign" and case.assignee_id == resolved_target.id:
        return f"already held by {resolved_target.name}"
    if action == "assign" and not resolved_target.has_role("supervisor") \
            and not any(member.id == resolved_target.id for member in case.queue.members):
        return f"{resolved_target.name} does not work {case.queue.name}"
    if action == "move" and case.queue_id == resolved_target.id:
        return f"already in {resolved_target.name}"
    if action == "priority" and case.priority == resolved_target:
        return f"already {resolved_target}"
    if action == "duplicate" and case.id == resolved_target.id:
        return "it is the original"
    return None


def plan(case_ids, action, target, by):
    """``(phrase, [Planned])``: what applying would do to each chosen case. Raises ``ActionRefused``."""
    if action not in ACTIONS:
        raise ActionRefused("Choose what to do with the cases.")
    resolved_target, phrase = describe(action, target, by)
    planned = []
    for case in chosen_cases(case_ids, by):
        refusal = refusal_for(case, action, resolved_target)
        planned.append(Planned(case, case.version, None if refusal else phrase, refusal))
    return phrase, planned


def apply(versions, action, target, by, reason=None):
    """Apply ``action`` to each case in ``versions`` (``{case_id: version seen in the preview}``).

    Returns ``(changed, skipped)``: references changed, and ``(reference,
    why)`` for each left alone (changed since the preview, or refused). Each
    case commits on its own, as a single change would.
    """
    resolved_target, _ = describe(action, target, by)
    changed, skipped = [], []
    for case in chosen_cases(list(versions), by):
        reference = case.request.reference
        if case.version != versions[case.id]:
            skipped.append((reference, "changed since the preview"))
            continue
        refusal = refusal_for(case, action, resolved_target)
        if refusal:
            skipped.append((reference, refusal))
            continue
        try:
            if action == "assign":
                assignment.assign_case(case, resolved_target, by=by, reason=reason)
            elif action == "move":
                changes.change_queue(case, by, resolved_target.id, reason)
            elif action == "priority":
                changes.change_priority(case, by, resolved_target, reason)
            else:
                changes.merge_into(case, resolved_target, by)
        except ActionRefused as error:
            db.session.rollback()
            skipped.append((reference, error.message))
            continue
        changed.append(reference)
    return changed, skipped
