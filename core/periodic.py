"""Periodic jobs: each package registers its own; the scheduler process runs them all."""
from dataclasses import dataclass
from typing import Callable

from flask import current_app


@dataclass(frozen=True)
class PeriodicJob:
    func: Callable
    interval_seconds: int
    queue_name: str


def register_periodic(app, func, interval_seconds, queue_name="periodic"):
    """Run ``func()`` as an RQ job every ``interval_seconds`` once the scheduler runs."""
    app.extensions.setdefault("tandem.periodic", []).append(
        PeriodicJob(func, interval_seconds, queue_name)
    )


def periodic_jobs():
    """Return the jobs registered on the current app."""
    return list(current_app.extensions.get("tandem.periodic", []))
