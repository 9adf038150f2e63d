"""Queues, cases, the steps staff do on them, and the append-only case timeline."""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import Staff
from core.timeutil import UTCDateTime, utcnow
from intake.models import Department, Service, ServiceRequest


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


class District(db.Model):
    """An area of the city, by postcodes and/or a polygon, that routing rules can name."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # whitespace- or comma-separated postcodes, as citizens write them
    postcodes: Mapped[str] = mapped_column(Text, default="")
    # [[lat, long], ...] corners, or empty
    polygon: Mapped[list] = mapped_column(JSON, default=list)


class RoutingRule(db.Model):
    """An ordered rule: when all its conditions hold, the case goes to its queue."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    # any of these words in the description (space separated, lower case)
    keywords: Mapped[str] = mapped_column(String(400), default="")
    # the answer to one of the service's questions
    answer_code: Mapped[str | None] = mapped_column(String(60))
    answer_value: Mapped[str | None] = mapped_column(String(200))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    channel: Mapped[str | None] = mapped_column(String(12))
    language: Mapped[str | None] = mapped_column(String(8))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"))
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    # space-separated labels put on the case
    tags: Mapped[str] = mapped_column(String(200), default="")
    # a resolution target replacing the service's, in business hours
    resolution_hours: Mapped[int | None]

    service: Mapped[Service | None] = relationship()
    district: Mapped[District | None] = relationship()
    queue: Mapped[Queue] = relationship()


class StepType(db.Model):
    """One kind of work in a service's workflow, with its standard minutes."""

    __tablename__ = "step_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=1)
    standard_minutes: Mapped[int] = mapped_column(default=10)

    service: Mapped[Service] = relationship()


class Case(db.Model):
    """The staff side of a service request."""

    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_queue_state", "queue_id", "state"),
        # the SLA watch reads open cases by due date
        Index("ix_case_state_due", "state", "resolution_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    state: Mapped[str] = mapped_column(String(24), default=CaseState.TRIAGED)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    estimated_minutes: Mapped[int] = mapped_column(default=0)
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

    request: Mapped[ServiceRequest] = relationship()
    queue: Mapped[Queue] = relationship()
    assignee: Mapped[Staff | None] = relationship()
    steps: Mapped[list["Step"]] = relationship(back_populates="case", order_by="Step.id")
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id"
    )

    @property
    def is_open(self):
        return self.state in OPEN_STATES


class Step(db.Model):
    """One piece of staff work on a case, with the effort it cost."""

    __tablename__ = "step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    step_type_id: Mapped[int | None] = mapped_column(ForeignKey("step_type.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    effort_minutes: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    # EX feedback: 1 (easy) to 5 (very hard), and why
    friction: Mapped[int | None]
    friction_note: Mapped[str | None] = mapped_column(String(500))

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


class CalendarSetting(db.Model):
    """The agency calendar as admins keep it in the console (one row); without it the ``AGENCY_*`` settings apply.

    The time zone stays a deployment setting: it changes what every stored time means.
    """

    __tablename__ = "calendar_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    hours: Mapped[str] = mapped_column(String(200))
    holidays_country: Mapped[str] = mapped_column(String(8), default="")
    holidays_subdivision: Mapped[str] = mapped_column(String(16), default="")
    # the agency's own closed days (snow days, a local holiday), ISO dates separated by spaces
    closures: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
