"""Policies the admin sets at run time, each with a default and a sane range."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from eventsys.extensions import db
from eventsys.models import Setting
from eventsys.services import audit


@dataclass(frozen=True)
class Policy:
    key: str
    label: str
    default: int
    minimum: int
    maximum: int


POLICIES = {
    p.key: p
    for p in (
        Policy("noshow_count", _l("No-shows that lead to a suspension"), 3, 1, 50),
        Policy("noshow_window_days", _l("Counted over the last (days)"), 90, 1, 3650),
        Policy(
            "noshow_suspend_days", _l("Suspension from online registration (days)"), 30, 0, 3650
        ),
        Policy(
            "volunteer_withdraw_hours",
            _l("Volunteers can withdraw until (hours before the shift)"),
            24,
            0,
            720,
        ),
        Policy(
            "volunteer_max_hours_per_day",
            _l("Maximum volunteer hours per day (0 = no limit)"),
            0,
            0,
            24,
        ),
        Policy(
            "volunteer_signup_opens_days",
            _l("Shift sign-up opens (days ahead, 0 = any time)"),
            0,
            0,
            365,
        ),
    )
}


def get(key: str) -> int:
    policy = POLICIES[key]
    setting = db.session.get(Setting, key)
    return policy.default if setting is None else setting.value


def set_value(key: str, value: int) -> None:
    """Store a value; the caller validated it against the policy's range and commits."""
    policy = POLICIES[key]
    if not policy.minimum <= value <= policy.maximum:
        raise ValueError(f"{key} must be between {policy.minimum} and {policy.maximum}")
    setting = db.session.get(Setting, key)
    if setting is None:
        db.session.add(Setting(key=key, value=value))
    else:
        setting.value = value


class _PolicyEntity:
    """Stands in for the settings table in the audit log (its rows have no numeric id)."""

    __tablename__ = "settings"
    id = None


def update(actor, values: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Check and store several policies at once, audited; returns {key: (old, new)}.

    Raises ValueError naming the first value out of its range; nothing is stored then.
    """
    for key, value in values.items():
        policy = POLICIES[key]
        if not policy.minimum <= value <= policy.maximum:
            raise ValueError(f"{key} must be between {policy.minimum} and {policy.maximum}")
    changes = {key: (get(key), value) for key, value in values.items() if get(key) != value}
    for key, (_old, new) in changes.items():
        set_value(key, new)
    if changes:
        audit.record(
            actor,
            "policies.update",
            _PolicyEntity,
            {key: old for key, (old, _new) in changes.items()},
            {key: new for key, (_old, new) in changes.items()},
        )
    return changes
