"""The staff password policy: long enough, not a common password, not guessable from the account."""
from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
# long passphrases are welcome; the cap only keeps hashing cheap for an attacker's megabyte
MAX_LENGTH = 128
MIN_STRENGTH = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable"


class WeakPassword(ValueError):
    """The password breaks the policy; the message says how, in plain words."""


@lru_cache(maxsize=1)
def common_passwords():
    """The 30,000 most common passwords from breaches (shipped with zxcvbn), lower-cased."""
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def check_password_policy(password, user_inputs=()):
    """Raise ``WeakPassword`` unless ``password`` is acceptable for a staff account.

    ``user_inputs`` (name, email) must not make it guessable.
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"The password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"The password must be {MAX_LENGTH} characters or fewer")
    if password.lower() in common_passwords():
        raise WeakPassword("That password is one of the most common ones. Choose another")
    result = zxcvbn(password[:100], user_inputs=[value for value in user_inputs if value])
    if result["score"] < MIN_STRENGTH:
        advice = result["feedback"].get("warning") or "Try a few unrelated words together"
        raise WeakPassword(f"That password is too easy to guess. {advice.rstrip('.')}")
