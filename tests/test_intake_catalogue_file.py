"""The catalogue as a file: export, edit, import (all or nothing), with a dry run first."""
import yaml

from core.extensions import db
from core.timeutil import utcnow
from intake.models import Service, ServiceQuestion
from tests.factories import make_city


def test_export_then_import_changes_nothing(app, runner, tmp_path):
    with app.app_context():
        make_city()
    path = tmp_path / "catalogue.yaml"
    assert runner.invoke(args=["catalogue", "export", str(path)]).exit_code == 0
    first = path.read_text()
    result = runner.invoke(args=["catalogue", "import", str(path)])
    assert result.exit_code == 0 and "nothing to change" in result.output
    runner.invoke(args=["catalogue", "export", str(tmp_path / "again.yaml")])
    assert (tmp_path / "again.yaml").read_text() == first


def test_an_edited_file_adds_updates_and_deactivates_and_a_dry_run_changes_nothing(app, runner, tmp_path):
    with app.app_context():
        make_city()
    path = tmp_path / "catalogue.yaml"
    runner.invoke(args=["catalogue", "export", str(path)])
    data = yaml.safe_load(path.read_text())
    pothole = next(s for s in data["services"] if s["code"] == "pothole")
    pothole["name"] = "Pothole or sinkhole"
    pothole["translations"] = {"es": {"name": "Bache o socavón"}}
    pothole["questions"] = [{"code": "lanes", "datatype": "multivaluelist", "prompt": "Which lanes?",
                             "values": [{"key": "north", "name": "Northbound"}, {"key": "south", "name": "Southbound"}]}]
    data["services"] = [s for s in data["services"] if s["code"] != "graffiti"]
    data["services"].append({"code": "streetlight", "name": "Streetlight out", "group": "Streets",
                             "department": "roads"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True))

    preview = runner.invoke(args=["catalogue", "import", str(path), "--dry-run"])
    assert "would add service streetlight" in preview.output
    assert "would deactivate service graffiti" in preview.output
    with app.app_context():
        assert db.session.scalar(db.select(Service).filter_by(code="streetlight")) is None

    applied = runner.invoke(args=["catalogue", "import", str(path)])
    assert applied.exit_code == 0, applied.output
    assert "update service pothole: name, translations" in applied.output
    assert "add question pothole.lanes" in applied.output
    with app.app_context():
        pothole = db.session.scalar(db.select(Service).filter_by(code="pothole"))
        assert pothole.translated("name", "es") == "Bache o socavón"
        assert [q.code for q in pothole.questions] == ["lanes"]
        assert db.session.scalar(db.select(Service).filter_by(code="graffiti")).active is False
        assert db.session.scalar(db.select(Service).filter_by(code="streetlight")).active is True


def test_a_bad_file_is_refused_whole_with_every_problem_named(app, runner, tmp_path):
    with app.app_context():
        make_city()
    path = tmp_path / "bad.json"
    path.write_text('{"departments": [], "services": [{"code": "Bad Code", "name": "", "group": "x", '
                    '"department": "nowhere", "questions": [{"code": "q", "datatype": "colour", "prompt": "?"}]},'
                    '{"code": "new_one", "name": "New", "group": "x", "department": "roads"}]}')
    result = runner.invoke(args=["catalogue", "import", str(path)])
    assert result.exit_code != 0 and "the catalogue was not changed" in result.output
    assert "services[0].code" in result.output and "services[0].questions[0].datatype" in result.output
    assert "services[0].name" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(Service).filter_by(code="new_one")) is None  # nothing applied
        assert db.session.scalar(db.select(db.func.count(ServiceQuestion.id))) == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("services: [unclosed")
    assert "cannot be read as YAML" in runner.invoke(args=["catalogue", "import", str(broken)]).output


def test_admins_download_preview_and_apply_a_catalogue_file_in_the_console(app, client, login_as):
    import html
    import io
    import re
    from tests.conftest import csrf_token_from
    with app.app_context():
        city = make_city()
    login_as(city.admin)
    page = client.get("/admin/catalogue/")
    assert "Pothole" in page.text
    data = yaml.safe_load(client.get("/admin/catalogue/catalogue.yaml").data)
    data["services"][0]["name"] = "Renamed service"
    upload = yaml.safe_dump(data).encode()
    preview = client.post("/admin/catalogue/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(page.text), "file": (io.BytesIO(upload), "catalogue.yaml")})
    assert "What this file would change" in preview.text and "update service" in preview.text
    with app.app_context():
        assert db.session.scalar(db.select(Service).filter_by(name="Renamed service")) is None  # not yet
    applied = client.post("/admin/catalogue/import", data={
        "csrf_token": csrf_token_from(preview.text), "apply": "yes", "format": "yaml",
        "text": html.unescape(re.search(r'name="text" value="([^"]*)"', preview.text).group(1))})
    assert applied.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(Service).filter_by(name="Renamed service")) is not None
    bad = client.post("/admin/catalogue/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(page.text), "file": (io.BytesIO(b"\xff\xfe not text"), "x.yaml")})
    assert bad.status_code == 400 and "not UTF-8 text" in bad.text


def test_workflow_steps_travel_in_the_file_and_a_step_used_on_cases_is_kept(app, runner, tmp_path):
    from casework.models import Step, StepType
    from casework.triage.engine import triage
    from intake.models import ServiceRequest
    with app.app_context():
        city = make_city()
        service_request = ServiceRequest(service_id=city.pothole.id, description="Pothole", address="1 Road",
                                         contact_email="a@example.org")
        db.session.add(service_request)
        db.session.commit()
        case = triage(service_request.id)
        inspect = db.session.scalar(db.select(StepType).filter_by(name="Inspect the site"))
        db.session.add(Step(case_id=case.id, step_type_id=inspect.id, staff_id=city.caseworker.id, effort_minutes=20,
                            ended_at=utcnow()))
        db.session.commit()
        pothole_id = city.pothole.id
    path = tmp_path / "catalogue.yaml"
    runner.invoke(args=["catalogue", "export", str(path)])
    data = yaml.safe_load(path.read_text())
    pothole = next(s for s in data["services"] if s["code"] == "pothole")
    assert pothole["steps"] == [{"name": "Inspect the site", "standard_minutes": 20},
                                {"name": "Schedule the repair", "standard_minutes": 10}]
    pothole["steps"] = [{"name": "Fill the hole", "standard_minutes": 45}]
    graffiti = next(s for s in data["services"] if s["code"] == "graffiti")
    del graffiti["steps"]  # an older file without steps leaves them as they are
    data["services"].append({"code": "streetlight", "name": "Streetlight out", "group": "Streets",
                             "department": "roads", "steps": [{"name": "Replace the lamp", "standard_minutes": 30}]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(args=["catalogue", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "add step pothole: Fill the hole" in result.output
    assert "remove step pothole: Schedule the repair" in result.output
    assert "keep step pothole: Inspect the site (recorded on cases)" in result.output
    with app.app_context():
        from casework.triage.estimate import estimate_minutes
        streetlight = db.session.scalar(db.select(Service).filter_by(code="streetlight"))
        assert estimate_minutes(streetlight.id) == 30
        names = db.session.scalars(db.select(StepType.name).filter_by(service_id=pothole_id)
                                   .order_by(StepType.position)).all()
        assert names == ["Fill the hole", "Inspect the site"]

    data["services"][0]["steps"] = [{"name": "", "standard_minutes": -5}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    refused = runner.invoke(args=["catalogue", "import", str(path)])
    assert refused.exit_code != 0 and "services[0].steps[0].name" in refused.output
