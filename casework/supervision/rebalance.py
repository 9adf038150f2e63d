"""The suggested rebalance against the database: plan from today's work, keep the plan, apply it; absence cover.

A plan records each move with the case's version when it was made. Applying
runs in one transaction with the cases locked: a case changed since (its
version moved on, its holder changed, it became fixed or closed) or a taker
who is no longer in the queue or is away today is skipped and reported,
never overwritten.
"""
from casework.clock.agency_time import today_in_agency
from casework.errors import ActionRefused
from casework.models import OPEN, Case, Step, queue_member
from casework.supervision import moves, planner, workload
from casework.triage.assignment import absent_ids
from casework.supervision.models import RebalancePlan
from casework.supervision.team_model import Person, Work
from core import audit
from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import utcnow
from intake.models import ServiceRequest


def inputs(queue_ids=None):
    """``(people, work, references)`` for the planner: the team and the open cases they hold (in ``queue_ids``).

    Read as plain columns, not ORM objects: a city's whole team holds tens of
    thousands of open cases.
    """
    rows = workload.board(queue_ids)
    member_of = {}
    for staff_id, queue_id in db.session.execute(db.select(queue_member.c.staff_id, queue_member.c.queue_id)):
        member_of.setdefault(staff_id, set()).add(queue_id)
    people = [Person(row.staff.id, row.capacity_minutes, not row.away_today,
                             frozenset(row.languages), frozenset(member_of.get(row.staff.id, ())))
              for row in rows]
    ids = [person.id for person in people]
    if not ids:
        return people, [], {}
    under_way = set(db.session.scalars(db.select(Step.case_id).join(Case, Case.id == Step.case_id).where(
        Step.ended_at.is_(None), Step.started_at.is_not(None), OPEN, Case.assignee_id.in_(ids))))
    query = (db.select(Case.id, Case.assignee_id, Case.queue_id, Case.language, Case.state, Case.pinned,
                       Case.version, ServiceRequest.reference, workload.remaining_expression())
             .join(ServiceRequest, ServiceRequest.id == Case.request_id)
             .where(OPEN, Case.assignee_id.in_(ids)))
    if queue_ids:
        query = query.where(Case.queue_id.in_(queue_ids))
    work, facts = [], {}
    for case_id, holder, queue_id, language, state, pinned, version, reference, remaining in \
            db.session.execute(query.order_by(Case.id)):
        work.append(Work(case_id, holder, queue_id, language, int(remaining or 0),
                                 moves.why_fixed_of(case_id, state, pinned, under_way)))
        facts[case_id] = (reference, version)
    return people, work, facts


def make_plan(by, queue_ids=None):
    """Plan the rebalance of the team of ``queue_ids`` (every queue when empty); keep and return it. Commits."""
    people, work, facts = inputs(queue_ids)
    plan = planner.plan_rebalance(people, work)
    kept = RebalancePlan(
        made_by_id=by.id, queue_ids=sorted(queue_ids or []),
        moves=[{"case_id": move.case_id, "reference": facts[move.case_id][0],
                "from_staff_id": move.from_staff_id, "to_staff_id": move.to_staff_id, "reason": move.reason,
                "version": facts[move.case_id][1]} for move in plan.moves],
        unplaceable=[{"case_id": case_id, "reference": facts[case_id][0], "reason": reason}
                     for case_id, reason in plan.unplaceable],
        over_target=[{"staff_id": staff_id, "reason": reason} for staff_id, reason in plan.over_target],
        utilisation_before={str(k): v for k, v in plan.utilisation_before.items()},
        utilisation_after={str(k): v for k, v in plan.utilisation_after.items()})
    db.session.add(kept)
    db.session.commit()
    return kept


def plan_by_id(plan_id):
    return db.session.get(RebalancePlan, plan_id) if plan_id and len(plan_id) <= 24 else None


def still_fits(case, move, under_way, taker, away):
    """Why ``move`` no longer fits ``case`` as it is now, or None."""
    if case is None or case.closed_at is not None:
        return "closed since the plan"
    if case.version != move["version"] or case.assignee_id != move["from_staff_id"]:
        return "changed since the plan"
    fixed = moves.why_fixed(case, under_way)
    if fixed:
        return fixed
    if taker is None or not taker.active or taker.id in away:
        return "the new holder is away or inactive"
    if not any(member.id == taker.id for member in case.queue.members):
        return f"{taker.name} no longer works {case.queue.name}"
    return None


def apply_plan(plan_id, case_ids, by, reason=None):
    """Apply the moves of plan ``plan_id`` for ``case_ids`` (None: all). One transaction. Commits.

    Returns ``(applied, skipped)``: the moves applied, and ``(move, why)`` for
    each left alone. Raises ``ActionRefused`` for a missing or used plan.
    """
    plan = db.session.get(RebalancePlan, plan_id, with_for_update=True) if plan_id else None
    if plan is None:
        raise ActionRefused("That plan does not exist. Make a new one.")
    if plan.applied_at is not None:
        raise ActionRefused("That plan was already applied. Make a new one to see the team as it is now.")
    chosen = [move for move in plan.moves if case_ids is None or move["case_id"] in set(case_ids)]
    locked = {case.id: case for case in db.session.scalars(
        db.select(Case).where(Case.id.in_([move["case_id"] for move in chosen])).order_by(Case.id).with_for_update())}
    under_way = moves.under_way_case_ids(list(locked))
    takers = {person.id: person for person in db.session.scalars(
        db.select(Staff).where(Staff.id.in_({move["to_staff_id"] for move in chosen})))}
    away = absent_ids(list(takers), today_in_agency())
    now, applied, skipped, moved = utcnow(), [], [], []
    why = reason or "Evening out the team's work (suggested rebalance)."
    for move in chosen:
        case, taker = locked.get(move["case_id"]), takers.get(move["to_staff_id"])
        refusal = still_fits(case, move, under_way, taker, away)
        if refusal:
            skipped.append((move, refusal))
            continue
        before = case.assignee
        moves.move_case(case, taker, by, why, now)
        moved.append((case, before, taker))
        applied.append(move)
    plan.applied_at = now
    audit.record("rebalance_applied", actor=by, target="RebalancePlan", target_id=plan.id,
                 applied=[move["case_id"] for move in applied],
                 skipped=[{"case_id": move["case_id"], "why": refusal} for move, refusal in skipped])
    notes = moves.tell_everyone(moved, by, why)
    db.session.commit()
    moves.dispatch(notes)
    return applied, skipped


def cover(staff_id, to_staff_id, reason, by, case_ids=None):
    """Move the movable open cases of ``staff_id`` (or just ``case_ids`` of theirs) to ``to_staff_id``.

    ``to_staff_id`` None sends them back to their queues. One transaction,
    audited, everyone told. Returns ``(moved references, [(reference, why)])``.
    Raises ``ActionRefused`` when there is no such person or no reason.
    """
    if not reason:
        raise ActionRefused("Say why the cases move: the people who gain and lose them are told.")
    holder = db.session.get(Staff, staff_id)
    taker = db.session.get(Staff, to_staff_id) if to_staff_id else None
    if holder is None or (to_staff_id and (taker is None or not taker.active)):
        raise ActionRefused("Choose people from the list.")
    if taker is not None and taker.id == holder.id:
        raise ActionRefused("Choose someone else to take the cases.")
    held = db.session.scalars(db.select(Case).where(Case.assignee_id == holder.id, Case.closed_at.is_(None))
                              .order_by(Case.id).with_for_update()).all()
    if case_ids is not None:
        held = [case for case in held if case.id in set(case_ids)]
    under_way = moves.under_way_case_ids([case.id for case in held])
    now, done, skipped, moved = utcnow(), [], [], []
    for case in held:
        fixed = moves.why_fixed(case, under_way)
        if fixed:
            skipped.append((case.request.reference, fixed))
        elif taker is not None and not any(member.id == taker.id for member in case.queue.members):
            skipped.append((case.request.reference, f"{taker.name} does not work {case.queue.name}"))
        else:
            moves.move_case(case, taker, by, reason, now)
            moved.append((case, holder, taker))
            done.append(case.request.reference)
    audit.record("cases_covered", actor=by, target=holder, to_staff_id=to_staff_id, reason=reason,
                 moved=done, skipped=[ref for ref, _ in skipped])
    notes = moves.tell_everyone(moved, by, reason)
    db.session.commit()
    moves.dispatch(notes)
    return done, skipped
