"""The mapping file: which column of a legacy export is which, how its dates are written, and how its statuses,
channels, services and queues become Tandem's. Read from YAML and checked whole before a row is read.

An example, for Boston's 311 export, is in docs/history-import.md.
"""
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from intake.models import Channel

# what a source's status can become: its case's state (open ones wait in their queue)
STATES = ("open", "in_progress", "waiting", "resolved", "closed")
# the export's columns Tandem reads; ``id`` and ``opened`` are required
COLUMN_NAMES = ("id", "opened", "due", "closed", "status", "service", "department", "queue", "channel", "latitude",
                "longitude", "address", "description", "closing_text")


class MappingError(ValueError):
    """The mapping file cannot be used; the message says what to correct, naming the key."""


class Names(fields.Dict):
    """``{source value: Tandem value}``."""

    def __init__(self, required=False, **kwargs):
        defaults = {"required": True} if required else {"load_default": dict}
        super().__init__(keys=fields.String(), values=fields.String(), **defaults, **kwargs)


class CatalogueRule(Schema):
    """How a column's values find Tandem's services (or queues): by name in ``map`` or as they are, and what to do
    with one Tandem does not know."""

    class Meta:
        unknown = EXCLUDE

    map = Names()
    unknown = fields.String(load_default="refuse", validate=validate.OneOf(("create", "refuse")))
    # created services: their group on the public form, and their department when no column gives one
    group = fields.String(load_default="Imported", validate=validate.Length(min=1, max=80))
    department = fields.String(load_default="imported", validate=validate.Length(min=1, max=120))


class MappingSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    source = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z0-9_\-]{1,40}$", error="source: 1 to 40 lower-case letters, digits, - or _, like boston311"))
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "jsonl"),
                                                                      error="format: csv or jsonl"))
    timezone = fields.String(load_default="UTC")
    # strptime patterns tried in order ("iso": ISO 8601); a time without an offset is in ``timezone``
    date_formats = fields.List(fields.String(), load_default=lambda: ["iso"])
    columns = fields.Dict(keys=fields.String(validate=validate.OneOf(
        COLUMN_NAMES, error=f"columns: each key one of {', '.join(COLUMN_NAMES)}")), values=fields.String(),
        required=True)
    statuses = Names(required=True)
    channels = Names()
    default_channel = fields.String(load_default=None, validate=validate.OneOf([c.value for c in Channel]))
    services = fields.Nested(CatalogueRule, load_default=dict)
    queues = fields.Nested(CatalogueRule, load_default=dict)

    @validates("timezone")
    def known_zone(self, value, **kwargs):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"timezone: {value!r} is not a time zone; write one like America/New_York") \
                from None


@dataclass
class Mapping:
    source: str
    format: str
    timezone: ZoneInfo
    date_formats: list
    columns: dict
    statuses: dict
    channels: dict
    default_channel: str | None
    services: dict = field(default_factory=dict)
    queues: dict = field(default_factory=dict)


def load_mapping(text):
    """The ``Mapping`` of a YAML text. Raises ``MappingError`` saying what is wrong."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MappingError(f"The mapping is not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise MappingError("The mapping must be a YAML mapping with source, columns and statuses")
    try:
        found = MappingSchema().load(raw)
    except ValidationError as error:
        raise MappingError("; ".join(f"{key}: {describe(value)}" for key, value in error.messages.items())) \
            from None
    for needed in ("id", "opened"):
        if needed not in found["columns"]:
            raise MappingError(f"columns: say which column holds {needed!r}")
    wrong = {value for value in found["statuses"].values() if value not in STATES}
    if wrong:
        raise MappingError(f"statuses: map each to one of {', '.join(STATES)} (not {', '.join(sorted(wrong))})")
    channels = {channel.value for channel in Channel}
    wrong = {value for value in found["channels"].values() if value not in channels}
    if wrong:
        raise MappingError(f"channels: map each to one of {', '.join(sorted(channels))} "
                           f"(not {', '.join(sorted(wrong))})")
    return Mapping(source=found["source"], format=found["format"], timezone=ZoneInfo(found["timezone"]),
                   date_formats=found["date_formats"], columns=found["columns"], statuses=found["statuses"],
                   channels=found["channels"], default_channel=found["default_channel"],
                   services=found["services"], queues=found["queues"])


def describe(messages):
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {describe(value)}" for key, value in messages.items())
    if isinstance(messages, list):
        return " ".join(str(message) for message in messages)
    return str(messages)
