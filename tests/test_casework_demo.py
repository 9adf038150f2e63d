"""The demo agency bin/run loads: a working catalogue, the printed logins, history, and live requests."""
from casework.clock.agency_time import today_in_agency
from casework.insight import rollup
from casework.models import Case, CaseEvent, CaseState, Step
from core import create_app
from core.extensions import db
from core.queues import redis_connection
from intake.models import Department, Service, ServiceRequest, TriageState
from tests.conftest import csrf_token_from, test_config

# exactly what bin/run prints
PRINTED_LOGINS = [
    ("casey@tandem.demo", "tandem-demo-caseworker", "/console/"),
    ("sam@tandem.demo", "tandem-demo-supervisor", "/console/"),
    ("alex@tandem.demo", "tandem-demo-admin", "/admin/"),
]


def test_seed_demo_builds_an_agency_with_history_and_is_safe_to_run_again(app, runner):
    first = runner.invoke(args=["seed-demo", "--weeks", "4"])
    assert first.exit_code == 0, first.output
    assert "history: week 4 of 4" in first.output  # progress, week by week

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Department.id))) >= 4
        assert db.session.scalar(db.select(db.func.count(Service.id))) >= 8
        requests = db.session.scalar(db.select(db.func.count(ServiceRequest.id)))
        resolved = db.session.scalar(db.select(db.func.count(Case.id)).filter_by(state=CaseState.RESOLVED))
        effort = db.session.scalar(db.select(db.func.sum(Step.effort_minutes)))
        pothole = db.session.scalar(db.select(Service).filter_by(code="pothole"))
        assert pothole.translated("name", "es") == "Bache"
        assert [q.code for q in pothole.questions] == ["danger", "where"]
        # a believable city: staff give hours of the order they log, some cases change hands, all translated
        from core.accounts.models import Role, Staff
        capacities = db.session.scalars(db.select(Staff.capacity_minutes).filter_by(role=Role.CASEWORKER)).all()
        assert min(capacities) >= 10 * 60
        handed_on = db.session.scalar(db.select(db.func.count(CaseEvent.id)).where(
            CaseEvent.kind == "assigned", CaseEvent.details["from_staff_id"].as_integer().is_not(None)))
        assert handed_on > 10
        # requests came in by phone and at the counter too, as in a city's 311
        channels = dict(db.session.execute(db.select(ServiceRequest.channel, db.func.count()).group_by(
            ServiceRequest.channel)).all())
        assert channels["phone"] > 10 and channels["counter"] > 0 and channels["web"] > channels["phone"]
        # and the desk answered more calls on the spot than it turned into requests
        from casework.desk.contacts import summary
        desk = summary(days=28)
        assert desk["answered"] > desk["requests"] > 0 and desk["by_topic"]
        # the calls that became requests are the blueprint's first stage, with the agents' minutes
        from casework.insight.blueprint import blueprint_of, default_period
        from casework.insight.scope import Scope
        rollup.measure_pending()
        found = blueprint_of(Scope(service_id=pothole.id), default_period(today_in_agency()))
        assert found.stages[0].kind == "contact" and found.stages[0].effort_minutes_total > 0
        assert db.session.scalar(db.select(Department).filter_by(code="streets")).translated("name", "es") == \
            "Calles y Vías"
        # the board a supervisor recognises: some people overloaded, some with room, a plan that evens them out
        from casework.supervision import workload
        from casework.supervision.planner import plan_rebalance
        from casework.supervision.rebalance import inputs
        standing = {row.staff.name: row.standing for row in workload.board()}
        assert standing["Casey Caseworker"] == "overloaded" and standing["Morgan Lee"] == "away"
        assert sum(1 for word in standing.values() if word == "room") >= 2, standing
        people, work = inputs()[:2]
        assert len(plan_rebalance(people, work).moves) >= 10
        # the staff pulse has a team with enough answers to show, beside every team together
        from casework.insight import pulse
        teams = pulse.summary(today_in_agency())
        assert any(row.shown for name, rows in teams.items() if name != pulse.ALL_TEAMS for row in rows), teams
    assert requests > 100 and resolved > 50 and effort > 1000
    # the public performance page has figures to show for the whole city, each of its areas and its change
    page = app.test_client().get("/performance?period=30d").text
    overall = page.split('id="overall"', 1)[1].split("</dl>", 1)[0]
    assert "fewer than" not in overall
    districts = page.split('id="districts"', 1)[1].split("</table>", 1)[0]
    assert districts.count("<tr data-scope") == 3
    assert "Pothole" in page.split('id="changes"', 1)[1]
    # the road crew's ideas, one in each state, one of them anonymous and one done as a process change
    with app.app_context():
        from casework.ideas.models import Idea

        ideas = db.session.scalars(db.select(Idea)).all()
        assert {idea.status for idea in ideas} == {"open", "planned", "not_now", "done"}
        assert any(idea.anonymous for idea in ideas) and all(idea.process_change_id for idea in ideas
                                                             if idea.status == "done")

    again = runner.invoke(args=["seed-demo", "--weeks", "4"])
    assert again.exit_code == 0, again.output
    assert "0 services, 0 staff accounts and 0 requests added" in again.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == requests


def test_the_printed_demo_logins_work(app, runner, client):
    assert runner.invoke(args=["seed-demo", "--weeks", "0"]).exit_code == 0
    for email, password, start_page in PRINTED_LOGINS:
        page = client.get("/staff/login")
        signed_in = client.post("/staff/login", data={
            "email": email, "password": password, "csrf_token": csrf_token_from(page.text)})
        assert signed_in.status_code in (302, 303), email
        assert client.get(start_page).status_code == 200, email
        client.post("/staff/logout", data={"csrf_token": csrf_token_from(client.get(start_page).text)})


def test_the_fresh_demo_requests_are_triaged_by_the_worker(app, runner, run_worker):
    assert runner.invoke(args=["seed-demo", "--weeks", "0"]).exit_code == 0
    run_worker()
    with app.app_context():
        pending = db.session.scalar(
            db.select(db.func.count(ServiceRequest.id)).filter_by(triage_state=TriageState.PENDING))
        sinkhole = db.session.scalar(db.select(Case).join(ServiceRequest)
                                     .where(ServiceRequest.description.contains("sinkhole")))
        assert pending == 0
        assert sinkhole.queue.name == "Road emergencies" and sinkhole.priority == "urgent"


def test_seed_demo_works_on_the_zero_config_sqlite_database(tmp_path):
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'tandem.sqlite'}"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        redis_connection().flushdb()
    seeded = runner.invoke(args=["seed-demo", "--weeks", "2"])
    assert seeded.exit_code == 0, seeded.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) > 20
        redis_connection().flushdb()


def test_every_demo_question_reads_in_every_language_the_demo_offers(app):
    """A Portuguese resident trying the demo read "Where is it?" and "In the road" in English on the pothole form."""
    from casework.demo_city import SERVICES
    from core.i18n import offered_languages

    with app.app_context():
        others = [code for code in offered_languages() if code != "en"]
    assert others, "the demo offers citizens more than English"
    untranslated = []
    for service in SERVICES:
        for question in service.questions:
            for language in others:
                words = question.get("translations", {}).get(language, {})
                missing = [field for field in ("prompt", "hint", "stop_notice")
                           if question.get(field) and not words.get(field)]
                missing += [value["key"] for value in question.get("values", [])
                            if value["key"] not in words.get("values", {})]
                if missing:
                    untranslated.append(f"{service.code}.{question['code']} in {language}: {missing}")
    assert untranslated == []
