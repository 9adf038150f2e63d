"""Ideas from staff: proposed from a step rated hard, "me too" from two colleagues counted once each, answered by a
supervisor; "not now" needs a reason; "done" becomes a process change; an anonymous idea names nobody anywhere."""
import hashlib

import pytest

from casework.ideas.models import Idea, IdeaSupport
from casework.insight.models import ProcessChange
from core.extensions import db
from core.models import AuditEvent
from tests.conftest import csrf_token_from
from tests.console_cases import case_with_a_hard_step
from tests.factories import loaded, make_city, make_staff
from bench.harness.mailserver import body_of


@pytest.fixture
def city(app):
    with app.app_context():
        city = make_city()
        city.second = make_staff("Sasha Second", queues=[city.roads_queue])
        city.third = make_staff("Theo Third", queues=[city.roads_queue])
        loaded(city.pothole, city.roads_queue, city.parks_queue, city.caseworker, city.supervisor, city.parks_worker,
               city.second, city.third, city.admin)
        city.inspect_id = db.session.scalar(db.select(db.text("id")).select_from(db.text("step_type"))
                                            .where(db.text("name = 'Inspect the site'")))
        return city


def propose(client, city, **changes):
    form = client.get(f"/console/ideas/new?step_type_id={city.inspect_id}&hurts=Addresses+are+vague")
    data = {"csrf_token": csrf_token_from(form.text), "queue_id": str(city.roads_queue.id),
            "step_type_id": str(city.inspect_id), "hurts": "Addresses are vague, so crews search for the hole",
            "change": "Ask for a photo on the form", "helps": "both"}
    data.update(changes)
    return client.post("/console/ideas/new", data={key: value for key, value in data.items() if value is not None})


def sign_in_as(client, login_as, person):
    client.post("/staff/logout", data={"csrf_token": csrf_token_from(client.get("/console/").text)})
    login_as(person)


def test_an_idea_from_a_hard_step_gets_me_too_and_is_done_as_a_process_change(app, client, city, login_as,
                                                                              mail_server, run_worker):
    login_as(city.caseworker)
    # "suggest a fix" opens the form with the step filled in
    form = client.get(f"/console/ideas/new?step_type_id={city.inspect_id}&hurts=Addresses+are+vague")
    assert f'<option value="{city.inspect_id}" selected>' in form.text and "Addresses are vague" in form.text
    made = propose(client, city)
    assert made.status_code == 303
    with app.app_context():
        idea = db.session.scalar(db.select(Idea))
        assert idea.service_id == city.pothole.id and idea.author_id == city.caseworker.id
        idea_id = idea.id
    page = client.get(f"/console/ideas/{idea_id}").text
    assert "by Casey Worker" in page and "Ask for a photo on the form" in page
    # two colleagues say "me too", one twice; the author cannot support their own
    client.post(f"/console/ideas/{idea_id}/support", data={"csrf_token": csrf_token_from(page)})
    for person in (city.second, city.third, city.third):
        sign_in_as(client, login_as, person)
        page = client.get(f"/console/ideas/{idea_id}").text
        client.post(f"/console/ideas/{idea_id}/support", data={"csrf_token": csrf_token_from(page)})
    assert '<dd id="supporters">2</dd>' in client.get(f"/console/ideas/{idea_id}").text
    # a comment, and one that is empty refused beside its field
    refused = client.post(f"/console/ideas/{idea_id}/comments", data={"csrf_token": csrf_token_from(page), "text": " "})
    assert refused.status_code == 400 and "Write your comment" in refused.text
    client.post(f"/console/ideas/{idea_id}/comments", data={"csrf_token": csrf_token_from(page),
                                                            "text": "Yes: half my visits start with a phone call"})
    # a caseworker cannot answer; the supervisor can, and "not now" needs a reason
    assert client.post(f"/console/ideas/{idea_id}/answer", data={"csrf_token": csrf_token_from(page),
                                                                 "status": "done"}).status_code == 403
    sign_in_as(client, login_as, city.supervisor)
    page = client.get(f"/console/ideas/{idea_id}").text
    assert "Sasha Second" not in page  # her "me too" is a count, never a name (Theo is named by his comment)
    no_reason = client.post(f"/console/ideas/{idea_id}/answer", data={"csrf_token": csrf_token_from(page),
                                                                      "status": "not_now"})
    assert no_reason.status_code == 400 and "Say why not now" in no_reason.text
    with app.app_context():
        assert db.session.get(Idea, idea_id).status == "open"  # nothing saved
    done = client.post(f"/console/ideas/{idea_id}/answer", data={"csrf_token": csrf_token_from(page),
                                                                 "status": "done", "answer": "The photo is asked now"})
    assert done.status_code == 303
    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        change = db.session.get(ProcessChange, idea.process_change_id)
        assert idea.status == "done" and change.service_id == city.pothole.id
        assert change.title == "Ask for a photo on the form"
    run_worker(["notifications"])
    [told] = mail_server.messages_to(city.caseworker.email)
    assert told["Subject"] == "Your idea: done" and "The photo is asked now" in body_of(told)


def test_an_anonymous_idea_names_its_author_nowhere(app, client, city, login_as):
    login_as(city.second)
    made = propose(client, city, anonymous="y", change="Let crews close cases from the van")
    assert made.status_code == 303
    sign_in_as(client, login_as, city.third)
    with app.app_context():
        idea_id = db.session.scalar(db.select(Idea.id))
    page = client.get(f"/console/ideas/{idea_id}").text
    client.post(f"/console/ideas/{idea_id}/support", data={"csrf_token": csrf_token_from(page)})
    sign_in_as(client, login_as, city.supervisor)
    page = client.get(f"/console/ideas/{idea_id}").text
    assert "without a name" in page and "Sasha Second" not in page
    client.post(f"/console/ideas/{idea_id}/answer", data={"csrf_token": csrf_token_from(page), "status": "planned"})
    with app.app_context():
        third_id = city.third.id
        idea = db.session.get(Idea, idea_id)
        assert idea.author_id is None and idea.supporters == 1
        # the author's id in no column of the idea, its support or any audit row about it
        for row in db.session.execute(db.select(AuditEvent)).scalars():
            if row.target_type == "Idea" or row.action.startswith("idea_"):
                assert row.actor_id in (None, city.supervisor.id), row.action
                # what the details hold, by name: no key can carry a person
                assert set(row.details) <= {"queue_id", "anonymous", "status", "source"}, row.details
        # a "me too" keeps no person: its key is not the hash of anything guessable without the app's secret
        assert [column.name for column in IdeaSupport.__table__.columns] == ["id", "idea_id", "key"]
        [key] = db.session.scalars(db.select(IdeaSupport.key)).all()
        guesses = {hashlib.sha256(text.encode()).hexdigest() for text in
                   (f"{idea_id}:{third_id}", f"idea-support:{idea_id}:{third_id}", str(third_id))}
        assert key not in guesses


def test_bad_ideas_are_refused_beside_their_fields_and_save_nothing(app, client, city, login_as):
    login_as(city.caseworker)
    for changes, field, message in (
            ({"hurts": None}, "hurts", "Say what hurts"),
            ({"helps": "nobody"}, "helps", "Choose whom it would help"),
            ({"queue_id": str(city.parks_queue.id)}, "queue_id", "Choose one of your teams"),
            ({"step_type_id": "999999"}, "step_type_id", "Choose a step of the service from the list"),
            ({"change": "x" * 1001}, "change", "Keep what to change to 1,000 characters")):
        refused = propose(client, city, **changes)
        assert refused.status_code == 400 and message in refused.text, (field, refused.text[-500:])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Idea)) == 0
    # a colleague in another team cannot open the team's idea
    propose(client, city)
    sign_in_as(client, login_as, city.parks_worker)
    with app.app_context():
        idea_id = db.session.scalar(db.select(Idea.id))
    assert client.get(f"/console/ideas/{idea_id}").status_code == 403


def test_a_step_rated_hard_offers_to_suggest_a_fix(app, client, city, login_as):
    with app.app_context():
        case_id = case_with_a_hard_step(city)
    login_as(city.caseworker)
    page = client.get(f"/console/cases/{case_id}").text
    assert "Suggest a fix" in page
    link = page.split("Suggest a fix", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    form = client.get(link).text
    assert f'<option value="{city.inspect_id}" selected>' in form and "Missing information" in form


def test_the_pulses_one_change_becomes_an_anonymous_idea_of_the_team(app, client, city, login_as):
    login_as(city.caseworker)
    page = client.get("/insight/pulse/answer")
    assert "What one change would make your work easier?" in page.text
    sent = client.post("/insight/pulse/answer", data={
        "csrf_token": csrf_token_from(page.text), "queue_id": str(city.roads_queue.id), "manageable": "2",
        "tools_help": "3", "comment": "The map search is slow", "change": "A faster map search"})
    assert sent.status_code == 303
    with app.app_context():
        idea = db.session.scalar(db.select(Idea))
        assert (idea.change, idea.hurts, idea.author_id, idea.queue_id) == (
            "A faster map search", "The map search is slow", None, city.roads_queue.id)
        row = db.session.scalar(db.select(AuditEvent).filter_by(action="idea_proposed"))
        assert row.actor_id is None and set(row.details) == {"queue_id", "anonymous", "source"}
    listed = client.get("/console/ideas/").text
    assert "A faster map search" in listed


def test_once_a_done_idea_can_be_measured_the_team_and_author_are_told_what_it_did(app, client, city, login_as,
                                                                                    mail_server, run_worker):
    from datetime import timedelta

    from casework.ideas import loop, proposals
    from casework.insight.rollup import measure_pending
    from core.accounts.models import Staff
    from core.timeutil import utcnow
    from tests.insight_cases import history

    with app.app_context():
        author, supervisor = db.session.get(Staff, city.caseworker.id), db.session.get(Staff, city.supervisor.id)
        idea = proposals.propose(author, {"queue_id": city.roads_queue.id, "service": "", "step_type_id":
                                          city.inspect_id, "hurts": "Vague addresses", "change": "Ask for a photo",
                                          "helps": "both", "anonymous": False})
        proposals.answer(supervisor, idea, "done", "Done from today")
        assert loop.tell_effects() == 0  # nothing to measure yet: nobody is told
        change = db.session.get(ProcessChange, idea.process_change_id)
        now = utcnow()
        change.made_on = (now - timedelta(days=12)).date()
        city.schedule_id = city.inspect_id  # (what tests.insight_cases.history reads of a city)
        for index in range(12):
            history(city, now - timedelta(days=24, hours=-index), inspect=(2, 10), resolved_after=96)
            history(city, now - timedelta(days=11, hours=-index), inspect=(2, 10), resolved_after=24)
        measure_pending()
        assert loop.tell_effects() == 1
        assert loop.tell_effects() == 0  # once
    run_worker(["notifications"])
    told = {message["To"] for message in mail_server.messages if message["Subject"].startswith("What your team")}
    assert told == {city.caseworker.email, city.second.email, city.third.email}
    body = body_of(mail_server.messages_to(city.second.email)[-1])
    assert "Citizen wait to resolution: 1.0 days, against 4.0 days before (better; more than noise)." in body
    login_as(city.supervisor)
    index = client.get("/console/ideas/").text
    assert '<dd data-figure="proposed">1</dd>' in index and "100% (1 of 1)" in index
    assert "Citizen wait to resolution: 1.0 days" in index


def test_ideas_over_the_api_and_an_anonymous_one_names_nobody_in_any_answer(app, client, city):
    from tests.api_calls import Caller, token_of

    with app.app_context():
        author = Caller(client, token_of(city.second))
        colleague = Caller(client, token_of(city.third))
        supervisor = Caller(client, token_of(city.supervisor))
        outsider = Caller(client, token_of(city.parks_worker))
    refused = author.post("/api/v1/ideas", json={"queue_id": city.roads_queue.id, "hurts": "", "change": "x",
                                                 "helps": "everyone"})
    assert refused.status_code == 422 and set(refused.json["errors"]) >= {"helps"}
    made = author.post("/api/v1/ideas", json={"queue_id": city.roads_queue.id, "step_type_id": city.inspect_id,
                                              "hurts": "Vague addresses", "change": "Ask for a photo",
                                              "helps": "both", "anonymous": True})
    assert made.status_code == 201 and made.json["anonymous"] is True and made.json["author"] is None
    idea_id = made.json["id"]
    assert colleague.post(f"/api/v1/ideas/{idea_id}/support").json == {"counted": True, "supporters": 1}
    assert colleague.post(f"/api/v1/ideas/{idea_id}/support").json == {"counted": False, "supporters": 1}
    assert outsider.get(f"/api/v1/ideas/{idea_id}").status_code == 404
    assert colleague.post(f"/api/v1/ideas/{idea_id}/answer", json={"status": "planned"}).status_code == 403
    why = supervisor.post(f"/api/v1/ideas/{idea_id}/answer", json={"status": "not_now"})
    assert why.status_code == 422 and "answer" in why.json["errors"]
    answered = supervisor.post(f"/api/v1/ideas/{idea_id}/answer", json={"status": "done", "answer": "In place"})
    assert answered.status_code == 200 and answered.json["status"] == "done" and answered.json["process_change_id"]
    # nothing any caller can read says whose it is
    for caller in (author, colleague, supervisor):
        for answer in (caller.get("/api/v1/ideas"), caller.get(f"/api/v1/ideas/{idea_id}")):
            assert "Sasha" not in answer.text and str(city.second.email) not in answer.text
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEvent).where(AuditEvent.actor_id == city.second.id)).all()
        assert [row.action for row in rows if row.action != "api_token_made"] == []


def test_no_log_line_of_an_anonymous_proposal_names_its_author(app, client, city, login_as, caplog):
    import logging

    login_as(city.second)
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    assert propose(client, city, anonymous="y", change="Fewer forms").status_code == 303
    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    for trace in (city.second.name, city.second.email, f"staff {city.second.id}", f"'staff_id': {city.second.id}"):
        assert trace not in logged, trace
