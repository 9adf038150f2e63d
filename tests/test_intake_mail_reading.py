"""Reading citizens' emails: the reply as the case shows it, from real-looking messages of several mail clients
(kept in tests/mail_fixtures), and the mail that is not a person's message."""
from pathlib import Path

import pytest

from intake.mail.cleaning import cleaned
from intake.mail.reading import Unreadable, read

FIXTURES = Path(__file__).parent / "mail_fixtures"


def letter(name):
    return read((FIXTURES / name).read_bytes())


@pytest.mark.parametrize("name, expected", [
    ("gmail_en.eml", "It is on the north side, right by the bus stop.\n"
                     "There are two holes, the bigger one is about 20 cm deep.\n\nThanks,\nRosa"),
    ("apple_mail_es.eml", "Está en el lado norte, junto a la parada del autobús."),
    ("outlook_pt.eml", "Fica do lado norte, perto da paragem do autocarro.\nObrigado"),
    ("gmail_pt.eml", "Do lado esquerdo, em frente à farmácia."),
    ("thunderbird_en.eml", "The hole was filled but the road sign is still lying on the pavement."),
    ("outlook_en_plain.eml", "Yes, the photo is attached now.\n\nChloe"),
])
def test_the_reply_is_what_the_citizen_wrote_without_quotes_or_signature(name, expected):
    found = letter(name)
    assert found.automatic is None and not found.bounce
    assert cleaned(found.text) == expected


def test_who_wrote_what_it_answers_and_in_which_language():
    found = letter("apple_mail_es.eml")
    assert (found.sender, found.sender_name) == ("lucia@example.org", "Lucía Gómez")
    assert "requests+0123456789abcdef0123456789abcdef@mail.tandem.test" in found.recipients
    assert "tandem.n42." in found.in_reply_to and "tandem.r1." in found.references
    assert letter("outlook_pt.eml").language == "pt"


def test_a_reply_written_inside_the_quote_is_kept():
    assert cleaned("> Which side?\nThe north side.\n> Thanks") == "The north side."


def test_an_out_of_office_is_automatic_and_a_bounce_names_the_message_and_address():
    assert letter("out_of_office.eml").automatic == "Auto-Submitted: auto-replied"
    bounce = letter("bounce.eml")
    assert bounce.bounce and bounce.bounced_recipients == ["nobody@example.org"]
    assert bounce.bounced_ids == ["<tandem.r1.0000000000000000@mail.tandem.test>"]


@pytest.mark.parametrize("raw, reason", [
    ((FIXTURES / "unknown_charset.eml").read_bytes(), "character set"),
    (b"", "no headers"),
    (b"From: a@example.org\nSubject: hi\n\n", "no text and no attachment"),
    (b"From: a@example.org\n\n" + b"x" * (26 * 1024 * 1024), "over the 25 MB limit"),
])
def test_what_cannot_be_read_says_why(raw, reason):
    with pytest.raises(Unreadable, match=reason):
        read(raw)
