"""Event posters: check an uploaded image, store two clean sizes, and name them.

The upload is trusted for nothing: Pillow reads the pixels to learn what the file is,
refuses anything but JPEG, PNG and WebP, and the stored files are drawn anew from the
pixels (turned upright, resized, saved as WebP), so no metadata of the original survives.
Files live under the instance folder in ``posters/``, named after the event and a hash
of their content, so a name never changes its content and can be cached for a year.
"""

import hashlib
import io
import logging
import re
import warnings
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from eventsys.i18n import in_english
from eventsys.models import Event, User
from eventsys.services import audit
from eventsys.text import has_chinese, single_line

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
# Far more than any printed poster needs, far less than what would exhaust memory.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Widths of the stored sizes; a tall poster is kept within twice its width.
SIZES = {"card": 640, "page": 1280}
ALT_MAX = 300
_NAME = re.compile(r"^(\d+)-([0-9a-f]{20})-(card|page)\.webp$")


class PosterError(Exception):
    def __init__(self, message: str, field: str = "image"):
        super().__init__(message)
        self.message = message
        self.field = field


def folder() -> Path:
    return Path(current_app.instance_path) / "posters"


def file_name(event: Event, size: str) -> str:
    return f"{event.id}-{event.poster}-{size}.webp"


def parse_name(name: str) -> tuple[int, str, str] | None:
    """(event id, poster key, size) of a stored file name, or None for any other name."""
    match = _NAME.match(name)
    if match is None:
        return None
    return int(match[1]), match[2], match[3]


def alt_text(event: Event) -> str:
    """The poster's description in the page's language: what staff wrote, or on an English
    page, when that is Chinese, "Poster: <the English title>"."""
    if in_english() and has_chinese(event.poster_alt):
        return _("Poster: %(title)s", title=event.localized_title)
    return event.poster_alt


def poster_url(event: Event, size: str = "page") -> str | None:
    """The poster's address on this site, or None when the event has none."""
    if not event.poster:
        return None
    return url_for("events.poster", filename=file_name(event, size))


def read_image(data: bytes) -> Image.Image:
    """The decoded image, or PosterError saying why it cannot be a poster."""
    if len(data) > MAX_BYTES:
        raise PosterError(_("The image is larger than 5 MB. Save it smaller and try again."))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(data)
        except UnidentifiedImageError:
            message = _("This file is not an image. Choose a JPEG, PNG or WebP image.")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            message = _too_many_pixels()
        except (OSError, SyntaxError, ValueError):
            message = _("The image cannot be read: the file is damaged or incomplete.")
    raise PosterError(message)


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    if image.format not in ACCEPTED_FORMATS:
        raise PosterError(
            _(
                "%(format)s images are not accepted. Choose a JPEG, PNG or WebP image.",
                format=image.format or "?",
            )
        )
    if image.width * image.height > MAX_PIXELS:
        raise PosterError(_too_many_pixels())
    image.load()
    return image


def _too_many_pixels() -> str:
    return _(
        "The image has too many pixels (at most %(megapixels)s million). Save it smaller.",
        megapixels=MAX_PIXELS // 1_000_000,
    )


def renditions(image: Image.Image) -> dict[str, bytes]:
    """The stored sizes as WebP, upright, without the original's metadata."""
    upright = ImageOps.exif_transpose(image)
    transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    mode = "RGBA" if transparent else "RGB"
    pixels = upright.convert(mode)
    files = {}
    for size, width in SIZES.items():
        resized = pixels.copy()
        resized.thumbnail((width, width * 2), Image.Resampling.LANCZOS)
        # A new image from the pixels alone: nothing of the original's info is carried over.
        clean = Image.new(mode, resized.size)
        clean.paste(resized)
        buffer = io.BytesIO()
        clean.save(buffer, "WEBP", quality=82, method=4)
        files[size] = buffer.getvalue()
    return files


def _write(event: Event, files: dict[str, bytes]) -> str:
    key = hashlib.sha256(files["page"]).hexdigest()[:20]
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    for size, content in files.items():
        (target / f"{event.id}-{key}-{size}.webp").write_bytes(content)
    return key


def _delete_files(event_id: int, key: str) -> None:
    for size in SIZES:
        path = folder() / f"{event_id}-{key}-{size}.webp"
        path.unlink(missing_ok=True)


def clean_alt(alt: str | None) -> str:
    alt = single_line(alt or "")
    if not alt:
        raise PosterError(
            _("Describe the poster in words for readers who cannot see it."), field="alt"
        )
    if len(alt) > ALT_MAX:
        raise PosterError(_("Keep the description under %(n)s characters.", n=ALT_MAX), field="alt")
    return alt


def save(event: Event, data: bytes, alt: str, actor: User | None) -> Event:
    """Store ``data`` as the event's poster, replacing any former one. The caller commits."""
    alt = clean_alt(alt)
    files = renditions(read_image(data))
    before = {"poster": event.poster, "poster_alt": event.poster_alt}
    key = _write(event, files)
    if before["poster"] and before["poster"] != key:
        _delete_files(event.id, before["poster"])
    event.poster = key
    event.poster_alt = alt
    _record(event, actor, before)
    return event


def remove(event: Event, actor: User | None) -> Event:
    """Take the poster down and delete its files. The caller commits."""
    if not event.poster:
        return event
    before = {"poster": event.poster, "poster_alt": event.poster_alt}
    _delete_files(event.id, event.poster)
    event.poster = ""
    event.poster_alt = ""
    _record(event, actor, before)
    return event


def _record(event: Event, actor: User | None, before: dict) -> None:
    after = {"poster": event.poster, "poster_alt": event.poster_alt}
    old, new = audit.changed(before, after)
    if not new:
        return
    if actor is not None and actor.is_authenticated:
        event.updated_by_id = actor.id
    audit.record(actor, "event.poster", event, old, new)
    log.info("poster of event %s: %s", event.id, event.poster or "removed")
