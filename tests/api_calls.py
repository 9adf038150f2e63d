"""Calling the staff API in tests as an integration would: with a bearer token and JSON."""
from core.accounts.tokens import ApiToken
from core.extensions import db


def token_of(staff, write=True, name="test script", days=90):
    """A new token of ``staff`` (committed); returns its secret."""
    token, secret = ApiToken.issue(db.session.merge(staff), name, can_write=write, days=days)
    db.session.add(token)
    db.session.commit()
    return secret


class Caller:
    """A test client that sends ``secret`` as its bearer token on every call."""

    def __init__(self, client, secret):
        self.client, self.secret = client, secret

    def headers(self, extra=None):
        return {"Authorization": f"Bearer {self.secret}", **(extra or {})}

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path, json=None, version=None, **kwargs):
        """POST ``json``; ``version`` goes in If-Match as the ETag form ``"7"``."""
        extra = dict(kwargs.pop("headers", None) or {})
        if version is not None:
            extra["If-Match"] = f'"{version}"'
        return self.client.post(path, json=json, headers=self.headers(extra), **kwargs)

    def act(self, case_id, action, json=None):
        """Read the case's ETag, then POST ``action`` on it at that version."""
        etag = self.get(f"/api/v1/cases/{case_id}").headers["ETag"]
        return self.post(f"/api/v1/cases/{case_id}/{action}", json=json or {}, headers={"If-Match": etag})
