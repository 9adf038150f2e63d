"""What every staff form shares: unknown fields ignored, text trimmed, ids bounded."""
from collections.abc import Mapping

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from core.form_errors import first_messages

# ids are PostgreSQL integers: a larger number names nothing (and would fail in the database)
LARGEST_ID = 2**31 - 1


def record_id(message, required=True):
    """A field holding the id of a record chosen from a list; ``message`` for anything that is not one."""
    return fields.Integer(
        validate=validate.Range(min=1, max=LARGEST_ID, error=message),
        error_messages={"required": message, "invalid": message},
        **({"required": True} if required else {"load_default": None}))


class ConsoleForm(Schema):
    """A console form: unknown fields (the CSRF token) ignored, text trimmed, blank answers absent."""

    # fields sent as several values (checkboxes); read with getlist
    LIST_FIELDS = ()

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def drop_blank_values(self, data, **kwargs):
        if not isinstance(data, Mapping):
            return data  # a JSON list or number: marshmallow refuses it as the wrong type
        cleaned = {}
        for key, value in data.items():
            if key in self.LIST_FIELDS:
                values = data.getlist(key) if hasattr(data, "getlist") else value
                # an empty choice ("Any" in a select) means no filter, not a value to refuse
                if isinstance(values, list):
                    values = [v.strip() if isinstance(v, str) else v for v in values]
                    values = [v for v in values if v != ""]
                    if values:
                        cleaned[key] = values
                elif not (isinstance(values, str) and not values.strip()):
                    cleaned[key] = values
            elif isinstance(value, str):
                if value.strip():
                    cleaned[key] = value.strip()
            else:
                cleaned[key] = value
        return cleaned


def optional_id(message):
    return record_id(message, required=False)


def first_errors(error):
    """A marshmallow ``ValidationError`` as ``{field: its first message}``, for a page's error summary."""
    return first_messages(error.messages)
