"""Message wording per event and language: built-in templates, admin overrides, rendering."""
import re
from dataclasses import dataclass, field
from datetime import datetime


from flask import current_app
from jinja2 import TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from core.extensions import db
from core.i18n import format_moment
from core.timeutil import agency_zone
from notifications.models import MessageTemplate

FALLBACK_LANGUAGE = "en"

# every event Tandem sends, who receives it, and the variables its wording can use
EVENTS = {
    "request_received": ("citizen", ["reference", "service_name", "tracking_url", "stop_url"]),
    "request_routed": ("citizen", ["reference", "service_name", "team", "expected_by", "tracking_url", "stop_url"]),
    "information_requested": ("citizen", ["reference", "question", "tracking_url", "stop_url"]),
    "update_posted": ("citizen", ["reference", "message", "tracking_url", "stop_url"]),
    "request_resolved": ("citizen", ["reference", "service_name", "resolution_note", "feedback_url", "tracking_url",
                                     "stop_url"]),
    "request_reopened": ("citizen", ["reference", "reason", "tracking_url", "stop_url"]),
    # an email asked for something while new requests by email are off: where the form is
    "email_not_taken": ("citizen", ["form_url"]),
    "case_assigned": ("staff", ["reference", "service_name", "due_at", "case_url"]),
    "citizen_answered": ("staff", ["reference", "answer", "case_url"]),
    "citizen_reopened": ("staff", ["reference", "comment", "case_url"]),
    "case_near_breach": ("staff", ["reference", "service_name", "due_at", "case_url"]),
    "case_breached": ("staff", ["reference", "service_name", "due_at", "case_url"]),
    "supervisor_digest": ("staff", ["date", "open", "breached", "backlog"]),
    # what citizens said lately about the cases a person worked, for those who asked for it
    "voice_digest": ("staff", ["count", "comments", "page_url"]),
    # a supervisor answered a staff member's (named) idea
    "idea_answered": ("staff", ["idea", "status", "answer", "by", "idea_url"]),
    # what a done idea's process change did, once both sides have enough cases: to the team and a named author
    "idea_effect": ("staff", ["idea", "team", "effects", "idea_url"]),
    "cases_given": ("staff", ["count", "references", "reason", "by", "console_url"]),
    "cases_taken": ("staff", ["count", "references", "reason", "by", "console_url"]),
}

URL = re.compile(r"https?://[^\s<>\"]+")


class MessageTemplateError(ValueError):
    """An admin's template does not render; ``message`` says where."""


@dataclass
class OutgoingMessage:
    subject: str
    text: str
    html: str | None = None
    # extra email headers (Reply-To, Message-ID, In-Reply-To, References: ``notifications.threads``)
    headers: dict = field(default_factory=dict)


def sandbox(language=FALLBACK_LANGUAGE):
    """A Jinja environment that cannot reach Python internals: admins write these templates.

    Its ``datetime`` filter writes dates as readers of ``language`` do.
    """
    environment = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)
    zone = agency_zone()
    environment.filters["datetime"] = lambda value: format_moment(value, language, zone)
    return environment


def built_in_source(event, language):
    """Return ``(subject, body)`` of the shipped template, or None if that language has none."""
    name = f"notifications/{event}.{language}.txt"
    try:
        source, _filename, _uptodate = current_app.jinja_env.loader.get_source(current_app.jinja_env, name)
    except TemplateNotFound:
        return None
    subject, _, body = source.partition("\n")
    return subject.strip(), body.lstrip("\n")


def template_source(event, language):
    """Return ``(subject, body, language)``: the admin's wording, else the shipped one, else English."""
    for candidate in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        override = db.session.scalar(db.select(MessageTemplate).filter_by(event=event, language=candidate))
        if override is not None:
            return override.subject, override.body, candidate
        shipped = built_in_source(event, candidate)
        if shipped is not None:
            return (*shipped, candidate)
    raise TemplateNotFound(f"{event}.{language}")


def message_context(payload):
    """The payload with ISO timestamps turned back into datetimes for the ``datetime`` filter."""
    context = dict(payload, agency=current_app.config["AGENCY_NAME"])
    for key in ("expected_by", "due_at"):
        if isinstance(context.get(key), str):
            context[key] = datetime.fromisoformat(context[key])
    return context


def render_parts(subject_source, body_source, payload, language):
    """Render a subject and body; raise ``MessageTemplateError`` if the wording is broken."""
    environment = sandbox(language)
    context = message_context(payload)
    try:
        subject = environment.from_string(subject_source).render(context)
        text = environment.from_string(body_source).render(context)
    except TemplateError as error:
        raise MessageTemplateError(f"The template cannot be used: {error}") from error
    # a line break in a subject would forge mail headers
    subject = " ".join(subject.split())
    return OutgoingMessage(subject=subject, text=text.strip() + "\n", html=text_to_html(text, subject, language))


def render_message(notification):
    """Render ``notification`` in its language (English when there is no wording in it).

    A text message is the subject, what staff wrote (if anything) and the
    links: the body is written for email, and a phone would split it into
    many paid parts.
    """
    subject, body, language = template_source(notification.template, notification.language)
    message = render_parts(subject, body, notification.payload, language)
    if notification.channel == "sms":
        return OutgoingMessage(subject=message.subject, text=text_message(message.subject, notification.payload))
    return message


# what staff wrote, in the payload of the events that carry it
STAFF_WORDS = ("message", "question", "resolution_note", "reason")
SMS_WORDS_MAX = 300


def text_message(subject, payload):
    """The short text of a text message: subject, staff's words (cut to 300 characters), links."""
    lines = [subject]
    words = next((payload[key] for key in STAFF_WORDS if payload.get(key)), None)
    if words:
        lines.append(words if len(words) <= SMS_WORDS_MAX else words[:SMS_WORDS_MAX - 1] + "…")
    lines += [payload[key] for key in ("tracking_url", "stop_url") if payload.get(key)]
    return "\n".join(lines) + "\n"


def text_to_html(text, title, language):
    """The HTML alternative: the same words, paragraphs kept and links clickable."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = str(escape(block))
        linked = URL.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    # every piece of text above went through escape(); only our own tags are added
    return Markup(  # nosec B704
        f'<!doctype html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n"
        '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #0b0c0c;">\n'
        + "\n".join(paragraphs)
        + "\n</body></html>\n"
    )
