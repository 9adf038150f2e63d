"""Reply templates: what staff start a reply from, in the citizen's language, with the case's details filled in."""
import string

from casework.agency_setup import ReplyTemplate
from core.extensions import db

# what a template may name, and where it comes from
PLACEHOLDERS = {
    "reference": "the request's reference, like R-7K3M-Q9XA",
    "service": "the service's name",
    "team": "the department handling it",
    "due_date": "the date it is due to be resolved",
    "citizen_name": "the citizen's name, or “there” when they gave none",
}


class TemplateProblem(ValueError):
    """A template names a placeholder Tandem does not know, or has a stray brace."""


def check(body):
    """Raise ``TemplateProblem`` unless every ``{name}`` in ``body`` is a known placeholder."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(body) if name is not None}
    except ValueError:
        raise TemplateProblem("A brace is not closed: write placeholders like {reference}") from None
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        raise TemplateProblem(f"There is no placeholder {{{unknown[0]}}}: use " +
                              ", ".join(f"{{{name}}}" for name in PLACEHOLDERS))


def values_for(case, format_date):
    request = case.request
    return {"reference": request.reference, "service": case.service.name if case.service else "",
            "team": case.queue.department.name, "due_date": format_date(case.resolution_due_at),
            "citizen_name": request.contact_name or "there"}


def render(template, case, format_date):
    """The template's text for ``case``, placeholders filled in."""
    return template.body.format_map(values_for(case, format_date))


def templates_for(language):
    """Active templates in ``language``, by name."""
    return db.session.scalars(
        db.select(ReplyTemplate).filter_by(language=language, active=True).order_by(ReplyTemplate.name)
    ).all()


def template_by_id(template_id):
    return db.session.get(ReplyTemplate, template_id)
