"""How long a case has to be resolved: one definition for triage, the console's changes and the demo.

A service's resolution target is for normal priority. Other priorities take a
share of it unless an active routing rule names its own target for that queue
and priority. However the targets are set, a more urgent priority is never due
later than a less urgent one: each priority's target is the smallest of its
own and every less urgent priority's.
"""
from casework.models import Priority

# least urgent first; a priority's target may not exceed any target before it
LEAST_URGENT_FIRST = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
SHARE_OF_SERVICE_TARGET = {Priority.LOW: 1.5, Priority.NORMAL: 1.0, Priority.HIGH: 0.5, Priority.URGENT: 0.25}


def resolution_hours(service_hours, priority, own_targets=None):
    """Business hours to resolve at ``priority``.

    ``service_hours`` is the service's (normal) target; ``own_targets`` maps
    priorities to the hours a routing rule sets for them in the case's queue.
    """
    own_targets = own_targets or {}
    cap = None
    for level in LEAST_URGENT_FIRST:
        hours = own_targets.get(level) or service_hours * SHARE_OF_SERVICE_TARGET[level]
        cap = hours if cap is None else min(cap, hours)
        if level == Priority(priority):
            return cap
    raise ValueError(f"no such priority: {priority!r}")
