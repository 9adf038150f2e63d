"""Admins add and edit services and their questions in the console, and citizens see the result at once."""
import re

from hypothesis import HealthCheck, event, given, settings, strategies as st

from core.extensions import db
from core.models import AuditEvent
from intake.models import Service, ServiceQuestion
from tests.conftest import csrf_token_from, sign_out

NEW_SERVICE = "/admin/catalogue/services/new"


def post_form(client, url, **fields):
    page = client.get(url)
    assert page.status_code == 200, url
    return client.post(url, data={"csrf_token": csrf_token_from(page.text), **fields})


def missed_bin(**changes):
    return {"code": "missed_bin", "name": "Missed bin collection", "group": "Waste", "department": "parks",
            "description": "Your bin was not emptied on collection day", "keywords": "bin trash garbage",
            "first_response_hours": "8", "resolution_hours": "48", "cost_per_minute": "0.9", "active": "y",
            "name_es": "Contenedor no recogido", "keywords_es": "basura contenedor", **changes}


def test_an_admin_adds_a_service_and_citizens_find_it_in_spanish(app, client, city, login_as):
    login_as(city.admin)
    saved = post_form(client, NEW_SERVICE, **missed_bin())
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/admin/catalogue/services/missed_bin")
    assert "Missed bin collection” saved" in client.get(saved.headers["Location"]).text

    sign_out(client)
    found = client.get("/?q=basura&lang=es")
    assert "Contenedor no recogido" in found.text
    assert "Missed bin collection" in client.get("/?lang=en").text
    with app.app_context():
        service = db.session.scalar(db.select(Service).filter_by(code="missed_bin"))
        assert (service.resolution_hours, service.department.code, service.allows_anonymous) == (48, "parks", False)
        assert service.cost_per_minute == 0.9
        assert service.translations == {"es": {"name": "Contenedor no recogido", "keywords": "basura contenedor"}}
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="catalogue_service_saved")).actor_id == city.admin.id


def test_bad_service_input_is_refused_with_every_problem_named_and_nothing_saved(app, client, city, login_as):
    login_as(city.admin)
    page = post_form(client, NEW_SERVICE, **missed_bin(code="Missed Bin", name="", resolution_hours="soon",
                                                       department="", name_es="x" * 121, cost_per_minute="free"))
    assert page.status_code == 400
    assert "There is a problem" in page.text and "<title>Error:" in page.text
    for message in ("Use 1 to 40 lower-case letters", "Enter the name", "Enter the resolution target as a whole number",
                    "Choose a department from the list", "Keep the translation to 120 characters",
                    "Enter the cost as a number, like 0.75"):
        assert message in page.text
    assert 'value="bin trash garbage"' in page.text  # the input is kept
    taken = post_form(client, NEW_SERVICE, **missed_bin(code="pothole"))
    assert taken.status_code == 400 and "Another service already has this code" in taken.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Service.id))) == 2
        assert db.session.scalar(db.select(Service).filter_by(code="pothole")).name == "Pothole"


def test_editing_keeps_the_code_and_withdrawing_takes_the_service_off_the_public_form(app, client, city, login_as):
    login_as(city.admin)
    url = "/admin/catalogue/services/graffiti"
    edited = post_form(client, url, **missed_bin(code="hijacked", name="Graffiti or fly-posting", active=""))
    assert edited.status_code == 303
    with app.app_context():
        graffiti = db.session.get(Service, city.graffiti.id)
        assert (graffiti.code, graffiti.name, graffiti.active) == ("graffiti", "Graffiti or fly-posting", False)
    sign_out(client)
    assert "Graffiti or fly-posting" not in client.get("/").text
    assert "Pothole" in client.get("/").text


def test_a_list_question_with_a_stop_answer_and_spanish_labels_reaches_the_public_form(app, client, city, login_as):
    login_as(city.admin)
    saved = post_form(
        client, "/admin/catalogue/services/pothole/questions/new",
        code="danger", prompt="Is anyone in danger right now?", datatype="singlevaluelist", variable="y",
        required="y", values="yes: Yes\nno: No", stop_values="yes", stop_notice="Call 911 now.",
        prompt_es="¿Hay alguien en peligro ahora?", values_es="yes: Sí\nno: No", stop_notice_es="Llame al 911 ahora.")
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/services/pothole#questions")
    sign_out(client)

    form = client.get("/request?service=pothole&lang=es")
    assert "¿Hay alguien en peligro ahora?" in form.text and ">Sí</label>" in form.text
    stopped = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text), "service_code": "pothole", "description": "Un bache enorme",
        "address": "Calle 1", "contact_email": "ana@example.org", "q_danger": "yes"})
    assert "Llame al 911 ahora." in stopped.text


def test_bad_question_input_is_refused_and_nothing_is_saved(app, client, city, login_as):
    login_as(city.admin)
    url = "/admin/catalogue/services/pothole/questions/new"
    no_values = post_form(client, url, code="danger", prompt="In danger?", datatype="singlevaluelist", variable="y")
    assert no_values.status_code == 400 and "Give the answers to choose from" in no_values.text
    bad_line = post_form(client, url, code="danger", prompt="In danger?", datatype="singlevaluelist",
                         values="yes Yes")
    assert bad_line.status_code == 400 and "Line 1: write the answer as key: label" in bad_line.text
    stray_stop = post_form(client, url, code="danger", prompt="In danger?", datatype="singlevaluelist",
                           values="yes: Yes", stop_values="maybe", stop_notice="Call")
    assert stray_stop.status_code == 400 and "“maybe” is not one of the answers" in stray_stop.text
    stray_label = post_form(client, url, code="danger", prompt="In danger?", datatype="singlevaluelist",
                            values="yes: Yes", values_es="si: Sí")
    assert stray_label.status_code == 400 and "“si” is not one of the answers in English" in stray_label.text
    no_kind = post_form(client, url, code="danger", prompt="In danger?", datatype="colour")
    assert no_kind.status_code == 400 and "Choose a kind of answer from the list" in no_kind.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceQuestion.id))) == 0


def test_questions_are_reordered_edited_and_removed(app, client, city, login_as):
    login_as(city.admin)
    for code, prompt in (("depth", "How deep is it?"), ("width", "How wide is it?")):
        post_form(client, "/admin/catalogue/services/pothole/questions/new", code=code, prompt=prompt,
                  datatype="number", variable="y")
    page = client.get("/admin/catalogue/services/pothole")
    table = page.text.split('id="questions"')[1]
    assert table.index("How deep is it?") < table.index("How wide is it?")
    token = csrf_token_from(page.text)
    client.post("/admin/catalogue/services/pothole/questions/width/move", data={"csrf_token": token, "direction": "up"})
    table = client.get("/admin/catalogue/services/pothole").text.split('id="questions"')[1]
    assert table.index("How wide is it?") < table.index("How deep is it?")

    edited = post_form(client, "/admin/catalogue/services/pothole/questions/depth", code="renamed",
                       prompt="About how deep is it, in cm?", datatype="number", variable="y", required="y")
    assert edited.status_code == 303
    client.post("/admin/catalogue/services/pothole/questions/width/remove", data={"csrf_token": token})
    with app.app_context():
        questions = db.session.scalars(db.select(ServiceQuestion).order_by(ServiceQuestion.position)).all()
        assert [(q.code, q.prompt, q.required, q.position) for q in questions] == [
            ("depth", "About how deep is it, in cm?", True, 1)]
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
        assert {"catalogue_question_saved", "catalogue_question_moved", "catalogue_question_removed"} <= actions
    sign_out(client)
    form = client.get("/request?service=pothole").text
    assert "About how deep is it, in cm?" in form and "How wide is it?" not in form


def test_a_supervisor_cannot_edit_the_catalogue(client, city, login_as):
    login_as(city.supervisor)
    assert client.get(NEW_SERVICE).status_code == 403
    assert client.get("/admin/catalogue/services/pothole").status_code == 403


def test_workflow_steps_are_added_retimed_and_set_the_estimate_of_new_cases(app, client, city, login_as, run_worker):
    from casework.triage.estimate import estimate_minutes
    from casework.models import StepType
    login_as(city.admin)
    url = "/admin/catalogue/services/graffiti"
    token = csrf_token_from(client.get(url).text)

    def add_step(**fields):
        return client.post(url + "/steps/new", data={"csrf_token": token, **fields})

    refused = add_step(step_name="", step_minutes="a while")
    assert refused.status_code == 400
    assert "Enter the name of the step" in refused.text and "Enter the minutes as a whole number" in refused.text
    assert 'value="a while"' in refused.text
    assert add_step(step_name="Photograph the tag", step_minutes="10").status_code == 303
    assert add_step(step_name="Paint over it", step_minutes="45").status_code == 303
    with app.app_context():
        assert estimate_minutes(city.graffiti.id) == 55
        paint = db.session.scalar(db.select(StepType).filter_by(name="Paint over it"))
    page = client.get(url)
    assert "Standard total" in page.text and "<td>55</td>" in page.text
    assert post_form(client, f"{url}/steps/{paint.id}", step_name="Clean or paint over it",
                     step_minutes="30").status_code == 303
    with app.app_context():
        assert estimate_minutes(city.graffiti.id) == 40
        assert db.session.get(StepType, paint.id).name == "Clean or paint over it"
    # another service's step is not reachable through this one
    assert client.get(f"/admin/catalogue/services/pothole/steps/{paint.id}").status_code == 404


def test_a_step_recorded_on_cases_cannot_be_removed_but_an_unused_one_can(app, client, city, login_as):
    from casework.models import Step, StepType
    from casework.triage.engine import triage
    from intake.models import ServiceRequest
    with app.app_context():
        inspect, schedule = db.session.scalars(
            db.select(StepType).filter_by(service_id=city.pothole.id).order_by(StepType.position)).all()
        service_request = ServiceRequest(service_id=city.pothole.id, description="Pothole", address="1 Mill Road",
                                         contact_email="a@example.org")
        db.session.add(service_request)
        db.session.commit()
        case = triage(service_request.id)
        db.session.add(Step(case_id=case.id, step_type_id=inspect.id, staff_id=city.caseworker.id, effort_minutes=25))
        db.session.commit()
        inspect_id, schedule_id = inspect.id, schedule.id
    login_as(city.admin)
    page = client.get("/admin/catalogue/services/pothole")
    token = csrf_token_from(page.text)
    kept = client.post(f"/admin/catalogue/services/pothole/steps/{inspect_id}/remove", data={"csrf_token": token},
                       follow_redirects=True)
    assert "has been recorded 1 times on cases, so it stays" in kept.text
    client.post(f"/admin/catalogue/services/pothole/steps/{schedule_id}/remove", data={"csrf_token": token})
    with app.app_context():
        assert [s.id for s in db.session.scalars(db.select(StepType).filter_by(service_id=city.pothole.id))] == [inspect_id]
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="workflow_step_removed")) is not None


# any text a browser can send (no lone surrogates), including control characters and NUL
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
LINES = st.lists(st.from_regex(r"[a-z]{1,8}: [A-Za-zÀ-ÿ ]{1,20}", fullmatch=True) | ANY_TEXT, max_size=4).map("\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.from_regex(r"[a-z_]{1,12}", fullmatch=True) | ANY_TEXT,
       prompt=st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs",)),
                      min_size=1, max_size=60) | ANY_TEXT,
       datatype=st.sampled_from(["string", "singlevaluelist", "multivaluelist", "number", "colour", ""]),
       values=LINES, values_es=st.just("") | LINES, stop_values=st.just("") | ANY_TEXT, stop_notice=ANY_TEXT)
def test_whatever_an_admin_types_into_a_question_is_saved_whole_or_refused_and_the_form_still_works(
        app, client, city, login_as, code, prompt, datatype, values, values_es, stop_values, stop_notice):
    if client.get("/admin/").status_code != 200:  # the first example signs in; the rest keep the session
        login_as(city.admin)
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(ServiceQuestion.id)))
    response = post_form(client, "/admin/catalogue/services/pothole/questions/new", code=code, prompt=prompt,
                         datatype=datatype, variable="y", values=values, values_es=values_es,
                         stop_values=stop_values, stop_notice=stop_notice)
    assert response.status_code in (303, 400)
    event(f"answered {response.status_code}")
    with app.app_context():
        after = db.session.scalar(db.select(db.func.count(ServiceQuestion.id)))
    assert after == before + (1 if response.status_code == 303 else 0)
    if response.status_code == 400:
        assert "There is a problem" in response.text
    # whatever was saved, citizens can still open and send the form
    assert client.get("/request?service=pothole").status_code == 200


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.from_regex(r"[a-z_]{1,12}", fullmatch=True) | ANY_TEXT,
       name=st.from_regex(r"[A-Za-zÀ-ÿ' ]{1,40}", fullmatch=True) | ANY_TEXT,
       group=st.from_regex(r"[A-Za-z ]{1,20}", fullmatch=True) | ANY_TEXT,
       department=st.sampled_from(["roads", "parks"]) | ANY_TEXT,
       hours=st.sampled_from(["8", "48"]) | ANY_TEXT, cost=st.sampled_from(["0.75", "2"]) | ANY_TEXT,
       name_es=st.just("") | ANY_TEXT, keywords_pt=st.just("") | ANY_TEXT)
def test_whatever_an_admin_types_into_a_service_is_saved_whole_or_refused(app, client, city, login_as, code, name,
                                                                         group, department, hours, cost, name_es,
                                                                         keywords_pt):
    if client.get("/admin/").status_code != 200:
        login_as(city.admin)
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(Service.id)))
    response = post_form(client, NEW_SERVICE, code=code, name=name, group=group, department=department,
                         first_response_hours=hours, resolution_hours=hours, cost_per_minute=cost, active="y",
                         name_es=name_es, keywords_pt=keywords_pt)
    assert response.status_code in (303, 400)
    event(f"answered {response.status_code}")
    with app.app_context():
        after = db.session.scalar(db.select(db.func.count(Service.id)))
    assert after == before + (1 if response.status_code == 303 else 0)
    # the public pages still work with whatever was saved, in every language
    for language in ("en", "es", "pt"):
        assert client.get(f"/?lang={language}&q=a").status_code == 200


def test_the_catalogue_lists_each_services_workflow_and_cost(client, city, login_as):
    login_as(city.admin)
    page = client.get("/admin/catalogue/")
    row = page.text.split("/admin/catalogue/services/pothole")[1].split("</tr>")[0]
    assert "<td>2 (30)</td>" in row and "<td>0.75</td>" in row


def test_an_admin_names_a_team_in_spanish_and_a_spanish_citizen_reads_it(app, client, city, login_as, run_worker):
    """The Teams list on the catalogue page leads to the names form; the Spanish name reaches tracking."""
    from casework.models import Case
    from intake.models import Department
    from tests.submissions import submit_pothole

    login_as(city.admin)
    catalogue = client.get("/admin/catalogue/").text
    assert 'href="/admin/catalogue/teams/roads"' in catalogue
    saved = post_form(client, "/admin/catalogue/teams/roads", name="Roads and Streets", name_es="Calles y Vías",
                      name_pt="")
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/admin/catalogue/#teams")
    team = client.get("/admin/catalogue/").text.split('href="/admin/catalogue/teams/roads"')[1].split("</tr>")[0]
    assert "<td>English, Spanish</td>" in team  # languages by name, as on every staff page, not "en, es"
    with app.app_context():
        assert db.session.get(Department, city.roads.id).translations == {"es": {"name": "Calles y Vías"}}
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="catalogue_department_saved"))
    confirmation = submit_pothole(app.test_client()).text
    run_worker()
    with app.app_context():
        assert db.session.scalar(db.select(Case.queue_id)) == city.roads_queue.id
    link = re.search(r'class="tracking-link" href="([^"]+)"', confirmation).group(1)
    tracking = app.test_client().get(link.replace("http://tandem.test", "").split("?")[0] + "?lang=es").text
    assert "Calles y Vías" in tracking and "Roads and Streets" not in tracking


def test_a_team_without_an_english_name_is_refused_and_nothing_changes(app, client, city, login_as):
    login_as(city.admin)
    refused = post_form(client, "/admin/catalogue/teams/roads", name=" ", name_es="x" * 121)
    assert refused.status_code == 400
    assert "Enter the team&#39;s name" in refused.text and "Keep the translation to 120 characters" in refused.text
    assert 'value="' + "x" * 121 + '"' in refused.text  # what was typed is kept
    with app.app_context():
        from intake.models import Department
        roads = db.session.get(Department, city.roads.id)
        assert roads.name == "Roads and Streets" and not roads.translations
