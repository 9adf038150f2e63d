"""History in: a legacy system's export of requests brought in as requests and cases, through a mapping file."""


def init_app(app):
    """The ``flask history import`` command."""
    from casework.history import commands

    app.cli.add_command(commands.history_group)
