"""What a blueprint covers: a scope (a service, a queue, a department or all) and a period of local days."""
from dataclasses import dataclass
from datetime import timedelta

from casework.models import Queue
from core.extensions import db
from intake.models import Department, Service


@dataclass(frozen=True)
class Period:
    """Whole days in the agency's time zone, ``end`` exclusive: the cases resolved within them."""

    start: object  # date
    end: object

    @property
    def days(self):
        return (self.end - self.start).days

    @property
    def last_day(self):
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    service_id: int | None = None
    queue_id: int | None = None
    department_id: int | None = None

    def label(self):
        if self.service_id:
            return db.session.get(Service, self.service_id).name
        if self.queue_id:
            return f"Queue {db.session.get(Queue, self.queue_id).name}"
        if self.department_id:
            return db.session.get(Department, self.department_id).name
        return "Every service"


def within(model, scope, period):
    """The conditions that keep ``model``'s rows (``CaseMeasure`` or ``StageMeasureRow``) to scope and period."""
    conditions = [model.resolved_on >= period.start, model.resolved_on < period.end]
    for column, value in ((model.service_id, scope.service_id), (model.queue_id, scope.queue_id),
                          (model.department_id, scope.department_id)):
        if value is not None:
            conditions.append(column == value)
    return conditions
