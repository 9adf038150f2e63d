"""The suggested rebalance: the fewest moves that bring everyone to their fair target. A pure function.

Each present person's **target** is their share of the team's remaining
minutes in proportion to their capacity, plus one case of slack; an absent
person's is zero. A case may move only to a present member of its queue who
speaks the citizen's language (anyone present in the queue when no speaker
is), and never if it is fixed (a step under way, waiting on the citizen,
pinned). Nobody is given work past their target, nor past the highest
utilisation anyone has now, so the spread never grows.

The plan is a min-cost flow (networkx's network simplex, integer
capacities) over **groups of interchangeable cases** (same holder, same
people who may take them, same size): a move costs one per case, keeping a
case costs nothing, and work nobody can take overflows at a cost above any
number of moves, so the flow first places all it can, then moves as few
cases as possible. Greedy "most loaded to least loaded" cannot see a fix that
needs a chain (A to B, B to C); the flow's augmenting paths find it.

Sizes are counted in quanta of ``QUANTUM`` minutes (a case is at least one),
divided by their greatest common divisor: with cases of equal size the flow
counts whole cases and the plan is exact; with mixed sizes a flow of part of
a case is rounded down to whole cases, and anyone left above target is
listed with why.
"""
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
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
    movable = [units[item.id] for item in work if not item.fixed_because]
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


def plan_rebalance(people, work):
    """The plan for ``people`` and the open ``work`` they hold; the same whatever order either comes in.

    Planning again after applying the plan gives no moves: where rounding
    whole cases left something a second flow could still place, that second
    flow's moves are folded into the plan (a case that would move twice moves
    once, to where it ends).
    """
    people = sorted(people, key=lambda person: person.id)
    by_id = {person.id: person for person in people}
    work = [item for item in sorted(work, key=lambda item: item.id) if item.holder_id in by_id]
    measured = sizes(people, work)
    load_minutes = defaultdict(int)
    for item in work:
        load_minutes[item.holder_id] += item.minutes
    before = {person.id: utilisation(load_minutes[person.id], person) for person in people}
    original = {item.id: item.holder_id for item in work}
    first_reason, current, unplaceable = {}, list(work), []
    for _ in range(MOST_ROUNDS):
        moves, unplaceable = one_round(people, current, by_id)
        if moves:
            # what targets alone do not see: an absent colleague's cases piled on one person, a taker left busier
            held = load_of(current)
            moves = spread_from_the_absent(moves, current, by_id, held, sizes(people, current))
            moves = no_taker_above_giver(moves, current, by_id, held, sizes(people, current))
        if not moves:
            break
        for move in moves:
            first_reason.setdefault(move.case_id, move.reason)
        where = {move.case_id: move.to_staff_id for move in moves}
        current = [replace(item, holder_id=where[item.id]) if item.id in where else item for item in current]
    folded = [Move(item.id, original[item.id], item.holder_id, first_reason[item.id])
              for item in current if item.holder_id != original[item.id]]
    return finished(people, work, folded, unplaceable, measured, load_minutes, before)


def load_of(work):
    """Remaining minutes each holder holds in ``work``."""
    held = defaultdict(int)
    for item in work:
        held[item.holder_id] += item.minutes
    return held


def loads_after(moves, work, load_minutes):
    """Remaining minutes per person once ``moves`` are made."""
    minutes_of = {item.id: item.minutes for item in work}
    after = defaultdict(int, load_minutes)
    for move in moves:
        after[move.from_staff_id] -= minutes_of[move.case_id]
        after[move.to_staff_id] += minutes_of[move.case_id]
    return after


def spread_from_the_absent(moves, work, by_id, load_minutes, measured):
    """An absent holder's cases each go to the least busy of its eligible takers then, largest cases first.

    The flow only knows targets, and may pile an absent colleague's cases on
    one person while another has room; here each goes to whoever would be
    least busy with it, never past their target. A case with a single
    eligible taker says so.
    """
    items = {item.id: item for item in work}
    leaving = [move for move in moves if not is_present(by_id[move.from_staff_id])]
    if not leaving:
        return moves
    settled = [move for move in moves if is_present(by_id[move.from_staff_id])]
    after = loads_after(settled, work, load_minutes)
    units = defaultdict(int, measured.load)
    for move in settled:
        units[move.from_staff_id] -= measured.of_work[move.case_id]
        units[move.to_staff_id] += measured.of_work[move.case_id]
    placed = []
    for move in sorted(leaving, key=lambda move: (-items[move.case_id].minutes, move.case_id)):
        item, size = items[move.case_id], measured.of_work[move.case_id]
        takers, by_language = may_take(item, by_id)
        fitting = [person_id for person_id in takers if units[person_id] + size <= measured.target[person_id]]
        if not fitting:
            # whole cases do not pack this way: the flow's placement (within every target) stands
            return annotated(moves, items, by_id)
        taker = min(fitting, key=lambda person_id: (
            (after[person_id] + item.minutes) / by_id[person_id].capacity_minutes, person_id))
        after[taker] += item.minutes
        units[taker] += size
        reason = move_reason(by_id[move.from_staff_id], by_language)
        if len(takers) == 1:
            reason += "; the only one present who may take it"
        placed.append(Move(move.case_id, move.from_staff_id, taker, reason))
    return sorted(settled + placed, key=lambda move: move.case_id)


def annotated(moves, items, by_id):
    """``moves`` with the absent holders' single-taker cases saying so."""
    return [replace(move, reason=move.reason + "; the only one present who may take it")
            if not is_present(by_id[move.from_staff_id]) and len(may_take(items[move.case_id], by_id)[0]) == 1
            else move for move in moves]


def no_taker_above_giver(moves, work, by_id, load_minutes, measured):
    """Change or undo moves that would leave their taker busier (utilisation after the moves) than a present giver.

    The latest such move goes instead to the least busy eligible colleague it
    leaves no busier than the giver, within their target; failing that it is
    undone, with any move into someone that undoing put back above their
    target. No move makes a colleague busier than the person whose work they took.
    """
    items = {item.id: item for item in work}
    kept = list(moves)
    while True:
        after = loads_after(kept, work, load_minutes)

        def busy(person_id, minutes=0):
            return (after[person_id] + minutes) / by_id[person_id].capacity_minutes

        wrong = [move for move in kept if is_present(by_id[move.from_staff_id])
                 and busy(move.to_staff_id) > busy(move.from_staff_id) + 1e-9]
        if not wrong:
            return kept
        move = wrong[-1]
        item, size = items[move.case_id], measured.of_work[move.case_id]
        kept.remove(move)
        after = loads_after(kept, work, load_minutes)
        units = defaultdict(int, measured.load)
        for other in kept:
            units[other.from_staff_id] -= measured.of_work[other.case_id]
            units[other.to_staff_id] += measured.of_work[other.case_id]
        giver_then = (after[move.from_staff_id] - item.minutes) / by_id[move.from_staff_id].capacity_minutes
        instead = [person_id for person_id in may_take(item, by_id)[0]
                   if units[person_id] + size <= measured.target[person_id]
                   and busy(person_id, item.minutes) <= giver_then + 1e-9]
        if instead:
            kept.append(replace(move, to_staff_id=min(instead, key=lambda person_id: (busy(person_id, item.minutes),
                                                                                       person_id))))
            kept.sort(key=lambda kept_move: kept_move.case_id)
        else:
            kept, _ = within_targets(kept, [], work, measured, by_id)


# rounds of planning folded into one plan; two are almost always enough
MOST_ROUNDS = 6


def one_round(people, work, by_id):
    """One flow's ``(moves, unplaceable)`` for ``work`` as it is held now."""
    measured = sizes(people, work)
    if not any(measured.load.get(person.id, 0) > measured.target[person.id] for person in people):
        return [], []
    groups = defaultdict(list)  # (holder, who may take them) -> cases, interchangeable but for size
    speaker_groups = set()
    eligible = {}
    for item in work:
        if item.fixed_because:
            continue
        place = (item.queue_id, item.language)
        if place not in eligible:
            eligible[place] = pool_of(item, by_id)
        takers, by_language = eligible[place]
        if not set(takers) - {item.holder_id}:
            takers = ()
        key = (item.holder_id, takers)
        groups[key].append(item)
        if by_language:
            speaker_groups.add(key)
    moves, unplaceable = flow_moves(groups, measured, by_id, speaker_groups)
    return within_targets(moves, unplaceable, work, measured, by_id)


def flow_moves(groups, measured, by_id, speaker_groups):
    """Solve the flow over ``groups``; return ``(moves, unplaceable)`` as whole cases.

    Graph: source -> group (holder, who may take them) -> the holder (free) or
    the pool of who may take them (one unit of cost per unit of work moved) ->
    each person in the pool -> sink (up to their room); anything left goes
    from its holder to "overflow" at a cost above any amount of moving. Pools
    keep the graph small: a few hundred nodes for thousands of cases.
    """
    import networkx as nx  # (here, not at the top: a third of a second to import, in every process)

    total_units = sum(measured.of_work[item.id] for cases in groups.values() for item in cases)
    graph = nx.DiGraph()
    graph.add_node("source", demand=-total_units)
    graph.add_node("sink", demand=total_units)
    graph.add_edge("overflow", "sink", weight=0)
    for person_id in sorted(by_id):
        graph.add_edge(("person", person_id), "sink", capacity=measured.room[person_id], weight=0)
        graph.add_edge(("person", person_id), "overflow", weight=total_units + 1)
    pools = sorted({takers for (_, takers) in groups if takers})
    for takers in pools:
        for taker in takers:
            graph.add_edge(("pool", takers), ("person", taker), weight=0)
    for key in sorted(groups):
        holder, takers = key
        amount = sum(measured.of_work[item.id] for item in groups[key])
        graph.add_edge("source", ("group", key), capacity=amount, weight=0)
        graph.add_edge(("group", key), ("person", holder), weight=0)
        if takers:
            graph.add_edge(("group", key), ("pool", takers), capacity=amount, weight=1)
    flow = nx.min_cost_flow(graph)
    moves, moved = [], set()
    for takers in pools:
        allotment = {taker: flow[("pool", takers)][("person", taker)] for taker in takers}
        for key in sorted(key for key in groups if key[1] == takers):
            budget = flow[("group", key)][("pool", takers)]
            # the largest cases first: the fewest cases that carry the flow's amount of work
            for item in sorted(groups[key], key=lambda item: (-measured.of_work[item.id], item.id)):
                size = measured.of_work[item.id]
                fitting = [taker for taker in takers if allotment[taker] >= size and taker != key[0]]
                if size > budget or not fitting:
                    continue
                taker = max(fitting, key=lambda candidate: (allotment[candidate], -candidate))
                allotment[taker] -= size
                budget -= size
                moved.add(item.id)
                moves.append(Move(item.id, key[0], taker, move_reason(by_id[key[0]], key in speaker_groups)))
    unplaceable = []
    for key in sorted(groups):
        holder, takers = key
        overflowed = flow[("person", holder)]["overflow"]
        left = [item for item in groups[key] if item.id not in moved]
        if overflowed and left:
            # name the holder's last cases up to what overflowed from them
            for item in reversed(left):
                if overflowed <= 0:
                    break
                unplaceable.append((item.id, stuck_reason(takers, by_id[holder])))
                overflowed -= measured.of_work[item.id]
    moves.sort(key=lambda move: move.case_id)
    return moves, dedupe(unplaceable)


def within_targets(moves, unplaceable, work, measured, by_id):
    """Undo moves that rounding left past their taker's target (a chain broken where part of a case flowed).

    The latest moves to such a taker are undone until they fit; a case of an
    absent holder that comes back this way is listed as unplaceable.
    """
    units = dict(measured.load)
    for move in moves:
        units[move.from_staff_id] -= measured.of_work[move.case_id]
        units[move.to_staff_id] = units.get(move.to_staff_id, 0) + measured.of_work[move.case_id]
    kept = list(moves)
    changed = True
    while changed:
        changed = False
        for person_id in sorted(by_id):
            while units.get(person_id, 0) > measured.target[person_id]:
                incoming = [move for move in kept if move.to_staff_id == person_id]
                if not incoming:
                    break
                undone = incoming[-1]
                kept.remove(undone)
                units[person_id] -= measured.of_work[undone.case_id]
                units[undone.from_staff_id] += measured.of_work[undone.case_id]
                if not is_present(by_id[undone.from_staff_id]):
                    unplaceable.append((undone.case_id, "everyone present who could take it is at their target"))
                changed = True
    return kept, dedupe(unplaceable)


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


def stuck_reason(takers, holder):
    if not takers:
        return "nobody present works its queue" + ("" if is_present(holder) else " while its holder is away")
    return "everyone present who could take it is at their target"


def finished(people, work, moves, unplaceable, measured, load_minutes, before):
    """The plan with loads and utilisation after the moves, and who stays above target and why."""
    after_minutes = dict(load_minutes)
    after_units = dict(measured.load)
    minutes_of = {item.id: item.minutes for item in work}
    for move in moves:
        after_minutes[move.from_staff_id] -= minutes_of[move.case_id]
        after_minutes[move.to_staff_id] = after_minutes.get(move.to_staff_id, 0) + minutes_of[move.case_id]
        after_units[move.from_staff_id] -= measured.of_work[move.case_id]
        after_units[move.to_staff_id] = after_units.get(move.to_staff_id, 0) + measured.of_work[move.case_id]
    stuck = dict(unplaceable)
    stuck_holders = {item.holder_id for item in work if item.id in stuck}
    over_target = []
    for person in people:
        if after_units.get(person.id, 0) <= measured.target[person.id]:
            continue
        if measured.fixed.get(person.id, 0) > measured.target[person.id]:
            why = "holds more than their target in cases that cannot move"
        elif person.id in stuck_holders:
            why = "some of their cases cannot be placed (listed)"
        elif not is_present(person):
            why = "away, holding cases that cannot move"
        else:
            why = "their cases are too large to even out exactly"
        over_target.append((person.id, why))
    away_fixed = [(item.id, item.fixed_because) for item in work
                  if item.fixed_because and not is_present(next(p for p in people if p.id == item.holder_id))]
    return Plan(
        moves=moves, unplaceable=dedupe(unplaceable + away_fixed), over_target=over_target,
        targets={person.id: measured.target[person.id] * measured.unit_minutes if is_present(person) else None
                 for person in people},
        utilisation_before=before,
        utilisation_after={person.id: utilisation(after_minutes.get(person.id, 0), person) for person in people},
        load_before={person.id: load_minutes.get(person.id, 0) for person in people},
        load_after={person.id: after_minutes.get(person.id, 0) for person in people},
    )
