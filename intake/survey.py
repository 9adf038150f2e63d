"""The citizen's feedback after a resolution: was it fixed, and the OMB A-11 post-transaction items.

One answer per resolution: a request reopened and resolved again may be
asked again. A "not fixed" answer is handed to the package that works the
cases (registered with ``register_feedback_handler``), which reopens it.
"""
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

# OMB Circular A-11 Section 280: the post-transaction customer experience drivers,
# each a statement answered on a five-point agreement scale (lazy: translated when shown)
A11_ITEMS = [
    ("satisfaction", _("I am satisfied with the service I received from %(agency)s.")),
    ("trust", _("This interaction increased my confidence in %(agency)s.")),
    ("ease", _("It was easy to get what I needed.")),
    ("efficiency", _("It took a reasonable amount of time to get what I needed.")),
    ("equity", _("I was treated fairly.")),
    ("helpfulness", _("The staff I dealt with were helpful.")),
]
AGREEMENT = [(5, _("Strongly agree")), (4, _("Agree")), (3, _("Neither agree nor disagree")),
             (2, _("Disagree")), (1, _("Strongly disagree"))]
COMMENT_MAX = 2000


class Feedback(db.Model):
    """What a citizen told us after resolution ``resolution`` of their request."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("request_id", "resolution", name="uq_feedback_request_resolution"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", name="fk_feedback_request"), index=True)
    # 1 for the first resolution, 2 after a reopen and a second resolution, ...
    resolution: Mapped[int] = mapped_column(default=1)
    fixed: Mapped[bool]
    satisfaction: Mapped[int | None]
    trust: Mapped[int | None]
    ease: Mapped[int | None]
    efficiency: Mapped[int | None]
    equity: Mapped[int | None]
    helpfulness: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def register_feedback_handler(app, handler):
    """Make ``handler(request_id, feedback)`` act on feedback, in the caller's transaction (it may commit)."""
    app.extensions["tandem.feedback_handler"] = handler


def feedback_for(service_request, resolution):
    """The feedback already given for this ``resolution`` of the request, or None."""
    return db.session.scalar(db.select(Feedback).filter_by(request_id=service_request.id, resolution=resolution))


def record_feedback(service_request, resolution, answers):
    """Store the citizen's ``answers`` (loaded by ``FeedbackSchema``) once; return it, or None if already given.

    Hands it to the registered handler (which reopens the case when not
    fixed) and commits both together.
    """
    if feedback_for(service_request, resolution) is not None:
        return None
    feedback = Feedback(request_id=service_request.id, resolution=resolution,
                        language=service_request.language, **answers)
    db.session.add(feedback)
    try:
        db.session.flush()
    except IntegrityError:
        # the same form sent twice at once: the first one counts
        db.session.rollback()
        return None
    handler = current_app.extensions.get("tandem.feedback_handler")
    if handler is not None:
        handler(service_request.id, feedback)
    db.session.commit()
    return feedback
