"""The share card: one PNG with the event's poster (or a coloured band), title, time,
place, a QR code to its page and the library's name, to post in a chat or print."""

import functools
import io
import logging
import subprocess
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont, ImageOps

from eventsys.services import posters

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630  # the size chat apps and Open Graph previews expect
BAND_WIDTH = 420
MARGIN = 48
QR_SIZE = 200
BAND_COLOUR = (158, 27, 50)  # the library's red
INK = (33, 33, 33)
MUTED = (90, 90, 90)
# Where Debian, Ubuntu, Fedora and Alpine put a Simplified Chinese font.
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
)
# In a Noto CJK collection the Simplified Chinese face is the third.
_NOTO_CJK_SC_INDEX = 2


@functools.cache
def cjk_font_file() -> tuple[str, int] | None:
    """A font file with Chinese glyphs and the face in it to use, or None."""
    for path in FONT_PATHS:
        if Path(path).is_file():
            return path, _NOTO_CJK_SC_INDEX if "NotoSansCJK" in path else 0
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh-cn", "file", "index"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    # Lines read "/path/font.ttc: :index=2"; a sans-serif regular face reads best small.
    fonts = []
    for line in listed.splitlines():
        path, _sep, rest = line.partition(": ")
        index = rest.rpartition("=")[2]
        fonts.append((path, int(index) if index.isdigit() else 0))
    fonts.sort(key=lambda found: ("Sans" not in found[0], "Regular" not in found[0]))
    if fonts:
        return fonts[0]
    log.warning("no Chinese font found: share cards fall back to Pillow's default font")
    return None


@functools.cache
def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    found = cjk_font_file()
    if found:
        try:
            return ImageFont.truetype(found[0], size, index=found[1])
        except OSError:
            log.warning("cannot load the font %s", found[0])
    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, face, width: int, lines: int) -> list[str]:
    """Break ``text`` into at most ``lines`` lines of ``width`` pixels, character by
    character (Chinese has no spaces), ending with an ellipsis when it does not fit."""
    result, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=face) <= width:
            line += char
            continue
        result.append(line)
        line = char.lstrip()
        if len(result) == lines:
            break
    else:
        result.append(line)
        return result
    last = result[-1]
    while last and draw.textlength(last + "…", font=face) > width:
        last = last[:-1]
    result[-1] = last + "…"
    return result


def _qr(url: str) -> Image.Image:
    """The QR code on a white square of QR_SIZE, at a whole number of pixels per module."""
    code = segno.make(url, error="m")
    scale = max(1, QR_SIZE // code.symbol_size(border=2)[0])
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=2)
    buffer.seek(0)
    square = Image.new("RGB", (QR_SIZE, QR_SIZE), "white")
    with Image.open(buffer) as image:
        offset = (QR_SIZE - image.width) // 2
        square.paste(image.convert("RGB"), (offset, offset))
    return square


def _poster_band(event) -> Image.Image | None:
    if not event.poster:
        return None
    path = posters.folder() / posters.file_name(event, "card")
    try:
        with Image.open(path) as image:
            return ImageOps.fit(image.convert("RGB"), (BAND_WIDTH, HEIGHT))
    except OSError:
        log.warning("poster file missing for event %s", event.id)
        return None


def render(event, *, title: str, when: str, where: str, url: str, library: str) -> bytes:
    """The card as PNG bytes."""
    card = Image.new("RGB", (WIDTH, HEIGHT), "white")
    band = _poster_band(event)
    if band is not None:
        card.paste(band, (0, 0))
    else:
        card.paste(BAND_COLOUR, (0, 0, BAND_WIDTH, HEIGHT))
    draw = ImageDraw.Draw(card)
    left = BAND_WIDTH + MARGIN
    text_width = WIDTH - left - MARGIN
    y = MARGIN
    title_font = font(52)
    for line in _wrap(draw, title, title_font, text_width, 3):
        draw.text((left, y), line, font=title_font, fill=INK)
        y += 66
    y += 20
    for text, face, colour in ((when, font(32), INK), (where, font(28), MUTED)):
        for line in _wrap(draw, text, face, text_width, 2):
            draw.text((left, y), line, font=face, fill=colour)
            y += int(face.size * 1.35) if hasattr(face, "size") else 36
        y += 8
    qr_top = HEIGHT - MARGIN - QR_SIZE
    card.paste(_qr(url), (WIDTH - MARGIN - QR_SIZE, qr_top))
    library_font = font(30)
    draw.text((left, HEIGHT - MARGIN - 36), library, font=library_font, fill=BAND_COLOUR)
    buffer = io.BytesIO()
    card.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
