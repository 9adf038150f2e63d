"""Staff accounts: who may sign in, and how.

The ``Staff`` model and its roles (``models``), passwords and their policy
(``passwords``), session lifetimes (``sessions``), two-step codes
(``two_step``), personal API tokens (``tokens``), what changes an account
(``services``), and their pages (``sign_in_views``, ``token_views``). Who may
open which page is ``core.auth``'s, apart from this room.
"""


def init_app(app):
    """Session timeouts, then the second factor, before every request; the sign-in and token pages."""
    from core.accounts import sessions, sign_in_views, token_views, tokens, two_step  # noqa: F401  (tokens: its table)

    sessions.init_app(app)
    two_step.init_app(app)
    app.register_blueprint(sign_in_views.bp)
    token_views.init_app(app)
