"""Timeline lines Tandem writes itself for the citizen: stored in English, shown in the citizen's language.

Staff write their own public notes in whatever language they choose; these
few lines are Tandem's, so each is a translatable message (``N_`` marks it
for extraction) and the tracking page shows it translated.
"""
from flask_babel import force_locale, gettext


def N_(text):
    """Mark ``text`` for translation without translating it here."""
    return text


ROUTED = N_("Your request is with the %(team)s team.")
MERGED = N_("Someone reported the same problem earlier, and the team is already on it. "
            "We will tell you when it is resolved.")
REOPENED_BY_CITIZEN = N_("You told us the problem is not fixed, so we have reopened your request.")

# event kind -> (wording, the detail that fills it in)
BY_KIND = {"routed": ROUTED, "merged": MERGED, "reopened_by_citizen": REOPENED_BY_CITIZEN}


def routed(team):
    """The English line for a request routed to ``team``, and the details that let it be translated."""
    return ROUTED % {"team": team}, {"team": team}


def for_citizen(event, team_names=None):
    """``event``'s public message in the current language: Tandem's own lines translated, staff's as written.

    ``team_names`` maps a team's English name to its name in that language, where admins gave one.
    """
    wording = BY_KIND.get(event.kind)
    if wording is None:
        return event.message
    values = {name: (team_names or {}).get(value, value) for name, value in (event.details or {}).items()
              if name == "team"}
    if "%(team)s" in wording and "team" not in values:
        return event.message  # written before the team was kept with it
    return gettext(wording, **values)


def in_language(wording, language):
    """``wording`` in ``language``, for a message sent to the citizen."""
    with force_locale(language):
        return gettext(wording)
