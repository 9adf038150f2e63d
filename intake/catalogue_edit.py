"""Editing the catalogue one service or question at a time, as admins do in the console.

The same rules hold as for an imported file (``intake.catalogue_io``): codes
are stable identifiers, list questions need their values, a service is
withdrawn (``active`` False), never deleted. Every change commits with its
audit row, so the catalogue's history is in the audit trail.
"""
from core import audit
from core.extensions import db
from intake import catalogue_io
from intake.models import Department, QuestionType, Service, ServiceQuestion

# the file's fields, less translations: the console merges those per language
SERVICE_FIELDS = tuple(name for name in catalogue_io.SERVICE_FIELDS if name != "translations")
QUESTION_FIELDS = tuple(name for name in catalogue_io.QUESTION_FIELDS if name != "translations")
SERVICE_TEXTS = ("name", "description", "keywords", "public_standard")
QUESTION_TEXTS = ("prompt", "hint", "stop_notice")


class CatalogueConflict(ValueError):
    """The change would break the catalogue; ``field`` is the form field to point at."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def service_by_code(code):
    return db.session.scalar(db.select(Service).filter_by(code=code))


def question_by_code(service, code):
    return next((question for question in service.questions if question.code == code), None)


def departments():
    return db.session.scalars(db.select(Department).order_by(Department.name)).all()


def merged_translations(current, texts, names):
    """``current`` translations with ``texts`` ({language: {field: text}}) laid over; blanks removed."""
    merged = {language: dict(parts) for language, parts in (current or {}).items()}
    for language, parts in texts.items():
        entry = merged.setdefault(language, {})
        for name in names:
            if parts.get(name):
                entry[name] = parts[name]
            else:
                entry.pop(name, None)
        if not entry:
            merged.pop(language)
    return merged


def save_service(service, fields, texts, by):
    """Create (``service`` None) or update a service from validated form ``fields``. Commits; audited.

    Raises ``CatalogueConflict`` when a new service's code is taken or the department is unknown.
    """
    department = db.session.scalar(db.select(Department).filter_by(code=fields["department"]))
    if department is None:
        raise CatalogueConflict("department", "Choose a department from the list")
    if service is None:
        if service_by_code(fields["code"]) is not None:
            raise CatalogueConflict("code", "Another service already has this code")
        service = Service(code=fields["code"], translations={})
        db.session.add(service)
    changed = [name for name in SERVICE_FIELDS if getattr(service, name, None) != fields[name]]
    for name in SERVICE_FIELDS:
        setattr(service, name, fields[name])
    if service.department is not department:
        service.department = department
        changed.append("department")
    translations = merged_translations(service.translations, texts, SERVICE_TEXTS)
    if translations != (service.translations or {}):
        service.translations = translations
        changed.append("translations")
    db.session.flush()
    audit.record("catalogue_service_saved", actor=by, target=service, code=service.code, changed=changed)
    db.session.commit()
    return service


def save_question(service, question, fields, texts, by):
    """Add (``question`` None, at the end) or update one of ``service``'s questions. Commits; audited.

    Raises ``CatalogueConflict`` for a taken code, a list without values, or a
    stopping answer that is not one of the list's values.
    """
    if question is None and question_by_code(service, fields["code"]) is not None:
        raise CatalogueConflict("code", "This service already has a question with this code")
    lists = fields["datatype"] in (QuestionType.SINGLE, QuestionType.MULTI)
    if lists and not fields["values"]:
        raise CatalogueConflict("values", "Give the answers to choose from, one per line")
    if not lists:
        fields = {**fields, "values": []}
    keys = {value["key"] for value in fields["values"]}
    unknown = [key for key in fields["stop_values"] if lists and key not in keys]
    if unknown:
        raise CatalogueConflict("stop_values", f"“{unknown[0]}” is not one of the answers to choose from")
    if fields["stop_values"] and not fields["stop_notice"]:
        raise CatalogueConflict("stop_notice", "Write the notice shown when the form stops")
    if question is None:
        question = ServiceQuestion(code=fields["code"], translations={},
                                   position=max((q.position for q in service.questions), default=0) + 1)
        service.questions.append(question)
    for name in QUESTION_FIELDS:
        setattr(question, name, fields[name])
    question.translations = merged_translations(question.translations, texts, QUESTION_TEXTS + ("values",))
    db.session.flush()
    audit.record("catalogue_question_saved", actor=by, target=question, service=service.code, code=question.code)
    db.session.commit()
    return question


def move_question(service, question, step, by):
    """Move ``question`` one place up (``step`` -1) or down (+1) on the form. Commits; audited."""
    ordered = list(service.questions)
    index = ordered.index(question)
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        audit.record("catalogue_question_moved", actor=by, target=question, service=service.code,
                     code=question.code, position=other + 1)
        db.session.commit()
        db.session.expire(service, ["questions"])


def remove_question(service, question, by):
    """Take ``question`` off the form. Answers already given stay on their requests. Commits; audited."""
    audit.record("catalogue_question_removed", actor=by, target=question, service=service.code, code=question.code)
    service.questions.remove(question)
    for position, item in enumerate(service.questions, start=1):
        item.position = position
    db.session.commit()


def department_by_code(code):
    return db.session.scalar(db.select(Department).filter_by(code=code))


def save_department(department, name, texts, by):
    """Rename ``department`` in English and, from ``texts`` ({language: {"name": text}}), in the citizens'
    languages (a blank one falls back to English). Commits; audited with what changed."""
    changed = []
    if department.name != name:
        department.name = name
        changed.append("name")
    translations = merged_translations(department.translations, texts, ("name",))
    if translations != (department.translations or {}):
        department.translations = translations
        changed.append("translations")
    audit.record("catalogue_department_saved", actor=by, target=department, code=department.code, changed=changed)
    db.session.commit()
    return department
