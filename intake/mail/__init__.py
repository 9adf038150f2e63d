"""Email in: citizens' replies onto their cases, new requests from the agency's intake address, and the mail
that must not be answered recorded and left alone. Mail arrives from an IMAP mailbox or an MTA's pipe."""


def init_app(app):
    from core.periodic import register_periodic
    from intake.mail import commands, imap, taking
    from notifications.threads import register_thread_source

    register_thread_source(app, taking.thread_of)
    commands.init_app(app)
    if app.config.get("INBOUND_IMAP_URL"):
        register_periodic(app, imap.read_mailbox, interval_seconds=app.config["INBOUND_IMAP_INTERVAL"])
    register_periodic(app, taking.retry_waiting, interval_seconds=60)
