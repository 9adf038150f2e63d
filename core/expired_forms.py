"""A form that comes back without its session's token: given back as it was typed, never lost.

The token lives in the session; when the session is gone (the browser restarted, the cookie cleared) or new
(staff signed in again since the page was opened), the next send fails the CSRF check. The general error
page then says to go back and reload, and reloading empties the form: a long description typed over twenty
minutes is lost. These forms instead come back with what was sent and a fresh token, saying why. Nothing is
recorded until the form is sent again, so a post forged from another site only fills in a form its reader
must still send themselves.
"""
from flask import flash, get_flashed_messages, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.errors import render_error


def citizens_notice():
    """Why the form came back, in the citizen's language; photos chosen in it were not received."""
    notice = gettext("This form had expired, so nothing was sent. Check what you entered and send it again.")
    if any(upload.filename for upload in request.files.getlist("photos")):
        notice += " " + gettext("Choose your photos again.")
    return notice


def register(blueprint, handlers, notice=citizens_notice):
    """Give the forms of ``blueprint`` back on a failed CSRF check.

    ``handlers`` maps an endpoint to a function of its view arguments that renders that form with what was
    sent (answered with 400), or returns None where the visitor may not see that page; ``notice()`` says why
    it came back. Other endpoints, and those None, get the general error page.
    """
    @blueprint.errorhandler(CSRFError)
    def give_the_form_back(error):
        render = handlers.get(request.endpoint)
        if render is None:
            return render_error(error)
        flash(notice(), "error")  # before rendering: the page shows it
        try:
            page = render(**(request.view_args or {}))
        except HTTPException as gone:  # the form's own page is not there (an unknown token): that answer instead
            page, error = None, gone
        if page is None:
            get_flashed_messages()  # the notice is not left for the next page
            return render_error(error)
        return page
