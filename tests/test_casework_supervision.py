"""Supervisors: the workload board, a suggested rebalance previewed and applied, absence cover, capacity, pins."""
import re
from datetime import date, timedelta

import pytest

from casework.models import Absence, Case, CaseEvent, CaseState, Step
from core.extensions import db
from core.models import AuditEvent
from core.accounts.models import Staff
from notifications.models import Notification
from tests.conftest import csrf_token_from
from tests.console_cases import open_cases
from tests.factories import loaded, make_city, make_staff


@pytest.fixture
def team(app):
    """Casey holds 12 one-hour roads cases; Robin, in the same queue, holds none; both work 35 hours."""
    with app.app_context():
        city = make_city()
        robin = make_staff("Robin Roads", queues=[db.session.merge(city.roads_queue)])
        ids = open_cases(city.roads_queue, city.pothole, 12, assignee=city.caseworker)
        db.session.execute(db.update(Case).values(estimated_minutes=60))
        db.session.commit()
        loaded(*vars(city).values(), robin)
        return city, robin, ids


def supervisor_client(client, login_as, city):
    login_as(city.supervisor)
    return client


def test_the_board_shows_each_persons_load_against_capacity_in_words(app, client, login_as, team):
    city, robin, ids = team
    with app.app_context():
        db.session.add(Step(case_id=ids[0], staff_id=city.caseworker.id, effort_minutes=30,
                            started_at=db.func.now(), ended_at=db.func.now()))
        db.session.commit()
    supervisor_client(client, login_as, city)
    page = client.get("/supervision/")
    assert page.status_code == 200
    casey = re.search(r"Casey Worker</a>.*?</th>(.*?)</tr>", page.text, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", casey, re.S)
    assert "Has room" in cells[0] or "Balanced" in cells[0] or "Overloaded" not in cells[0]
    assert cells[2] == "12" and cells[3] == "11.5 h" and cells[4] == "35.0 h" and cells[5] == "0.5 h"
    robin_row = re.search(r"Robin Roads</a>.*?</th>(.*?)</tr>", page.text, re.S).group(1)
    assert "Has room" in robin_row and ">0%<" in robin_row


def test_a_week_away_takes_the_working_days_off_capacity(app, client, login_as, team):
    city, robin, ids = team
    with app.app_context():
        db.session.add(Absence(staff_id=city.caseworker.id, starts_on=date.today(),
                               ends_on=date.today() + timedelta(days=6)))
        db.session.commit()
    supervisor_client(client, login_as, city)
    casey = re.search(r"Casey Worker</a>.*?</th>(.*?)</tr>", client.get("/supervision/").text, re.S).group(1)
    assert "Away" in casey and "0.0 h" in casey


def suggest(client):
    board = client.get("/supervision/")
    made = client.post("/supervision/rebalance", data={"csrf_token": csrf_token_from(board.text)})
    assert made.status_code == 303
    return made.headers["Location"]


def test_a_plan_is_previewed_then_applied_without_the_moves_taken_out(app, client, login_as, team):
    city, robin, ids = team
    with app.app_context():
        db.session.merge(city.caseworker).capacity_minutes = 600  # 12 hours of work on 10 hours: overloaded
        db.session.commit()
    supervisor_client(client, login_as, city)
    preview = client.get(suggest(client))
    assert preview.status_code == 200
    moving = re.findall(r'name="case_id" value="(\d+)"', preview.text)
    assert moving and "Robin Roads" in preview.text and "Utilisation before and after" in preview.text
    kept_back = moving[0]
    action = re.search(r'action="(/supervision/rebalance/[\w-]+/apply)"', preview.text).group(1)
    applied = client.post(action, data={"csrf_token": csrf_token_from(preview.text), "case_id": moving[1:],
                                        "reason": "Casey is on a training course"})
    assert applied.status_code == 303
    with app.app_context():
        held = dict(db.session.execute(db.select(Case.id, Case.assignee_id)).all())
        assert held[int(kept_back)] == city.caseworker.id
        assert {held[int(case_id)] for case_id in moving[1:]} == {robin.id}
        events = db.session.scalars(db.select(CaseEvent).filter_by(kind="assigned")).all()
        assert len(events) == len(moving) - 1 and "training course" in events[0].message
        audit = db.session.scalar(db.select(AuditEvent).filter_by(action="rebalance_applied"))
        assert sorted(audit.details["applied"]) == sorted(int(case_id) for case_id in moving[1:])
        told = {(n.template, n.recipient) for n in db.session.scalars(db.select(Notification))}
        assert told == {("cases_given", robin.email), ("cases_taken", city.caseworker.email)}
    # the same plan cannot be applied twice
    again = client.post(action, data={"csrf_token": csrf_token_from(preview.text), "case_id": moving})
    assert again.status_code == 409 and "already applied" in again.text


def test_a_case_changed_since_the_preview_is_skipped_and_reported(app, client, login_as, team):
    city, robin, ids = team
    with app.app_context():
        db.session.merge(city.caseworker).capacity_minutes = 600
        db.session.commit()
    supervisor_client(client, login_as, city)
    preview = client.get(suggest(client))
    moving = re.findall(r'name="case_id" value="(\d+)"', preview.text)
    with app.app_context():
        db.session.add(CaseEvent(case=db.session.get(Case, int(moving[0])), kind="note", message="A colleague's note"))
        db.session.commit()
    action = re.search(r'action="(/supervision/rebalance/[\w-]+/apply)"', preview.text).group(1)
    answer = client.post(action, data={"csrf_token": csrf_token_from(preview.text), "case_id": moving})
    assert answer.status_code == 303, answer.text
    page = client.get("/supervision/")
    assert "changed since the plan" in page.text, re.findall(r'class="notice[^"]*"[^>]*>(.*?)</', page.text, re.S)
    with app.app_context():
        assert db.session.get(Case, int(moving[0])).assignee_id == city.caseworker.id


def test_absence_cover_moves_what_can_move_and_says_what_stays(app, client, login_as, team):
    city, robin, ids = team
    with app.app_context():
        db.session.get(Case, ids[0]).pinned = True
        db.session.get(Case, ids[1]).state = CaseState.WAITING_ON_CITIZEN
        db.session.add(Step(case_id=ids[2], staff_id=city.caseworker.id, started_at=db.func.now()))
        db.session.commit()
    supervisor_client(client, login_as, city)
    page = client.get(f"/supervision/staff/{city.caseworker.id}")
    refused = client.post(f"/supervision/staff/{city.caseworker.id}/cover",
                          data={"csrf_token": csrf_token_from(page.text), "to": str(robin.id)})
    assert refused.status_code == 400 and "Say why" in refused.text
    done = client.post(f"/supervision/staff/{city.caseworker.id}/cover", data={
        "csrf_token": csrf_token_from(page.text), "to": str(robin.id), "reason": "Casey is off sick"})
    assert done.status_code == 303
    flashed = client.get(done.headers["Location"]).text
    assert "Moved 9 of Casey Worker" in flashed and "pinned by a supervisor" in flashed
    assert "waiting on the citizen" in flashed and "a step is under way" in flashed
    with app.app_context():
        held = dict(db.session.execute(db.select(Case.id, Case.assignee_id)).all())
        assert [held[case_id] for case_id in ids[:3]] == [city.caseworker.id] * 3
        assert {held[case_id] for case_id in ids[3:]} == {robin.id}
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="cases_covered")).details["reason"] == \
            "Casey is off sick"


def test_cover_back_to_the_queue_unassigns(app, client, login_as, team):
    city, robin, ids = team
    supervisor_client(client, login_as, city)
    page = client.get(f"/supervision/staff/{city.caseworker.id}")
    client.post(f"/supervision/staff/{city.caseworker.id}/cover", data={
        "csrf_token": csrf_token_from(page.text), "to": "queue", "reason": "Leaving the team",
        "case_id": [str(ids[0]), str(ids[1])]})
    with app.app_context():
        assert db.session.get(Case, ids[0]).assignee_id is None
        assert db.session.get(Case, ids[0]).state == CaseState.TRIAGED
        assert db.session.get(Case, ids[2]).assignee_id == city.caseworker.id


def test_capacity_is_set_in_hours_or_as_a_share_of_full_time(app, client, login_as, team):
    city, robin, ids = team
    supervisor_client(client, login_as, city)
    page = client.get(f"/supervision/staff/{robin.id}")
    path = f"/supervision/staff/{robin.id}/capacity"
    both = client.post(path, data={"csrf_token": csrf_token_from(page.text), "hours": "20", "share": "50",
                                   "languages": "en"})
    assert both.status_code == 400 and "either the hours" in both.text
    client.post(path, data={"csrf_token": csrf_token_from(page.text), "share": "60", "languages": ["en", "es"]})
    with app.app_context():
        person = db.session.get(Staff, robin.id)
        assert person.capacity_minutes == 1260 and person.languages == "en,es"


def test_a_pinned_case_stays_with_its_holder_in_the_plan(app, client, login_as, team):
    city, robin, ids = team
    with app.app_context():
        db.session.merge(city.caseworker).capacity_minutes = 600
        db.session.commit()
    supervisor_client(client, login_as, city)
    case_page = client.get(f"/console/cases/{ids[11]}")
    client.post(f"/supervision/cases/{ids[11]}/pin", data={"csrf_token": csrf_token_from(case_page.text),
                                                           "pinned": "true"})
    preview = client.get(suggest(client))
    assert str(ids[11]) not in re.findall(r'name="case_id" value="(\d+)"', preview.text)
    with app.app_context():
        assert db.session.get(Case, ids[11]).pinned


def test_caseworkers_cannot_reach_supervision(app, client, login_as, team):
    city, robin, ids = team
    login_as(city.caseworker)
    assert client.get("/supervision/").status_code == 403


def test_the_api_plans_and_applies_a_rebalance_and_shows_the_board(app, client, team):
    from tests.api_calls import Caller, token_of

    city, robin, ids = team
    with app.app_context():
        db.session.merge(city.caseworker).capacity_minutes = 600
        db.session.commit()
        api = Caller(client, token_of(city.supervisor, name="night rebalance"))
    board = {row["name"]: row for row in api.get("/api/v1/workload").get_json()}
    assert board["Casey Worker"]["standing"] == "overloaded" and board["Casey Worker"]["utilisation"] == 1.2
    plan = api.post("/api/v1/rebalance/plan", json={}).get_json()
    assert plan["moves"] and all(move["to_staff_id"] == robin.id for move in plan["moves"])
    assert plan["utilisation_before"][str(city.caseworker.id)] == 1.2
    chosen = [move["case_id"] for move in plan["moves"]][:2]
    applied = api.post("/api/v1/rebalance/apply", json={"plan_id": plan["plan_id"], "case_ids": chosen}).get_json()
    assert applied == {"applied": chosen, "skipped": []}
    again = api.post("/api/v1/rebalance/apply", json={"plan_id": plan["plan_id"]})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    with app.app_context():
        assert {db.session.get(Case, case_id).assignee_id for case_id in chosen} == {robin.id}
        writes = db.session.scalars(db.select(AuditEvent).filter_by(action="api_write")).all()
        assert {write.details["token"] for write in writes} == {"night rebalance"}


def test_a_cases_effort_so_far_is_kept_as_steps_are_recorded_started_and_finished(app, team):
    from casework.console import case_actions, steps
    from casework.effort import recount_effort

    city, robin, ids = team
    with app.app_context():
        worker = db.session.get(Staff, city.caseworker.id)
        case = db.session.get(Case, ids[0])
        case_actions.record_step(case, by=worker, effort_minutes=25)
        steps.start_step(db.session.get(Case, ids[0]), by=worker)
        steps.complete_step(db.session.get(Case, ids[0]), by=worker, effort_minutes=10)
        assert db.session.get(Case, ids[0]).spent_minutes == 35
        kept = dict(db.session.execute(db.select(Case.id, Case.spent_minutes)).all())
        recount_effort()
        assert dict(db.session.execute(db.select(Case.id, Case.spent_minutes)).all()) == kept


def test_the_board_downloads_as_csv_with_the_same_numbers(app, client, login_as, team):
    import csv
    import io

    city, robin, ids = team
    supervisor_client(client, login_as, city)
    rows = {row["caseworker"]: row for row in csv.DictReader(io.StringIO(client.get("/supervision/workload.csv").text))}
    assert rows["Casey Worker"]["open_cases"] == "12" and rows["Casey Worker"]["remaining_minutes"] == "720"
    assert rows["Robin Roads"]["standing"] == "room"
