"""Taking one email, exactly once: a citizen's reply onto their case, a new request, or a record of mail that
must not be answered (auto-replies, Tandem's own mail, loops, bounces, what cannot be read).

The message's record (``InboundMail``, unique by Message-ID or digest) is committed in the same transaction
as what it makes, so the same message delivered twice, or taken again after a reader was killed before it
could flag it on the server, makes nothing twice. A reply is matched by its reply token first, then by the
signed Message-IDs it answers, then by a reference in its subject when its sender is that request's contact.
"""
import hashlib
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.timeutil import utcnow
from intake import photos, tracking
from intake.mail.cleaning import cleaned
from intake.mail.models import InboundMail, MailOutcome
from intake.mail.reading import Unreadable, address_of, message_key, read
from intake.mail.settings import mail_setting
from intake.models import Channel, ServiceRequest, new_reply_token
from notifications import bounces, threads

REFERENCE = re.compile(r"\bR-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
# more than this many messages from one address about one request within LOOP_WINDOW is a mail loop
LOOP_LIMIT = 5
LOOP_WINDOW = timedelta(minutes=10)
DESCRIPTION_MAX = 5000
SUBJECT_MAX = 300


def take(raw, again=(MailOutcome.WAITING,)):
    """Record ``raw`` (one email's bytes) and act on it once; return its ``InboundMail``. Commits.

    A message seen before is not acted on again (its first record is returned), unless its outcome is in
    ``again``: one that waited for its case to open is tried again, and an admin may retry an unreadable one.
    """
    try:
        letter = read(raw)
    except Unreadable as problem:
        return record_unreadable(raw, str(problem))
    key = message_key(raw, letter.message_id)
    seen = db.session.scalar(db.select(InboundMail).filter_by(message_key=key))
    if seen is not None and seen.outcome not in again:
        return seen
    try:
        return act_on(raw, key, letter, seen)
    except IntegrityError:
        # the same message taken at the same moment by another reader: theirs stands
        db.session.rollback()
        return db.session.scalar(db.select(InboundMail).filter_by(message_key=key))


def act_on(raw, key, letter, seen):
    mail = seen or InboundMail(message_key=key, raw=raw)
    mail.sender, mail.subject = letter.sender[:254] or None, letter.subject[:SUBJECT_MAX] or None
    if letter.bounce:
        failed = bounces.mark(letter.bounced_recipients, reported_by=key)
        return finish(mail, MailOutcome.BOUNCE, reason="delivery failed to " + (", ".join(failed) or "an address"))
    if is_from_tandem(letter):
        return finish(mail, MailOutcome.IGNORED, reason="sent by Tandem itself")
    if letter.automatic:
        return finish(mail, MailOutcome.IGNORED, reason=f"written by a machine ({letter.automatic})")
    bounces.clear(letter.sender)  # they wrote: their address works again
    service_request = matching_request(letter)
    if service_request is None:
        return new_request(mail, letter)
    mail.request_id = service_request.id
    if is_loop(letter.sender, service_request.id):
        return finish(mail, MailOutcome.IGNORED, reason=f"more than {LOOP_LIMIT} messages in "
                                                         f"{LOOP_WINDOW.seconds // 60} minutes: a mail loop")
    mail.text = cleaned(letter.text) or "(no text: see the attachments)"
    keep_photos(letter, service_request.id)
    mail.outcome = MailOutcome.REPLY
    db.session.add(mail)
    db.session.flush()
    # the case's own service commits the answer with this record; no case yet: it waits, and is tried again
    if not tracking.answer_question(service_request, mail.text, details={"email": mail.id}):
        return finish(mail, MailOutcome.WAITING, reason="its request has no case yet")
    return mail


def finish(mail, outcome, reason=None):
    mail.outcome, mail.reason = outcome, reason
    db.session.add(mail)
    db.session.commit()
    return mail


def record_unreadable(raw, reason):
    """Record ``raw`` as a message that cannot be read, with ``reason`` for the admins' list (once). Commits."""
    key = message_key(raw, loose_message_id(raw))
    seen = db.session.scalar(db.select(InboundMail).filter_by(message_key=key))
    if seen is not None and seen.outcome != MailOutcome.UNREADABLE:
        return seen
    mail = seen or InboundMail(message_key=key, raw=raw, sender=address_of(loose_header(raw, "From"))[:254] or None,
                               subject=loose_header(raw, "Subject")[:SUBJECT_MAX] or None)
    return finish(mail, MailOutcome.UNREADABLE, reason)


def retry(mail):
    """Take an unreadable ``mail`` again (after a fix, or a setting changed); return its record. Commits."""
    return take(mail.raw, again=(MailOutcome.WAITING, MailOutcome.UNREADABLE))


def discard(mail):
    """An admin set an unreadable ``mail`` aside: it leaves the list, its record stays. Commits."""
    mail.outcome = MailOutcome.DISCARDED
    db.session.commit()


def retry_waiting(limit=500):
    """Take again the replies that came before their case opened (periodic); return how many landed."""
    waiting = db.session.scalars(db.select(InboundMail).filter_by(outcome=MailOutcome.WAITING)
                                 .order_by(InboundMail.id).limit(limit)).all()
    return sum(take(mail.raw).outcome == MailOutcome.REPLY for mail in waiting)


def thread_of(request_id):
    """The mail thread of request ``request_id`` (its reply token, given now if it has none, and the citizen's
    email that opened it), or None. A new token is flushed: the sender commits it with the message's status."""
    service_request = db.session.get(ServiceRequest, request_id)
    if service_request is None:
        return None
    if service_request.reply_token is None:
        service_request.reply_token = new_reply_token()
        db.session.flush()
    opened_by = db.session.scalar(db.select(InboundMail.message_key).filter_by(
        request_id=request_id, opened_request=True).limit(1))
    return threads.Thread(reply_token=service_request.reply_token,
                          opened_by=opened_by if opened_by and opened_by.startswith("<") else None)


def loose_header(raw, name):
    """A header read from bytes that may not parse as an email (for the admins' list)."""
    match = re.search(rb"(?im)^" + name.encode() + rb":[ \t]*([^\r\n]*)", raw[:65536])
    return match.group(1).decode("utf-8", "replace").strip() if match else ""


def loose_message_id(raw):
    return loose_header(raw, "Message-ID") or None


def is_from_tandem(letter):
    ours = {address_of(current_app.config.get("MAIL_FROM") or "")}
    domain = threads.reply_domain()
    local = current_app.config.get("MAIL_REPLY_LOCAL") or "requests"
    return (letter.sender in ours or bool(domain) and letter.sender.split("@")[-1] == domain.lower()
            and letter.sender.split("@")[0].split("+")[0] == local or threads.is_ours(letter.message_id or ""))


def matching_request(letter):
    """The request ``letter`` is about: by reply token, then signed Message-IDs, then subject and sender."""
    local = (current_app.config.get("MAIL_REPLY_LOCAL") or "requests").lower()
    for address in letter.recipients:
        name = address.split("@")[0]
        if name.startswith(local + "+"):
            found = db.session.scalar(db.select(ServiceRequest).filter_by(reply_token=name.split("+", 1)[1]))
            if found is not None:
                return found
    for request_id in threads.requests_named(letter.in_reply_to, letter.references):
        found = db.session.get(ServiceRequest, request_id)
        if found is not None:
            return found
    for reference in REFERENCE.findall(letter.subject.upper()):
        found = db.session.scalar(db.select(ServiceRequest).filter_by(reference=reference))
        if found is not None and (found.contact_email or "").lower() == letter.sender:
            return found
    return None


def is_loop(sender, request_id):
    since = utcnow() - LOOP_WINDOW
    recent = db.session.scalar(db.select(db.func.count(InboundMail.id)).where(
        InboundMail.sender == sender, InboundMail.request_id == request_id, InboundMail.received_at >= since))
    return recent >= LOOP_LIMIT


def keep_photos(letter, request_id):
    """The images attached that pass the form's photo checks, on the request (up to the form's limit)."""
    if not any(attachment.is_image for attachment in letter.attachments):
        return
    kept = db.session.scalar(db.select(db.func.count(photos.RequestPhoto.id)).filter_by(request_id=request_id)) or 0
    for attachment in letter.attachments:
        if not attachment.is_image or kept >= photos.MAX_PHOTOS:
            continue
        try:
            data, content_type, width, height = photos.clean_photo(attachment.data)
        except photos.PhotoRejected:
            continue  # kept in the original for staff, never shown to the public
        db.session.add(photos.RequestPhoto(request_id=request_id, data=data, content_type=content_type,
                                           width=width, height=height))
        kept += 1


def new_request(mail, letter):
    """An email that answers no request: a new request on the email channel, or a polite pointer to the form."""
    from intake import messages, services

    setting = mail_setting()
    service = setting.service if setting and setting.new_requests else None
    if service is None or not service.active:
        mail.outcome, mail.reason = MailOutcome.POINTED_TO_FORM, "new requests by email are turned off"
        db.session.add(mail)
        db.session.flush()
        notification = messages.point_to_form(letter.sender, letter.language, mail.id)
        db.session.commit()
        messages.dispatch_if(notification)
        return mail
    body = cleaned(letter.text)
    description = (f"{letter.subject}\n\n{body}" if letter.subject else body).strip()[:DESCRIPTION_MAX] or \
        "(an email with attachments only)"
    submission = {"service_code": service.code, "description": description, "address": None, "lat": None,
                  "long": None, "answers": {}, "contact_name": letter.sender_name[:120] or None,
                  "contact_email": letter.sender, "contact_phone": None, "notify_by": "email",
                  "consent_to_contact": True,
                  "submission_key": "email:" + hashlib.sha256(mail.message_key.encode()).hexdigest()[:64]}

    def with_the_email(service_request):
        mail.request_id, mail.opened_request, mail.text = service_request.id, True, body
        mail.outcome = MailOutcome.NEW_REQUEST
        db.session.add(mail)
        keep_photos(letter, service_request.id)

    services.submit_request(submission, language=language_of(letter), channel=Channel.EMAIL, service=service,
                            attach=with_the_email)
    return mail


def language_of(letter):
    """The message's own language where Tandem writes it, else the one the sender used last, else English."""
    languages = current_app.extensions["tandem.languages"]
    if letter.language in languages:
        return letter.language
    earlier = db.session.scalar(db.select(ServiceRequest.language).where(
        db.func.lower(ServiceRequest.contact_email) == letter.sender).order_by(ServiceRequest.id.desc()).limit(1))
    return earlier if earlier in languages else "en"
