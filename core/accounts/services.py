"""What changes a staff account, each owning its transaction and its line in the audit trail.

The sign-in, two-step and token pages call these; none of them commits itself.
"""
from core import audit
from core.accounts.passwords import WeakPassword, check_password_policy
from core.accounts.tokens import ApiToken
from core.extensions import db


def sign_out_everywhere(staff):
    """End every session of ``staff`` (this device's too). Commits; audited."""
    audit.record_now("signed_out", actor=staff)
    staff.end_all_sessions()
    db.session.commit()


def change_password(staff, current, new, again):
    """Set ``staff``'s password to ``new`` and end their other sessions. Commits; audited.

    Returns ``{field: message}`` and changes nothing when ``current`` is wrong,
    ``again`` differs or ``new`` is too weak; an empty dict once changed.
    """
    if not staff.check_password(current):
        return {"current": "Enter your current password correctly"}
    if new != again:
        return {"again": "The two new passwords do not match"}
    try:
        check_password_policy(new, user_inputs=(staff.email, staff.name))
    except WeakPassword as error:
        return {"new": str(error)}
    staff.set_password(new)
    staff.end_all_sessions()
    db.session.commit()
    audit.record_now("password_changed", actor=staff)
    return {}


def turn_on_two_step(staff, secret):
    """Ask ``staff`` for a code from ``secret`` at every sign-in from now on. Commits; audited."""
    staff.totp_secret = secret
    db.session.commit()
    audit.record_now("second_factor_enabled", actor=staff)


def turn_off_two_step(staff):
    """Stop asking ``staff`` for a code. Commits; audited. Callers check their role allows it."""
    staff.totp_secret = None
    db.session.commit()
    audit.record_now("second_factor_removed", actor=staff)


def issue_token(staff, name, can_write, days, by):
    """Make a token for ``staff`` (audited); return ``(token, secret)``, the secret shown this once. Commits."""
    token, secret = ApiToken.issue(staff, name, can_write=can_write, days=days)
    db.session.add(token)
    db.session.flush()
    audit.record("api_token_issued", actor=by, target=token, name=name, staff_id=staff.id, can_write=can_write,
                 days=days)
    db.session.commit()
    return token, secret


def revoke_token(token, by):
    """Make ``token`` stop working. Commits; audited."""
    token.revoke()
    audit.record("api_token_revoked", actor=by, target=token, staff_id=token.staff_id)
    db.session.commit()


def set_token_quota(token, quota, by):
    """Let ``token`` make ``quota`` requests a minute. Commits; audited with the quota before."""
    audit.record("api_quota_changed", actor=by, target=token, before=token.requests_per_minute, after=quota)
    token.requests_per_minute = quota
    db.session.commit()
