"""Queues, cases, the steps staff do on them, and the append-only case timeline."""
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import DDL, JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import UTCDateTime, utcnow
from intake.models import Department, Service, ServiceRequest

if TYPE_CHECKING:  # (mapped by name: casework.agency_setup imports this module)
    from casework.agency_setup import District, Outcome


class CaseState(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CITIZEN = "waiting_on_citizen"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATES = (
    CaseState.NEW, CaseState.TRIAGED, CaseState.ASSIGNED,
    CaseState.IN_PROGRESS, CaseState.WAITING_ON_CITIZEN,
)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


# lists sort by this, most urgent first, so one ascending index serves "priority, then due"
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


queue_member = Table(
    "queue_member",
    db.metadata,
    Column("queue_id", ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
)


class AssignmentMode(StrEnum):
    # caseworkers take cases themselves
    NONE = "none"
    ROUND_ROBIN = "round_robin"
    # to whoever has the least estimated remaining work against their capacity
    LEAST_LOADED = "least_loaded"


class Queue(db.Model):
    """A team's work list; a department owns one or more."""

    __tablename__ = "queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    # the queue that takes a department's requests when no rule names another
    is_department_default: Mapped[bool] = mapped_column(default=False)
    assignment_mode: Mapped[str] = mapped_column(String(20), default=AssignmentMode.NONE,
                                                 server_default=AssignmentMode.NONE)
    # round-robin remembers whose turn was last
    last_assigned_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # the opening hours its SLA clocks count ("always" for a 24/7 team); None counts the agency's
    hours: Mapped[str | None] = mapped_column(String(200))

    department: Mapped[Department] = relationship()
    members: Mapped[list[Staff]] = relationship(secondary=queue_member)


class Absence(db.Model):
    """A period a staff member is away; auto-assignment skips them."""

    __tablename__ = "absence"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")

    staff: Mapped[Staff] = relationship()


class StepType(db.Model):
    """One kind of work in a service's workflow, with its standard minutes."""

    __tablename__ = "step_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=1)
    standard_minutes: Mapped[int] = mapped_column(default=10)

    service: Mapped[Service] = relationship()


class Draft(db.Model):
    """A reply or note a caseworker is writing, saved as they type so nothing is lost."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("staff_id", "case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    # "reply", "note", "ask" or "resolve"
    kind: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


OPEN = text("closed_at IS NULL")
UNASSIGNED_OPEN = text("closed_at IS NULL AND assignee_id IS NULL")


def measured_when_new(context):
    """A new open case has nothing to measure; one written already closed (history, imports) has."""
    return None if context.get_current_parameters().get("closed_at") else utcnow()


class Case(db.Model):
    """The staff side of a service request."""

    __tablename__ = "case"
    __table_args__ = (
        # a queue's cases in one state (resolved, say) by due date
        Index("ix_case_queue_state", "queue_id", "state", "resolution_due_at", "id"),
        # the SLA watch reads open cases by due date
        Index("ix_case_state_due", "state", "resolution_due_at"),
        # open cases are a small slice of all: lists, counts and take-next read only these indexes.
        # Queries must say ``closed_at IS NULL`` literally for the planner to use them.
        Index("ix_case_open_queue_due", "queue_id", "resolution_due_at", "id", postgresql_where=OPEN,
              sqlite_where=OPEN),
        # (carrying state and age: the backlog's counts read this index alone)
        Index("ix_case_open_queue_priority", "queue_id", "priority_rank", "resolution_due_at", "id",
              postgresql_where=OPEN, sqlite_where=OPEN, postgresql_include=["state", "opened_at"]),
        Index("ix_case_open_queue_age", "queue_id", "opened_at", "id", postgresql_where=OPEN, sqlite_where=OPEN),
        # ... and carries what the workload board sums per person, so the board reads the index alone
        Index("ix_case_open_assignee_due", "assignee_id", "resolution_due_at", "id", postgresql_where=OPEN,
              sqlite_where=OPEN, postgresql_include=["estimated_minutes", "spent_minutes", "opened_at"]),
        # every queue at once (a supervisor's API list): walked in due order, joined a page at a time
        Index("ix_case_open_due", "resolution_due_at", "id", postgresql_where=OPEN, sqlite_where=OPEN),
        # the backlog's weekly arrivals and closures: range scans over the last twelve weeks
        Index("ix_case_opened_at", "opened_at", "queue_id"),
        # the public performance page's "still open" of a period, per service and area: read from the index alone
        Index("ix_case_open_opened_scope", "opened_at", postgresql_where=OPEN, sqlite_where=OPEN,
              postgresql_include=["service_id", "district_id"]),
        Index("ix_case_closed_at", "closed_at", "queue_id", postgresql_where=text("closed_at IS NOT NULL"),
              sqlite_where=text("closed_at IS NOT NULL")),
        Index("ix_case_unassigned_next", "queue_id", "priority_rank", "resolution_due_at", "id",
              postgresql_where=UNASSIGNED_OPEN, sqlite_where=UNASSIGNED_OPEN),
        # cases the blueprint's rollup has still to measure (or to forget, once reopened)
        Index("ix_case_unmeasured", "id", postgresql_where=text("measured_at IS NULL"),
              sqlite_where=text("measured_at IS NULL")),
        # the reports merged into a case, shown on its page
        # the last resolved cases of a service, with their effort: what a new case's estimate is made of
        Index("ix_case_resolved_by_service", "service_id", "resolved_at",
              postgresql_where=text("closed_at IS NOT NULL AND resolved_at IS NOT NULL AND duplicate_of_id IS NULL"),
              sqlite_where=text("closed_at IS NOT NULL AND resolved_at IS NOT NULL AND duplicate_of_id IS NULL"),
              postgresql_include=["spent_minutes"]),
        Index("ix_case_duplicate_of", "duplicate_of_id", postgresql_where=text("duplicate_of_id IS NOT NULL"),
              sqlite_where=text("duplicate_of_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    # the old values are loaded before a change, so the per-queue counters can move the case between them
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"), active_history=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True, active_history=True)
    state: Mapped[str] = mapped_column(String(24), default=CaseState.TRIAGED, active_history=True)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    priority_rank: Mapped[int] = mapped_column(default=PRIORITY_RANK[Priority.NORMAL], server_default="2")
    # every UPDATE bumps it and checks it: a form carries the version it was drawn from, a stale submit is refused
    version: Mapped[int] = mapped_column(server_default="1")
    __mapper_args__ = {"version_id_col": version}
    # when the case left the open states (resolved or closed); None while open
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # copied from the request at triage, so lists filter on the case's own indexes
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    estimated_minutes: Mapped[int] = mapped_column(default=0)
    # the minutes of its steps so far (``casework.effort``): remaining work is the estimate less this
    spent_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    # which rules fired and why, as a list of plain-language lines
    triage_explanation: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # when the SLA watch warned about this case, so each warning goes out once
    near_breach_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breach_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set while the case waits on the citizen: the SLA clock is stopped from then
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the time of its latest timeline event (``casework.activity``); each change moves the version too
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # how the case ended, from the admins' list
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcome.id"))
    # a supervisor keeps it with its holder: the suggested rebalance never moves it
    pinned: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # when ``casework.insight.rollup`` last measured it; None from each resolution or reopening until it has
    measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=measured_when_new)

    request: Mapped[ServiceRequest] = relationship()
    queue: Mapped[Queue] = relationship()
    assignee: Mapped[Staff | None] = relationship()
    service: Mapped[Service | None] = relationship()
    district: Mapped["District | None"] = relationship()
    outcome: Mapped["Outcome | None"] = relationship()
    steps: Mapped[list["Step"]] = relationship(back_populates="case", order_by="Step.id")
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id"
    )

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @validates("state")
    def keep_closed_at(self, key, state):
        """Open states clear ``closed_at``; leaving them sets it (callers loading history set it after).

        Crossing between open and closed leaves the case to be measured again.
        """
        if state in OPEN_STATES:
            if self.closed_at is not None:
                self.measured_at = None
            self.closed_at = None
        elif self.closed_at is None:
            self.closed_at = utcnow()
            self.measured_at = None
        return state

    @validates("priority")
    def keep_priority_rank(self, key, priority):
        self.priority_rank = PRIORITY_RANK[Priority(priority)]
        return priority


class QueueCount(db.Model):
    """How many cases a queue holds in each state, per assignee (0: nobody). Kept by ``casework.counts``.

    Updated in the transaction of every change of a case's state, queue or
    assignee, so the console's counts never scan the case table.
    """

    __tablename__ = "queue_count"

    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True)
    # 0 for unassigned cases: a key column cannot be NULL
    assignee_id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(24), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


# staff search the words citizens wrote; on PostgreSQL trigram indexes serve "contains" searches
TRIGRAM = {"postgresql_using": "gin"}
Index("ix_request_description_trgm", ServiceRequest.description, postgresql_ops={"description": "gin_trgm_ops"},
      **TRIGRAM).ddl_if(dialect="postgresql")
Index("ix_request_address_trgm", ServiceRequest.address, postgresql_ops={"address": "gin_trgm_ops"},
      **TRIGRAM).ddl_if(dialect="postgresql")
# SQLite cannot reflect an expression index (migrations compare the schema): there an email search scans
Index("ix_request_contact_email_lower", db.func.lower(ServiceRequest.contact_email)).ddl_if(dialect="postgresql")
# the case page's related cases: the same address (any case), and a box of about 50 m around a point
Index("ix_request_address_lower", db.func.lower(ServiceRequest.address)).ddl_if(dialect="postgresql")
Index("ix_request_lat_long", ServiceRequest.lat, ServiceRequest.long)
Index("ix_request_contact_phone", ServiceRequest.contact_phone)
event.listen(ServiceRequest.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


# the most a step can take: a working day
MAX_STEP_MINUTES = 8 * 60

FRICTION_REASONS = {
    "missing_information": "Missing information",
    "wrong_queue": "Wrong queue",
    "tool_too_slow": "Tool too slow",
    "policy_unclear": "Policy unclear",
    "waiting_on_another_team": "Waiting on another team",
    "other": "Other",
}


class Step(db.Model):
    """One piece of staff work on a case, with the effort it cost."""

    __tablename__ = "step"
    # recent work of one step type: the friction shown beside it, the measures of the blueprint
    __table_args__ = (
        Index("ix_step_type_ended", "step_type_id", "ended_at", postgresql_include=["friction"]),
        # a case's effort so far (remaining work = estimate less effort), read from the index alone
        Index("ix_step_case_id", "case_id", postgresql_include=["effort_minutes"]),
        # steps under way: they keep their case where it is
        Index("ix_step_under_way", "case_id", postgresql_where=text("ended_at IS NULL"),
              sqlite_where=text("ended_at IS NULL")),
        # the effort each person logged this week
        Index("ix_step_ended_staff", "ended_at", "staff_id", postgresql_include=["effort_minutes"]),
        # a person's own steps: the cases they worked and their minutes a step (what citizens said, their figures)
        Index("ix_step_staff_ended", "staff_id", "ended_at",
              postgresql_include=["case_id", "step_type_id", "effort_minutes"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    step_type_id: Mapped[int | None] = mapped_column(ForeignKey("step_type.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None while the step is under way (started in the console, not yet saved)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # what the caseworker saved (the timer's minutes, corrected); None while under way
    effort_minutes: Mapped[int | None]
    # what the console's timer measured while the page was in view, before any correction
    active_minutes: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    # EX feedback: 1 (easy) to 5 (very hard), a reason from FRICTION_REASONS, and a note
    friction: Mapped[int | None]
    friction_reason: Mapped[str | None] = mapped_column(String(40))
    friction_note: Mapped[str | None] = mapped_column(String(500))

    @property
    def under_way(self):
        return self.ended_at is None

    case: Mapped[Case] = relationship(back_populates="steps")
    step_type: Mapped[StepType | None] = relationship()
    staff: Mapped[Staff] = relationship()


class CaseEvent(db.Model):
    """One line of a case's timeline and audit trail. Rows are only ever added."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None when the system acted (triage, SLA watch)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(40))
    # public events are shown to the citizen on the tracking page
    public: Mapped[bool] = mapped_column(default=False)
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[Staff | None] = relationship()


class DuplicateStatus(StrEnum):
    LIKELY = "likely"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class DuplicateLink(db.Model):
    """Triage's suspicion that ``case`` reports the same problem as the earlier ``original``."""

    __tablename__ = "duplicate_link"
    __table_args__ = (UniqueConstraint("case_id", "original_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    # 0 to 1: how alike the place, time and words are
    score: Mapped[float]
    reasons: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default=DuplicateStatus.LIKELY)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    original: Mapped[Case] = relationship(foreign_keys=[original_id])
    decided_by: Mapped[Staff | None] = relationship()


