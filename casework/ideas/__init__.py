"""Ideas from staff: proposed from anywhere (anonymous or named), supported and discussed by the team, answered by
supervisors, and, when done, a process change whose effect is measured."""


def init_app(app):
    from casework.ideas import api, loop, models, proposals, views  # noqa: F401  (models: tables known to migrations)
    from core.api import api_of
    from core.periodic import register_periodic

    app.register_blueprint(views.bp)
    api_of(app).register_blueprint(api.blp)
    # a done idea's effect is told once it can be measured: looked at every hour
    register_periodic(app, loop.tell_effects, interval_seconds=3600)
    # the staff pulse's "one change that would make the work easier" becomes an anonymous idea of the team
    app.extensions["tandem.pulse_idea"] = proposals.from_pulse
