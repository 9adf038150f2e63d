"""What a target-only flow does not see, put right: an absent colleague's cases spread over whoever has room,
no taker left busier than their giver, nobody past their target after whole cases are rounded."""
from collections import defaultdict
from dataclasses import replace

from casework.supervision.team_model import Move, dedupe, is_present, may_take, move_reason


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
            continue
        onward = room_by_passing_on(move, kept, items, by_id, after, units, measured)
        if onward is not None:
            kept += [move, onward]
            kept.sort(key=lambda kept_move: kept_move.case_id)
        else:
            kept, _ = within_targets(kept, [], work, measured, by_id)


def room_by_passing_on(move, kept, items, by_id, after, units, measured):
    """A move of one of ``move``'s taker's own cases onward that lets ``move`` stand, or None.

    The taker passes a case nobody has moved yet to a colleague who ends no
    busier than the taker, within their target, and the taker then ends no
    busier than the giver: a chain of two moves where one alone is refused.
    """
    taker, giver, item = move.to_staff_id, move.from_staff_id, items[move.case_id]
    moved = {other.case_id for other in kept} | {move.case_id}

    def busy(person_id, minutes):
        return (after[person_id] + minutes) / by_id[person_id].capacity_minutes

    giver_then = busy(giver, -item.minutes)
    for own in sorted((other for other in items.values() if other.holder_id == taker and other.id not in moved
                       and not other.fixed_because), key=lambda other: (-other.minutes, other.id)):
        taker_then = busy(taker, item.minutes - own.minutes)
        if taker_then > giver_then + 1e-9:
            continue
        onward = [person_id for person_id in may_take(own, by_id)[0]
                  if person_id not in (taker, giver)
                  and units[person_id] + measured.of_work[own.id] <= measured.target[person_id]
                  and busy(person_id, own.minutes) <= taker_then + 1e-9]
        if onward:
            chosen = min(onward, key=lambda person_id: (busy(person_id, own.minutes), person_id))
            return Move(own.id, taker, chosen, "makes room for a case the holder takes on")
    return None


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
