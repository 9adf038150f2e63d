"""The measures of a case, defined once: its stages, the citizen's wait in each and the staff effort each cost.

Pure: ``stages_of(facts, calendar)`` takes what was stored about one resolved
case (``CaseFacts``) and the agency calendar, and returns its stages. Every
page, export and API answer reads these (through the rollup in
``casework.insight.rollup``); docs/measures.md gives the definitions with a
worked example.

The citizen's wait of a case, from submission to its final resolution, is cut
into pieces and each piece given to exactly one stage, so the stage waits add
up to the time to resolution, in calendar and in business time:

- time while the case waited on the citizen (information requested until they
  answered) belongs to ``waiting_on_citizen``;
- everything after the first resolution (a reopened case, until it is resolved
  again) belongs to ``rework``;
- any other moment belongs to the first stage that ended at or after it, among
  received (triage), first response, each step type (its last step before the
  first resolution) and resolved (the first resolution). Steps without a type
  (replies, questions) add their minutes to "other work" but end no stage.

A case taken at the contact desk (by phone, at the counter, ...) has a
``contact`` stage first: the agent's minutes on the call (and on each later
caller added to the case) are its effort; the citizen waits no time in it, the
call being over when the request is submitted.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

CONTACT, RECEIVED, FIRST_RESPONSE, STEP, WAITING, REWORK, RESOLVED = (
    "contact", "received", "first_response", "step", "waiting_on_citizen", "rework", "resolved")
KINDS = (CONTACT, RECEIVED, FIRST_RESPONSE, STEP, WAITING, REWORK, RESOLVED)
# a step rated this hard or harder (1 easy .. 5 very hard) counts as hard
HARD = 4
CLOSING_STATES = ("resolved", "closed")


@dataclass(frozen=True)
class StepFact:
    ended_at: datetime
    effort_minutes: int
    step_type_id: int | None = None
    staff_id: int | None = None
    friction: int | None = None
    friction_reason: str | None = None


@dataclass(frozen=True)
class EventFact:
    at: datetime
    kind: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CaseFacts:
    """What is stored about one resolved case: its request's submission, its case's times, steps and events,
    and the minutes of each desk contact that took a request on it (``contacts``)."""

    submitted_at: datetime
    triaged_at: datetime
    resolved_at: datetime
    first_response_at: datetime | None = None
    steps: tuple = ()
    events: tuple = ()
    contacts: tuple = ()


@dataclass
class StageMeasure:
    """One stage of one case."""

    key: str  # "received", "step:12", "step:none", ...
    kind: str
    step_type_id: int | None = None
    wait: timedelta = timedelta(0)
    wait_business_hours: float = 0.0
    effort_minutes: int = 0
    steps: int = 0
    rated: int = 0
    hard: int = 0
    reasons: Counter = field(default_factory=Counter)
    handoffs: int = 0

    @property
    def wait_hours(self):
        return self.wait.total_seconds() / 3600


def step_key(step_type_id):
    return f"step:{step_type_id if step_type_id is not None else 'none'}"


def stage_of_key(key):
    """``(kind, step_type_id)`` of a stage key."""
    if key.startswith("step:"):
        rest = key.split(":", 1)[1]
        return STEP, None if rest == "none" else int(rest)
    return key, None


def resolutions(facts):
    """The moments the case left the open states (resolved, or closed as a duplicate), oldest first."""
    moments = sorted(event.at for event in facts.events if event.details.get("to") in CLOSING_STATES)
    return moments or [facts.resolved_at]


def waiting_intervals(facts, until):
    """``[(start, end)]`` the case waited on the citizen before ``until``."""
    intervals, started = [], None
    for event in sorted(facts.events, key=lambda e: e.at):
        if event.at > until:
            break
        if event.kind == "information_requested" and started is None:
            started = event.at
        elif started is not None and (event.kind == "citizen_answered" or event.details.get("from") == WAITING
                                      or event.details.get("to") in CLOSING_STATES):
            intervals.append((started, event.at))
            started = None
    if started is not None:
        intervals.append((started, until))
    return intervals


def milestones(facts, first_resolution):
    """``[(moment, key)]``: when each sequential stage ended, in the order they happened."""
    start = facts.submitted_at

    def clamp(moment):
        return min(max(moment, start), first_resolution)

    ends = [(clamp(facts.triaged_at), 0, RECEIVED)]
    if facts.first_response_at is not None and facts.first_response_at < first_resolution:
        ends.append((clamp(facts.first_response_at), 1, FIRST_RESPONSE))
    last_of_type = {}
    for step in facts.steps:
        # steps without a type (a reply, a question to the citizen) are work, not a stage of the workflow:
        # their minutes count, the wait goes on belonging to the stage under way
        if step.step_type_id is not None and step.ended_at <= first_resolution:
            key = step_key(step.step_type_id)
            last_of_type[key] = max(last_of_type.get(key, step.ended_at), step.ended_at)
    ends += [(clamp(moment), 2, key) for key, moment in last_of_type.items()]
    ends.append((first_resolution, 3, RESOLVED))
    return [(moment, key) for moment, _order, key in sorted(ends)]


def is_resolving(step, facts):
    """The step recorded with a resolution (typeless, at the same moment): its minutes are the resolution's."""
    return step.step_type_id is None and step.ended_at in resolutions(facts)


def stages_of(facts, calendar):
    """The stages of one resolved case, in the order they happened (rework and waiting last). See the module."""
    start, end = facts.submitted_at, max(facts.resolved_at, facts.submitted_at)
    first_resolution = min(max(resolutions(facts)[0], start), end)
    waits = waiting_intervals(facts, first_resolution)
    ends = milestones(facts, first_resolution)
    stages = {}

    def stage(key):
        if key not in stages:
            kind, step_type_id = stage_of_key(key)
            stages[key] = StageMeasure(key=key, kind=kind, step_type_id=step_type_id)
        return stages[key]

    if facts.contacts:
        contact = stage(CONTACT)
        contact.effort_minutes, contact.steps = sum(facts.contacts), len(facts.contacts)
    for _moment, key in ends:
        stage(key)
    if waits:
        stage(WAITING)
    if end > first_resolution:
        stage(REWORK)

    cuts = sorted({start, end, first_resolution, *(m for m, _k in ends), *(t for w in waits for t in w)})
    cuts = [cut for cut in cuts if start <= cut <= end]
    for piece_start, piece_end in zip(cuts, cuts[1:]):
        owner = owner_of(piece_start, piece_end, waits, first_resolution, ends)
        measure = stage(owner)
        measure.wait += piece_end - piece_start
        measure.wait_business_hours += calendar.business_hours_between(piece_start, piece_end)

    for step in facts.steps:
        if step.ended_at > first_resolution:
            owner = REWORK
        elif is_resolving(step, facts):
            owner = RESOLVED
        else:
            owner = step_key(step.step_type_id)
        measure = stage(owner)
        measure.effort_minutes += step.effort_minutes or 0
        measure.steps += 1
        if step.friction is not None:
            measure.rated += 1
            if step.friction >= HARD:
                measure.hard += 1
                measure.reasons[step.friction_reason or "other"] += 1

    for moment in handoff_moments(facts):
        if start <= moment <= end:
            stage(owner_of(moment, moment, waits, first_resolution, ends)).handoffs += 1
    return list(stages.values())


def owner_of(piece_start, piece_end, waits, first_resolution, ends):
    """The stage a piece of the citizen's wait belongs to (see the module)."""
    if piece_start >= first_resolution and piece_end > first_resolution:
        return REWORK
    if any(wait_start <= piece_start and piece_end <= wait_end and wait_start < wait_end
           for wait_start, wait_end in waits):
        return WAITING
    for moment, key in ends:
        if moment >= piece_end:
            return key
    return RESOLVED


def handoff_moments(facts):
    """When the case changed hands: from one person to another (directly or through a release), or queue."""
    moments, holder, last_person = [], None, None
    for event in sorted(facts.events, key=lambda e: e.at):
        if event.kind == "queue_changed":
            moments.append(event.at)
        elif event.kind == "assigned":
            to = event.details.get("to_staff_id")
            previous = event.details.get("from_staff_id") or holder or last_person
            if to is not None and previous is not None and to != previous:
                moments.append(event.at)
            holder = to
            last_person = to or last_person
        elif event.kind == "released":
            last_person, holder = holder or event.details.get("from_staff_id"), None
    return moments
