"""Role checks for views. Every staff and admin route carries one."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from eventsys.models import Role

_ALLOWED = {
    Role.STAFF: {Role.STAFF, Role.ADMIN},
    Role.ADMIN: {Role.ADMIN},
    Role.VOLUNTEER: {Role.VOLUNTEER},
}


def role_required(role: Role):
    """Logged-in users of ``role`` (or above) only; anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in _ALLOWED[role]:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.STAFF)
admin_required = role_required(Role.ADMIN)
