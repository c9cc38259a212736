"""Posters for a handful of the coming events, drawn here, so the pages show what a
poster looks like. Runs again without adding more."""

import io

import sqlalchemy as sa
from PIL import Image, ImageDraw

from eventsys.db_types import utcnow
from eventsys.events.share_card import font
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Event, EventStatus
from eventsys.services import posters

HOW_MANY = 8
SIZE = (900, 1260)
# One background per kind of event; the last for any other kind.
COLOURS = {
    "lecture": (36, 76, 112),
    "exhibition": (46, 94, 70),
    "workshop": (150, 84, 30),
}
OTHER_COLOUR = (128, 28, 48)
PAPER = (250, 244, 230)


def _lines(text: str, per_line: int) -> list[str]:
    return [text[i : i + per_line] for i in range(0, len(text), per_line)][:4]


def poster_image(event: Event) -> bytes:
    background = COLOURS.get(event.kind, OTHER_COLOUR)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, SIZE[0] - 60, SIZE[1] - 60), outline=PAPER, width=6)
    draw.ellipse((250, 180, 650, 580), fill=PAPER)
    draw.ellipse((330, 260, 570, 500), fill=background)
    y = 680
    title_font = font(64)
    for line in _lines(event.title, 11):
        draw.text((110, y), line, font=title_font, fill=PAPER)
        y += 86
    local = event.starts_at.astimezone(library_zone())
    draw.text((110, SIZE[1] - 180), local.strftime("%Y.%m.%d"), font=font(48), fill=PAPER)
    draw.text((110, SIZE[1] - 120), "苏州图书馆", font=font(36), fill=PAPER)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def load() -> None:
    with_poster = db.session.scalar(sa.select(sa.func.count()).where(Event.poster != ""))
    wanted = HOW_MANY - (with_poster or 0)
    if wanted <= 0:
        return
    events = db.session.scalars(
        sa.select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED.value,
            Event.starts_at > utcnow(),
            Event.poster == "",
        )
        .order_by(Event.starts_at)
        .limit(wanted)
    ).all()
    for event in events:
        posters.save(event, poster_image(event), f"海报：{event.title}", None)
