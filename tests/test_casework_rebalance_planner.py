"""The rebalance planner's promises, over random teams and workloads (hypothesis), and against brute force."""
import itertools
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from casework.supervision.planner import plan_rebalance
from casework.supervision.team_model import QUANTUM, Person, Work, is_present, may_take, sizes

LANGUAGES = ("en", "es", "pt")
FIXED = (None, None, None, "a step is under way", "waiting on the citizen", "pinned by a supervisor")


@st.composite
def teams(draw, most_people=8, most_cases=40, equal=False):
    """People in up to 3 queues, some away or part-time, holding cases of 1-6 quanta (all 4 when ``equal``)."""
    count = draw(st.integers(1, most_people))
    people = []
    for person_id in range(1, count + 1):
        people.append(Person(
            id=person_id, capacity_minutes=draw(st.sampled_from([0, 600, 1050, 2100])),
            present=draw(st.booleans()) or person_id == 1,
            languages=frozenset(draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2))),
            queue_ids=frozenset(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))))
    work = []
    for case_id in range(1, draw(st.integers(0, most_cases)) + 1):
        holder = draw(st.sampled_from(people))
        work.append(Work(
            id=case_id, holder_id=holder.id, queue_id=draw(st.sampled_from(sorted(holder.queue_ids))),
            language=draw(st.sampled_from(LANGUAGES)),
            minutes=QUANTUM * (4 if equal else draw(st.integers(1, 6))), fixed_because=draw(st.sampled_from(FIXED))))
    return people, work


def holders_after(work, plan):
    holders = {item.id: item.holder_id for item in work}
    for move in plan.moves:
        holders[move.case_id] = move.to_staff_id
    return holders


@settings(max_examples=300, deadline=None)
@given(teams())
def test_moves_go_only_to_present_eligible_people_and_fixed_cases_stay(team):
    people, work = team
    by_id = {person.id: person for person in people}
    items = {item.id: item for item in work}
    plan = plan_rebalance(people, work)
    assert len({move.case_id for move in plan.moves}) == len(plan.moves)  # a case moves at most once
    for move in plan.moves:
        item, taker = items[move.case_id], by_id[move.to_staff_id]
        assert item.fixed_because is None and move.from_staff_id == item.holder_id
        assert is_present(taker) and item.queue_id in taker.queue_ids and taker.id != item.holder_id
        # a speaker present (the holder included) rules out anyone who does not speak it
        speakers_present = [p for p in people if is_present(p) and item.queue_id in p.queue_ids
                            and item.language in p.languages]
        if speakers_present:
            assert item.language in taker.languages
    # every case ends with exactly one holder, and nobody new is invented
    holders = holders_after(work, plan)
    assert set(holders) == set(items) and set(holders.values()) <= set(by_id)


@settings(max_examples=300, deadline=None)
@given(teams())
def test_nobody_ends_above_target_unless_the_plan_says_why_and_the_spread_never_grows(team):
    people, work = team
    plan = plan_rebalance(people, work)
    measured = sizes(people, work)
    holders = holders_after(work, plan)
    units = {person.id: 0 for person in people}
    for case_id, holder in holders.items():
        units[holder] += measured.of_work[case_id]
    listed = dict(plan.over_target)
    for person in people:
        if units[person.id] > measured.target[person.id]:
            assert person.id in listed, (person, units[person.id], measured.target[person.id], plan)
        # a move never pushes its taker above target
        if any(move.to_staff_id == person.id for move in plan.moves):
            assert units[person.id] <= measured.target[person.id]
    present_before = [u for staff_id, u in plan.utilisation_before.items() if u is not None]
    present_after = [plan.utilisation_after[staff_id] for staff_id, u in plan.utilisation_before.items()
                     if u is not None]
    away_holding = any(plan.utilisation_before[p.id] is None and plan.load_before[p.id] for p in people)
    if present_before and not away_holding:
        assert max(present_after) - min(present_after) <= max(present_before) - min(present_before) + 1e-9


# found by hypothesis: a case taken in one round, then an absent colleague's cases piled onto its taker in the next
LATER_ROUND_PILES_ON = (
    [Person(1, 1050, True, frozenset({"en"}), frozenset({1, 2})), Person(2, 600, True, frozenset({"en"}), frozenset({1})),
     Person(3, 0, False, frozenset({"en"}), frozenset({1})), Person(4, 600, True, frozenset({"pt"}), frozenset({1})),
     Person(5, 0, False, frozenset({"en"}), frozenset({1, 2})), Person(6, 2100, True, frozenset({"en"}), frozenset({1}))],
    [Work(1, 1, 1, "en", 15), Work(2, 1, 1, "en", 15), Work(3, 1, 1, "en", 30), Work(4, 2, 1, "en", 15),
     Work(5, 1, 1, "en", 15), Work(6, 1, 1, "pt", 30), Work(7, 2, 1, "en", 15), Work(8, 5, 1, "en", 30),
     Work(9, 2, 1, "en", 15), Work(10, 3, 1, "en", 15), Work(11, 3, 1, "en", 15), Work(12, 3, 1, "en", 15),
     Work(13, 1, 1, "en", 30), Work(14, 4, 1, "en", 45)],
)
# found by hypothesis: the only speaker can take the overloaded person's case only if they pass one of theirs on
ONLY_A_CHAIN_HELPS = (
    [Person(1, 600, True, frozenset({"pt"}), frozenset({2})), Person(2, 1050, True, frozenset({"en"}), frozenset({1, 2})),
     Person(3, 600, True, frozenset({"en"}), frozenset({2}))],
    [Work(1, 1, 2, "en", 60), Work(2, 1, 2, "en", 60)] + [Work(n, 2, 1, "en", 60) for n in range(3, 8)]
    + [Work(8, 2, 2, "pt", 60)],
)

# found by hypothesis: a case held back for a round changed the typical case size, so the targets grew between
# rounds and a later round placed what the first had judged past target (planning again then moved it)
HELD_BACK_GREW_THE_TARGETS = (
    [Person(1, 0, True, frozenset({"en"}), frozenset({1})), Person(2, 1050, True, frozenset({"en"}), frozenset({1, 2})),
     Person(3, 0, False, frozenset({"en"}), frozenset({1})), Person(4, 600, True, frozenset({"en"}), frozenset({2})),
     Person(8, 2100, True, frozenset({"es"}), frozenset({1}))],
    [Work(1, 1, 1, "en", 45), Work(2, 4, 2, "en", 60), Work(3, 1, 1, "en", 15), Work(4, 1, 1, "en", 15),
     Work(5, 2, 2, "en", 15), Work(6, 1, 1, "en", 15), Work(7, 1, 1, "en", 15), Work(8, 1, 1, "en", 15),
     Work(9, 1, 1, "en", 60)],
)


@settings(max_examples=300, deadline=None)
@given(teams())
@example(LATER_ROUND_PILES_ON)
@example(ONLY_A_CHAIN_HELPS)
def test_no_move_leaves_its_taker_busier_than_its_giver_after_the_plan(team):
    people, work = team
    plan = plan_rebalance(people, work)
    after, by_id = plan.utilisation_after, {person.id: person for person in people}
    for move in plan.moves:
        if is_present(by_id[move.from_staff_id]):
            assert after[move.to_staff_id] <= after[move.from_staff_id], (move, plan)


def test_an_absent_persons_cases_spread_to_whoever_is_least_busy_and_a_lone_taker_is_named():
    """Not on the busier colleague while a lighter one has room; the queue only one person works says so."""
    people = [Person(1, 2100, False, frozenset({"en"}), frozenset({1, 2})),
              Person(2, 2100, True, frozenset({"en"}), frozenset({1, 2})),
              Person(3, 4200, True, frozenset({"en"}), frozenset({1}))]
    work = ([Work(n, 1, 1, "en", 60) for n in range(1, 5)] + [Work(5, 1, 2, "en", 60)]
            + [Work(n, 3, 1, "en", 60, fixed_because="a step is under way") for n in range(6, 14)])
    plan = plan_rebalance(people, work)
    moved = {move.case_id: move for move in plan.moves}
    assert set(moved) == {1, 2, 3, 4, 5} and all(move.to_staff_id == 2 for move in moved.values())
    assert moved[5].reason.endswith("the only one present who may take it")
    assert not moved[1].reason.endswith("the only one present who may take it")


@settings(max_examples=200, deadline=None)
@given(teams(), st.randoms(use_true_random=False))
def test_the_plan_is_deterministic_and_independent_of_input_order(team, shuffler):
    people, work = team
    first = plan_rebalance(people, work)
    people, work = list(people), list(work)
    shuffler.shuffle(people)
    shuffler.shuffle(work)
    assert plan_rebalance(people, work) == first


@settings(max_examples=200, deadline=None)
@given(teams())
@example(LATER_ROUND_PILES_ON)
@example(ONLY_A_CHAIN_HELPS)
@example(HELD_BACK_GREW_THE_TARGETS)
def test_planning_again_after_applying_gives_no_moves(team):
    people, work = team
    plan = plan_rebalance(people, work)
    holders = holders_after(work, plan)
    applied = [Work(item.id, holders[item.id], item.queue_id, item.language, item.minutes, item.fixed_because)
               for item in work]
    assert plan_rebalance(people, applied).moves == []


def taker_busier_than_giver(people, work, movable, placement):
    """True when a present giver ends less busy than someone who took a case from them."""
    by_id = {person.id: person for person in people}
    minutes = {person.id: 0 for person in people}
    holder_of = {item.id: holder for item, holder in zip(movable, placement)}
    for item in work:
        minutes[holder_of.get(item.id, item.holder_id)] += item.minutes
    return any(is_present(by_id[item.holder_id]) and holder != item.holder_id and
               minutes[holder] / by_id[holder].capacity_minutes >
               minutes[item.holder_id] / by_id[item.holder_id].capacity_minutes + 1e-9
               for item, holder in zip(movable, placement))


def brute_force_moves(people, work):
    """The fewest moves (after the least work left over room) found by trying every placement that leaves no
    taker busier than its giver."""
    by_id = {person.id: person for person in people}
    measured = sizes(people, work)
    movable = [item for item in work if item.fixed_because is None]
    choices = [[item.holder_id, *may_take(item, by_id)[0]] for item in movable]
    best = None
    for placement in itertools.product(*choices):
        units = {person.id: measured.fixed.get(person.id, 0) for person in people}
        for item, holder in zip(movable, placement):
            units[holder] += measured.of_work[item.id]
        if taker_busier_than_giver(people, work, movable, placement):
            continue
        # what stays above its room: for a holder, its own fixed work aside, that is the overflow
        overflow = sum(max(0, units[p.id] - measured.fixed.get(p.id, 0) - measured.room[p.id]) for p in people)
        moves = sum(holder != item.holder_id for item, holder in zip(movable, placement))
        if best is None or (overflow, moves) < best:
            best = (overflow, moves)
    return best[1] if best else 0


@settings(max_examples=150, deadline=None)
@given(teams(most_people=4, most_cases=8, equal=True))
@example(ONLY_A_CHAIN_HELPS)
def test_with_equal_cases_the_plan_moves_no_more_than_brute_force_finds_necessary(team):
    people, work = team
    assert len(plan_rebalance(people, work).moves) == brute_force_moves(people, work)


def test_a_chain_of_moves_that_greedy_misses():
    """A is overloaded and shares a queue only with B; B shares another with C, who has room."""
    people = [Person(1, 600, True, frozenset({"en"}), frozenset({1})),
              Person(2, 600, True, frozenset({"en"}), frozenset({1, 2})),
              Person(3, 600, True, frozenset({"en"}), frozenset({2}))]
    work = [Work(n, 1, 1, "en", 60) for n in range(1, 11)] + [Work(n, 2, 2, "en", 60) for n in range(11, 15)]
    plan = plan_rebalance(people, work)
    assert {(move.from_staff_id, move.to_staff_id) for move in plan.moves} == {(1, 2), (2, 3)}
    assert plan.over_target == [] and plan.unplaceable == []
    assert plan.utilisation_after == {1: 0.6, 2: 0.6, 3: 0.2}


def test_an_absent_persons_cases_go_to_speakers_and_the_rest_are_listed_with_why():
    people = [Person(1, 2100, False, frozenset({"en", "es"}), frozenset({1, 2})),
              Person(2, 2100, True, frozenset({"en"}), frozenset({1})),
              Person(3, 2100, True, frozenset({"en", "es"}), frozenset({1}))]
    work = [Work(1, 1, 1, "es", 60), Work(2, 1, 1, "en", 60), Work(3, 1, 2, "en", 60),
            Work(4, 1, 1, "en", 60, fixed_because="pinned by a supervisor")]
    plan = plan_rebalance(people, work)
    moved = {move.case_id: move.to_staff_id for move in plan.moves}
    assert moved[1] == 3  # the Spanish speaker, never the one who speaks only English
    assert 2 in moved
    assert dict(plan.unplaceable) == {3: "nobody present works its queue while its holder is away",
                                      4: "pinned by a supervisor"}
    assert plan.utilisation_before[1] is None and plan.targets[1] is None


@pytest.mark.serial  # it times itself: never beside other tests
def test_ten_thousand_cases_across_two_hundred_people_plan_quickly():
    import time

    rng = random.Random(5)
    people = [Person(n, rng.choice([1050, 2100, 2100]), rng.random() > 0.1, frozenset(rng.sample(LANGUAGES, 2)),
                     frozenset(rng.sample(range(1, 31), 3))) for n in range(1, 201)]
    work = []
    for case_id in range(1, 10_001):
        holder = people[min(int(rng.paretovariate(1.2)) - 1, 199)]
        work.append(Work(case_id, holder.id, rng.choice(sorted(holder.queue_ids)), rng.choice(LANGUAGES),
                         QUANTUM * rng.randint(1, 8)))
    started = time.perf_counter()
    plan = plan_rebalance(people, work)
    seconds = time.perf_counter() - started
    assert plan.moves and seconds < 5  # the figure itself is in bench/rebalance.py and docs/performance.md
