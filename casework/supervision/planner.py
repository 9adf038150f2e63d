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

The flow knows only targets; each round's moves then pass ``fairness``: an
absent colleague's cases go to whoever would be least busy with them, and no
move leaves its taker busier than its giver (checked again over the whole
plan, since a later round can pile onto an earlier taker; a taker may pass
one of their own cases on to make room).
"""
from collections import defaultdict
from dataclasses import replace

from casework.supervision.fairness import load_of, no_taker_above_giver, spread_from_the_absent, within_targets
from casework.supervision.team_model import (
    HELD_BACK, Move, Plan, dedupe, is_present, move_reason, pool_of, sizes, utilisation,
)


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
    # when all a round placed would leave its takers busier than their givers, the next round leaves those cases
    # where they are, so the flow looks for other cases of the givers to move instead
    held_back = set()
    for _ in range(MOST_ROUNDS):
        flowing = [replace(item, fixed_because=HELD_BACK) if item.id in held_back else item for item in current]
        moves, unplaceable = one_round(people, flowing, by_id)
        if moves:
            # what targets alone do not see: an absent colleague's cases piled on one person, a taker left busier
            held = load_of(current)
            spread = spread_from_the_absent(moves, current, by_id, held, sizes(people, current))
            moves = no_taker_above_giver(spread, current, by_id, held, sizes(people, current))
            undone = {move.case_id for move in spread} - {move.case_id for move in moves}
            if not moves and undone - held_back:
                held_back |= undone
                continue
        if not moves:
            break
        for move in moves:
            first_reason.setdefault(move.case_id, move.reason)
        current = holding(current, moves)
        # each round keeps its takers no busier than its givers; a later round can still pile onto an earlier
        # taker, so the plan so far is held to that against the loads it started from (and goes round again)
        folded = folded_moves(current, original, first_reason)
        checked = no_taker_above_giver(folded, work, by_id, load_minutes, measured)
        if checked != folded:
            for move in checked:
                first_reason.setdefault(move.case_id, move.reason)
            current = holding(work, checked)
    folded = folded_moves(current, original, first_reason)
    return finished(people, work, folded, unplaceable, measured, load_minutes, before)


def holding(work, moves):
    """``work`` with each case of ``moves`` held by its taker."""
    where = {move.case_id: move.to_staff_id for move in moves}
    return [replace(item, holder_id=where[item.id]) if item.id in where else item for item in work]


def folded_moves(work, original, reasons):
    """One move per case whose holder in ``work`` is not its ``original`` one, with the reason it first moved."""
    return [Move(item.id, original[item.id], item.holder_id, reasons[item.id])
            for item in work if item.holder_id != original[item.id]]


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
