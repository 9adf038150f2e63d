"""The rebalance planner's terms: people, cases, moves, the plan, and how cases are sized and who may take them."""
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce


QUANTUM = 15  # minutes


@dataclass(frozen=True)
class Person:
    id: int
    capacity_minutes: int  # for the coming week, absences taken off
    present: bool
    languages: frozenset = frozenset()
    queue_ids: frozenset = frozenset()


@dataclass(frozen=True)
class Work:
    """An open case someone holds: its remaining minutes, and why it may not move (None: it may)."""

    id: int
    holder_id: int
    queue_id: int
    language: str | None
    minutes: int
    fixed_because: str | None = None


@dataclass(frozen=True)
class Move:
    case_id: int
    from_staff_id: int
    to_staff_id: int
    reason: str


@dataclass
class Plan:
    moves: list
    unplaceable: list  # (case_id, reason)
    over_target: list  # (staff_id, reason)
    targets: dict  # staff id -> target minutes (None for someone away)
    utilisation_before: dict  # staff id -> ratio, or None for someone away
    utilisation_after: dict
    load_before: dict = field(default_factory=dict)  # staff id -> remaining minutes
    load_after: dict = field(default_factory=dict)


def size_in_quanta(minutes):
    return max(1, math.ceil(minutes / QUANTUM))


def is_present(person):
    return person.present and person.capacity_minutes > 0


def may_take(work, people_by_id):
    """``(ids, by_language)``: present people ``work`` may move to (not its holder), by queue and language."""
    pool, by_language = pool_of(work, people_by_id)
    return tuple(person_id for person_id in pool if person_id != work.holder_id), by_language


def pool_of(work, people_by_id):
    """Everyone present who may hold ``work`` (its holder too, if eligible): one pool per queue and language."""
    members = [person for person in people_by_id.values() if is_present(person) and work.queue_id in person.queue_ids]
    speakers = [person for person in members if work.language and work.language in person.languages]
    chosen = [person.id for person in (speakers or members)]
    # "because they speak the language" only says something when it left someone out
    return tuple(sorted(chosen)), 0 < len(speakers) < len(members)


def utilisation(load_minutes, person):
    return round(load_minutes / person.capacity_minutes, 4) if is_present(person) else None


@dataclass
class Sizes:
    """Everything in one integer unit: quanta divided by their gcd."""

    unit_minutes: int
    of_work: dict  # case id -> units
    target: dict  # staff id -> units (0 when away)
    room: dict  # staff id -> units the flow may leave or put with them
    load: dict  # staff id -> units held now
    fixed: dict  # staff id -> units that cannot move


# what the planner marks a case it keeps where it is for a round (``planner.plan_rebalance``)
HELD_BACK = "held back"


def sizes(people, work):
    """Targets, loads and room of each person, in flow units. Deterministic."""
    quanta = {item.id: size_in_quanta(item.minutes) for item in work}
    divisor = reduce(math.gcd, quanta.values(), 0) or 1
    units = {case_id: q // divisor for case_id, q in quanta.items()}
    load, fixed = defaultdict(int), defaultdict(int)
    for item in work:
        load[item.holder_id] += units[item.id]
        if item.fixed_because:
            fixed[item.holder_id] += units[item.id]
    present = [person for person in people if is_present(person)]
    total_capacity = sum(person.capacity_minutes for person in present)
    total = sum(units.values())
    # (a case the planner holds back for a round is still movable work: the slack, and so the targets, must not
    # change from one round to the next, or a later round places what the first judged past target)
    movable = [units[item.id] for item in work if item.fixed_because in (None, HELD_BACK)]
    slack = math.ceil(sum(movable) / len(movable)) if movable else 0  # one typical case
    target, room = {}, {}
    anyone_away_holds_work = any(load[person.id] and not is_present(person) for person in people)
    highest = max((load[person.id] / person.capacity_minutes for person in present), default=0)
    for person in people:
        if not is_present(person) or not total_capacity:
            target[person.id] = 0
            room[person.id] = 0
            continue
        target[person.id] = math.ceil(total * person.capacity_minutes / total_capacity) + slack
        limit = target[person.id]
        if not anyone_away_holds_work:
            # never past the highest utilisation anyone has now: the spread cannot grow
            limit = min(limit, max(load[person.id], math.floor(highest * person.capacity_minutes + 1e-9)))
        room[person.id] = max(0, limit - fixed[person.id])
    return Sizes(divisor * QUANTUM, units, target, room, dict(load), dict(fixed))


def dedupe(pairs):
    seen, kept = set(), []
    for case_id, reason in pairs:
        if case_id not in seen:
            seen.add(case_id)
            kept.append((case_id, reason))
    return kept


def move_reason(holder, by_language):
    why = "holder is away" if not is_present(holder) else "holder is over their target"
    return why + ("; the new holder speaks the citizen's language" if by_language else "")
