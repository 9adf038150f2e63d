"""Working a case in the console: steps with a timer, friction, every action, stale forms, drafts, presence, bulk."""
import re
from datetime import timedelta

import pytest

from casework.agency_setup import ReplyTemplate
from casework.models import Case, CaseEvent, CaseState, Draft, Priority, Step
from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import utcnow
from notifications.models import Notification
from tests.conftest import case_form, csrf_token_from
from tests.console_cases import open_cases
from tests.factories import PASSWORD


@pytest.fixture
def case_id(app, city):
    with app.app_context():
        [found] = open_cases(city.roads_queue, city.pothole, 1, email="ana@example.org", address="12 High Street")
        return found


def page_of(client, case_id):
    page = client.get(f"/console/cases/{case_id}")
    assert page.status_code == 200
    return page.text


def step_type_id(page, name):
    return re.search(rf'<option value="(\d+)"[^>]*>{name}', page).group(1)


def test_a_started_step_is_saved_with_its_times_timer_minutes_and_rating(app, client, login_as, city, case_id):
    login_as(city.caseworker)
    page = page_of(client, case_id)
    started = client.post(f"/console/cases/{case_id}/steps/start",
                          data=case_form(page, step_type_id=step_type_id(page, "Inspect the site")))
    assert started.status_code == 303
    page = page_of(client, case_id)
    assert "Inspect the site: under way since" in page and "data-step-timer" in page
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == CaseState.IN_PROGRESS and case.assignee_id == city.caseworker.id
        [step] = case.steps
        assert step.under_way and step.started_at is not None

    saved = client.post(f"/console/cases/{case_id}/steps/complete", data=case_form(
        page, effort_minutes="18", active_minutes="16", friction="4", friction_reason="missing_information"))
    assert saved.status_code == 303
    with app.app_context():
        [step] = db.session.get(Case, case_id).steps
        assert (step.effort_minutes, step.active_minutes, step.friction, step.friction_reason) == (18, 16, 4,
                                                                                                    "missing_information")
        assert step.ended_at >= step.started_at
    page = page_of(client, case_id)
    assert re.search(r"Inspect the site</strong>\s*<span class=\"visually-hidden\">\(done\)</span>: Casey Worker, 18 min", page)


def test_minutes_outside_a_working_day_and_an_unexplained_other_are_refused_and_nothing_is_saved(
        app, client, login_as, city, case_id):
    login_as(city.caseworker)
    page = page_of(client, case_id)
    client.post(f"/console/cases/{case_id}/steps/start", data=case_form(page))
    page = page_of(client, case_id)
    for sent, message in [({"effort_minutes": "481"}, "from 0 to 480"), ({"effort_minutes": "-3"}, "from 0 to 480"),
                          ({"effort_minutes": "ten"}, "whole number"),
                          ({"effort_minutes": "5", "friction_reason": "other"}, "Say what made it hard"),
                          ({"effort_minutes": "5", "active_minutes": "9999"}, "The timer can count 0 to 480")]:
        refused = client.post(f"/console/cases/{case_id}/steps/complete", data=case_form(page, **sent))
        assert refused.status_code == 400 and message in refused.text, sent
    with app.app_context():
        [step] = db.session.get(Case, case_id).steps
        assert step.under_way and step.effort_minutes is None


def test_save_step_and_take_next_is_one_action(app, client, login_as, city, case_id):
    with app.app_context():
        [following] = open_cases(city.urgent_queue, city.pothole, 1, priority=Priority.URGENT)
    login_as(city.caseworker)
    page = page_of(client, case_id)
    client.post(f"/console/cases/{case_id}/steps/start", data=case_form(page))
    page = page_of(client, case_id)
    answer = client.post(f"/console/cases/{case_id}/steps/complete", data=case_form(page, effort_minutes="7", next="true"))
    assert answer.status_code == 303 and answer.location.endswith(f"/console/cases/{following}")
    with app.app_context():
        assert db.session.get(Case, following).assignee_id == city.caseworker.id


def test_a_form_drawn_before_a_colleagues_change_is_refused_with_what_changed(app, client, login_as, city, case_id):
    login_as(city.caseworker)
    stale_page = page_of(client, case_id)
    with app.app_context():
        from casework.console import changes
        changes.add_note(db.session.get(Case, case_id), db.session.get(Staff, city.supervisor.id), "Called the crew.")
        changes.change_priority(db.session.get(Case, case_id), db.session.get(Staff, city.supervisor.id), "high")
    refused = client.post(f"/console/cases/{case_id}/reply", data=case_form(
        stale_page, message="We are on it.", effort_minutes="2"))
    assert refused.status_code == 409
    assert "Someone changed this case after you opened it" in refused.text
    assert "Sam Supervisor: priority changed" in refused.text and "Called the crew." in refused.text
    # what was typed is still there to send again
    assert "We are on it." in refused.text
    with app.app_context():
        assert not db.session.scalars(db.select(CaseEvent).filter_by(case_id=case_id, kind="public_reply")).all()
        assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0


def test_a_note_is_never_refused_as_stale_since_it_overwrites_nothing(app, client, login_as, city, case_id):
    login_as(city.caseworker)
    stale_page = page_of(client, case_id)
    with app.app_context():
        from casework.console import changes
        changes.change_priority(db.session.get(Case, case_id), db.session.get(Staff, city.supervisor.id), "high")
    noted = client.post(f"/console/cases/{case_id}/notes", data=case_form(stale_page, text="Crew asked for cones."))
    assert noted.status_code == 303
    with app.app_context():
        notes = db.session.scalars(db.select(CaseEvent).filter_by(case_id=case_id, kind="note")).all()
        assert [note.message for note in notes] == ["Crew asked for cones."]
    # a reply from the same old page is still refused: it is the citizen's word at a version
    assert client.post(f"/console/cases/{case_id}/reply", data=case_form(
        stale_page, message="We are on it.", effort_minutes="2")).status_code == 409


def test_priority_and_queue_changes_recompute_the_due_date_and_are_on_the_timeline(app, client, login_as, city, case_id):
    with app.app_context():
        from casework.agency_setup import RoutingRule
        db.session.add(RoutingRule(name="Urgent potholes in 8 hours", service_id=city.pothole.id,
                                   queue_id=city.roads_queue.id, priority="urgent", resolution_hours=8, position=5))
        db.session.commit()
        before = db.session.get(Case, case_id).resolution_due_at
    login_as(city.supervisor)
    page = page_of(client, case_id)
    assert client.post(f"/console/cases/{case_id}/priority",
                       data=case_form(page, priority="urgent", reason="School run")).status_code == 303
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.priority == "urgent" and case.resolution_due_at < before
        assert abs((case.resolution_due_at - case.opened_at) - timedelta(hours=8)) < timedelta(seconds=1)
        event = case.events[-1]
        assert event.kind == "priority_changed" and event.details["from"] == "normal" and "School run" in event.message
    page = page_of(client, case_id)
    assert client.post(f"/console/cases/{case_id}/queue",
                       data=case_form(page, queue_id=str(city.parks_queue.id))).status_code == 303
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.queue_id == city.parks_queue.id
        # the rule's 8 hours were the road team's; in the parks queue an urgent case has a quarter of the service's 72
        assert abs((case.resolution_due_at - case.opened_at) - timedelta(hours=18)) < timedelta(seconds=1)
        assert case.events[-1].kind == "queue_changed"


def test_notes_stay_internal_and_release_gives_the_case_back(app, client, login_as, city, case_id):
    login_as(city.caseworker)
    page = page_of(client, case_id)
    client.post(f"/console/cases/{case_id}/assign", data=case_form(page, staff_id=str(city.caseworker.id)))
    page = page_of(client, case_id)
    assert client.post(f"/console/cases/{case_id}/notes", data=case_form(page, text="Crew says Tuesday")).status_code == 303
    page = page_of(client, case_id)
    assert client.post(f"/console/cases/{case_id}/release", data=case_form(page, reason="Off sick")).status_code == 303
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.assignee_id is None and case.state == CaseState.TRIAGED
        note = db.session.scalar(db.select(CaseEvent).filter_by(case_id=case_id, kind="note"))
        assert note.public is False and note.message == "Crew says Tuesday"
        token = case.request.tracking_token
    client.post("/staff/logout", data={"csrf_token": csrf_token_from(page)})
    assert "Crew says Tuesday" not in client.get(f"/track/{token}").text


def test_taking_a_case_from_a_colleague_needs_a_reason(app, client, login_as, city, case_id):
    with app.app_context():
        from tests.factories import make_staff
        from casework.models import Queue
        other = make_staff("Olu Other", queues=[db.session.get(Queue, city.roads_queue.id)])
        other_id = other.id
        db.session.get(Case, case_id).assignee_id = other_id
        db.session.commit()
    login_as(city.supervisor)
    page = page_of(client, case_id)
    refused = client.post(f"/console/cases/{case_id}/assign", data=case_form(page, staff_id=str(city.caseworker.id)))
    assert refused.status_code == 409 and "Say why the case moves from Olu Other" in refused.text
    done = client.post(f"/console/cases/{case_id}/assign",
                       data=case_form(page, staff_id=str(city.caseworker.id), reason="Olu is on leave"))
    assert done.status_code == 303
    with app.app_context():
        event = db.session.get(Case, case_id).events[-1]
        assert event.details["reason"] == "Olu is on leave" and event.details["from_staff_id"] == other_id


def test_resolving_needs_an_outcome_from_the_admins_list(app, client, login_as, city, case_id):
    login_as(city.caseworker)
    page = page_of(client, case_id)
    missing = client.post(f"/console/cases/{case_id}/resolve", data=case_form(page, public_note="Filled.", effort_minutes="5"))
    assert missing.status_code == 400 and "Choose how the case ended" in missing.text
    unknown = client.post(f"/console/cases/{case_id}/resolve",
                          data=case_form(page, outcome_id="999", public_note="Filled.", effort_minutes="5"))
    assert unknown.status_code == 409 and "Choose how the case ended from the list" in unknown.text
    done = client.post(f"/console/cases/{case_id}/resolve",
                       data=case_form(page, outcome="No action needed", public_note="Already filled.", effort_minutes="5",
                                      confirm_unfinished="true"))
    assert done.status_code == 303
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == CaseState.RESOLVED and case.outcome.code == "no_action_needed"
        assert case.closed_at is not None


def test_a_reply_template_fills_in_the_case_and_the_preview_sends_nothing(app, client, login_as, city, case_id):
    with app.app_context():
        db.session.add(ReplyTemplate(name="Booked", language="en", body="Your report {reference} about {service} is booked."))
        db.session.commit()
        template_id = db.session.scalar(db.select(ReplyTemplate.id))
        reference = db.session.get(Case, case_id).request.reference
    login_as(city.caseworker)
    page = client.get(f"/console/cases/{case_id}?template={template_id}").text
    assert f"Your report {reference} about Pothole is booked." in page
    preview = client.post(f"/console/cases/{case_id}/reply", data=case_form(
        page, message=f"Your report {reference} is booked.", effort_minutes="1", action="preview"))
    assert preview.status_code == 200 and "What the citizen will read" in preview.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0


def test_a_draft_is_kept_across_reloads_and_sessions_and_sending_clears_it(app, client, login_as, city, case_id):
    login_as(city.caseworker)
    page = page_of(client, case_id)
    token = csrf_token_from(page)
    assert client.post(f"/console/cases/{case_id}/drafts/reply", data={"csrf_token": token,
                                                                        "body": "Half a thought"}).status_code == 204
    too_long = client.post(f"/console/cases/{case_id}/drafts/reply", data={"csrf_token": token, "body": "x" * 10_001})
    assert too_long.status_code == 400 and too_long.json["error"] == "draft_refused"
    client.post("/staff/logout", data={"csrf_token": token})
    login_as(city.caseworker)
    page = page_of(client, case_id)
    assert ">Half a thought</textarea>" in page
    sent = client.post(f"/console/cases/{case_id}/reply", data=case_form(page, message="Half a thought, finished.",
                                                                         effort_minutes="2"))
    assert sent.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Draft.id))) == 0


def test_a_caseworker_sees_who_else_is_viewing_a_case_on_it_and_in_the_list(app, login_as, city, case_id):
    first, second = app.test_client(), app.test_client()
    for client, person in ((first, city.caseworker), (second, city.supervisor)):
        login_page = client.get("/staff/login")
        client.post("/staff/login", data={"email": person.email, "password": PASSWORD,
                                          "csrf_token": csrf_token_from(login_page.text)})
    first.get(f"/console/cases/{case_id}")
    assert "Also viewing: Casey Worker" in second.get(f"/console/cases/{case_id}").text
    assert "Also viewing: Sam Supervisor" in first.get(f"/console/queues/{city.roads_queue.id}").text


def test_merge_by_reference_and_related_cases(app, client, login_as, city, case_id):
    with app.app_context():
        [same_place] = open_cases(city.roads_queue, city.pothole, 1, address="12 high street", email="ben@example.org")
        [same_person] = open_cases(city.roads_queue, city.pothole, 1, address="3 Other Road", email="ANA@example.org")
        original = db.session.get(Case, case_id).request.reference
    login_as(city.caseworker)
    page = page_of(client, same_place)
    assert "(same address; triaged)" in page
    assert "(same citizen" in page_of(client, same_person)
    merged = client.post(f"/console/cases/{same_place}/merge", data=case_form(page, reference=original.lower()))
    assert merged.status_code == 303
    with app.app_context():
        assert db.session.get(Case, same_place).duplicate_of_id == case_id
    bad = client.post(f"/console/cases/{same_person}/merge", data=case_form(page_of(client, same_person), reference="R-0000-0000"))
    assert bad.status_code == 409 and "There is no case with that reference" in bad.text


def test_bulk_actions_preview_a_count_then_apply_and_skip_what_changed(app, client, login_as, city):
    with app.app_context():
        ids = open_cases(city.roads_queue, city.pothole, 4)
    login_as(city.supervisor)
    queue_page = client.get(f"/console/queues/{city.roads_queue.id}").text
    token = csrf_token_from(queue_page)
    preview = client.post("/console/bulk", data={"csrf_token": token, "case_id": [str(i) for i in ids],
                                                 "choice": "priority:high", "back": f"/console/queues/{city.roads_queue.id}"})
    assert preview.status_code == 200 and "Set high priority: 4 cases" in preview.text
    with app.app_context():
        assert all(db.session.get(Case, i).priority == "normal" for i in ids)
        # someone changes one of them while the supervisor reads the preview
        from casework.console import changes
        changes.add_note(db.session.get(Case, ids[0]), db.session.get(Staff, city.caseworker.id), "Looking now")
    versions = re.findall(r'name="versions" value="([^"]+)"', preview.text)
    applied = client.post("/console/bulk", data={"csrf_token": token, "choice": "priority:high", "apply": "true",
                                                 "versions": versions, "back": f"/console/queues/{city.roads_queue.id}"},
                          follow_redirects=True)
    assert "Changed 3 cases; left 1 alone" in applied.text and "changed since the preview" in applied.text
    with app.app_context():
        assert [db.session.get(Case, i).priority for i in ids] == ["normal", "high", "high", "high"]
    nothing = client.post("/console/bulk", data={"csrf_token": token, "choice": "priority:high",
                                                 "back": "/console/"}, follow_redirects=True)
    assert "Nothing was changed: Tick the cases to change first." in nothing.text


def test_steps_that_started_and_ended_keep_waiting_cases_and_counts_honest(app, city):
    """A step under way leaves the case open and in progress; the counters follow (see test_casework_queue_counts)."""
    with app.app_context():
        from casework import counts
        from casework.console import steps
        [case_id] = open_cases(city.roads_queue, city.pothole, 1, start=utcnow())
        worker = db.session.get(Staff, city.caseworker.id)
        steps.start_step(db.session.get(Case, case_id), worker)
        assert counts.kept_counts() == {(city.roads_queue.id, worker.id, "in_progress"): 1}
        steps.complete_step(db.session.get(Case, case_id), worker, effort_minutes=3)
        assert db.session.scalar(db.select(db.func.count(Step.id)).where(Step.ended_at.is_(None))) == 0


def test_friction_shows_only_as_a_share_per_step_type_once_five_rated_it(app, client, login_as, city, case_id):
    with app.app_context():
        from casework.models import StepType
        inspect_id = db.session.scalar(db.select(StepType.id).filter_by(name="Inspect the site"))
        others = open_cases(city.roads_queue, city.pothole, 5)
        for number, other in enumerate(others[:4]):
            db.session.add(Step(case_id=other, step_type_id=inspect_id, staff_id=city.caseworker.id, effort_minutes=5,
                                ended_at=utcnow(), friction=5 if number < 2 else 1))
        db.session.commit()
    login_as(city.caseworker)
    assert "Rated hard (4 or 5 of 5)" not in page_of(client, case_id)
    with app.app_context():
        db.session.add(Step(case_id=others[4], step_type_id=inspect_id, staff_id=city.supervisor.id, effort_minutes=5,
                            ended_at=utcnow(), friction=4))
        db.session.commit()
        # the share is kept for ten minutes; let that time pass
        from core.queues import redis_connection
        redis_connection().flushdb()
    page = page_of(client, case_id)
    assert "Rated hard (4 or 5 of 5) 60% of 5 times it was done in the last 90 days, on any case" in page
    assert "Casey Worker" not in page.split("Rated hard (4 or 5 of 5)")[1][:80]


def test_every_handling_action_refuses_bad_input_with_a_message_and_changes_nothing(app, client, login_as, city, case_id):
    login_as(city.caseworker)
    page = page_of(client, case_id)
    attempts = [
        ("priority", {"priority": "extreme"}, 400, "Choose a priority from the list"),
        ("priority", {"priority": "normal"}, 409, "already has normal priority"),
        ("queue", {"queue_id": "99999"}, 409, "Choose a queue from the list"),
        ("queue", {"queue_id": "x"}, 400, "Choose the queue to move the case to"),
        ("notes", {"text": " "}, 400, "Write the note"),
        ("notes", {"text": "x" * 5001}, 400, "Write 2 to 5,000 characters"),
        ("release", {}, 409, "Nobody holds this case"),
        ("merge", {"reference": "not a reference"}, 400, "Enter a reference like R-7K3M-Q9XA"),
        ("steps/start", {"step_type_id": "99999"}, 409, "Choose one of this service"),
        ("steps/complete", {"effort_minutes": "5"}, 409, "You have no step under way"),
        ("reply", {"message": "\u0000 hidden", "effort_minutes": "1"}, 400, ""),
    ]
    with app.app_context():
        before = db.session.get(Case, case_id)
        snapshot = (before.priority, before.queue_id, before.assignee_id, before.version, len(before.events))
    for path, sent, status, message in attempts:
        answer = client.post(f"/console/cases/{case_id}/{path}", data=case_form(page, **sent))
        assert answer.status_code == status, (path, sent, answer.status_code)
        assert message in answer.text, (path, sent)
    with app.app_context():
        after = db.session.get(Case, case_id)
        assert (after.priority, after.queue_id, after.assignee_id, after.version, len(after.events)) == snapshot
    no_version = client.post(f"/console/cases/{case_id}/notes", data={"csrf_token": csrf_token_from(page), "text": "Hi"})
    assert no_version.status_code == 400 and "This page is out of date" in no_version.text


def let_go(case):
    """The resolver has left since (their account's cases went back to the queues): nobody holds the case."""
    case.assignee = None
    db.session.commit()


def test_the_audit_trail_records_the_state_a_reopened_case_really_entered(app, city, case_id):
    """Nobody holds the case: reopening (by staff or by the citizen's "not fixed") puts it back in its queue, triaged."""
    from casework.console import case_actions, citizen_input

    with app.app_context():
        supervisor = db.session.get(Staff, city.supervisor.id)
        case = db.session.get(Case, case_id)
        case_actions.resolve_case(case, supervisor, "Filled the hole.", 5)
        let_go(case)
        case_actions.reopen_case(case, supervisor, "The patch sank again.")
        case = db.session.get(Case, case_id)
        reopened = [event for event in case.events if event.kind == "reopened"][-1]
        assert case.state == CaseState.TRIAGED
        assert (reopened.details["from"], reopened.details["to"]) == ("resolved", "triaged")

        case_actions.resolve_case(case, supervisor, "Filled it properly.", 5)
        let_go(case)
        citizen_input.record_citizen_feedback(case.request_id, fixed=False, comment="Still there", satisfaction=1)
        case = db.session.get(Case, case_id)
        by_citizen = [event for event in case.events if event.kind == "reopened_by_citizen"][-1]
        assert case.state == CaseState.TRIAGED
        assert (by_citizen.details["from"], by_citizen.details["to"]) == ("resolved", "triaged")
        # every recorded transition chains: each event's "from" is the state the one before it entered
        moves = [(e.details["from"], e.details["to"]) for e in sorted(case.events, key=lambda e: e.id)
                 if "from" in (e.details or {}) and e.kind != "priority_changed"]
        assert all(before[1] == after[0] for before, after in zip(moves, moves[1:])), moves


def test_resolving_with_workflow_steps_not_done_names_them_and_needs_the_caseworkers_word(
        app, client, login_as, city, case_id):
    login_as(city.caseworker)
    page = page_of(client, case_id)
    assert "Not done yet: Inspect the site, Schedule the repair." in page
    fields = dict(outcome="Fixed", public_note="Filled it on the way past.", effort_minutes="5")
    refused = client.post(f"/console/cases/{case_id}/resolve", data=case_form(page, **fields))
    assert refused.status_code == 409
    assert 'id="resolve-confirm_unfinished-error"' in refused.text or "resolve-confirm_unfinished" in refused.text
    assert "Not done yet: Inspect the site, Schedule the repair. Tick" in refused.text
    assert "Filled it on the way past." in refused.text  # what was typed is kept
    with app.app_context():
        assert db.session.get(Case, case_id).state != CaseState.RESOLVED
    done = client.post(f"/console/cases/{case_id}/resolve", data=case_form(page, confirm_unfinished="true", **fields))
    assert done.status_code == 303
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == CaseState.RESOLVED
        noted = next(event for event in case.events if event.kind == "resolved_with_steps_not_done")
        assert noted.details["steps_not_done"] == ["Inspect the site", "Schedule the repair"] and not noted.public


def test_after_a_step_start_a_step_offers_the_next_one_and_the_checklist_shows_one_under_way(
        app, client, login_as, city, case_id):
    login_as(city.caseworker)
    page = page_of(client, case_id)
    inspect, schedule = step_type_id(page, "Inspect the site"), step_type_id(page, "Schedule the repair")
    assert f'<option value="{inspect}" selected>Inspect the site (next)' in page
    client.post(f"/console/cases/{case_id}/steps", data=case_form(page, step_type_id=inspect, effort_minutes="20"))
    page = page_of(client, case_id)
    assert f'<option value="{schedule}" selected>Schedule the repair (next)' in page
    client.post(f"/console/cases/{case_id}/steps/start", data=case_form(page, step_type_id=schedule))
    page = page_of(client, case_id)
    assert re.search(r'checklist-under-way.*?Schedule the repair</strong>\s*: under way since \d{1,2}:\d{2}[ap]m '
                     r'\(Casey Worker\)', page, re.S)
