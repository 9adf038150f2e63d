"""The blueprint's records: measured cases and stages, process changes, and the staff pulse.

``casework.insight.rollup`` writes the measures from ``casework.insight.measures``
so the blueprint reads a few indexed rows; a case reopened loses them until
it is resolved again.
"""
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class CaseMeasure(db.Model):
    """One resolved case's totals: the citizen's whole wait, the staff's whole effort, SLA and rework."""

    __tablename__ = "case_measure"
    __table_args__ = (
        Index("ix_case_measure_service_day", "service_id", "resolved_on"),
        Index("ix_case_measure_queue_day", "queue_id", "resolved_on"),
        Index("ix_case_measure_department_day", "department_id", "resolved_on"),
        Index("ix_case_measure_district_day", "district_id", "resolved_on"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    # the area the case is in, where districts are set up (the performance page's figures per district)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the day of the resolution in the agency's time zone: periods are whole local days
    resolved_on: Mapped[date]
    wait_hours: Mapped[float]
    wait_business_hours: Mapped[float]
    effort_minutes: Mapped[int]
    handoffs: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[bool] = mapped_column(default=False)
    # resolved by its due date (None: it had none)
    sla_met: Mapped[bool | None]
    # the request's latest survey answer when measured (what the rollup counts in the citizens' voice)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id", ondelete="SET NULL"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkedCase(db.Model):
    """That a person recorded a step on a measured (resolved) case: what their own page and digest read.

    Written and forgotten with its ``CaseMeasure`` (``casework.insight.rollup``), with the case's day and its
    request's latest survey answer, so a person's cases of a period are one range of an index.
    """

    __tablename__ = "worked_case"
    __table_args__ = (Index("ix_worked_case_staff_day", "staff_id", "resolved_on",
                            postgresql_include=["feedback_id"]),)

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_measure.case_id", ondelete="CASCADE"), primary_key=True)
    resolved_on: Mapped[date]
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id", ondelete="SET NULL"))


class StageMeasureRow(db.Model):
    """One stage of one resolved case (``casework.insight.measures.StageMeasure``), scoped like its case."""

    __tablename__ = "stage_measure"
    __table_args__ = (
        # a service's period, stage by stage: what the blueprint groups
        # (carrying every column it sums, so the blueprint reads the index alone)
        Index("ix_stage_measure_service_day", "service_id", "resolved_on", "key",
              postgresql_include=["wait_hours", "wait_business_hours", "effort_minutes", "steps", "rated", "hard",
                                  "handoffs"]),
        Index("ix_stage_measure_queue_day", "queue_id", "resolved_on"),
        Index("ix_stage_measure_department_day", "department_id", "resolved_on"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("case_measure.case_id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    step_type_id: Mapped[int | None] = mapped_column(ForeignKey("step_type.id", ondelete="SET NULL"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    resolved_on: Mapped[date]
    wait_hours: Mapped[float]
    wait_business_hours: Mapped[float]
    effort_minutes: Mapped[int] = mapped_column(default=0)
    steps: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    hard: Mapped[int] = mapped_column(default=0)
    # friction reasons of the hard steps: {"missing_information": 2}
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    handoffs: Mapped[int] = mapped_column(default=0)


class StageRollup(db.Model):
    """One stage of the cases of one scope resolved on one day: sums and spreads that add up across days.

    ``casework.insight.days`` keeps a row per grain ("service", "queue",
    "department" and "all", whose ``scope_id`` is 0), local day and stage key,
    plus the key "case" for the cases' own totals (SLA, reopening, queues), in
    the same transaction as the ``StageMeasureRow``s it adds up, so a period of
    any size reads at most days x stages rows.
    """

    __tablename__ = "stage_rollup"
    __table_args__ = (UniqueConstraint("grain", "scope_id", "resolved_on", "key", name="uq_stage_rollup_cell"),
                      # every scope of a grain at once, one key, over a period: the public performance page
                      Index("ix_stage_rollup_key_day", "grain", "key", "resolved_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    grain: Mapped[str] = mapped_column(String(12))
    scope_id: Mapped[int]
    resolved_on: Mapped[date]
    key: Mapped[str] = mapped_column(String(24))
    cases: Mapped[int] = mapped_column(default=0)
    # cases with at least one step in the stage (whose minutes the effort spread counts)
    worked: Mapped[int] = mapped_column(default=0)
    wait_hours: Mapped[float] = mapped_column(default=0.0)
    wait_business_hours: Mapped[float] = mapped_column(default=0.0)
    effort_minutes: Mapped[int] = mapped_column(default=0)
    steps: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    hard: Mapped[int] = mapped_column(default=0)
    handoffs: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    # {service_id: minutes}: what the stage's minutes cost depends on the service's cost of a minute
    minutes_by_service: Mapped[dict] = mapped_column(JSON, default=dict)
    # the "case" key only: {queue_id: cases}; the survey's counts ("answers", "fixed", "<item>_n", "_agree",
    # "_sum"); resolved with a due date / by it, reopened
    cases_by_queue: Mapped[dict] = mapped_column(JSON, default=dict)
    survey: Mapped[dict] = mapped_column(JSON, default=dict)
    sla_cases: Mapped[int] = mapped_column(default=0)
    sla_met: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[int] = mapped_column(default=0)
    # ``casework.insight.spread`` spreads: wait hours, business hours, minutes of the worked cases
    wait_spread: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    business_spread: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    effort_spread: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class ProcessChange(db.Model):
    """A change a supervisor made to a service's process on a day ("photo made required"), to compare either side of."""

    __tablename__ = "process_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    # the first local day the change applied
    made_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(String(1000), default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # shown on the public performance page under "What we changed", with its before and after
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def random_id():
    return secrets.token_hex(16)


class PulseAnswer(db.Model):
    """One staff pulse answer, kept with its team and fortnight only: nobody, not even an admin, can tell whose.

    No person, no time (only the fortnight) and a random key, so neither the
    row nor its place among the others leads back to who answered.
    """

    __tablename__ = "pulse_answer"
    __table_args__ = (Index("ix_pulse_answer_queue_fortnight", "queue_id", "fortnight"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"))
    # the Monday the fortnight starts
    fortnight: Mapped[date]
    # 1 (not at all) .. 5 (completely)
    manageable: Mapped[int]
    tools_help: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(500))


class PulseTurn(db.Model):
    """That a person answered (or declined) this fortnight's pulse, so it is not offered again; never what."""

    __tablename__ = "pulse_turn"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    fortnight: Mapped[date] = mapped_column(primary_key=True)
