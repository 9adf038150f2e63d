"""The console forms for one service and one question of the catalogue, with messages an admin can act on."""
import re

from marshmallow import ValidationError, fields, post_load, validate

from casework.forms import ConsoleForm
from intake.catalogue_io import CODE_PATTERN
from intake.models import QuestionType

CODE = validate.Regexp(CODE_PATTERN,
                       error="Use 1 to 40 lower-case letters, digits, hyphens or underscores, like missed_bin")
KEY = re.compile(r"^[a-z0-9_\-]{1,60}$")
# limits of the translated texts, as in the columns they translate
SERVICE_TEXT_LIMITS = {"name": 120, "group": 80, "description": 5000, "keywords": 400, "public_standard": 300}
QUESTION_TEXT_LIMITS = {"prompt": 300, "hint": 300, "stop_notice": 500}


def text(label, limit, required=False):
    optional = {} if required else {"load_default": ""}
    return fields.String(
        required=required, **optional,
        validate=validate.Length(max=limit, error=f"Keep the {label} to {limit:,} characters"),
        error_messages={"required": f"Enter the {label}"})


def hours(label):
    return fields.Integer(
        required=True, validate=validate.Range(min=1, max=8760, error=f"Enter the {label} as hours from 1 to 8,760"),
        error_messages={"required": f"Enter the {label} in hours", "invalid": f"Enter the {label} as a whole number of hours, like 48"})


class ChoiceLines(fields.Field):
    """List answers written one per line as ``key: Label`` (``yes: Yes``); loads as [{"key", "name"}]."""

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_choice_lines(value)


def parse_choice_lines(value, keys=None):
    """Read ``key: Label`` lines; with ``keys``, only those keys may appear. Raise ValidationError."""
    choices = []
    for number, line in enumerate(str(value).splitlines(), start=1):
        if not line.strip():
            continue
        key, colon, name = line.partition(":")
        key, name = key.strip(), name.strip()
        if not colon or not name:
            raise ValidationError(f"Line {number}: write the answer as key: label, like yes: Yes")
        if not KEY.match(key):
            raise ValidationError(f"Line {number}: the key “{key[:60]}” must be lower-case letters, digits, - or _")
        if len(name) > 120:
            raise ValidationError(f"Line {number}: keep the label to 120 characters")
        if key in {choice["key"] for choice in choices}:
            raise ValidationError(f"Line {number}: the key “{key}” appears twice")
        if keys is not None and key not in keys:
            raise ValidationError(f"Line {number}: “{key}” is not one of the answers in English")
        choices.append({"key": key, "name": name})
    if len(choices) > 50:
        raise ValidationError("Keep the list to 50 answers")
    return choices


class ServiceForm(ConsoleForm):
    """A service as an admin writes it (in English; translations are read beside it)."""

    code = fields.String(required=True, validate=CODE, error_messages={"required": "Enter a code for the service"})
    name = text("name", 120, required=True)
    group = text("group", 80, required=True)
    department = fields.String(required=True, error_messages={"required": "Choose a department from the list"})
    description = text("description", 5000)
    keywords = text("search words", 400)
    first_response_hours = hours("first response target")
    resolution_hours = hours("resolution target")
    cost_per_minute = fields.Float(
        required=True, allow_nan=False,
        validate=validate.Range(min=0, max=1000, error="Enter the cost of a staff minute from 0 to 1,000"),
        error_messages={"required": "Enter what a minute of staff time costs",
                        "invalid": "Enter the cost as a number, like 0.75",
                        "special": "Enter the cost as a number, like 0.75"})
    allows_anonymous = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=False)
    # blank: the performance page and the form word it from the resolution target
    public_standard = fields.String(
        load_default=None, validate=validate.Length(max=300, error="Keep the public standard to 300 characters"))
    on_time_goal = fields.Integer(
        load_default=80, validate=validate.Range(min=1, max=100, error="Enter the goal as a percentage from 1 to 100"),
        error_messages={"invalid": "Enter the goal as a whole percentage, like 80"})

    publish_description = fields.Boolean(load_default=False)

    @post_load
    def blank_standard_is_none(self, data, **kwargs):
        return {**data, "public_standard": (data.get("public_standard") or "").strip() or None}


class QuestionForm(ConsoleForm):
    """One question of a service, or an informational notice (``variable`` False)."""

    code = fields.String(required=True, validate=CODE, error_messages={"required": "Enter a code for the question"})
    datatype = fields.String(required=True, validate=validate.OneOf([t.value for t in QuestionType],
                                                                     error="Choose a kind of answer from the list"),
                             error_messages={"required": "Choose a kind of answer from the list"})
    prompt = text("question", 300, required=True)
    hint = text("hint", 300)
    variable = fields.Boolean(load_default=False)
    required = fields.Boolean(load_default=False)
    values = ChoiceLines(load_default=list)
    stop_values = fields.String(load_default="", validate=validate.Length(max=400, error="Keep the answers to 400 characters"))
    stop_notice = text("stop notice", 500)

    @post_load
    def split_stop_values(self, data, **kwargs):
        return {**data, "stop_values": data["stop_values"].split()}


class StepForm(ConsoleForm):
    """One workflow step of a service and the minutes it usually takes."""

    # named apart from the service's own fields: the add-a-step form sits on the service's page
    name = fields.String(required=True, data_key="step_name",
                         validate=validate.Length(max=120, error="Keep the step name to 120 characters"),
                         error_messages={"required": "Enter the name of the step"})
    standard_minutes = fields.Integer(
        required=True, data_key="step_minutes", validate=validate.Range(min=0, max=8 * 60, error="Enter the minutes as a whole number from 0 to 480"),
        error_messages={"required": "Enter how many minutes the step usually takes",
                        "invalid": "Enter the minutes as a whole number, like 15"})


def translated_texts(form, languages, limits, choices=None):
    """Read ``<field>_<language>`` inputs; return ({language: {field: text}}, errors by input name).

    With ``choices`` (the question's English answers), ``values_<language>``
    holds the labels in that language as ``key: Label`` lines.
    """
    texts, errors = {}, {}
    for language in languages:
        parts = texts.setdefault(language, {})
        for name, limit in limits.items():
            value = (form.get(f"{name}_{language}") or "").strip()
            if len(value) > limit:
                errors[f"{name}_{language}"] = f"Keep the translation to {limit:,} characters"
            parts[name] = value
        if choices is not None:
            try:
                lines = parse_choice_lines(form.get(f"values_{language}") or "", keys={c["key"] for c in choices})
                parts["values"] = {line["key"]: line["name"] for line in lines}
            except ValidationError as error:
                errors[f"values_{language}"] = error.messages[0]
    return texts, errors


def service_values(service, languages):
    """A stored service as the form's input values."""
    values = {name: getattr(service, name) for name in
              ("code", "name", "group", "description", "keywords", "first_response_hours", "resolution_hours",
               "cost_per_minute", "allows_anonymous", "active", "public_standard", "on_time_goal",
               "publish_description")}
    values["public_standard"] = values["public_standard"] or ""
    values["department"] = service.department.code
    for language in languages:
        for name in SERVICE_TEXT_LIMITS:
            values[f"{name}_{language}"] = (service.translations or {}).get(language, {}).get(name, "")
    return values


def question_values(question, languages):
    """A stored question as the form's input values."""
    values = {name: getattr(question, name) for name in
              ("code", "datatype", "prompt", "hint", "variable", "required", "stop_notice")}
    values["values"] = "\n".join(f"{c['key']}: {c['name']}" for c in question.values or [])
    values["stop_values"] = " ".join(question.stop_values or [])
    for language in languages:
        translation = (question.translations or {}).get(language, {})
        for name in QUESTION_TEXT_LIMITS:
            values[f"{name}_{language}"] = translation.get(name, "")
        values[f"values_{language}"] = "\n".join(f"{k}: {v}" for k, v in translation.get("values", {}).items())
    return values
