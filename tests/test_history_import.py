"""History in: Boston's 311 sample (100 real requests) brought in through the example mapping, twice, and the rows
that cannot be read reported by line with their reason while the rest go in."""
import csv
import re
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework import counts
from casework.insight.rollup import pending_count
from casework.models import Case, CaseState
from casework.public import figures
from core.extensions import db
from intake.models import Service, ServiceRequest
from tests.factories import make_city

ROOT = Path(__file__).resolve().parent.parent
BOSTON = ROOT / "tests" / "data" / "boston311-100.csv"
MAPPING = ROOT / "docs" / "examples" / "boston311-mapping.yaml"
CHANNELS = {"Constituent Call": "phone", "Citizens Connect App": "api", "City Worker App": "field",
            "Self Service": "web"}
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def city(app):
    with app.app_context():
        return make_city()


def boston_rows():
    with open(BOSTON, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def local(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=NEW_YORK).astimezone(timezone.utc)


def test_a_dry_run_says_what_would_be_made_and_writes_nothing(app, runner, city):
    result = runner.invoke(args=["history", "import", str(BOSTON), "--mapping", str(MAPPING), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "100 rows read: 100 requests would be made, 0 already in Tandem, 0 repeated in the file, 0 refused" \
        in result.output
    assert "services to make: " in result.output and "Parking Enforcement" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRequest)) == 0
        assert db.session.scalar(db.select(Service).filter_by(name="Parking Enforcement")) is None


def test_the_boston_sample_imported_twice_makes_each_request_once_as_the_file_says(app, runner, city):
    first = runner.invoke(args=["history", "import", str(BOSTON), "--mapping", str(MAPPING)])
    assert first.exit_code == 0, first.output
    assert "100 requests made" in first.output and "85 resolved cases measured" in first.output
    again = runner.invoke(args=["history", "import", str(BOSTON), "--mapping", str(MAPPING)])
    assert again.exit_code == 0, again.output
    assert "0 requests made, 100 already in Tandem" in again.output
    with app.app_context():
        imported = {request.imported_id: request for request in db.session.scalars(db.select(ServiceRequest))}
        assert len(imported) == 100
        cases = {case.request_id: case for case in db.session.scalars(db.select(Case))}
        for row in boston_rows():
            request = imported[row["case_enquiry_id"]]
            case = cases[request.id]
            assert request.imported_from == "boston311" and request.consent_to_contact is False
            assert request.submitted_at == local(row["open_dt"]) == case.opened_at
            assert request.channel == CHANNELS[row["source"]]
            # the mapping files Boston's pothole requests under the catalogue's own service
            assert case.service.name == {"Request for Pothole Repair": "Pothole"}.get(row["type"], row["type"])
            if row["case_status"] == "Closed":
                assert case.state == CaseState.RESOLVED and case.closed_at == local(row["closed_dt"])
                assert case.resolution_note == (row["closure_reason"].strip() or None)
                if row["target_dt"]:
                    assert (case.closed_at <= case.resolution_due_at) == (row["ontime"] == "ONTIME"), row
            else:
                assert case.is_open and case.closed_at is None
            if row["target_dt"]:
                assert case.resolution_due_at == local(row["target_dt"])
        # the queue counters know of the imported cases; every resolved one is measured
        assert counts.kept_counts() == {key: n for key, n in counts.fresh_counts().items() if n}
        assert pending_count() == 0
        # imported services are history, not offered on the form until an admin says so
        assert db.session.scalar(db.select(Service).filter_by(name="Needle Pickup")).active is False


def test_the_closing_texts_of_an_import_never_reach_the_open_data(app, runner, client, city):
    assert runner.invoke(args=["history", "import", str(BOSTON), "--mapping", str(MAPPING)]).exit_code == 0
    exported = client.get("/open-data/requests.csv").text
    assert len(exported.strip().splitlines()) == 101
    for row in boston_rows():
        closing = row["closure_reason"].strip()
        if len(closing) > 12:
            assert closing not in exported
            assert closing[-30:].strip() not in exported
    assert "Case Closed" not in exported and "Closed date" not in exported


def test_the_pages_show_the_imported_history(app, runner, client, city, login_as):
    assert runner.invoke(args=["history", "import", str(BOSTON), "--mapping", str(MAPPING)]).exit_code == 0
    resolved_in_january = sum(1 for row in boston_rows() if row["closed_dt"] and row["closed_dt"] < "2022-02-01")
    with time_machine.travel(datetime(2022, 2, 15, 12, 0, tzinfo=timezone.utc), tick=False):
        with app.app_context():
            figures.forget()
        page = client.get("/performance?period=90d").text
        overall = page.split('id="overall"', 1)[1].split("</dl>", 1)[0]
        assert '<dd data-figure="received">100</dd>' in overall
        resolved = sum(1 for row in boston_rows() if row["closed_dt"] and row["closed_dt"] < "2022-02-15 07")
        assert f'<dd data-figure="resolved">{resolved}</dd>' in overall
        # a supervisor's blueprint of January and backlog of the weeks before
        login_as(city.supervisor)
        blueprint = client.get("/insight/blueprint.json?from=2022-01-01&to=2022-02-01").json
        assert blueprint["cases"] == resolved_in_january
        backlog = client.get("/supervision/backlog").text
        weeks = backlog.split('id="weeks"', 1)[1].split("</table>", 1)[0]
        assert sum(int(arrived) for arrived in re.findall(r"</th><td>(\d+)</td>", weeks)) == 100
        assert weeks.rstrip().endswith("<td>15</td></tr></tbody>")  # the 15 requests still open in the file


def test_rows_that_cannot_be_read_are_listed_by_line_and_the_rest_go_in(app, runner, city, tmp_path):
    header = "id,opened,closed,status,service,channel,lat,long\n"
    rows = [
        "A1,2026-11-02 09:00,2026-11-03 10:00,done,Pothole,phone,42.36,-71.05",     # line 2: fine
        "A2,02/11/2026 09:00,,open,Pothole,web,,",                                   # 3: day-month-year: fine
        "A3,yesterday,,open,Pothole,web,,",                                          # 4: unreadable date
        ",2026-11-02 09:00,,open,Pothole,web,,",                                     # 5: no id
        "A5,2026-11-02 09:00,,lost,Pothole,web,,",                                   # 6: unknown status
        "A6,2026-11-02 09:00,,open,Unicorn rides,web,,",                             # 7: unknown service, refused
        "A7,2026-11-02 09:00,2026-11-01 09:00,done,Pothole,web,,",                   # 8: closes before it opens
        "A8,2026-11-02 09:00,,open,Pothole,web,95,10",                               # 9: latitude out of range
        "A9,2026-11-02 09:00,,open,Pothole,web,,,surplus",                           # 10: a value too many
        "A1,2026-11-02 09:00,2026-11-03 10:00,done,Pothole,phone,42.36,-71.05",     # 11: repeated: once
        'A10,2026-11-04 09:00,,open,"Graffiti",carrier pigeon,,',                    # 12: unknown channel
    ]
    export = tmp_path / "legacy.csv"
    export.write_text(header + "\n".join(rows) + "\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("""
source: legacy
timezone: Europe/Lisbon
date_formats: ["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
columns: {id: id, opened: opened, closed: closed, status: status, service: service, channel: channel,
          latitude: lat, longitude: long}
statuses: {done: resolved, open: open}
channels: {phone: phone, web: web}
services: {unknown: refuse}
""")
    result = runner.invoke(args=["history", "import", str(export), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "11 rows read: 2 requests made, 0 already in Tandem, 1 repeated in the file, 8 refused" in result.output
    for line, reason in ((4, "opened “yesterday” is not written as the mapping's date_formats say"),
                         (5, "it has no id"), (6, "its status “lost” is not in the mapping's statuses"),
                         (7, "its service “Unicorn rides” is not in Tandem's catalogue"),
                         (8, "it closes before it opens"), (9, "latitude 95.0 is outside -90 to 90"),
                         (10, "1 more value(s) than the header has columns"),
                         (12, "its channel “carrier pigeon” is not in the mapping's channels")):
        assert f"line {line}: refused: {reason}" in result.output, (line, result.output)
    with app.app_context():
        made = {r.imported_id: r for r in db.session.scalars(db.select(ServiceRequest))}
        assert set(made) == {"A1", "A2"}
        # Lisbon is at UTC+0 in November: 2 November 09:00 there is 09:00 UTC
        assert made["A2"].submitted_at == datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, said", [
    ("source: [", "not valid YAML"),
    ("columns: {id: a}\nstatuses: {}", "source"),
    ("source: x\ncolumns: {id: a}\nstatuses: {}", "columns: say which column holds 'opened'"),
    ("source: x\ncolumns: {id: a, opened: b}\nstatuses: {Open: pending}", "statuses: map each to one of"),
    ("source: x\ntimezone: Mars/Olympus\ncolumns: {id: a, opened: b}\nstatuses: {}", "is not a time zone"),
])
def test_a_mapping_that_cannot_be_used_is_refused_before_any_row(app, runner, city, tmp_path, text, said):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text)
    result = runner.invoke(args=["history", "import", str(BOSTON), "--mapping", str(mapping)])
    assert result.exit_code == 1 and said in result.output, result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRequest)) == 0
