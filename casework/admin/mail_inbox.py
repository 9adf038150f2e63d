"""Email in, as admins run it: whether an email that answers no request opens one (under which service, waiting
in which queue), and the messages Tandem could not read, retried or set aside. Each commits and is audited."""
from casework.models import Case
from core import audit
from core.extensions import db
from intake.mail import taking
from intake.mail.models import InboundMail, MailOutcome
from intake.mail.settings import MailSetting, mail_setting

# the unreadable messages the page lists at once
LISTED = 200


def current_setting():
    """The agency's mail settings, or unsaved defaults (new requests by email off)."""
    return mail_setting() or MailSetting(new_requests=False)


def save_setting(new_requests, service, queue, by):
    """Keep what admins chose; ``service`` and ``queue`` may be None (then new requests stay off, or wait in the
    service's department's default queue)."""
    setting = mail_setting()
    if setting is None:
        setting = MailSetting()
        db.session.add(setting)
    before = {"new_requests": setting.new_requests, "service_id": setting.service_id, "queue_id": setting.queue_id}
    setting.new_requests = bool(new_requests and service is not None)
    setting.service_id = service.id if service else None
    setting.queue_id = queue.id if queue else None
    db.session.flush()
    audit.record("mail_settings_changed", actor=by, target=setting, before=before,
                 after={"new_requests": setting.new_requests, "service_id": setting.service_id,
                        "queue_id": setting.queue_id})
    db.session.commit()
    return setting


def unreadable(limit=LISTED):
    """The messages that could not be read, newest first, and how many there are in all."""
    query = db.select(InboundMail).filter_by(outcome=MailOutcome.UNREADABLE)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    return db.session.scalars(query.order_by(InboundMail.id.desc()).limit(limit)).all(), total


def recent(limit=20):
    """The last messages received, whatever became of them (newest first)."""
    return db.session.scalars(db.select(InboundMail).order_by(InboundMail.id.desc()).limit(limit)).all()


def retry(mail, by):
    """Take an unreadable ``mail`` again; return its record (still unreadable, with the reason, if it is)."""
    audit.record_now("inbound_mail_retried", actor=by, target=mail)
    return taking.retry(mail)


def discard(mail, by):
    """Set an unreadable ``mail`` aside: off the list, its record kept."""
    audit.record("inbound_mail_discarded", actor=by, target=mail)
    taking.discard(mail)


def cases_of(mails):
    """``{request id: case id}`` for the requests ``mails`` are about (those with a case)."""
    request_ids = {mail.request_id for mail in mails if mail.request_id}
    if not request_ids:
        return {}
    return dict(db.session.execute(db.select(Case.request_id, Case.id).where(Case.request_id.in_(request_ids))).all())
