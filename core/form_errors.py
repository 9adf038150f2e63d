"""One message per field, from marshmallow's refusals: what every page shows beside its fields."""


def first_messages(messages, prefix="", translate=str):
    """``{prefix + field: its first message}`` of marshmallow's ``{field: [message, ...]}``.

    A list field's errors (``{index: [message]}``) give their first message;
    ``translate`` turns each message into the reader's language (``gettext``).
    """
    return {f"{prefix}{field}": translate(first_of(texts)) for field, texts in messages.items()}


def first_of(texts):
    if isinstance(texts, list):
        return first_of(texts[0]) if texts else ""
    if isinstance(texts, dict):
        return first_of(next(iter(texts.values()))) if texts else ""
    return str(texts)
