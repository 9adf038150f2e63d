"""The admin page for email in: whether an email that answers no request opens one, and the messages Tandem
could not read, each with its reason, to retry or set aside."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casework.admin import mail_inbox
from casework.lookups import all_queues
from casework.models import Queue
from core.auth import admin_required
from core.extensions import db
from core.security import keep_out_of_caches
from intake.mail.models import InboundMail, MailOutcome
from intake.models import Service

OUTCOME_WORDS = {
    MailOutcome.REPLY: "On its case", MailOutcome.NEW_REQUEST: "Opened a request",
    MailOutcome.POINTED_TO_FORM: "Answered with a link to the form", MailOutcome.IGNORED: "Recorded, not answered",
    MailOutcome.BOUNCE: "A delivery failure: the address is marked as failing",
    MailOutcome.WAITING: "Waiting for its case to open", MailOutcome.UNREADABLE: "Could not be read",
    MailOutcome.DISCARDED: "Set aside by an admin",
}

bp = Blueprint("admin_mail", __name__, url_prefix="/admin/mail", template_folder="templates")
bp.after_request(keep_out_of_caches)


def render(values=None, errors=None, status=200):
    setting = mail_inbox.current_setting()
    if values is None:
        values = {"new_requests": setting.new_requests, "service_id": setting.service_id or "",
                  "queue_id": setting.queue_id or ""}
    unreadable, total = mail_inbox.unreadable()
    recent = mail_inbox.recent()
    services = db.session.scalars(db.select(Service).filter_by(active=True).order_by(Service.name)).all()
    return render_template(
        "admin/mail.html", values=values, errors=errors or {}, unreadable=unreadable, unreadable_total=total,
        recent=recent, case_of=mail_inbox.cases_of(recent), outcome_words=OUTCOME_WORDS, services=services,
        queues=all_queues()), status


@bp.get("/")
@admin_required
def index():
    return render()


def chosen(model, field):
    typed = request.form.get(field, "").strip()
    return db.session.get(model, int(typed)) if typed.isdigit() else None


@bp.post("/")
@admin_required
def save():
    new_requests = request.form.get("new_requests") == "y"
    service, queue = chosen(Service, "service_id"), chosen(Queue, "queue_id")
    errors = {}
    if new_requests and (service is None or not service.active):
        errors["service_id"] = "Choose the service new requests by email are filed under"
    if request.form.get("queue_id", "").strip() and queue is None:
        errors["queue_id"] = "Choose one of the queues listed"
    if errors:
        return render(values=request.form, errors=errors, status=400)
    mail_inbox.save_setting(new_requests, service, queue, by=current_user)
    flash("New requests by email are now " + ("taken." if new_requests else "answered with a link to the form."),
          "success")
    return redirect(url_for(".index"))


def on_unreadable(mail_id, action):
    """Run ``action(mail)`` on unreadable message ``mail_id`` and go back to the list; if someone retried or set it
    aside meanwhile (or it never was), say so instead."""
    mail = db.session.get(InboundMail, mail_id)
    if mail is None or mail.outcome != MailOutcome.UNREADABLE:
        flash("That message is no longer waiting: someone retried or set it aside.", "error")
    else:
        action(mail)
    return redirect(url_for(".index"))


@bp.post("/<int:mail_id>/retry")
@admin_required
def retry(mail_id):
    def take_again(mail):
        taken = mail_inbox.retry(mail, by=current_user)
        if taken.outcome == MailOutcome.UNREADABLE:
            flash(f"It still cannot be read: {taken.reason}.", "error")
        else:
            flash("The message was taken.", "success")
    return on_unreadable(mail_id, take_again)


@bp.post("/<int:mail_id>/discard")
@admin_required
def discard(mail_id):
    def set_aside(mail):
        mail_inbox.discard(mail, by=current_user)
        flash("The message was set aside; its record is kept.", "success")
    return on_unreadable(mail_id, set_aside)
