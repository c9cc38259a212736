"""Bearer tokens: issuing, checking and revoking, and the per-token rate-limit key.

API calls are authenticated by ``Authorization: Bearer <token>`` only; the browser's
session cookie never counts here (a cookie would make every API call forgeable from
another site, and the API is exempt from CSRF for exactly that reason).
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from eventsys.api.problems import ApiProblem
from eventsys.database import commit_without_expiring
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import ApiToken, Role, User

# last_used_at is written at most this often per token, to keep reads read-only.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, now: datetime | None = None) -> tuple[str, ApiToken]:
    """A new token for ``user``: the secret (shown once) and its stored record. Commits."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    hours = int(current_app.config["EVENTSYS_API_TOKEN_HOURS"])
    record = ApiToken(
        user_id=user.id,
        token_hash=token_hash(secret),
        session_version=user.session_version,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(record)
    db.session.commit()
    return secret, record


def revoke(record: ApiToken) -> None:
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    db.session.commit()


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    # token_urlsafe(32) gives 43 characters; anything far off is not ours.
    if not value or len(value) > 200:
        return None
    return value


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem("unauthorized", detail)


def authenticate() -> ApiToken:
    """The valid token record of this request, or an ``unauthorized`` problem."""
    secret = bearer_token()
    if secret is None:
        raise _unauthorized(_("Send a token as Authorization: Bearer <token>."))
    cached = g.get("api_token")
    if cached is not None and cached[0] == secret:
        record = cached[1]
    else:
        record = db.session.scalar(
            sa.select(ApiToken).where(ApiToken.token_hash == token_hash(secret))
        )
    now = utcnow()
    if record is None or not record.is_valid(now):
        raise _unauthorized(_("This token is unknown, expired or revoked. Ask for a new one."))
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        record.last_used_at = now
        commit_without_expiring()
    g.api_token = (secret, record)
    return record


def current_user() -> User:
    return authenticate().user


def token_required(view):
    """Any valid token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        authenticate()
        return view(*args, **kwargs)

    return wrapped


def staff_token_required(view):
    """A valid token of a staff member or admin; others get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user()
        if user.role not in (Role.STAFF, Role.ADMIN):
            raise ApiProblem("forbidden", _("Only staff tokens may do this."))
        return view(*args, **kwargs)

    return wrapped


def token_key() -> str:
    """Rate-limit key: the token (hashed) when one is sent, else the address."""
    secret = bearer_token()
    if secret is None:
        return "addr:" + (get_remote_address() or "unknown")
    return "token:" + token_hash(secret)[:32]


def address_key() -> str:
    return "addr:" + (get_remote_address() or "unknown")


def email_key() -> str:
    """Rate-limit key for token creation: the account asked for, whatever the address."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str):
        return address_key()
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
