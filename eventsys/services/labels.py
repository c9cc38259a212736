"""Translated names of event kinds, audiences, statuses and weekdays: one table each,
shared by the pages, the calendars and the mails."""

from flask_babel import lazy_gettext as _l

from eventsys.models import Audience, EventKind, EventStatus

KIND_LABELS = {
    EventKind.LECTURE: _l("Lecture"),
    EventKind.EXHIBITION: _l("Exhibition"),
    EventKind.GUIDED_TOUR: _l("Guided tour"),
    EventKind.READING: _l("Reading"),
    EventKind.FILM: _l("Film screening"),
    EventKind.CONTEST: _l("Contest"),
    EventKind.STUDY_SESSION: _l("Study session"),
    EventKind.WORKSHOP: _l("Workshop"),
    EventKind.OTHER: _l("Other activity"),
}
AUDIENCE_LABELS = {
    Audience.ALL: _l("Everyone"),
    Audience.CHILDREN: _l("Children"),
    Audience.TEENS: _l("Teens"),
    Audience.ADULTS: _l("Adults"),
    Audience.SENIORS: _l("Seniors"),
    Audience.FAMILIES: _l("Families"),
    Audience.ACCESSIBILITY: _l("Accessibility needs"),
}
STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}
WEEKDAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}
