"""Accounts: creating, authenticating, resetting passwords, exporting and closing."""

import json
import logging
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import AuditEntry, Event, Registration, Role, User
from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.models.users import ROLE_CHOICES, hash_password
from eventsys.services import audit, links, mails, registrations, shifts

log = logging.getLogger(__name__)


class AccountError(ValueError):
    """A refusal with a message fit to show the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    display_name: str,
    password: str | None,
    role: str = Role.READER,
    phone: str | None = None,
    card_number: str | None = None,
    locale: str | None = None,
) -> User:
    """Add a new account to the session; refuses a taken email or card number."""
    email = normalise_email(email)
    if role not in [r.value for r in Role]:
        raise AccountError(_("Unknown role: %(role)s.", role=role))
    if find_by_email(email) is not None:
        raise AccountError(_("An account with this email address exists already."))
    if card_number and db.session.scalar(sa.select(User.id).where(User.card_number == card_number)):
        raise AccountError(_("This reader card number belongs to another account."))
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        phone=phone or None,
        card_number=card_number or None,
        locale=locale or current_app.config["BABEL_DEFAULT_LOCALE"],
        session_version=1,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    db.session.add(user)
    return user


# One throw-away hash per hash method, checked when no account matches (see authenticate).
_DUMMY_HASHES: dict[str, str] = {}


def _check_dummy_password(password: str) -> None:
    method = current_app.config.get("EVENTSYS_PASSWORD_HASH", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = hash_password(secrets.token_urlsafe(16))
    check_password_hash(_DUMMY_HASHES[method], password)


def authenticate(email: str, password: str) -> User | None:
    """The active account with this email and password, else None.

    An unknown email costs the same password check as a known one, so the time of the
    answer does not tell whether an account exists.
    """
    user = find_by_email(email)
    if user is None:
        _check_dummy_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user: User) -> str:
    # The session version is inside: once the password changes, the token is spent.
    return _reset_serializer().dumps({"id": user.id, "v": user.session_version})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.active or user.session_version != data.get("v"):
        return None
    return user


def queue_reset_mail(user: User) -> None:
    link = links.external_url("auth.reset_password", token=reset_token(user))
    mails.queue_mail(user, "account_password_reset", link=link)


def tell_owner_of_signup(user: User, password: str) -> None:
    """Someone signed up with an address that has an account: tell its owner, not them.

    The password is hashed and thrown away so this answer costs what a new account costs.
    """
    hash_password(password)
    if not user.active:
        return
    mails.queue_mail(
        user,
        "account_signup_attempt",
        login=links.external_url("auth.login"),
        reset=links.external_url("auth.request_reset"),
    )


def personal_data(user: User) -> dict:
    """Everything eventsys keeps about a person, as JSON-ready data."""
    rows = db.session.scalars(
        sa.select(Registration).where(Registration.user_id == user.id).order_by(Registration.id)
    )
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "phone": user.phone,
            "card_number": user.card_number,
            "role": user.role,
            "language": user.locale,
            "created_at": user.created_at.isoformat(),
            "suspended_until": user.suspended_until.isoformat() if user.suspended_until else None,
        },
        "registrations": [
            {
                "event": r.event.title,
                "event_starts_at": r.event.starts_at.isoformat(),
                "party_size": r.party_size,
                "status": r.status,
                "needs": r.needs_list,
                "needs_note": r.needs_note,
                "registered_at": r.created_at.isoformat(),
                "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
            }
            for r in rows
        ],
        **_extra_personal_data(user),
    }


def _extra_personal_data(user: User) -> dict:
    """What the other areas keep about the account, section by section."""
    return shifts.personal_data(user)


def personal_data_json(user: User) -> str:
    return json.dumps(personal_data(user), ensure_ascii=False, indent=2)


def upcoming_registrations(user: User) -> list[Registration]:
    """Active registrations for events that have not started yet."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.event)
            .where(
                Registration.user_id == user.id,
                Registration.status.in_(ACTIVE_STATUSES),
                Event.starts_at > utcnow(),
            )
            .order_by(Event.starts_at)
        )
    )


def close_account(user: User) -> int:
    """Cancel the person's upcoming registrations (their seats go to the waitlist), then
    keep the account row so counts never change but strip everything personal.

    Returns how many registrations were cancelled. Cancelling commits per registration,
    so it runs before anything personal is touched; the caller commits the rest.
    """
    cancelled = 0
    for registration in upcoming_registrations(user):
        try:
            registrations.cancel_registration(registration, user, notify=False)
        except registrations.RegistrationError:
            log.warning("registration %s kept when closing its account", registration.id)
        else:
            cancelled += 1
    user.email = f"closed-{user.id}-{secrets.token_hex(4)}@invalid"
    user.display_name = _("Closed account")
    user.phone = None
    user.card_number = None
    user.calendar_token = None
    user.set_unusable_password()
    user.session_version += 1
    user.active = False
    user.closed_at = utcnow()
    for registration in db.session.scalars(
        sa.select(Registration).where(Registration.user_id == user.id)
    ):
        registration.needs_note = ""
    shifts.anonymise(user)
    # The audit log names the account only by id from now on.
    db.session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.entity_type == "users", AuditEntry.entity_id == user.id)
        .values(before=None, after=None)
    )
    return cancelled


USER_AUDIT_FIELDS = ("role", "active")


def search_users(text: str = "", role: str = "") -> sa.Select:
    """Accounts whose name, email, card or phone contains ``text``, newest first."""
    query = sa.select(User).order_by(User.id.desc())
    text = text.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                User.display_name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                User.card_number.ilike(pattern, escape="\\"),
                User.phone.ilike(pattern, escape="\\"),
            )
        )
    if role in ROLE_CHOICES:
        query = query.where(User.role == role)
    return query


def update_access(actor: User, user: User, role: str, active: bool) -> bool:
    """Change a user's role and active flag; True if anything changed (and was audited).

    Admins cannot lower their own rights, so the system never loses its last admin by a
    slip of the hand; a closed account stays closed.
    """
    if role not in ROLE_CHOICES:
        raise AccountError(_("Unknown role: %(role)s.", role=role))
    if user.id == actor.id and role != Role.ADMIN:
        raise AccountError(_("You cannot take away your own admin rights."))
    if user.id == actor.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    if user.closed_at is not None and active:
        raise AccountError(_("This account was closed by its owner and cannot be reopened."))
    before = audit.snapshot(user, USER_AUDIT_FIELDS)
    user.role = role
    if user.active and not active:
        user.session_version += 1  # ends the sessions it has open
    user.active = active
    before, after = audit.changed(before, audit.snapshot(user, USER_AUDIT_FIELDS))
    if not after:
        return False
    audit.record(actor, "user.update", user, before, after)
    return True
