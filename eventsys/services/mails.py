"""Mails to readers and volunteers, written as templates in ``templates/mail/``.

A mail template sets its subject (``{% set subject %}…{% endset %}``, put on one line
whatever the values hold) and renders its body. It is rendered in the recipient's
language (``force_locale``), with ``user`` and everything a page template has (``library``)
in its context, and ends with ``mail/_signature.txt``. Queuing joins the caller's
transaction (``outbox.queue``).
"""

import re

from flask import current_app
from flask_babel import force_locale

from eventsys.models import User
from eventsys.services import outbox

_BLANK_LINES = re.compile(r"\n{3,}")


def render(template: str, **context) -> tuple[str, str]:
    """Subject and body of ``mail/<template>.txt`` in the current language.

    Lines lose their trailing spaces and runs of blank lines shrink to one, so templates
    can use Jinja tags on lines of their own."""
    values: dict = {}
    current_app.update_template_context(values)
    values.update(context)
    mail = current_app.jinja_env.get_template(f"mail/{template}.txt").make_module(values)
    lines = "\n".join(line.rstrip() for line in str(mail).strip().splitlines())
    return " ".join(str(mail.subject).split()), _BLANK_LINES.sub("\n\n", lines) + "\n"


def queue_mail(
    user: User,
    template: str,
    *,
    attachments: list[dict] | None = None,
    dedupe_key: str | None = None,
    **context,
) -> int | None:
    """Queue ``mail/<template>.txt`` to ``user`` in their language; the outbox id, or None
    when a mail with ``dedupe_key`` was queued before."""
    subject, body = write(user, template, **context)
    return outbox.queue(user.email, subject, body, attachments=attachments, dedupe_key=dedupe_key)


def write(user: User, template: str, **context) -> tuple[str, str]:
    """Subject and body of ``mail/<template>.txt`` to ``user``, in their language."""
    with force_locale(user.locale):
        return render(template, user=user, **context)
