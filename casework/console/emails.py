"""A case's emails, as staff open them: the citizen's messages with their attachments and the whole original,
and whether mail to the citizen bounces. Attachments are served to staff who may work the case, never to the
public, and never rendered in the page (they download)."""
from dataclasses import dataclass

from core import audit
from core.extensions import db
from intake.mail.models import InboundMail, MailOutcome
from intake.mail.reading import Unreadable, read
from notifications import bounces

SHOWN = (MailOutcome.REPLY, MailOutcome.NEW_REQUEST, MailOutcome.WAITING, MailOutcome.IGNORED)


@dataclass
class CaseEmail:
    mail: InboundMail
    attachments: list  # (number, filename, content type, size in bytes)


def emails_of(request_id):
    """The emails received about request ``request_id``, oldest first, with their attachments listed."""
    mails = db.session.scalars(db.select(InboundMail).where(
        InboundMail.request_id == request_id, InboundMail.outcome.in_(SHOWN)).order_by(InboundMail.id)).all()
    return [CaseEmail(mail, [(number, a.filename, a.content_type, len(a.data))
                             for number, a in enumerate(attachments_of(mail), start=1)]) for mail in mails]


def attachments_of(mail):
    if not mail.raw:
        return []  # emptied under the retention policy
    try:
        return read(mail.raw).attachments
    except Unreadable:
        return []


def email_of(request_id, mail_id):
    """Email ``mail_id`` if it is about request ``request_id``, else None."""
    mail = db.session.get(InboundMail, mail_id)
    return mail if mail is not None and mail.request_id == request_id else None


def attachment(mail, number):
    """Attachment ``number`` (from 1) of ``mail``, or None."""
    found = attachments_of(mail)
    return found[number - 1] if 1 <= number <= len(found) else None


def bounced_since(service_request):
    """When email to the request's contact last bounced, or None."""
    return bounces.bounced_since(service_request.contact_email)


def record_opened(mail, by, attachment_number=None):
    """Opening a citizen's whole email (or one of its attachments) is a look at personal data: audited. Commits."""
    details = {"attachment": attachment_number} if attachment_number else {}
    audit.record_now("citizen_email_opened", actor=by, target=mail, request_id=mail.request_id, **details)
