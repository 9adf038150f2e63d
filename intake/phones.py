"""Telephone numbers as people say them, stored one way (E.164), so a caller is found however they say it."""
import phonenumbers
from flask import current_app


class NotAPhoneNumber(ValueError):
    """What was typed cannot be a telephone number."""


def e164(typed, region=None):
    """``typed`` as an E.164 number (``+12025550143``), read in the agency's country when it has no ``+``.

    Raises ``NotAPhoneNumber`` for text that cannot be a real number.
    """
    try:
        number = phonenumbers.parse(typed, region or current_app.config.get("AGENCY_COUNTRY") or "US")
    except phonenumbers.NumberParseException:
        raise NotAPhoneNumber(typed) from None
    # a whole number to call back: not one missing its area code ("555 0100"), which only dials locally
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise NotAPhoneNumber(typed)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def as_stored(typed):
    """``typed`` in E.164 where it can be read as a number, else as typed (the form's own check let it in)."""
    if not typed:
        return typed
    try:
        return e164(typed)
    except NotAPhoneNumber:
        return typed
