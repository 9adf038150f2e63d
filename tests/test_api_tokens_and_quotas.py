"""Tokens from making to revoking, and a quota per API client (staff tokens and Open311 keys)."""
import re
from datetime import timedelta

import pytest

from core.accounts.tokens import ApiToken
from core.extensions import db
from core.models import AuditEvent
from core.timeutil import utcnow
from intake.open311.models import ApiClient
from tests.api_calls import Caller, token_of
from tests.conftest import csrf_token_from, fresh_app
from tests.factories import make_city


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_made_on_the_account_page_is_shown_once_works_and_can_be_revoked(app, client, login_as, city):
    login_as(city.caseworker)
    page = client.get("/staff/tokens/")
    made = client.post("/staff/tokens/", data={"csrf_token": csrf_token_from(page.text), "name": "GIS export",
                                               "access": "read", "days": "30"})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="secret-key">(tdm_[\w-]+)</code>', made.text).group(1)
    assert secret not in client.get("/staff/tokens/").text  # shown once
    with app.app_context():
        token = db.session.scalar(db.select(ApiToken))
        assert token.secret_digest != secret and secret not in token.hint + token.name
        assert token.last_used_at is None and token.expires_at - utcnow() > timedelta(days=29)
    assert client.get("/api/v1/me", headers=bearer(secret)).get_json()["token"]["name"] == "GIS export"
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken)).last_used_at is not None
        issued = db.session.scalar(db.select(AuditEvent).filter_by(action="api_token_issued"))
        assert issued.actor_id == city.caseworker.id and secret not in str(issued.details)
    # read-only: a write is refused, whatever the role allows
    refused = client.post("/api/v1/take-next", headers=bearer(secret))
    assert refused.status_code == 403 and "read-only" in refused.get_json()["detail"]
    page = client.get("/staff/tokens/")
    revoke = re.search(r'action="(/staff/tokens/\d+/revoke)"', page.text).group(1)
    assert client.post(revoke, data={"csrf_token": csrf_token_from(page.text)}).status_code == 303
    gone = client.get("/api/v1/me", headers=bearer(secret))
    assert gone.status_code == 401 and gone.mimetype == "application/problem+json"
    assert gone.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_or_one_of_a_deactivated_account_gets_401(app, client, city):
    with app.app_context():
        expired = token_of(city.caseworker, days=1)
        db.session.scalar(db.select(ApiToken)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        leaver = token_of(city.parks_worker)
    assert client.get("/api/v1/me", headers=bearer(expired)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(leaver)).status_code == 200
    with app.app_context():
        db.session.merge(city.parks_worker).active = False
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(leaver)).status_code == 401
    for wrong in ("", "Bearer", "Bearer tdm_not-a-token", "Basic dXNlcjpwYXNz", f"Bearer {'x' * 5000}"):
        assert client.get("/api/v1/me", headers={"Authorization": wrong}).status_code == 401


def test_admins_see_every_token_revoke_one_and_set_its_quota(app, client, login_as, city):
    with app.app_context():
        secret = token_of(city.caseworker, name="night script")
    login_as(city.admin)
    page = client.get("/admin/api-keys/")
    assert "night script" in page.text and "Casey Worker" in page.text and secret not in page.text
    token_id = re.search(r'/admin/api-keys/tokens/(\d+)/quota', page.text).group(1)
    bad = client.post(f"/admin/api-keys/tokens/{token_id}/quota",
                      data={"csrf_token": csrf_token_from(page.text), "requests_per_minute": "lots"})
    assert bad.status_code == 400 and "whole number" in bad.text
    client.post(f"/admin/api-keys/tokens/{token_id}/quota",
                data={"csrf_token": csrf_token_from(page.text), "requests_per_minute": "2"})
    answers = [client.get("/api/v1/me", headers=bearer(secret)) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    client.post(f"/admin/api-keys/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(page.text)})
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    with app.app_context():
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
        assert {"api_quota_changed", "api_token_revoked"} <= actions


def test_the_command_line_prints_a_token_for_a_script(app, runner, city):
    result = runner.invoke(args=["api", "issue-token", city.supervisor.email, "--name", "nightly rebalance",
                                 "--write"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    caller = Caller(app.test_client(), secret)
    assert caller.get("/api/v1/me").get_json()["token"] == {
        "name": "nightly rebalance", "can_write": True, "requests_per_minute": 600,
        "expires_at": caller.get("/api/v1/me").get_json()["token"]["expires_at"]}
    assert runner.invoke(args=["api", "issue-token", "nobody@city.example", "--name", "x"]).exit_code != 0


def test_a_tokens_quota_is_its_own_and_told_in_ratelimit_headers(app, client, city):
    with app.app_context():
        first, second = token_of(city.caseworker, name="first"), token_of(city.caseworker, name="second")
        db.session.execute(db.update(ApiToken).values(requests_per_minute=3))
        db.session.commit()
    answers = [client.get("/api/v1/me", headers=bearer(first)) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer.headers["RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert 0 < int(answers[3].headers["Retry-After"]) <= 60
    assert answers[3].mimetype == "application/problem+json"
    # another client's quota is untouched
    assert client.get("/api/v1/me", headers=bearer(second)).headers["RateLimit-Remaining"] == "2"


def test_calls_without_a_token_are_limited_per_address(tmp_path):
    client = fresh_app(tmp_path, API_ANONYMOUS_PER_MINUTE=30).test_client()  # the deployment's default
    answers = [client.get("/api/v1/cases") for _ in range(31)]
    assert {answer.status_code for answer in answers[:30]} == {401}
    assert answers[30].status_code == 429


def test_a_quota_that_cannot_be_counted_lets_the_request_through(tmp_path, redis_server):
    app = fresh_app(tmp_path, RATELIMIT_STORAGE_URI=redis_server.url)
    with app.app_context():
        city = make_city()
        secret = token_of(city.caseworker)
        db.session.execute(db.update(ApiToken).values(requests_per_minute=1))
        db.session.commit()
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 429
    redis_server.stop()
    answer = client.get("/api/v1/me", headers=bearer(secret))
    assert answer.status_code == 200 and "RateLimit-Limit" not in answer.headers


def open311_post(client, key, n):
    return client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "pothole", "lat": "51.5", "long": "-0.1",
        "description": f"Pothole number {n}", "email": "partner@example.org"})


def test_an_open311_key_has_its_own_quota_apart_from_the_per_address_limit(tmp_path):
    # the deployment's default per-address limit, 20 a minute
    app = fresh_app(tmp_path, SUBMISSION_RATE_LIMIT="20 per minute;200 per hour")
    with app.app_context():
        make_city()
        partner, key = ApiClient.issue("FixMyStreet")
        small, small_key = ApiClient.issue("Small app")
        small.requests_per_minute = 5
        db.session.add_all([partner, small])
        db.session.commit()
    client = app.test_client()
    answers = [open311_post(client, key, n) for n in range(60)]
    assert {answer.status_code for answer in answers} == {201}
    assert answers[-1].headers["RateLimit-Limit"] == "600" and answers[-1].headers["RateLimit-Remaining"] == "540"
    small_answers = [open311_post(client, small_key, n) for n in range(6)]
    assert [answer.status_code for answer in small_answers] == [201] * 5 + [429]
    assert small_answers[-1].get_json()[0]["code"] == 429
    # calls without a valid key still meet the per-address limit (and are refused for the key)
    wrong = [open311_post(client, "t311_wrong", n).status_code for n in range(21)]
    assert wrong == [403] * 20 + [429]


@pytest.mark.slow
def test_a_partner_posting_200_reports_at_40_a_second_is_never_refused(tmp_path):
    """As a FixMyStreet or 311 call centre would, on gunicorn with the deployment's default limits."""
    import time

    import requests

    from bench.harness.processes import Web

    app = fresh_app(tmp_path)
    with app.app_context():
        make_city()
        partner, key = ApiClient.issue("311 call centre")
        db.session.add(partner)
        db.session.commit()
        environment = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app.config["REDIS_URL"],
                       "SECRET_KEY": "test-secret-key", "MAILBOX_DIR": str(tmp_path / "mailbox"),
                       "PUBLIC_URL": "http://tandem.test", "AGENCY_HOURS": "always"}
    web = Web(environment).start()
    try:
        statuses, started = [], time.monotonic()
        with requests.Session() as session:
            for n in range(200):
                # 40 a second: the n-th post leaves at n/40 s
                time.sleep(max(0.0, started + n / 40 - time.monotonic()))
                statuses.append(session.post(f"{web.url}/open311/v2/requests.json", timeout=10, data={
                    "api_key": key, "service_code": "pothole", "address_string": f"{n} Depot Road",
                    "description": f"Pothole number {n}"}).status_code)
        assert statuses == [201] * 200
        # a caller without a key still meets the per-address limit of 20 a minute
        refused = [requests.post(f"{web.url}/open311/v2/requests.json", timeout=10,
                                data={"api_key": "t311_wrong"}).status_code for _ in range(21)]
        assert refused[-1] == 429
    finally:
        web.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
