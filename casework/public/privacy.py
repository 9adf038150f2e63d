"""What is taken out of text before it is published: anything that looks like an email address, a phone number
or an identity number, and a street address's numbers.

Deliberately greedy: a run of six or more digits (with spaces, dots, dashes
or brackets between them) is removed whatever it is, since an order number
lost from open data costs nothing and a phone number published costs a
person their privacy. Names cannot be recognised reliably, so free text is
published only where an admin chose to for a service.
"""
import re

REMOVED = "[removed]"
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# a web address can carry an email or a phone number in its path or query
LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# six or more digits, possibly split by separators: phone numbers, social security and passport numbers, cards
DIGIT_RUN = re.compile(r"(?:\+|\b)\d(?:[\s.\-/()]{0,3}\d){5,}\b")
# identity numbers with letters: UK National Insurance (AB123456C), and letter-and-digit codes of 7+ characters
LETTERED_ID = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{7,}\b"
                         r"|\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)
UNIT_WORDS = re.compile(r"\b(?:apt|apartment|flat|unit|suite|ste|no|number|floor|fl|room|rm|building|bldg|po box)\b\.?",
                        re.IGNORECASE)


def scrub(text):
    """``text`` with emails, links, phone and identity numbers replaced by ``REMOVED``."""
    for pattern in (EMAIL, LINK, DIGIT_RUN, LETTERED_ID):
        text = pattern.sub(REMOVED, text)
    return text


def street_of(address):
    """The street of ``address`` without house or flat numbers, or anything else with a digit or an @ in it.

    "Flat 3, 12 High Street, Springfield" -> "High Street, Springfield"; None when nothing is left.
    """
    if not address:
        return None
    parts = []
    for part in address.split(","):
        words = [word for word in part.split() if not re.search(r"[\d@]", word)]
        kept = UNIT_WORDS.sub("", " ".join(words))
        kept = re.sub(r"\s+", " ", kept).strip(" .#-/")
        if re.search(r"[^\W\d_]{2}", kept):
            parts.append(kept)
    return ", ".join(parts)[:200] or None
