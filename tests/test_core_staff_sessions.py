"""Staff sessions, passwords, two-step sign-in and sign-in throttling, as staff and attackers meet them."""
import re
import time

import pyotp
import pytest

from core import create_app
from core.extensions import db
from core.accounts.models import Staff
from tests.conftest import csrf_token_from, test_config
from tests.factories import PASSWORD


def sign_in(client, staff, password=PASSWORD, address="127.0.0.1"):
    page = client.get("/staff/login", environ_base={"REMOTE_ADDR": address})
    return client.post("/staff/login", data={"email": staff.email, "password": password,
                                             "csrf_token": csrf_token_from(page.text)},
                       environ_base={"REMOTE_ADDR": address})


def is_signed_in(client):
    return client.get("/console/").status_code == 200


def test_a_new_session_is_started_at_sign_in(app, client, city):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, city.caseworker)
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session


def test_signing_out_ends_the_sessions_on_other_devices_too(app, city):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, city.caseworker)
    sign_in(phone, city.caseworker)
    assert is_signed_in(laptop) and is_signed_in(phone)
    page = laptop.get("/console/")
    laptop.post("/staff/logout", data={"csrf_token": csrf_token_from(page.text)})
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_a_password_change_keeps_this_session_and_ends_the_others(app, city):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, city.caseworker)
    sign_in(elsewhere, city.caseworker)
    page = here.get("/staff/password")
    changed = here.post("/staff/password", data={
        "csrf_token": csrf_token_from(page.text), "current": PASSWORD,
        "new": "lantern orchard velvet quarry", "again": "lantern orchard velvet quarry"})
    assert changed.status_code == 302
    assert is_signed_in(here) and not is_signed_in(elsewhere)
    assert sign_in(app.test_client(), city.caseworker, "lantern orchard velvet quarry").status_code == 302


@pytest.mark.parametrize("new, again, current, message", [
    ("password1234", "password1234", PASSWORD, "one of the most common ones"),
    ("short", "short", PASSWORD, "at least 12 characters"),
    ("lantern orchard velvet quarry", "lantern orchard velvet", PASSWORD, "do not match"),
    ("lantern orchard velvet quarry", "lantern orchard velvet quarry", "wrong", "current password correctly"),
])
def test_a_weak_or_mistyped_new_password_is_refused_and_the_old_one_still_works(
        app, client, city, new, again, current, message):
    sign_in(client, city.caseworker)
    page = client.get("/staff/password")
    refused = client.post("/staff/password", data={"csrf_token": csrf_token_from(page.text),
                                                   "current": current, "new": new, "again": again})
    assert refused.status_code == 400 and message in refused.text
    assert sign_in(app.test_client(), city.caseworker).status_code == 302


@pytest.mark.parametrize("stamp, flashed", [("seen_at", "without activity"), ("signed_in_at", "session has ended")])
def test_idle_and_too_old_sessions_are_signed_out(app, client, city, stamp, flashed):
    sign_in(client, city.caseworker)
    with client.session_transaction() as session:
        session[stamp] = int(time.time()) - 13 * 3600
    response = client.get("/console/")
    assert response.status_code == 302 and "/staff/login" in response.location
    assert flashed in client.get(response.location).text
    assert not is_signed_in(client)


def test_session_cookies_are_http_only_same_site_and_host_locked_behind_https(tmp_path, app, city):
    response = sign_in(app.test_client(), city.caseworker)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    secure_app = create_app(test_config(tmp_path, SESSION_COOKIE_SECURE=True))
    secure = secure_app.test_client()
    page = secure.get("/staff/login", base_url="https://tandem.test")
    signed_in = secure.post("/staff/login", base_url="https://tandem.test", data={
        "email": city.caseworker.email, "password": PASSWORD, "csrf_token": csrf_token_from(page.text)})
    [cookie] = [c for c in signed_in.headers.getlist("Set-Cookie") if c.startswith("__Host-tandem=")]
    assert "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_repeated_failures_slow_the_attacker_but_not_the_real_user_elsewhere(app, city):
    attacker = app.test_client()
    for _ in range(5):
        assert sign_in(attacker, city.caseworker, "guess-" + "x" * 8, address="203.0.113.9").status_code == 400
    slowed = sign_in(attacker, city.caseworker, "guess-again-1234", address="203.0.113.9")
    assert slowed.status_code == 429 and "Please wait a minute" in slowed.text
    # the real caseworker, at their own desk, is not locked out
    assert sign_in(app.test_client(), city.caseworker, address="10.0.0.7").status_code == 302


def test_the_account_page_gathers_a_staff_members_password_two_step_sign_in_and_tokens(app, client, city):
    """The header's name leads to it: its three links (password, two-step sign-in, API tokens) ran to a third row."""
    sign_in(client, city.caseworker)
    home = client.get("/console/").text
    assert 'href="/staff/account">Casey Worker (caseworker)' in home
    assert 'href="/staff/tokens/"' not in home and 'href="/staff/two-factor"' not in home
    account = client.get("/staff/account")
    assert account.status_code == 200
    for text in ("Casey Worker", city.caseworker.email, "Caseworker", 'href="/staff/password"',
                 "Off. <a href=\"/staff/two-factor\">Turn on two-step sign-in</a>", "0 active", 'href="/staff/tokens/"'):
        assert text in account.text, text
    tokens = client.get("/staff/tokens/")
    client.post("/staff/tokens/", data={"csrf_token": csrf_token_from(tokens.text), "name": "GIS export",
                                        "access": "read", "days": "30"})
    assert "1 active" in client.get("/staff/account").text
    assert app.test_client().get("/staff/account").status_code == 302  # signed out: to the sign-in page


def test_two_step_sign_in_asks_for_the_code_after_the_password(app, client, city):
    sign_in(client, city.supervisor)
    page = client.get("/staff/two-factor")
    secret = re.search(r'<code class="secret-key">([A-Z2-7]+)</code>', page.text).group(1)
    assert "<svg" in page.text  # the QR code, inline
    wrong = client.post("/staff/two-factor", data={"csrf_token": csrf_token_from(page.text), "code": "000000"})
    assert wrong.status_code == 400
    enabled = client.post("/staff/two-factor", data={"csrf_token": csrf_token_from(page.text),
                                                     "code": pyotp.TOTP(secret).now()})
    assert enabled.status_code == 302
    assert "On: you give a code from your authenticator app" in client.get("/staff/account").text

    fresh = app.test_client()
    asked = sign_in(fresh, city.supervisor)
    assert asked.status_code == 302 and "/staff/login/code" in asked.location
    assert not is_signed_in(fresh)  # the password alone is not enough
    code_page = fresh.get(asked.location)
    bad = fresh.post(asked.location, data={"csrf_token": csrf_token_from(code_page.text), "code": "123456"})
    assert bad.status_code == 400 and "6-digit code" in bad.text
    good = fresh.post(asked.location, data={"csrf_token": csrf_token_from(code_page.text),
                                            "code": pyotp.TOTP(secret).now()})
    assert good.status_code == 302 and is_signed_in(fresh)


def test_roles_that_require_two_step_sign_in_must_set_it_up_first(app, client, city):
    app.config["TOTP_REQUIRED_ROLES"] = "supervisor,admin"
    sign_in(client, city.admin)
    blocked = client.get("/admin/")
    assert blocked.status_code == 302 and "/staff/two-factor" in blocked.location
    sign_in(app.test_client(), city.caseworker)  # not required for caseworkers


def test_staff_accounts_cannot_be_created_with_a_common_password(app, runner):
    result = runner.invoke(args=["create-staff", "--name", "Pat", "--email", "pat@city.example",
                                 "--role", "caseworker", "--password", "password1234"])
    assert result.exit_code != 0 and "most common" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(Staff).filter_by(email="pat@city.example")) is None


def test_behind_a_configured_proxy_limits_count_the_real_client_not_the_balancer(tmp_path, city):
    from tests.conftest import DATABASE_URL
    proxied = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=DATABASE_URL, PROXY_HOPS=1))
    balancer = {"REMOTE_ADDR": "10.0.0.2"}
    for _attempt in range(6):
        client = proxied.test_client()
        page = client.get("/staff/login", environ_base=balancer, headers={"X-Forwarded-For": "198.51.100.7"})
        response = client.post("/staff/login", environ_base=balancer, headers={"X-Forwarded-For": "198.51.100.7"},
                               data={"email": city.caseworker.email, "password": "wrong-wrong-wrong",
                                     "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 429
    # another citizen behind the same balancer is not slowed by the first one's failures
    client = proxied.test_client()
    page = client.get("/staff/login", environ_base=balancer, headers={"X-Forwarded-For": "198.51.100.8"})
    other = client.post("/staff/login", environ_base=balancer, headers={"X-Forwarded-For": "198.51.100.8"},
                        data={"email": city.caseworker.email, "password": PASSWORD,
                              "csrf_token": csrf_token_from(page.text)})
    assert other.status_code == 302
