"""After resolution the citizen says whether it was fixed and how it went; "not fixed" reopens the case."""
import re


from casework.console import case_actions
from casework.models import Case, CaseState
from core.extensions import db
from core.accounts.models import Staff
from intake.survey import Feedback
from tests.conftest import csrf_token_from
from bench.harness.mailserver import body_of


def submit_and_resolve(app, client, city, run_worker):
    """A pothole request, triaged, taken and resolved by Casey; returns the tracking path."""
    form = client.get("/request?service=pothole")
    submitted = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole by the bus stop", "address": "Bus stop 4",
        "contact_email": "ana@example.org",
    })
    run_worker()
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        case_actions.resolve_case(case, by=db.session.get(Staff, city.caseworker.id),
                              public_note="Filled it this morning.", effort_minutes=30)
    run_worker()
    return submitted.location.replace("/submitted", "")


def answer(client, path, **fields):
    page = client.get(f"{path}/feedback")
    return client.post(f"{path}/feedback", data={"csrf_token": csrf_token_from(page.text), **fields})


def feedback_rows(app):
    with app.app_context():
        return db.session.scalars(db.select(Feedback)).all()


def test_the_resolution_email_links_to_a_feedback_form_that_a_link_scanner_cannot_answer(
        app, client, city, run_worker, mail_server):
    path = submit_and_resolve(app, client, city, run_worker)
    [resolved] = [m for m in mail_server.messages if "resolved" in m["Subject"]]
    assert f"http://tandem.test{path}/feedback" in body_of(resolved)
    assert "Tell us whether it was fixed" in client.get(path).text

    page = client.get(f"{path}/feedback")  # what a scanner does: it only follows links
    assert page.status_code == 200
    assert "Has the problem been fixed?" in page.text
    assert "I am satisfied with the service I received from" in page.text
    assert feedback_rows(app) == []


def test_fixed_feedback_is_stored_once_and_shown_to_staff(app, client, city, run_worker, mail_server):
    path = submit_and_resolve(app, client, city, run_worker)
    sent = answer(client, path, fixed="yes", satisfaction="5", ease="4", helpfulness="5", comment="Quick work.")
    assert sent.status_code == 303
    assert "Thank you for your feedback" in client.get(sent.location).text
    [stored] = feedback_rows(app)
    assert (stored.fixed, stored.satisfaction, stored.ease, stored.trust, stored.comment) == (
        True, 5, 4, None, "Quick work.")

    assert "We already have your feedback" in client.get(f"{path}/feedback").text
    # the form sent again (back button, second tab) counts once
    again = client.post(f"{path}/feedback", data={"csrf_token": csrf_token_from(client.get("/request").text), "fixed": "no"})
    assert "We already have your feedback" in again.text
    assert len(feedback_rows(app)) == 1
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.state == CaseState.RESOLVED
        assert any(e.kind == "citizen_feedback" and "fixed, satisfaction 5 of 5" in e.message and "Quick work." in e.message
                   for e in case.events)


def test_not_fixed_reopens_the_case_and_tells_the_caseworker_and_the_citizen(
        app, client, city, run_worker, mail_server):
    path = submit_and_resolve(app, client, city, run_worker)
    sent = answer(client, path, fixed="no", comment="The hole is back after the rain.")
    assert sent.status_code == 303
    tracking = client.get(sent.location).text
    assert "We have reopened your request" in tracking and "Tell us whether it was fixed" not in tracking
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.state == CaseState.IN_PROGRESS and case.resolved_at is None
    run_worker()
    [told] = mail_server.messages_to(city.caseworker.email)
    assert "is not fixed" in told["Subject"] and "The hole is back after the rain." in body_of(told)
    assert any("reopened" in m["Subject"] for m in mail_server.messages_to("ana@example.org"))

    # resolved a second time, the citizen may answer again
    with app.app_context():
        case_actions.resolve_case(db.session.scalar(db.select(Case)), by=db.session.get(Staff, city.caseworker.id),
                              public_note="Patched properly.", effort_minutes=20)
    assert answer(client, path, fixed="yes").status_code == 303
    assert [row.resolution for row in feedback_rows(app)] == [1, 2]


def test_bad_feedback_is_refused_with_messages_and_nothing_is_stored(app, client, city, run_worker):
    path = submit_and_resolve(app, client, city, run_worker)
    missing = answer(client, path, satisfaction="5")
    assert missing.status_code == 400 and "Say whether the problem was fixed" in missing.text
    out_of_scale = answer(client, path, fixed="yes", satisfaction="9")
    assert out_of_scale.status_code == 400 and "Choose how much you agree" in out_of_scale.text
    too_long = answer(client, path, fixed="yes", comment="x" * 2001)
    assert too_long.status_code == 400 and "2,000 characters or fewer" in too_long.text
    assert feedback_rows(app) == []


def test_feedback_sent_after_the_session_ended_reopens_nothing_and_comes_back_as_typed(
        app, client, city, run_worker):
    path = submit_and_resolve(app, client, city, run_worker)
    refused = client.post(f"{path}/feedback", data={"csrf_token": "from-a-lost-session", "fixed": "no",
                                                    "comment": "Still there, and deeper now."})
    assert refused.status_code == 400
    assert "This form had expired, so nothing was sent" in refused.text
    assert "Still there, and deeper now.</textarea>" in refused.text
    assert feedback_rows(app) == []
    with app.app_context():
        assert db.session.scalar(db.select(Case)).state == CaseState.RESOLVED


def test_a_language_chosen_mid_feedback_shows_the_form_in_it_as_filled_in_and_stores_nothing(
        app, client, city, run_worker):
    path = submit_and_resolve(app, client, city, run_worker)
    page = client.get(f"{path}/feedback")
    switched = client.post(f"{path}/feedback?lang=pt", data={
        "csrf_token": csrf_token_from(page.text), "step": "change", "fixed": "no", "comment": "Continua lá."})
    assert switched.status_code == 200 and '<html lang="pt">' in switched.text
    assert "Continua lá.</textarea>" in switched.text
    assert re.search(r'name="fixed" type="radio" value="no"[^>]* checked', switched.text)
    assert feedback_rows(app) == []


def test_there_is_no_feedback_form_before_resolution(app, client, city, run_worker):
    form = client.get("/request?service=pothole")
    submitted = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole by the bus stop", "address": "Bus stop 4",
        "contact_email": "ana@example.org",
    })
    run_worker()
    path = submitted.location.replace("/submitted", "")
    assert client.get(f"{path}/feedback").status_code == 404
    assert client.get("/track/not-a-real-token/feedback").status_code == 404
