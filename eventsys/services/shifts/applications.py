"""Applying to volunteer, and the staff's decision (a mail tells the applicant)."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import ApplicationStatus, Role, User, VolunteerApplication
from eventsys.services import audit, mails
from eventsys.services.shifts.errors import ShiftError


def pending_application(user: User) -> VolunteerApplication | None:
    return db.session.scalar(
        sa.select(VolunteerApplication).where(
            VolunteerApplication.user_id == user.id,
            VolunteerApplication.status == ApplicationStatus.APPLIED,
        )
    )


def latest_application(user: User) -> VolunteerApplication | None:
    return db.session.scalar(
        sa.select(VolunteerApplication)
        .where(VolunteerApplication.user_id == user.id)
        .order_by(VolunteerApplication.created_at.desc(), VolunteerApplication.id.desc())
        .limit(1)
    )


def apply(
    user: User,
    *,
    skills: str = "",
    languages: str = "",
    availability: str = "",
    emergency_name: str,
    emergency_phone: str,
    motivation: str = "",
) -> VolunteerApplication:
    """Commits."""
    if user.role != Role.READER:
        raise ShiftError(_("Your account can already serve volunteer shifts."), "already")
    if pending_application(user) is not None:
        raise ShiftError(_("Your application is already waiting for a decision."), "pending")
    if not emergency_name.strip() or not emergency_phone.strip():
        raise ShiftError(_("Please give an emergency contact and phone."), "invalid")
    application = VolunteerApplication(
        user_id=user.id,
        skills=skills.strip(),
        languages=languages.strip(),
        availability=availability.strip(),
        emergency_name=emergency_name.strip(),
        emergency_phone=emergency_phone.strip(),
        motivation=motivation.strip(),
        status=ApplicationStatus.APPLIED,
    )
    db.session.add(application)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ShiftError(
            _("Your application is already waiting for a decision."), "pending"
        ) from None
    return application


def _decide(application: VolunteerApplication, actor: User, status: str, note: str) -> None:
    if application.status != ApplicationStatus.APPLIED:
        raise ShiftError(_("This application has been decided already."), "decided")
    before = audit.snapshot(application, ("status", "note"))
    application.status = status
    application.note = note.strip()[:500]
    application.decided_by_id = actor.id
    application.decided_at = utcnow()
    audit.record(
        actor,
        f"volunteer_application.{status}",
        application,
        before,
        audit.snapshot(application, ("status", "note")),
    )


def approve(application: VolunteerApplication, actor: User, note: str = "") -> None:
    """Approve: a reader becomes a volunteer (staff keep their own role). Commits."""
    _decide(application, actor, ApplicationStatus.APPROVED, note)
    user = application.user
    if user.role == Role.READER:
        audit.record(actor, "user.role", user, {"role": user.role}, {"role": Role.VOLUNTEER.value})
        user.role = Role.VOLUNTEER
    mails.queue_mail(user, "volunteer_approved", note=application.note)
    db.session.commit()


def reject(application: VolunteerApplication, actor: User, note: str = "") -> None:
    """Commits."""
    _decide(application, actor, ApplicationStatus.REJECTED, note)
    mails.queue_mail(application.user, "volunteer_rejected", note=application.note)
    db.session.commit()
