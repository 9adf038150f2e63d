"""The citizen's language: chosen on the page, remembered in a cookie, else the browser's, else English.

The languages on offer are English plus every folder under ``core/translations``
holding a compiled catalogue, so adding one is a translation-file-only change
(see docs/translating.md). Staff pages stay in English.
"""
import functools
from pathlib import Path

from flask import current_app, g, request, url_for
from babel import Locale, UnknownLocaleError
from marshmallow import ValidationError
from babel.dates import format_date, format_time
from flask_babel import get_locale

from core.extensions import babel
from core.timeutil import agency_zone

TRANSLATIONS = Path(__file__).parent / "translations"
COOKIE = "lang"
# shown in each language's own words on the switcher
NATIVE_NAMES = {"en": "English", "es": "Español", "pt": "Português", "fr": "Français", "zh": "中文",
                "vi": "Tiếng Việt", "ko": "한국어", "ar": "العربية", "ru": "Русский", "ht": "Kreyòl ayisyen"}


def available_languages():
    """``en`` and every language with a compiled catalogue, in a stable order."""
    found = sorted(path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.mo"))
    return ["en"] + [code for code in found if code != "en"]


def select_language():
    """Flask-Babel's locale selector: ``?lang=``, then the cookie, then Accept-Language."""
    languages = current_app.extensions["tandem.languages"]
    asked = request.args.get(COOKIE)
    if asked in languages:
        g.new_language = asked
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in languages:
        return remembered
    return request.accept_languages.best_match(languages) or "en"


def remember_language(response):
    """Keep a language picked with ``?lang=`` for the next pages (a preference, not personal data)."""
    if g.get("new_language"):
        response.set_cookie(COOKIE, g.new_language, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True)
    return response


def language_url(code):
    """This page in language ``code``; after a form post, the start page (a POST cannot be repeated)."""
    if request.method != "GET" or request.endpoint is None:
        return url_for("intake.home", lang=code)
    arguments = {**request.args.to_dict(), **(request.view_args or {}), COOKIE: code}
    return url_for(request.endpoint, **arguments)


@functools.cache
def language_name(code):
    """A citizen's language as staff pages name it, in English: "es" is "Spanish", "ht" "Haitian Creole".

    A code Babel does not know (an imported record's, say) is shown as it is.
    """
    try:
        return Locale.parse(code).get_display_name("en") or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def offered_languages():
    """The languages Tandem offers now, English first, each named for staff pages: ``{"en": "English", "es":
    "Spanish"}``. A language added as a translation catalogue (docs/translating.md) is here at once: its
    message wording, reply templates, routing rules and the staff who speak it need no code."""
    return {code: language_name(code) for code in current_app.extensions["tandem.languages"]}


def offered_language(error="Choose a language from the list"):
    """A marshmallow validator: the value is one of ``offered_languages()`` when the form is read."""
    def check(code):
        if code not in current_app.extensions["tandem.languages"]:
            raise ValidationError(error)
    return check


def current_language():
    return str(get_locale() or "en")


def format_moment(value, language, zone):
    """``value`` in the agency's ``zone`` as a reader of ``language`` writes it.

    English keeps Tandem's own "24 December 2026, 11:00am"; other languages
    take their long date and short time from the CLDR (Babel): "24 de
    diciembre de 2026, 11:00".
    """
    if value is None:
        return ""
    local = value.astimezone(zone)
    if (language or "en") == "en":
        return local.strftime("%-d %B %Y, %-I:%M") + local.strftime("%p").lower()
    return f"{format_date(local.date(), format='long', locale=language)}, {format_time(local, format='short', locale=language)}"


def init_app(app):
    app.extensions["tandem.languages"] = available_languages()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_language)
    app.after_request(remember_language)
    zone = agency_zone(app.config)
    # what citizens read: dates in the page's language (staff pages keep the "datetime" filter, in English)
    app.jinja_env.filters["local_datetime"] = lambda value: format_moment(value, current_language(), zone)
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.globals.update(current_language=current_language, native_names=NATIVE_NAMES,
                                 language_url=language_url,
                                 languages=lambda: app.extensions["tandem.languages"])
