"""The catalogue as a file (YAML or JSON), so an agency can keep it under version control.

``export_catalogue`` writes every department, service and question;
``import_catalogue`` validates a whole file first, then creates or updates
by code in one transaction. A service missing from the file is deactivated,
never deleted: requests and cases keep pointing at it.

Other packages keep parts of a service in the same file without intake
importing them: casework registers a service's workflow steps here
(``register_service_part``).
"""
import json
from dataclasses import dataclass
from typing import Callable

import yaml
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from flask import current_app

from core.extensions import db
from intake.models import Department, QuestionType, Service, ServiceQuestion

# what a service, question or department code may be, wherever it is written
CODE_PATTERN = r"^[a-z0-9_\-]{1,40}$"
CODE = validate.Regexp(CODE_PATTERN, error="a code is 1-40 lower-case letters, digits, - or _")


class ChoiceSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class QuestionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=CODE)
    datatype = fields.String(load_default=QuestionType.STRING, validate=validate.OneOf([t.value for t in QuestionType]))
    variable = fields.Boolean(load_default=True)
    required = fields.Boolean(load_default=False)
    prompt = fields.String(required=True, validate=validate.Length(min=1, max=300))
    hint = fields.String(load_default="", validate=validate.Length(max=300))
    values = fields.List(fields.Nested(ChoiceSchema), load_default=list)
    stop_values = fields.List(fields.String(), load_default=list)
    stop_notice = fields.String(load_default="", validate=validate.Length(max=500))
    translations = fields.Dict(keys=fields.String(validate=validate.Length(max=8)), values=fields.Dict(),
                               load_default=dict)


class ServiceSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    group = fields.String(required=True, validate=validate.Length(min=1, max=80))
    department = fields.String(required=True, validate=CODE)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    keywords = fields.String(load_default="", validate=validate.Length(max=400))
    active = fields.Boolean(load_default=True)
    allows_anonymous = fields.Boolean(load_default=False)
    first_response_hours = fields.Integer(load_default=24, validate=validate.Range(min=1, max=8760))
    resolution_hours = fields.Integer(load_default=120, validate=validate.Range(min=1, max=8760))
    cost_per_minute = fields.Float(load_default=0.75, allow_nan=False, validate=validate.Range(min=0, max=1000))
    public_standard = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    on_time_goal = fields.Integer(load_default=80, validate=validate.Range(min=1, max=100))
    publish_description = fields.Boolean(load_default=False)
    translations = fields.Dict(keys=fields.String(validate=validate.Length(max=8)), values=fields.Dict(),
                               load_default=dict)
    questions = fields.List(fields.Nested(QuestionSchema), load_default=list)


class DepartmentSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    # {"es": {"name": "Calles y aceras"}}: the team name citizens read in their language
    translations = fields.Dict(keys=fields.String(validate=validate.Length(max=8)), values=fields.Dict(),
                               load_default=dict)


class CatalogueSchema(Schema):
    departments = fields.List(fields.Nested(DepartmentSchema), required=True)
    services = fields.List(fields.Nested(ServiceSchema), required=True)


class CatalogueError(ValueError):
    """The file cannot be imported; ``problems`` lists where and why, one line each."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ServicePart:
    """A list kept per service in the file under ``name``: ``schema`` checks one item,
    ``export(service)`` lists them, ``sync(service, items)`` makes the service match and
    returns the changes as sentences (it may flush, never commits). A service whose entry
    has no ``name`` key keeps what it has, so older files change nothing there."""

    name: str
    schema: type
    export: Callable
    sync: Callable


def register_service_part(app, part):
    app.extensions.setdefault("tandem.service_parts", {})[part.name] = part


def service_parts():
    return list(current_app.extensions.get("tandem.service_parts", {}).values())


SERVICE_FIELDS = ("name", "group", "description", "keywords", "active", "allows_anonymous",
                  "first_response_hours", "resolution_hours", "cost_per_minute", "public_standard", "on_time_goal",
                  "publish_description", "translations")
QUESTION_FIELDS = ("datatype", "variable", "required", "prompt", "hint", "values", "stop_values", "stop_notice",
                   "translations")


def export_catalogue():
    """The whole catalogue as plain data, departments and services ordered by code."""
    departments = db.session.scalars(db.select(Department).order_by(Department.code)).all()
    services = db.session.scalars(db.select(Service).order_by(Service.code)).all()
    return {
        "departments": [{"code": d.code, "name": d.name, **({"translations": d.translations} if d.translations else {})}
                        for d in departments],
        "services": [
            {"code": s.code, "department": s.department.code, **{name: getattr(s, name) for name in SERVICE_FIELDS},
             "questions": [{"code": q.code, **{name: getattr(q, name) for name in QUESTION_FIELDS}}
                           for q in s.questions],
             **{part.name: part.export(s) for part in service_parts()}}
            for s in services
        ],
    }


def dump(data, fmt):
    """``data`` as YAML (the default, for people) or JSON text."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def parse(text, fmt):
    """Read YAML or JSON text; raise ``CatalogueError`` with the line of a syntax error."""
    try:
        return json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise CatalogueError([f"the file cannot be read as {fmt.upper()}: {error}"]) from None


def problems_in(messages, path=""):
    """Marshmallow's nested messages as ``services[2].questions[0].datatype: ...`` lines."""
    lines = []
    for key, value in messages.items():
        here = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
        if isinstance(value, dict):
            lines += problems_in(value, here)
        else:
            lines += [f"{here}: {text}" for text in (value if isinstance(value, list) else [value])]
    return lines


def validated(data):
    """The file's catalogue, checked as a whole; raise ``CatalogueError`` listing every problem."""
    if not isinstance(data, dict):
        raise CatalogueError(["the file must hold 'departments' and 'services'"])
    try:
        catalogue = CatalogueSchema().load(data)
    except ValidationError as error:
        raise CatalogueError(problems_in(error.messages)) from None
    problems = []
    departments = {d["code"] for d in catalogue["departments"]}
    departments |= set(db.session.scalars(db.select(Department.code)))
    seen = set()
    for index, service in enumerate(catalogue["services"]):
        where = f"services[{index}]"
        if service["code"] in seen:
            problems.append(f"{where}.code: {service['code']} appears twice")
        seen.add(service["code"])
        if service["department"] not in departments:
            problems.append(f"{where}.department: there is no department {service['department']}")
        codes = [q["code"] for q in service["questions"]]
        if len(codes) != len(set(codes)):
            problems.append(f"{where}.questions: two questions share a code")
        for number, question in enumerate(service["questions"]):
            lists = question["datatype"] in (QuestionType.SINGLE, QuestionType.MULTI)
            if lists and not question["values"]:
                problems.append(f"{where}.questions[{number}].values: a list question needs its values")
    problems += load_parts(data, catalogue)
    if problems:
        raise CatalogueError(problems)
    return catalogue


def load_parts(data, catalogue):
    """Check each registered part of each service and put it on ``catalogue``; return the problems."""
    problems = []
    raw_services = data.get("services") or []
    for index, service in enumerate(catalogue["services"]):
        raw = raw_services[index] if isinstance(raw_services[index], dict) else {}
        for part in service_parts():
            if part.name not in raw:
                continue
            try:
                service[part.name] = part.schema(many=True).load(raw[part.name] or [])
            except ValidationError as error:
                problems += problems_in(error.messages, f"services[{index}].{part.name}")
    return problems


def import_catalogue(data, dry_run=False):
    """Apply the catalogue in ``data``; return the changes as sentences. Commits unless ``dry_run``.

    Raises ``CatalogueError`` (and changes nothing) if any part is invalid.
    """
    catalogue = validated(data)
    changes = []
    departments = {d.code: d for d in db.session.scalars(db.select(Department))}
    for item in catalogue["departments"]:
        department = departments.get(item["code"])
        if department is None:
            departments[item["code"]] = department = Department(code=item["code"], name=item["name"])
            db.session.add(department)
            changes.append(f"add department {item['code']}")
        elif department.name != item["name"]:
            department.name = item["name"]
            changes.append(f"rename department {item['code']}")
        if item["translations"] and (department.translations or {}) != item["translations"]:
            department.translations = item["translations"]
            changes.append(f"translate department {item['code']}")
    existing = {s.code: s for s in db.session.scalars(db.select(Service))}
    for item in catalogue["services"]:
        service = existing.pop(item["code"], None)
        if service is None:
            service = Service(code=item["code"])
            db.session.add(service)
            changes.append(f"add service {item['code']}")
        changed = [name for name in SERVICE_FIELDS if getattr(service, name, None) != item[name]]
        for name in SERVICE_FIELDS:
            setattr(service, name, item[name])
        if service.department is not departments[item["department"]]:
            service.department = departments[item["department"]]
            changed.append("department")
        if service.id is not None and changed:
            changes.append(f"update service {item['code']}: {', '.join(changed)}")
        changes += sync_questions(service, item["questions"])
        for part in service_parts():
            if part.name in item:
                changes += part.sync(service, item[part.name])
    for service in existing.values():
        if service.active:
            service.active = False
            changes.append(f"deactivate service {service.code} (not in the file)")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return changes


def sync_questions(service, items):
    """Make ``service``'s questions those in ``items`` (by code, in order); return the changes."""
    changes = []
    current = {q.code: q for q in service.questions}
    kept = []
    for position, item in enumerate(items, start=1):
        question = current.pop(item["code"], None)
        if question is None:
            question = ServiceQuestion(code=item["code"])
            changes.append(f"add question {service.code}.{item['code']}")
        elif any(getattr(question, name) != item[name] for name in QUESTION_FIELDS) or question.position != position:
            changes.append(f"update question {service.code}.{item['code']}")
        for name in QUESTION_FIELDS:
            setattr(question, name, item[name])
        question.position = position
        kept.append(question)
    for code in current:
        changes.append(f"remove question {service.code}.{code}")
    service.questions = kept
    return changes
