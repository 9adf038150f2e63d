"""Business time and SLA clocks: the agency calendar, due dates, and the watch that warns before a breach."""


def init_app(app):
    """Refuse to start with opening hours nobody can read; watch deadlines every five minutes."""
    from casework import tasks
    from casework.clock.calendar import CalendarError, parse_hours
    from core.periodic import register_periodic

    hours = app.config.get("AGENCY_HOURS", "always")
    if hours.strip().lower() != "always":
        try:
            parse_hours(hours)
        except CalendarError as error:
            raise RuntimeError(f"AGENCY_HOURS: {error}") from None
    register_periodic(app, tasks.watch_deadlines, interval_seconds=300)
