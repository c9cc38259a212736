"""Staff page for an event's poster: upload, replace or remove it."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField

from eventsys.auth.decorators import staff_required
from eventsys.extensions import db
from eventsys.input_guard import accepts_files
from eventsys.services import posters
from eventsys.services.posters import PosterError
from eventsys.staff.blueprint import bp
from eventsys.staff.shared import event_or_404
from eventsys.text import single_line


class PosterForm(FlaskForm):
    image = FileField(_l("Poster image"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    alt = StringField(
        _l("What the poster shows, in words"), filters=[single_line], render_kw={"maxlength": 300}
    )


@bp.route("/events/<int:event_id>/poster", methods=["GET", "POST"], endpoint="event_poster")
@staff_required
@accepts_files
def event_poster(event_id: int):
    event = event_or_404(event_id)
    form = PosterForm()
    if request.method == "GET":
        form.alt.data = event.poster_alt
        return _page(event, form)
    if not form.validate_on_submit():
        return _page(event, form, 400)
    if request.form.get("action") == "remove":
        posters.remove(event, current_user)
        db.session.commit()
        flash(_("The poster is removed."), "success")
        return redirect(url_for("staff.event_poster", event_id=event.id))
    upload = form.image.data
    if not upload or not getattr(upload, "filename", ""):
        form.image.errors = [_("Choose an image file: JPEG, PNG or WebP, at most 5 MB.")]
        return _page(event, form, 400)
    try:
        posters.save(event, upload.read(posters.MAX_BYTES + 1), form.alt.data, current_user)
    except PosterError as error:
        db.session.rollback()
        getattr(form, error.field).errors = [error.message]
        return _page(event, form, 400)
    db.session.commit()
    flash(_("The poster is saved."), "success")
    return redirect(url_for("staff.event_poster", event_id=event.id))


# The body may hold a file a little over the limit, so that it is refused with a message.
event_poster.upload_limit = 2 * posters.MAX_BYTES


def _page(event, form: PosterForm, status: int = 200):
    return render_template("staff/events/poster.html", event=event, form=form), status
