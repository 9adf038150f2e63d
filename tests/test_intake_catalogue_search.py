"""Citizens find a service with their own words, in their language."""
import pytest

from core.extensions import db
from intake.models import Service
from tests.factories import make_city


@pytest.fixture
def city(app):
    with app.app_context():
        city = make_city()
        pothole = db.session.get(Service, city.pothole.id)
        pothole.translations = {"es": {"name": "Bache", "keywords": "agujero calzada"}}
        db.session.commit()
        return city


def results(page):
    """The list of matching services, in whichever language the page is (the full list follows it)."""
    return page.split('id="results"')[1].split("</ul>")[0] if 'id="results"' in page else ""


def test_words_from_the_name_or_keywords_find_the_service(client, city):
    assert "Pothole" in results(client.get("/?q=crack in the road").text)  # keywords
    assert "Graffiti" in results(client.get("/?q=graffiti").text)
    assert "Pothole" in results(client.get("/?q=pot").text)  # the start of a word


def test_spanish_words_find_the_service_for_a_spanish_speaker(client, city):
    page = client.get("/?q=agujero&lang=es").text
    assert "Bache" in results(page)
    assert "Bache" in results(client.get("/?q=BACHE").text)  # accents and case do not matter


def test_no_match_says_so_and_the_full_list_stays(client, city):
    page = client.get("/?q=zzzz").text
    assert "No service matches those words" in page and "Graffiti" in page


def test_filler_words_and_two_letters_find_nothing_by_themselves(app, client, city):
    with app.app_context():
        graffiti = db.session.scalar(db.select(Service).filter_by(code="graffiti"))
        graffiti.keywords = "paint tags on walls, lamp posts and entrances"
        db.session.commit()
    # "en" and "la" used to match as the start of "entrances" and "lamp"
    found = results(client.get("/?q=bache en la calle&lang=es").text)
    assert "Bache" in found and "Graffiti" not in found
    # two letters match whole words only: "ro" used to find the pothole by "road"
    assert "No service matches those words" in client.get("/?q=ro&lang=en").text
    assert "No service matches those words" in client.get("/?q=the and of&lang=en").text
    assert "Graffiti" in results(client.get("/?q=lamp&lang=en").text)  # a word still finds its service
