"""Finding work in the console: home, queue filters and sorts, keyset pages, search and take-next."""
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import event

from casework.agency_setup import District
from casework.models import Case, CaseState, Priority
from core.extensions import db
from core.models import AuditEvent
from core.timeutil import utcnow
from tests.conftest import csrf_token_from, sign_out
from tests.console_cases import open_cases

CASE_LINK = re.compile(r'/console/cases/\d+">(R-[0-9A-Z]{4}-[0-9A-Z]{4})</a>')


def references_on(page):
    """The references of the cases a page links to, in the order it lists them."""
    return CASE_LINK.findall(page)


def reference_of(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).request.reference


def link(page, rel):
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_home_puts_my_overdue_and_due_today_work_first_and_counts_each_queue(app, client, login_as, city):
    with app.app_context():
        now = utcnow()
        late = open_cases(city.roads_queue, city.pothole, 2, start=now - timedelta(hours=5), assignee=city.caseworker)
        later = open_cases(city.roads_queue, city.pothole, 1, start=now + timedelta(days=5), assignee=city.caseworker)
        open_cases(city.roads_queue, city.pothole, 3, start=now + timedelta(days=2))
        open_cases(city.urgent_queue, city.pothole, 1, start=now - timedelta(days=1), priority=Priority.URGENT)
    login_as(city.caseworker)
    home = client.get("/console/")
    assert home.status_code == 200
    text = home.text
    assert "You hold 3 open cases" in text
    assert text.index("Overdue <span") < text.index("Later <span")
    overdue_section = text.split("Overdue <span", 1)[1].split("Later <span", 1)[0]
    assert set(references_on(overdue_section)) == {reference_of(app, case_id) for case_id in late}
    assert reference_of(app, later[0]) in text.split("Later <span", 1)[1]
    # the queue table: 6 open in Road repairs (3 assigned, 3 unassigned), 2 overdue; 1 overdue urgent case
    roads_row = re.search(r"Road repairs</a></th>(.*?)</tr>", text, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", roads_row, re.S)
    assert cells[0] == "6"
    assert ">3<" in cells[-4] and "<strong>2</strong>" in cells[-3]
    emergencies_row = re.search(r"Road emergencies</a></th>(.*?)</tr>", text, re.S).group(1)
    assert "<strong>1</strong>" in emergencies_row and "<td>1 hour</td>" in emergencies_row


def test_the_queue_page_filters_by_each_field_and_refuses_a_bad_filter_clearly(app, client, login_as, city):
    with app.app_context():
        north = District(name="North", postcodes="N1")
        db.session.add(north)
        db.session.commit()
        mine = open_cases(city.roads_queue, city.pothole, 2, assignee=city.caseworker)
        urgent = open_cases(city.roads_queue, city.pothole, 1, priority=Priority.URGENT)
        spanish = open_cases(city.roads_queue, city.pothole, 1, language="es", tags=["school"])
        waiting = open_cases(city.roads_queue, city.pothole, 1, state=CaseState.WAITING_ON_CITIZEN)
        overdue = open_cases(city.roads_queue, city.pothole, 1, start=utcnow() - timedelta(hours=2))
        northern = open_cases(city.roads_queue, city.pothole, 1, district=north)
        graffiti = open_cases(city.roads_queue, city.graffiti, 1)
        north_id, graffiti_id = north.id, city.graffiti.id
    login_as(city.caseworker)
    queue = f"/console/queues/{city.roads_queue.id}"
    expect = {
        "assignee=me": mine, "priority=urgent": urgent, "language=es": spanish, "tag=school": spanish,
        "state=waiting_on_citizen": waiting, "due=overdue": overdue, f"district={north_id}": northern,
        f"service={graffiti_id}": graffiti,
    }
    for query, case_ids in expect.items():
        page = client.get(f"{queue}?{query}")
        assert page.status_code == 200, query
        assert sorted(references_on(page.text)) == sorted(reference_of(app, i) for i in case_ids), query
    unassigned = client.get(f"{queue}?assignee=nobody")
    assert len(references_on(unassigned.text)) == 6
    everything = client.get(queue)
    assert "8 cases match" in everything.text

    bad = client.get(f"{queue}?priority=extreme&due=yesterday")
    assert bad.status_code == 400
    assert "Choose priorities from the list" in bad.text and "Choose when the cases are due from the list" in bad.text
    assert 'href="#filter-priority"' in bad.text


def test_sorting_by_priority_puts_urgent_first_then_the_soonest_due(app, client, login_as, city):
    with app.app_context():
        normal = open_cases(city.roads_queue, city.pothole, 2)
        urgent = open_cases(city.roads_queue, city.pothole, 1, priority=Priority.URGENT, start=utcnow() + timedelta(days=9))
        low = open_cases(city.roads_queue, city.pothole, 1, priority=Priority.LOW, start=utcnow())
    login_as(city.caseworker)
    page = client.get(f"/console/queues/{city.roads_queue.id}?sort=priority")
    assert references_on(page.text) == [reference_of(app, i) for i in urgent + normal + low]


def test_keyset_pages_cover_every_case_once_and_stay_put_while_new_cases_arrive(app, client, login_as, city):
    with app.app_context():
        ids = open_cases(city.roads_queue, city.pothole, 120)
        expected = [db.session.get(Case, i).request.reference for i in ids]
    login_as(city.caseworker)
    first = client.get(f"/console/queues/{city.roads_queue.id}?sort=due")
    assert references_on(first.text) == expected[:50]
    assert link(first.text, "prev") is None

    # new cases due before everything arrive while the caseworker reads page 1
    with app.app_context():
        open_cases(city.roads_queue, city.pothole, 5, start=utcnow())
    second = client.get(link(first.text, "next"))
    assert references_on(second.text) == expected[50:100]
    third = client.get(link(second.text, "next"))
    assert references_on(third.text) == expected[100:]
    assert link(third.text, "next") is None
    back = client.get(link(third.text, "prev"))
    assert references_on(back.text) == expected[50:100]
    assert "sort=due" in link(second.text, "next")
    assert "page=" not in link(second.text, "next")


def test_a_tampered_page_link_gives_the_first_page_not_an_error(app, client, login_as, city):
    with app.app_context():
        open_cases(city.roads_queue, city.pothole, 3)
    login_as(city.caseworker)
    for cursor in ["nonsense", "W10", "WyJkdWUiLCJhZnRlciIsWzEsMl1d", "x" * 300]:
        page = client.get(f"/console/queues/{city.roads_queue.id}?after={cursor}")
        assert page.status_code in (200, 400)
        if page.status_code == 200:
            assert "first page" in page.text and len(references_on(page.text)) == 3
        else:
            assert "That page link is not valid" in page.text


def count_statements(app, fetch):
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = fetch()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements)


def test_a_list_page_costs_the_same_queries_for_five_cases_as_for_fifty(app, client, login_as, city):
    login_as(city.caseworker)
    queue, home = f"/console/queues/{city.roads_queue.id}", "/console/"
    with app.app_context():
        open_cases(city.roads_queue, city.pothole, 5, assignee=city.caseworker)
        open_cases(city.urgent_queue, city.graffiti, 5)
    few = count_statements(app, lambda: client.get(queue)), count_statements(app, lambda: client.get(home))
    with app.app_context():
        open_cases(city.roads_queue, city.pothole, 45, assignee=city.caseworker)
        open_cases(city.urgent_queue, city.graffiti, 45)
    many = count_statements(app, lambda: client.get(queue)), count_statements(app, lambda: client.get(home))
    assert few == many


def test_search_finds_by_reference_email_and_words_within_the_caseworkers_queues(app, client, login_as, city):
    with app.app_context():
        [flooded] = open_cases(city.roads_queue, city.pothole, 1, description="Flooded underpass after rain",
                               email="Ana@Example.org")
        [parks] = open_cases(city.parks_queue, city.graffiti, 1, description="Flooded bandstand", email="ana@example.org")
        reference = db.session.get(Case, flooded).request.reference
    login_as(city.caseworker)
    by_reference = client.get(f"/console/search?q={reference.lower()}")
    assert by_reference.status_code == 303 and by_reference.location.endswith(f"/console/cases/{flooded}")

    by_words = client.get("/console/search?q=flooded+underpass")
    assert references_on(by_words.text) == [reference]
    # the parks case matches the email too, but is not in this caseworker's queues
    by_email = client.get("/console/search?q=ANA@example.org")
    assert references_on(by_email.text) == [reference]
    with app.app_context():
        [searched] = db.session.scalars(db.select(AuditEvent).filter_by(action="personal_data_searched")).all()
        assert searched.actor_id == city.caseworker.id
        assert searched.details == {"searched_by": "email", "case_ids": [flooded]}
        assert "ana" not in str(searched.details).lower()
        assert parks

    too_short = client.get("/console/search?q=of")
    assert too_short.status_code == 400 and "at least 3 letters" in too_short.text


def test_take_next_gives_the_most_urgent_waiting_case_and_says_when_there_is_none(app, client, login_as, city):
    with app.app_context():
        open_cases(city.roads_queue, city.pothole, 2, start=utcnow() + timedelta(hours=2))
        [urgent] = open_cases(city.urgent_queue, city.pothole, 1, priority=Priority.URGENT,
                              start=utcnow() + timedelta(days=3))
        open_cases(city.roads_queue, city.pothole, 1, state=CaseState.WAITING_ON_CITIZEN, priority=Priority.URGENT)
        open_cases(city.parks_queue, city.graffiti, 1, priority=Priority.URGENT)
    login_as(city.caseworker)
    home = client.get("/console/")
    taken = client.post("/console/take-next", data={"csrf_token": csrf_token_from(home.text)})
    assert taken.status_code == 303 and taken.location.endswith(f"/console/cases/{urgent}")
    with app.app_context():
        case = db.session.get(Case, urgent)
        assert case.assignee_id == city.caseworker.id and case.state == CaseState.ASSIGNED
        assert case.events[-1].kind == "assigned"
    for _ in range(2):
        client.post("/console/take-next", data={"csrf_token": csrf_token_from(home.text)})
    nothing = client.post("/console/take-next", data={"csrf_token": csrf_token_from(home.text)}, follow_redirects=True)
    assert "There is no unassigned case waiting in your queues." in nothing.text
    with app.app_context():
        held = db.session.scalars(db.select(Case).filter_by(assignee_id=city.caseworker.id)).all()
        assert len(held) == 3 and all(c.state != CaseState.WAITING_ON_CITIZEN for c in held)


def test_a_next_link_keeps_the_filters(app, client, login_as, city):
    with app.app_context():
        open_cases(city.roads_queue, city.pothole, 60, priority=Priority.HIGH)
        open_cases(city.roads_queue, city.pothole, 5)
    login_as(city.caseworker)
    first = client.get(f"/console/queues/{city.roads_queue.id}?priority=high&sort=age")
    next_query = parse_qs(urlparse(link(first.text, "next")).query)
    assert next_query["priority"] == ["high"] and next_query["sort"] == ["age"]
    second = client.get(link(first.text, "next"))
    assert len(references_on(second.text)) == 10


def test_staff_pages_name_the_citizens_language_in_words_not_a_code(app, client, login_as, city):
    with app.app_context():
        [case_id] = open_cases(city.roads_queue, city.pothole, 1, language="es")
        db.session.merge(city.caseworker).languages = "en,es"
        db.session.commit()
    login_as(city.caseworker)
    case_page = client.get(f"/console/cases/{case_id}").text
    assert "citizen writes in Spanish" in case_page and "writes in es<" not in case_page
    assert ">Spanish (Español)</option>" in client.get("/console/desk/").text  # the caller's language, at the desk

    sign_out(client)
    login_as(city.supervisor)
    board = client.get("/supervision/").text
    assert "speaks English, Spanish" in board
