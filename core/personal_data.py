"""The one list of where Tandem keeps personal data about citizens.

Retention anonymises exactly these columns, the log canary test plants
values in them, and a reviewer reads this file to know what is personal.
Staff accounts (name, email) are personal data too, but are kept while the
account exists: they are the audit trail's actors.
"""

# table -> columns holding what a citizen told us about themselves or others
CITIZEN_COLUMNS = {
    "service_request": (
        "contact_name", "contact_email", "contact_phone",  # who they are
        "address", "lat", "long",  # where they live or were
        "description", "answers",  # free text can name anyone
    ),
    "feedback": ("comment",),
    # every email received: who sent it, about what, the whole message and its text as the case shows it
    "inbound_mail": ("sender", "subject", "raw", "text"),
}

# timeline events whose message is the citizen's own words
CITIZEN_EVENT_KINDS = ("citizen_answered", "citizen_feedback")

# what replaces removed free text, so pages still read sensibly
REMOVED = "(removed under the retention policy)"
