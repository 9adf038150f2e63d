"""A service's own questions on the public form: reading and checking the answers, and stop notices.

Each question's field is named ``q_<code>``; a multi-value list sends one
value per ticked box. Answers are stored by question code, as Open311 does.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext

from intake.models import QuestionType

LIMITS = {QuestionType.STRING: 300, QuestionType.TEXT: 2000}


@dataclass
class Answers:
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    # the notice of the first answer that must stop the form ("call 911 now"), if any
    stop_notice: str | None = None
    # the field of the answer that stopped it (``q_<code>``)
    stopped_by: str | None = None


def field_name(question):
    return f"q_{question.code}"


def read_answers(service, form, language="en"):
    """Check ``form``'s answers to ``service``'s questions; return ``Answers`` (values, errors, stop)."""
    result = Answers()
    for question in service.questions:
        if not question.variable:
            continue  # an informational notice asks nothing
        name = field_name(question)
        if question.datatype == QuestionType.MULTI:
            given = [value for value in form.getlist(name) if value.strip()]
        else:
            given = (form.get(name) or "").strip()
        if not given:
            if question.required:
                result.errors[name] = gettext("Answer the question: %(prompt)s",
                                              prompt=question.translated("prompt", language))
            continue
        value, problem = checked(question, given, language)
        if problem:
            result.errors[name] = problem
            continue
        result.values[question.code] = value
        chosen = value if isinstance(value, list) else [value]
        if result.stop_notice is None and any(str(item) in (question.stop_values or []) for item in chosen):
            result.stop_notice = question.translated("stop_notice", language)
            result.stopped_by = name
    return result


def checked(question, given, language):
    """Return ``(value, None)`` for an acceptable answer, else ``(None, message)``."""
    prompt = question.translated("prompt", language)
    keys = [key for key, _label in question.choices(language)]
    if question.datatype == QuestionType.SINGLE:
        return (given, None) if given in keys else (None, gettext("Choose one of the answers to: %(prompt)s", prompt=prompt))
    if question.datatype == QuestionType.MULTI:
        unknown = [value for value in given if value not in keys]
        return (given, None) if not unknown else (
            None, gettext("Choose from the answers listed for: %(prompt)s", prompt=prompt))
    if question.datatype == QuestionType.NUMBER:
        try:
            return float(given) if "." in given else int(given), None
        except ValueError:
            return None, gettext("Enter a number for: %(prompt)s", prompt=prompt)
    if question.datatype == QuestionType.DATETIME:
        try:
            return datetime.fromisoformat(given).isoformat(), None
        except ValueError:
            return None, gettext("Enter a date and time for: %(prompt)s", prompt=prompt)
    limit = LIMITS.get(question.datatype, 300)
    if len(given) > limit:
        return None, gettext("Your answer must be %(count)s characters or fewer: %(prompt)s",
                             count=f"{limit:,}", prompt=prompt)
    return given, None
