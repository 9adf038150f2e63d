"""Partner systems' Open311 keys, as admins issue, revoke and limit them. Each commits and is audited."""
from core import audit
from core.extensions import db
from intake.open311.models import ApiClient


def all_clients():
    """Every Open311 key's client, newest first."""
    return db.session.scalars(db.select(ApiClient).order_by(ApiClient.created_at.desc())).all()


def issue_key(name, by):
    """A new key for the partner ``name``: returns ``(client, key)``, the key shown this once."""
    client, key = ApiClient.issue(name)
    db.session.add(client)
    db.session.flush()
    audit.record("api_key_issued", actor=by, target=client, name=name)
    db.session.commit()
    return client, key


def revoke_key(client, by):
    """Make ``client``'s key stop working."""
    client.active = False
    audit.record("api_key_revoked", actor=by, target=client)
    db.session.commit()


def set_client_quota(client, quota, by):
    """Let ``client`` make ``quota`` requests a minute (audited with the quota before)."""
    audit.record("api_quota_changed", actor=by, target=client, before=client.requests_per_minute, after=quota)
    client.requests_per_minute = quota
    db.session.commit()
