"""How Flask-Login finds the user of a session."""

from flask_babel import lazy_gettext as _l

from eventsys.extensions import db, login_manager
from eventsys.models import User

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # The id carries the session version and login generation (User.get_id): a changed
    # password or a logout ends the sessions issued before it.
    parts = session_id.split(":")
    if len(parts) != 3 or not all(part.isdigit() and len(part) < 10 for part in parts):
        return None
    user_id, version, generation = map(int, parts)
    user = db.session.get(User, user_id)
    if (
        user is None
        or user.session_version != version
        or user.login_generation != generation
        or not user.active
    ):
        return None
    return user
