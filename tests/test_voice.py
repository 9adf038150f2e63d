"""The citizens' voice on staff desktops: who worked a case sees what its citizen said, on their own page and in a
digest at a real SMTP server; a colleague who did not work it does not; a supervisor sees the team, not people."""
from datetime import datetime, timedelta, timezone

import pytest

from casework.insight.rollup import measure_pending
from casework.voice import digest
from casework.voice.models import VoiceDigest
from core.extensions import db
from core.timeutil import utcnow
from intake.survey import Feedback
from tests.conftest import csrf_token_from
from tests.factories import loaded, make_staff
from tests.insight_cases import history, insight_city
from bench.harness.mailserver import body_of

COMMENT = "The crew came the next morning and explained everything. Thank you!"


@pytest.fixture
def city(app):
    with app.app_context():
        city = insight_city()
        city.colleague = make_staff("Cole League", queues=[city.roads_queue])
        loaded(city.pothole, city.graffiti, city.roads_queue, city.parks_queue, city.caseworker, city.supervisor,
               city.admin)
        return city


def resolved_with_answers(city, comments=(COMMENT,), satisfied=(5, 4, 4, 5, 2)):
    """Cases the caseworker worked (a step each), resolved last week, each answered by its citizen."""
    now = utcnow()
    cases = []
    for index, satisfaction in enumerate(satisfied):
        case = history(city, now - timedelta(days=8, hours=index), inspect=(2, 25), resolved_after=30)
        comment = comments[index] if index < len(comments) else None
        db.session.add(Feedback(request_id=case.request_id, fixed=satisfaction >= 3, satisfaction=satisfaction,
                                helpfulness=5, comment=comment, submitted_at=now - timedelta(days=6, hours=index)))
        cases.append(case)
    db.session.commit()
    measure_pending()
    return cases


def test_who_worked_a_case_sees_what_its_citizen_said_and_a_colleague_does_not(app, client, city, login_as):
    with app.app_context():
        resolved_with_answers(city)
    login_as(city.caseworker)
    page = client.get("/console/voice/")
    assert page.status_code == 200 and COMMENT in page.text
    assert "Staff were helpful: 5 of 5" in page.text
    assert '<dd data-figure="resolved">5</dd>' in page.text
    assert "80% of 5 who answered" in page.text  # four of five agreed (4 or 5)
    assert "Inspect the site" in page.text and "25.0" in page.text  # their minutes a step, beside its standard (20)
    # never the citizen's contact details (the factory's requests have none; the page reads none)
    client.post("/staff/logout", data={"csrf_token": csrf_token_from(page.text)})
    login_as(city.colleague)
    theirs = client.get("/console/voice/")
    assert COMMENT not in theirs.text and '<dd data-figure="resolved">0</dd>' in theirs.text
    # but the team's page, theirs too, has the comment and the team's figures
    team = client.get(f"/console/voice/teams/{city.roads_queue.id}")
    assert team.status_code == 200 and COMMENT in team.text and '<dd data-figure="resolved">5</dd>' in team.text
    # a team they are not in is refused
    assert client.get(f"/console/voice/teams/{city.parks_queue.id}").status_code == 403


def test_a_supervisor_sees_the_team_and_no_ones_own_figures(app, client, city, login_as):
    with app.app_context():
        resolved_with_answers(city)
    login_as(city.supervisor)
    team = client.get(f"/console/voice/teams/{city.roads_queue.id}").text
    assert '<dd data-figure="resolved">5</dd>' in team and "Casey Worker" not in team
    # their own page is their own: they worked none of these cases
    own = client.get("/console/voice/").text
    assert COMMENT not in own and '<dd data-figure="resolved">0</dd>' in own
    # and there is no address for another person's page
    assert client.get(f"/console/voice/{city.caseworker.id}").status_code == 404
    assert client.get("/console/voice/?period=forever").status_code == 400


def test_the_digest_brings_new_comments_by_email_to_who_asked_for_it(app, client, city, login_as, run_worker,
                                                                    mail_server):
    login_as(city.caseworker)
    page = client.get("/console/voice/")
    refused = client.post("/console/voice/digest", data={"frequency": "hourly",
                                                        "csrf_token": csrf_token_from(page.text)})
    assert refused.status_code == 303
    with app.app_context():
        assert db.session.get(VoiceDigest, city.caseworker.id) is None
    chosen = client.post("/console/voice/digest", data={"frequency": "daily",
                                                       "csrf_token": csrf_token_from(page.text)})
    assert chosen.status_code == 303
    with app.app_context():
        # turned on a week ago; the citizens answered since
        db.session.get(VoiceDigest, city.caseworker.id).told_up_to = utcnow() - timedelta(days=7)
        db.session.commit()
        resolved_with_answers(city, comments=(COMMENT, "Took too long, but fixed well."))
        evening = datetime.now(timezone.utc).replace(hour=20, minute=0)
        assert digest.send_due(now=evening) == 1
        assert digest.send_due(now=evening + timedelta(hours=1)) == 0  # once a day
    run_worker(["notifications"])
    [message] = mail_server.messages_to(city.caseworker.email)
    assert message["Subject"] == "What citizens said about your work: 2 new comments"
    body = body_of(message)
    assert COMMENT in body and "Took too long, but fixed well." in body and "/console/voice" in body
    # the colleague, who did not ask and did not work the cases, gets nothing
    assert mail_server.messages_to(city.colleague.email) == []
