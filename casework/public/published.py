""""What we changed": the process changes supervisors chose to publish, with what each did, in plain words.

Each is the blueprint's own before/after (``casework.insight.compare``):
equal periods either side of the change, the median days to resolution and
the share resolved by the due date, and whether a difference is more than
noise. Said only where both sides rest on the agency's minimum of cases.
"""
from dataclasses import dataclass

from flask_babel import format_date, gettext
from sqlalchemy import select

from casework.clock.agency_time import today_in_agency
from casework.insight import compare
from casework.insight.models import ProcessChange
from casework.public.figures import cached
from casework.public.models import min_cases
from core.extensions import db


@dataclass
class PublishedChange:
    title: str
    service_id: int
    made_on: object
    sentences: list


def published_changes(service_names):
    """Every published change, newest first, with its sentences (``service_names``: ``{id: name}`` in the page's
    language)."""
    changes = db.session.scalars(select(ProcessChange).where(ProcessChange.published_at.is_not(None))
                                 .order_by(ProcessChange.made_on.desc(), ProcessChange.id.desc())).all()
    today = today_in_agency()
    found = []
    for change in changes:
        differences = cached((str(db.engine.url), "change", change.id, today),
                             lambda change=change: {d.measure: d for d in compare.compare(change, today).differences})
        found.append(PublishedChange(change.title, change.service_id, change.made_on,
                                     sentences_of(change, differences, service_names.get(change.service_id, ""))))
    return found


def verdict(difference):
    if difference.beyond_noise:
        return gettext("more than noise")
    return gettext("within noise")


def sentences_of(change, differences, service_name):
    """What the change did, in one or two sentences the public can read."""
    minimum = min_cases()
    since = format_date(change.made_on, "d MMMM yyyy")
    wait = differences.get("Time to resolution")
    on_time = differences.get("Resolved by the due date")
    said = []
    if wait and wait.n_before >= minimum and wait.n_after >= minimum and wait.enough:
        said.append(gettext("Since %(day)s, requests about “%(service)s” have been resolved in a median of %(after)s "
                            "days, against %(before)s days before (%(verdict)s).", day=since, service=service_name,
                            after=f"{wait.after:.1f}", before=f"{wait.before:.1f}", verdict=verdict(wait)))
    if on_time and on_time.n_before >= minimum and on_time.n_after >= minimum and on_time.enough:
        said.append(gettext("%(after)s%% were resolved within the standard, against %(before)s%% before "
                            "(%(verdict)s).", after=round(on_time.after * 100), before=round(on_time.before * 100),
                            verdict=verdict(on_time)))
    if not said:
        said.append(gettext("Since %(day)s. Not enough requests have been resolved on both sides yet to tell what "
                            "it did.", day=since))
    return said
