"""The measures of a case, against small cases worked out by hand (the examples of docs/measures.md)."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from casework.clock.calendar import build_calendar
from casework.insight.measures import CaseFacts, EventFact, StepFact, stages_of

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
ALWAYS = build_calendar("UTC", "always", "", "", "")
OFFICE = build_calendar("America/New_York", "mon-fri 08:00-17:00", "US", "", "")
SITE_VISIT, REPAIR = 11, 12


def at(day, hour, minute=0, zone=UTC):
    return datetime(2026, 3, day, hour, minute, tzinfo=zone)


def by_key(stages):
    return {stage.key: stage for stage in stages}


def resolved(moment, **details):
    return EventFact(moment, "resolved", {"from": "in_progress", "to": "resolved", **details})


def test_a_straight_case_gives_each_stage_the_wait_since_the_stage_before():
    # Monday 2 March 2026 09:00 to Wednesday 11:00: 50 hours in all
    facts = CaseFacts(
        submitted_at=at(2, 9), triaged_at=at(2, 9, 10), first_response_at=at(2, 10), resolved_at=at(4, 11),
        steps=(StepFact(at(3, 12), 30, SITE_VISIT, staff_id=1, friction=4, friction_reason="missing_information"),
               StepFact(at(4, 9), 45, REPAIR, staff_id=1, friction=2),
               StepFact(at(4, 11), 5, None, staff_id=1)),
        events=(resolved(at(4, 11)),))
    stages = stages_of(facts, ALWAYS)
    assert [s.key for s in stages] == ["received", "first_response", "step:11", "step:12", "resolved"]
    waits = {s.key: s.wait for s in stages}
    assert waits == {"received": timedelta(minutes=10), "first_response": timedelta(minutes=50),
                     "step:11": timedelta(hours=26), "step:12": timedelta(hours=21), "resolved": timedelta(hours=2)}
    assert sum(waits.values(), timedelta()) == timedelta(hours=50)
    stage = by_key(stages)
    assert (stage["step:11"].effort_minutes, stage["step:12"].effort_minutes, stage["resolved"].effort_minutes) == \
        (30, 45, 5)
    assert stage["step:11"].hard == 1 and stage["step:11"].reasons == {"missing_information": 1}
    assert stage["step:12"].rated == 1 and stage["step:12"].hard == 0


def test_business_time_skips_the_weekend_and_a_public_holiday():
    # Thursday 2 July 2026 16:00 in New York; Friday 3 July is the observed Independence Day holiday
    def ny(day, hour, minute=0):
        return datetime(2026, 7, day, hour, minute, tzinfo=NEW_YORK)

    facts = CaseFacts(submitted_at=ny(2, 16), triaged_at=ny(2, 16, 30), resolved_at=ny(6, 10),
                      steps=(StepFact(ny(6, 9), 20, SITE_VISIT),), events=(resolved(ny(6, 10)),))
    stage = by_key(stages_of(facts, OFFICE))
    assert stage["received"].wait_business_hours == 0.5
    # Thursday 16:30-17:00, nothing on the holiday or the weekend, Monday 08:00-09:00
    assert stage["step:11"].wait_business_hours == 1.5
    assert stage["step:11"].wait == timedelta(days=3, hours=16, minutes=30)
    assert stage["resolved"].wait_business_hours == 1.0


def test_time_waiting_on_the_citizen_is_its_own_stage():
    facts = CaseFacts(
        submitted_at=at(2, 9), triaged_at=at(2, 10), first_response_at=at(3, 10), resolved_at=at(6, 12),
        steps=(StepFact(at(6, 11), 40, REPAIR),),
        events=(EventFact(at(3, 10), "information_requested", {"to": "waiting_on_citizen"}),
                EventFact(at(5, 10), "citizen_answered", {"from": "waiting_on_citizen", "to": "in_progress"}),
                resolved(at(6, 12))))
    waits = {s.key: s.wait for s in stages_of(facts, ALWAYS)}
    assert waits["waiting_on_citizen"] == timedelta(days=2)
    # the repair's wait runs from the first response to its end, less the two days on the citizen
    assert waits["step:12"] == timedelta(days=3, hours=1) - timedelta(days=2)
    assert sum(waits.values(), timedelta()) == at(6, 12) - at(2, 9)


def test_a_reopened_case_counts_what_followed_its_first_resolution_as_rework():
    facts = CaseFacts(
        submitted_at=at(2, 9), triaged_at=at(2, 9, 30), first_response_at=at(2, 12), resolved_at=at(9, 15),
        steps=(StepFact(at(3, 10), 30, REPAIR, staff_id=1), StepFact(at(4, 10), 5, None, staff_id=1),
               StepFact(at(9, 14), 50, REPAIR, staff_id=2), StepFact(at(9, 15), 5, None, staff_id=2)),
        events=(resolved(at(4, 10)),
                EventFact(at(6, 8), "reopened_by_citizen", {"from": "resolved", "to": "in_progress"}),
                EventFact(at(6, 9), "assigned", {"from_staff_id": 1, "to_staff_id": 2}),
                resolved(at(9, 15))))
    stage = by_key(stages_of(facts, ALWAYS))
    assert stage["rework"].wait == at(9, 15) - at(4, 10)
    assert stage["rework"].effort_minutes == 55 and stage["rework"].handoffs == 1
    assert stage["step:12"].effort_minutes == 30 and stage["resolved"].effort_minutes == 5
    assert sum((s.wait for s in stage.values()), timedelta()) == at(9, 15) - at(2, 9)


def test_a_case_with_no_steps_has_received_and_resolved_only():
    facts = CaseFacts(submitted_at=at(2, 9), triaged_at=at(2, 9, 1), first_response_at=at(2, 15),
                      resolved_at=at(2, 15), events=(resolved(at(2, 15)),))
    stages = stages_of(facts, ALWAYS)
    # the first response came with the resolution, so it is no stage of its own
    assert [(s.key, s.wait, s.effort_minutes) for s in stages] == [
        ("received", timedelta(minutes=1), 0), ("resolved", timedelta(hours=5, minutes=59), 0)]


def test_a_duplicate_closed_by_a_merge_ends_at_the_merge():
    facts = CaseFacts(submitted_at=at(2, 9), triaged_at=at(2, 9, 5), resolved_at=at(2, 11),
                      events=(EventFact(at(2, 11), "merged", {"from": "triaged", "to": "closed"}),))
    assert sum((s.wait for s in stages_of(facts, ALWAYS)), timedelta()) == timedelta(hours=2)


def test_handing_a_case_on_through_a_release_counts_once():
    facts = CaseFacts(
        submitted_at=at(2, 9), triaged_at=at(2, 9, 5), resolved_at=at(3, 9),
        steps=(StepFact(at(2, 16), 30, SITE_VISIT, staff_id=2),),
        events=(EventFact(at(2, 9, 5), "assigned", {"to_staff_id": 1}),
                EventFact(at(2, 11), "released", {"from_staff_id": 1, "to_staff_id": None}),
                EventFact(at(2, 12), "assigned", {"from_staff_id": None, "to_staff_id": 2}),
                resolved(at(3, 9))))
    stage = by_key(stages_of(facts, ALWAYS))
    assert stage["step:11"].handoffs == 1 and stage["received"].handoffs == 0


minutes = st.integers(min_value=0, max_value=60 * 24 * 9)


@st.composite
def resolved_cases(draw):
    """Any plausible history: times drawn as minutes after submission, in any order the services allow."""
    start = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # a Friday afternoon, so weekends fall inside
    end = start + timedelta(minutes=draw(st.integers(min_value=1, max_value=60 * 24 * 20)))

    def moment():
        return min(start + timedelta(minutes=draw(minutes)), end)

    triaged = moment()
    steps = tuple(StepFact(moment(), draw(st.integers(0, 480)), draw(st.sampled_from([None, 1, 2, 3])))
                  for _ in range(draw(st.integers(0, 6))))
    events = []
    for _ in range(draw(st.integers(0, 3))):
        asked = moment()
        events.append(EventFact(asked, "information_requested", {"to": "waiting_on_citizen"}))
        if draw(st.booleans()):
            events.append(EventFact(min(asked + timedelta(minutes=draw(minutes)), end), "citizen_answered",
                                    {"from": "waiting_on_citizen"}))
    if draw(st.booleans()):
        first = moment()
        events += [resolved(first), EventFact(min(first + timedelta(minutes=5), end), "reopened", {"to": "triaged"})]
    events.append(resolved(end))
    return CaseFacts(submitted_at=start, triaged_at=triaged, resolved_at=end,
                     first_response_at=draw(st.none() | st.just(moment())), steps=steps, events=tuple(events))


@settings(max_examples=300, deadline=None)
@given(resolved_cases())
def test_stage_waits_add_up_to_the_time_to_resolution_for_every_case(facts):
    stages = stages_of(facts, OFFICE)
    assert sum((s.wait for s in stages), timedelta()) == facts.resolved_at - facts.submitted_at
    business = sum(s.wait_business_hours for s in stages)
    assert abs(business - OFFICE.business_hours_between(facts.submitted_at, facts.resolved_at)) < 1e-6
    assert all(s.wait >= timedelta(0) for s in stages)
    assert sum(s.effort_minutes for s in stages) == sum(step.effort_minutes for step in facts.steps)
