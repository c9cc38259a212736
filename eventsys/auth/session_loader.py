"""How Flask-Login finds the user of a session."""

from flask_babel import lazy_gettext as _l

from eventsys.extensions import db, login_manager
from eventsys.models import User

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # The id carries the session version: a changed password ends older sessions.
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user
