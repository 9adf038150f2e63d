"""Admins change the wording of a message, preview it against a real case, and reset it."""


from casework import messages
from casework.agency_setup import ReplyTemplate
from casework.models import Case
from core.accounts.models import Staff
from core.extensions import db
from core.models import AuditEvent
from notifications.models import MessageTemplate
from tests.conftest import csrf_token_from, sign_out
from bench.harness.mailserver import body_of
from tests.submissions import REFERENCE, submit_pothole

EDITOR = "/admin/messages/request_routed/es"


def test_only_admins_reach_the_wording_pages(client, city, login_as):
    login_as(city.supervisor)
    assert client.get("/admin/messages").status_code == 403
    assert client.post(EDITOR, data={"subject": "x", "body": "y"}).status_code in (400, 403)


def test_the_list_shows_every_message_and_language(client, city, login_as):
    login_as(city.admin)
    page = client.get("/admin/messages")
    assert page.status_code == 200
    assert page.text.count("Request routed<span") == 3 and "Spanish" in page.text
    assert client.get("/admin/messages/no_such_event/en").status_code == 404
    assert client.get("/admin/messages/case_assigned/es").status_code == 404


def test_preview_against_a_real_case_then_save_and_the_next_message_uses_it(
        app, client, city, login_as, run_worker, mail_server):
    confirmation = submit_pothole(client)
    reference = REFERENCE.search(confirmation.text).group()
    run_worker()
    mail_server.messages.clear()
    login_as(city.admin)
    editor = client.get(EDITOR)
    assert "está con el equipo de" in editor.text
    token = csrf_token_from(editor.text)
    wording = {"csrf_token": token, "subject": "Solicitud {{ reference }}: equipo {{ team }}",
               "body": "Hola. El equipo {{ team }} lo tiene.\n{{ tracking_url }}", "case_reference": reference}
    preview = client.post(EDITOR, data={**wording, "action": "preview"})
    assert preview.status_code == 200
    assert f"Solicitud {reference}: equipo Roads and Streets" in preview.text
    # the preview never shows a working private link
    assert "/track/" not in preview.text.split('id="preview"')[1]
    with app.app_context():
        assert db.session.scalar(db.select(MessageTemplate)) is None

    saved = client.post(EDITOR, data={**wording, "action": "save"})
    assert saved.status_code == 303
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        case.request.language = "es"
        # a second routing message for the same request, as if triaged again
        notification = messages.tell_citizen(case.request, "request_routed", "again", team="Roads and Streets",
                                             service_name="Pothole", expected_by=case.resolution_due_at.isoformat())
        db.session.commit()
        messages.dispatch(notification)
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="message_wording_saved")).target_id == \
            "request_routed.es"
    run_worker()
    [message] = mail_server.messages
    assert message["Subject"] == f"Solicitud {reference}: equipo Roads and Streets"
    assert "El equipo Roads and Streets lo tiene." in body_of(message)


def test_broken_wording_is_refused_with_the_reason_and_kept_for_fixing(app, client, city, login_as):
    login_as(city.admin)
    token = csrf_token_from(client.get(EDITOR).text)
    refused = client.post(EDITOR, data={"csrf_token": token, "action": "save", "subject": "Hola",
                                        "body": "Hola {{ team "})
    assert refused.status_code == 400
    assert "There is a problem" in refused.text and "cannot be used" in refused.text
    assert "Hola {{ team " in refused.text
    missing = client.post(EDITOR, data={"csrf_token": token, "action": "save", "subject": "", "body": "x"})
    assert missing.status_code == 400 and "Enter a subject" in missing.text
    with app.app_context():
        assert db.session.scalar(db.select(MessageTemplate)) is None


def test_reset_brings_back_the_built_in_wording(app, client, city, login_as):
    login_as(city.admin)
    token = csrf_token_from(client.get(EDITOR).text)
    client.post(EDITOR, data={"csrf_token": token, "action": "save", "subject": "Cambiado", "body": "Cambiado"})
    assert "Cambiado" in client.get(EDITOR).text
    client.post(EDITOR, data={"csrf_token": token, "action": "reset"})
    page = client.get(EDITOR)
    assert "Cambiado" not in page.text and "está con el equipo de" in page.text


def test_a_language_added_as_a_catalogue_is_offered_wherever_staff_choose_a_language(
        app, client, city, login_as, monkeypatch):
    """docs/translating.md: adding a language needs no code. Its wording, reply templates, routing and the
    staff who speak it then follow without a change either."""
    monkeypatch.setitem(app.extensions, "tandem.languages", ["en", "es", "pt", "fr"])  # as a compiled fr catalogue
    login_as(city.admin)
    assert "French" in client.get("/admin/messages").text
    assert client.get("/admin/messages/request_received/fr").status_code == 200
    assert 'value="fr"' in client.get("/admin/routing/new").text
    lists = client.get("/admin/case-lists/").text
    saved = client.post("/admin/case-lists/templates", data={
        "csrf_token": csrf_token_from(lists), "name": "Équipe prévue", "language": "fr", "active": "y",
        "body": "Une équipe passera cette semaine."})
    assert saved.status_code == 303, saved.text

    sign_out(client)
    login_as(city.supervisor)
    person = client.get(f"/supervision/staff/{city.caseworker.id}")
    assert 'value="fr"' in person.text
    client.post(f"/supervision/staff/{city.caseworker.id}/capacity", data={
        "csrf_token": csrf_token_from(person.text), "hours": "35", "languages": ["en", "fr"]})
    with app.app_context():
        assert db.session.get(Staff, city.caseworker.id).languages == "en,fr"
        assert db.session.scalar(db.select(ReplyTemplate.language).filter_by(name="Équipe prévue")) == "fr"
