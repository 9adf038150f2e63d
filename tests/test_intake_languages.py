"""Citizens use Tandem in English, Spanish or Portuguese; their language is kept and used for what we send."""
import io
import re


from core.extensions import db
from intake.models import ServiceRequest
from intake.photos import RequestPhoto
from tests.conftest import csrf_token_from
from tests.submissions import jpeg_with_location
from bench.harness.mailserver import body_of


def test_a_citizen_picks_spanish_and_keeps_it_from_page_to_page(client, city):
    home = client.get("/?lang=es")
    assert '<html lang="es">' in home.text
    assert "Avise de un problema o pida un servicio" in home.text
    assert "lang=es" in home.headers.get("Set-Cookie", "")
    form = client.get("/request?service=pothole")  # no parameter: the cookie remembers
    assert "Cuéntenos el problema" in form.text and "Continuar" in form.text
    assert 'hreflang="pt"' in form.text and "Português" in form.text  # the switcher offers the others


def test_a_language_chosen_mid_form_shows_the_form_again_in_it_as_typed_and_saves_nothing_yet(app, client, city):
    """What the switcher sends from a form in progress (static/carry_form.js): half filled, a photo chosen. It
    comes back in Spanish with every answer and the photo, and no error for what is not filled in yet."""
    form = client.get("/request?service=pothole")
    key = re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1)
    page = client.post("/request?lang=es", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(form.text), "submission_key": key, "step": "change",
        "service_code": "pothole", "description": "Bache enorme delante del colegio",
        "photos": (io.BytesIO(jpeg_with_location()), "bache.jpg")})
    assert page.status_code == 200 and '<html lang="es">' in page.text
    assert "Describa el problema" in page.text and ">Bache enorme delante del colegio</textarea>" in page.text
    assert "Hay un problema" not in page.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0
        assert db.session.scalar(db.select(db.func.count(RequestPhoto.id)).filter_by(submission_key=key)) == 1
    assert "Describa el problema" in client.get("/request?service=pothole").text  # and the language is kept


def test_the_browsers_language_is_used_when_none_was_picked(client, city):
    page = client.get("/", headers={"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"})
    assert '<html lang="pt">' in page.text and "Comunique um problema ou peça um serviço" in page.text
    english = client.get("/", headers={"Accept-Language": "de-DE"})
    assert '<html lang="en">' in english.text


def test_errors_are_explained_in_the_citizens_language(app, client, city):
    client.get("/?lang=es")
    form = client.get("/request?service=pothole")
    response = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text), "service_code": "pothole", "description": "Bache enorme",
        "address": "Calle Mayor 3"})
    assert response.status_code == 400
    assert "<title>Error: " in response.text and "Hay un problema" in response.text
    assert "Escriba su correo electrónico" in response.text
    forged = client.post("/request", data={"csrf_token": "forged", "service_code": "pothole"})
    assert "El formulario había caducado y no se envió nada" in forged.text
    assert "Página no encontrada" in client.get("/track/no-such-token").text


def report_a_pothole_in_spanish(client):
    """Send the pothole form as the language already chosen shows it; return the answer (a redirect)."""
    form = client.get("/request?service=pothole")
    return client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Un bache enorme en la parada", "address": "Parada 4",
        "contact_email": "ana@example.org"})


def test_a_request_made_in_spanish_is_acknowledged_and_tracked_in_spanish(app, client, city, run_worker, mail_server):
    client.get("/?lang=es")
    submitted = report_a_pothole_in_spanish(client)
    confirmation = client.get(submitted.location)
    assert "Solicitud recibida" in confirmation.text and "Su número de referencia" in confirmation.text
    with app.app_context():
        assert db.session.scalar(db.select(ServiceRequest.language)) == "es"
    run_worker()
    received, routed = mail_server.messages_to("ana@example.org")
    assert received["Subject"].startswith("Hemos recibido su solicitud")
    assert "está con el equipo" in routed["Subject"]
    tracking = client.get(submitted.location.replace("/submitted", ""))
    assert "Con el equipo" in tracking.text and "Qué ha pasado" in tracking.text
    # Tandem's own timeline lines too, not only the headings
    assert "Su solicitud está con el equipo de Roads and Streets." in tracking.text
    assert "Your request is with" not in tracking.text
    assert "Your request is with the Roads and Streets team." in client.get(
        submitted.location.replace("/submitted", "") + "?lang=en").text


def test_a_report_merged_into_an_earlier_one_is_explained_in_the_citizens_language(app, client, city, run_worker,
                                                                                     mail_server):
    from casework.console import changes
    from casework.models import Case, DuplicateLink
    client.get("/?lang=pt")
    tracking_links = []
    for email in ("first@example.org", "second@example.org"):
        form = client.get("/request?service=pothole")
        submitted = client.post("/request", data={
            "csrf_token": csrf_token_from(form.text),
            "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
            "service_code": "pothole", "description": "Buraco enorme na paragem do autocarro",
            "address": "Paragem 4", "contact_email": email})
        tracking_links.append(submitted.location.replace("/submitted", ""))
    run_worker()
    with app.app_context():
        second = db.session.scalars(db.select(Case).order_by(Case.id.desc())).first()
        link = db.session.scalar(db.select(DuplicateLink).filter_by(case_id=second.id))
        changes.decide_duplicate(second, link.id, confirmed=True, by=city.supervisor)
    run_worker()
    tracking = client.get(tracking_links[1])
    assert "Outra pessoa comunicou o mesmo problema antes" in tracking.text
    update = mail_server.messages_to("second@example.org")[-1]
    assert "Outra pessoa comunicou o mesmo problema antes" in body_of(update)


def test_staff_pages_stay_in_english(client, city, login_as):
    login_as(city.caseworker)
    console = client.get("/console/", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in console.text and "Sign out" in console.text


def test_the_languages_on_offer_come_from_the_translations_folder(app):
    assert app.extensions["tandem.languages"] == ["en", "es", "pt"]


def test_a_citizen_reading_in_english_can_ask_to_be_written_to_in_portuguese(app, client, city, run_worker,
                                                                             mail_server):
    form = client.get("/request?service=pothole")
    assert 'lang="pt">Português</label>' in form.text
    assert 'value="en" checked' in form.text  # the page's language unless another is chosen
    fields = {"csrf_token": csrf_token_from(form.text),
              "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
              "service_code": "pothole", "description": "A pothole by the bus stop", "address": "Stop 4",
              "contact_email": "rui@example.org", "language": "pt"}
    check = client.post("/request", data={**fields, "step": "check"})
    assert "Language for our messages" in check.text and "Português" in check.text
    assert client.post("/request", data={**fields, "step": "send"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(ServiceRequest.language)) == "pt"
    run_worker()
    received = mail_server.messages_to("rui@example.org")[0]
    assert received["Subject"].startswith("Recebemos o seu pedido")


def test_a_language_not_on_offer_is_refused(app, client, city):
    form = client.get("/request?service=pothole")
    response = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text), "service_code": "pothole", "description": "A pothole here",
        "address": "Stop 4", "contact_email": "rui@example.org", "language": "klingon"})
    assert response.status_code == 400 and "Choose a language from the list" in response.text


SPANISH_MONTHS = "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"


def test_a_spanish_request_reads_in_spanish_everywhere_names_dates_subjects_and_the_link(
        app, client, city, run_worker, mail_server):
    """The admins' Spanish names of the service, its group and the team; dates as Spanish writes them."""
    with app.app_context():
        from intake.models import Department, Service
        pothole = db.session.get(Service, city.pothole.id)
        pothole.translations = {"es": {"name": "Bache", "group": "Calles y aceras",
                                       "description": "Un agujero en la calzada."}}
        pothole.description = "A hole in the road."
        db.session.get(Department, city.roads.id).translations = {"es": {"name": "Calles y Vías"}}
        db.session.commit()
    home = client.get("/?lang=es").text
    assert "Calles y aceras" in home and "Un agujero en la calzada." in home and "Streets" not in home
    submitted = report_a_pothole_in_spanish(client)
    confirmation = client.get(submitted.location).text
    link = re.search(r'class="tracking-link" href="([^"]+)"', confirmation).group(1)
    assert link.endswith("?lang=es")
    run_worker()
    received, routed = mail_server.messages_to("ana@example.org")
    assert received["Subject"].endswith(": Bache") and "Pothole" not in received["Subject"]
    routed_text = body_of(routed)
    assert "Calles y Vías" in routed["Subject"] and "Roads and Streets" not in routed_text
    assert re.search(rf"antes del \d{{1,2}} de ({SPANISH_MONTHS}) de 20\d\d, \d{{1,2}}:\d\d", routed_text), routed_text
    emailed_link = re.search(r"https?://\S+/track/\S+", body_of(received)).group(0)
    assert emailed_link.endswith("?lang=es")
    # the link opens in Spanish whatever the browser says, with the team and dates in Spanish
    fresh = app.test_client()
    tracking = fresh.get(emailed_link.replace("http://tandem.test", ""), headers={"Accept-Language": "en"}).text
    assert '<html lang="es">' in tracking and "Calles y Vías" in tracking and "Roads and Streets" not in tracking
    assert re.search(rf"\d{{1,2}} de ({SPANISH_MONTHS}) de 20\d\d", tracking)
    assert not re.search(r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|"
                         r"December) 20\d\d", tracking)
