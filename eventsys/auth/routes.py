"""Sign up, log in and out, the account page, password reset, data export and closing."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import COOKIE_NAME, current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from eventsys.auth.blueprint import bp
from eventsys.auth.forms import (
    ChangePasswordForm,
    CloseAccountForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from eventsys.extensions import db, limiter
from eventsys.i18n import LANGUAGE_CHOSEN
from eventsys.services import accounts
from eventsys.services.urls import safe_next_url


def _auth_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


def _not_post() -> bool:
    return request.method != "POST"


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_auth_limit, exempt_when=_not_post)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignupForm()
    if form.validate_on_submit():
        if form.website.data:
            # A bot filled in the hidden field: pretend nothing happened.
            flash(_("Thank you. Please check your email."), "info")
            return redirect(url_for("main.home"))
        owner = accounts.find_by_email(form.email.data)
        if owner is not None:
            # Strangers must not learn who has an account: the owner gets a mail instead.
            accounts.tell_owner_of_signup(owner, form.password.data)
            db.session.commit()
            flash(_("Thank you. Please check your email."), "info")
            return redirect(url_for("main.home"))
        try:
            user = accounts.create_user(
                form.email.data,
                form.display_name.data,
                form.password.data,
                phone=form.phone.data,
                card_number=form.card_number.data,
                locale=session.get("locale"),
            )
            session.pop(LANGUAGE_CHOSEN, None)
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            try:
                db.session.commit()
            except IntegrityError:
                # Another request took the address or card in the same instant.
                db.session.rollback()
                form.email.errors.append(
                    _("An account with this email address or card number exists already.")
                )
                return render_template("auth/signup.html", form=form)
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, exempt_when=_not_post)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            login_user(user, remember=form.remember.data)
            _keep_language(user)
            flash(_("You are logged in."), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


def _keep_language(user) -> None:
    """A language chosen on this browser before logging in wins and becomes the account's;
    without such a choice the account's language is used."""
    chosen = session.pop(LANGUAGE_CHOSEN, None)
    if chosen in current_app.config["EVENTSYS_LANGUAGES"]:
        session["locale"] = chosen
        if user.locale != chosen:
            user.locale = chosen
            db.session.commit()
    else:
        session["locale"] = user.locale


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Ends this login everywhere, so a copied cookie is worth nothing afterwards.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data
        current_user.phone = form.phone.data or None
        current_user.locale = form.locale.data
        session["locale"] = form.locale.data
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            remembered = bool(
                request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME))
            )
            current_user.set_password(form.password.data)
            db.session.commit()
            # The session version changed, which ends every other session; stay logged in
            # here, and renew this device's remember cookie if it had one.
            login_user(current_user._get_current_object(), remember=remembered)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_auth_limit, exempt_when=_not_post)
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(form.email.data)
        if user is not None and user.active:
            accounts.queue_reset_mail(user)
            db.session.commit()
        # Same answer either way, so the form does not reveal who has an account.
        flash(_("If an account uses that address, a mail with a link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        flash(_("This link has expired or was used already. Ask for a new one."), "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        db.session.commit()
        flash(_("Your new password is set. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.get("/account/data.json")
@login_required
def export_data():
    return Response(
        accounts.personal_data_json(current_user),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-eventsys-data.json"'},
    )


@bp.route("/account/close", methods=["GET", "POST"])
@login_required
def close_account():
    if current_user.is_staff:
        abort(403, _("Staff accounts are closed by an admin."))
    form = CloseAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("This is not your current password."))
        else:
            cancelled = accounts.close_account(current_user)
            db.session.commit()
            logout_user()
            flash(_("Your account is closed and your personal data removed."), "info")
            if cancelled:
                flash(
                    ngettext(
                        "%(num)d upcoming registration was cancelled.",
                        "%(num)d upcoming registrations were cancelled.",
                        cancelled,
                    ),
                    "info",
                )
            return redirect(url_for("main.home"))
    upcoming = accounts.upcoming_registrations(current_user)
    return render_template("auth/close_account.html", form=form, upcoming=upcoming)
