"""The per-queue counters equal a fresh count after any sequence of case changes, and take-next never doubles up."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from casework import counts
from casework.console import assignment, case_actions, changes, citizen_input, steps
from casework.errors import ActionRefused
from casework.models import Case, Step
from casework.supervision import backlog, workload
from casework.triage.engine import triage
from core.extensions import db
from core.accounts.models import Staff
from intake.models import ServiceRequest
from tests.conftest import DATABASE_URL, empty_tables
from tests.console_cases import open_cases
from tests.factories import make_city, make_staff


class CaseChanges(RuleBasedStateMachine):
    """Random work on a small city's cases through the real case operations."""

    def __init__(self):
        super().__init__()
        empty_tables()
        self.city = make_city()
        self.staff_ids = [self.city.caseworker.id, self.city.supervisor.id, self.city.parks_worker.id]

    def some_case(self, pick):
        ids = db.session.scalars(db.select(Case.id).order_by(Case.id)).all()
        return db.session.get(Case, ids[pick % len(ids)]) if ids else None

    def staff(self, pick):
        return db.session.get(Staff, self.staff_ids[pick % len(self.staff_ids)])

    @rule(words=st.sampled_from(["Pothole by the school", "Sinkhole opened up", "Crack in the road"]))
    def triage_a_request(self, words):
        service_request = ServiceRequest(service_id=self.city.pothole.id, description=words, address="1 Main St")
        db.session.add(service_request)
        db.session.commit()
        triage(service_request.id)

    @rule(who=st.integers(0, 5))
    def take_next(self, who):
        assignment.take_next(self.staff(who))

    @rule(pick=st.integers(0, 50), who=st.integers(0, 5))
    def assign(self, pick, who):
        self.attempt(assignment.assign_case, pick, self.staff(who), by=self.city.supervisor)

    @rule(pick=st.integers(0, 50), queue=st.integers(0, 2))
    def move_queue(self, pick, queue):
        queue_id = [self.city.roads_queue.id, self.city.urgent_queue.id, self.city.parks_queue.id][queue]
        self.attempt(changes.change_queue, pick, db.session.get(Staff, self.city.supervisor.id), queue_id)

    @rule(pick=st.integers(0, 50), priority=st.sampled_from(["low", "normal", "high", "urgent"]))
    def change_priority(self, pick, priority):
        self.attempt(changes.change_priority, pick, db.session.get(Staff, self.city.supervisor.id), priority)

    @rule(pick=st.integers(0, 50), who=st.integers(0, 5))
    def start_and_save_a_step(self, pick, who):
        self.attempt(steps.start_step, pick, self.staff(who))
        self.attempt(steps.complete_step, pick, self.staff(who), effort_minutes=3)

    @rule(pick=st.integers(0, 50), original=st.integers(0, 50))
    def merge(self, pick, original):
        self.attempt(changes.merge_into, pick, self.some_case(original), self.staff(0))

    @rule(pick=st.integers(0, 50))
    def release(self, pick):
        self.attempt(assignment.release_case, pick, by=db.session.get(Staff, self.city.supervisor.id))

    @rule(pick=st.integers(0, 50), who=st.integers(0, 5))
    def record_a_step(self, pick, who):
        self.attempt(case_actions.record_step, pick, by=self.staff(who), effort_minutes=5)

    @rule(pick=st.integers(0, 50))
    def ask_the_citizen(self, pick):
        self.attempt(case_actions.request_information, pick, by=self.staff(0), question="Which side?", effort_minutes=1)

    @rule(pick=st.integers(0, 50))
    def citizen_answers(self, pick):
        case = self.some_case(pick)
        if case is not None:
            citizen_input.record_citizen_answer(case.request_id, "The north side.")

    @rule(pick=st.integers(0, 50))
    def resolve(self, pick):
        self.attempt(case_actions.resolve_case, pick, by=self.staff(0), public_note="Filled in.", effort_minutes=10)

    @rule(pick=st.integers(0, 50))
    def reopen(self, pick):
        self.attempt(case_actions.reopen_case, pick, by=self.staff(1), reason="It is back.")

    @rule(pick=st.integers(0, 50), fixed=st.booleans())
    def citizen_feedback(self, pick, fixed):
        case = self.some_case(pick)
        if case is not None:
            citizen_input.record_citizen_feedback(case.request_id, fixed, None, 3)

    def attempt(self, action, pick, *args, **kwargs):
        case = self.some_case(pick)
        if case is None:
            return
        try:
            action(case, *args, **kwargs)
        except ActionRefused:
            db.session.rollback()

    @invariant()
    def counters_equal_a_fresh_count(self):
        assert counts.kept_counts() == {key: n for key, n in counts.fresh_counts().items() if n}

    @invariant()
    def the_board_and_the_backlog_equal_a_fresh_count(self):
        """Supervisors' views: held cases, remaining work (from the steps themselves), open by queue and state."""
        spent = dict(db.session.execute(db.select(Step.case_id, db.func.sum(Step.effort_minutes))
                                        .group_by(Step.case_id)).all())
        fresh_board, fresh_backlog = {}, {}
        for case in db.session.scalars(db.select(Case).where(Case.closed_at.is_(None))):
            if case.assignee_id:
                held, remaining = fresh_board.get(case.assignee_id, (0, 0))
                fresh_board[case.assignee_id] = (held + 1, remaining + max(case.estimated_minutes
                                                                          - (spent.get(case.id) or 0), 0))
            key = (case.queue_id, str(case.state))
            fresh_backlog[key] = fresh_backlog.get(key, 0) + 1
        board = {row.staff.id: (row.open_cases, row.remaining_minutes) for row in workload.board() if row.open_cases}
        assert board == {staff_id: value for staff_id, value in fresh_board.items()
                         if staff_id in {row.staff.id for row in workload.board()}}
        shown = {(row.queue_id, state): n for row in backlog.summary().queues for state, n in row.by_state.items() if n}
        assert shown == fresh_backlog


def test_counters_equal_a_fresh_count_after_any_sequence_of_changes(app):
    with app.app_context():
        run_state_machine_as_test(CaseChanges, settings=settings(
            max_examples=12, stateful_step_count=20, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def test_recount_rebuilds_the_counters_from_the_cases(app):
    with app.app_context():
        city = make_city()
        open_cases(city.roads_queue, city.pothole, 4)
        db.session.execute(db.text("UPDATE queue_count SET n = 99"))
        db.session.commit()
        counts.recount()
        db.session.commit()
        assert counts.kept_counts() == {(city.roads_queue.id, 0, "triaged"): 4}


def take_in_own_session(app, staff_id, start):
    """A caseworker's take-next in a session and a database connection of its own, as a second web worker has."""
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        start.wait(timeout=30)
        case = assignment.take_next(staff)
        taken = case.id if case else None
        db.session.remove()
        return taken


def test_caseworkers_pressing_take_next_at_the_same_instant_get_different_cases(app):
    assert DATABASE_URL.startswith("postgresql"), "this needs row locks: run it on PostgreSQL"
    with app.app_context():
        city = make_city()
        workers = [make_staff(f"Worker {n}", email=f"worker{n}@city.example", queues=[city.roads_queue]) for n in range(6)]
        open_cases(city.roads_queue, city.pothole, 4, spacing=timedelta(minutes=1))
        worker_ids = [worker.id for worker in workers]
    # threads, each with its own connection: the database sees six transactions at once, as from six web workers
    start = threading.Barrier(len(worker_ids))
    with ThreadPoolExecutor(max_workers=len(worker_ids)) as pool:
        taken = list(pool.map(lambda staff_id: take_in_own_session(app, staff_id, start), worker_ids))
    got = [case_id for case_id in taken if case_id is not None]
    # four cases, six people: four get one each, two are told there is nothing
    assert len(got) == 4 and len(set(got)) == 4
    with app.app_context():
        holders = db.session.scalars(db.select(Case.assignee_id)).all()
        assert len(set(holders)) == 4 and None not in holders
