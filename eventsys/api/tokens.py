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
from flask import Flask, Response, current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from eventsys.api.problems import ApiProblem
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import ApiToken, Role, User

# last_used_at is written at most this often per token, to keep reads read-only.
LAST_USED_RESOLUTION = timedelta(minutes=5)
# Session.info key of a last use waiting for the session's next commit.
_PENDING_LAST_USE = "eventsys_api_token_last_use"


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


# Every API call runs this; built once.
_TOKEN_WITH_USER = (
    sa.select(ApiToken)
    .options(joinedload(ApiToken.user))
    .where(ApiToken.token_hash == sa.bindparam("token_hash"))
)


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
        record = db.session.scalar(_TOKEN_WITH_USER, {"token_hash": token_hash(secret)})
    now = utcnow()
    if record is None or not record.is_valid(now):
        raise _unauthorized(_("This token is unknown, expired or revoked. Ask for a new one."))
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        db.session.info[_PENDING_LAST_USE] = (record.id, now)
    g.api_token = (secret, record)
    return record


_WRITE_LAST_USE = (
    sa.update(ApiToken.__table__)
    .where(ApiToken.__table__.c.id == sa.bindparam("token_id"))
    .values(last_used_at=sa.bindparam("last_used_at"))
)


def _write_last_use(session: Session) -> None:
    """Before a commit: add the token's last use to the transaction being committed.

    A registration thus writes it inside its own transaction, instead of taking SQLite's
    write lock once more just for this timestamp.
    """
    pending = session.info.pop(_PENDING_LAST_USE, None)
    if pending is not None:
        token_id, when = pending
        session.execute(_WRITE_LAST_USE, {"token_id": token_id, "last_used_at": when})


def _commit_last_use(response: Response) -> Response:
    """After a request that committed nothing (a read), write the pending last use."""
    if g.get("api_token") is not None and _PENDING_LAST_USE in db.session.info:
        try:
            db.session.commit()
        except SQLAlchemyError:  # a timestamp is not worth failing the answer for
            db.session.rollback()
            current_app.logger.warning("could not record a token's last use", exc_info=True)
    return response


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


def init_app(app: Flask) -> None:
    if not sa.event.contains(db.session, "before_commit", _write_last_use):
        sa.event.listen(db.session, "before_commit", _write_last_use)
    app.after_request(_commit_last_use)
