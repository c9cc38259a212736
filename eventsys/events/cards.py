"""What an event card says, worked out in one call per card: a list shows up to twenty
cards, and each function or filter the card's template calls costs more than its work."""

from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup, escape

from eventsys.events.blueprint import bp
from eventsys.events.labels import audience_label, kind_label
from eventsys.i18n import current_locale
from eventsys.models import Event, EventKind
from eventsys.services.links import event_url
from eventsys.templating import lang_marked, local_date, local_datetime, local_time


@dataclass(slots=True)
class Card:
    url: str
    title: str
    # When: exhibitions from day to day, ``time_only`` cards from time to time, others
    # the start's date and time (``ends`` empty).
    starts: str
    ends: str
    where: Markup
    kinds: str
    speaker: Markup | None
    series: str | None


@cache
def _kinds(kind: str, audience: str, locale) -> str:
    """Kind and audience in ``locale`` (the current one), e.g. "Lecture · Families": the
    same few dozen pairs on every card, each costing two catalogue lookups through
    Flask-Babel."""
    return f"{kind_label(kind)} · {audience_label(audience)}"


def card(event: Event, time_only: bool = False) -> Card:
    if event.kind == EventKind.EXHIBITION:
        starts, ends = local_date(event.starts_at), local_date(event.ends_at)
    elif time_only:
        starts, ends = local_time(event.starts_at), local_time(event.ends_at)
    else:
        starts, ends = local_datetime(event.starts_at), ""
    places = []
    if event.venue:
        venue_name = lang_marked(event.venue.localized_name)
        places.append(Markup("{} · {}").format(event.venue.branch.localized_name, venue_name))
    if event.online:
        places.append(Markup(_("Online")))
    speaker = None
    if event.speaker_name:
        speaker = escape(lang_marked(event.speaker_name))
        if event.speaker_title:
            speaker += Markup(pgettext("between a name and a title", ", "))
            speaker += lang_marked(event.speaker_title)
    return Card(
        url=event_url(event),
        title=lang_marked(event.localized_title),
        starts=starts,
        ends=ends,
        where=Markup(" · ").join(places),
        kinds=_kinds(event.kind, event.audience, current_locale()),
        speaker=speaker,
        series=lang_marked(event.series.localized_title) if event.series else None,
    )


bp.add_app_template_global(card)
