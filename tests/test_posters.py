"""Staff upload event posters; readers get clean, resized copies that cache for a year."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from eventsys.db_types import utcnow
from eventsys.demo import posters as demo_posters
from eventsys.extensions import db
from eventsys.models import AuditEntry
from eventsys.services import posters

ALT = "海报：春天的苏州园林，写着讲座题目"


def image_bytes(fmt: str, size=(2000, 1000), exif: Image.Exif | None = None, mode="RGB") -> bytes:
    image = Image.new(mode, size, (200, 60, 40) if mode == "RGB" else 1)
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "StudioSoftware"  # Software
    return exif


def upload(client, event, data: bytes, filename="poster.jpg", alt=ALT):
    # Encoded here: the test client would spool a large body to a file it never closes.
    fields = MultiDict(
        {"image": FileStorage(io.BytesIO(data), filename), "alt": alt, "action": "upload"}
    )
    boundary, body = encode_multipart(fields)
    return client.post(
        f"/staff/events/{event.id}/poster",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def fetch(client, address: str):
    """A served file's response, read and closed."""
    response = client.get(address)
    response.get_data()  # read before closing
    response.close()
    return response


def url(event, size: str) -> str:
    return f"/events/posters/{posters.file_name(event, size)}"


def stored(event, size: str) -> bytes:
    return (posters.folder() / posters.file_name(event, size)).read_bytes()


def test_jpeg_is_turned_upright_resized_and_stripped(client_as, make_event):
    staff = client_as("staff")
    event = make_event()
    # A phone photo lying on its side: 3000×1500 pixels that Orientation 6 turns upright.
    response = upload(staff, event, image_bytes("JPEG", (3000, 1500), exif=camera_exif(6)))
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.poster and event.poster_alt == ALT
    page, card = stored(event, "page"), stored(event, "card")
    with Image.open(io.BytesIO(page)) as image:
        assert image.format == "WEBP"
        assert image.size == (1280, 2560)  # upright: taller than wide
        assert not image.getexif()
    with Image.open(io.BytesIO(card)) as image:
        assert image.size == (640, 1280)
    assert b"SecretCam" not in page + card and b"StudioSoftware" not in page + card


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(client_as, make_event, fmt):
    staff = client_as("staff")
    event = make_event()
    response = upload(staff, event, image_bytes(fmt, size=(900, 1200)), f"poster.{fmt.lower()}")
    assert response.status_code == 302
    db.session.refresh(event)
    with Image.open(io.BytesIO(stored(event, "page"))) as image:
        assert image.size == (900, 1200)  # never enlarged
    with Image.open(io.BytesIO(stored(event, "card"))) as image:
        assert image.size == (640, 853)


def test_poster_is_served_with_a_year_long_cache(client_as, client, make_event):
    event = make_event()
    upload(client_as("staff"), event, image_bytes("JPEG"))
    db.session.refresh(event)
    response = fetch(client, url(event, "page"))
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.data == stored(event, "page")
    page = client.get(f"/lectures/{event.id}", headers={"Accept-Language": "zh-CN"}).text
    assert f'src="{url(event, "page")}" alt="{ALT}"' in page


def test_draft_posters_and_unknown_names_are_not_found(client_as, client, make_event):
    staff = client_as("staff")
    event = make_event(status="draft")
    upload(staff, event, image_bytes("PNG"))
    db.session.refresh(event)
    card = url(event, "card")
    assert client.get(card).status_code == 404
    assert fetch(staff, card).status_code == 200
    assert client.get(f"/events/posters/{event.id}-{'0' * 20}-page.webp").status_code == 404
    assert client.get("/events/posters/..%2Fconfig.py").status_code == 404


def _truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", size=(800, 800))
    return data[: len(data) // 2]


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (300, 300)).save(buffer, "GIF")
    return buffer.getvalue()


REFUSALS = {
    "text renamed .jpg": (lambda: b"just some text, not a picture\n" * 40, "not an image"),
    "6 MB": (lambda: b"\xff\xd8\xff\xe0" + b"\x00" * (6 * 1024 * 1024), "larger than 5 MB"),
    "corrupt": (_truncated_jpeg, "damaged or incomplete"),
    "GIF": (_gif, "GIF images are not accepted"),
    "too many pixels": (
        lambda: image_bytes("PNG", size=(10000, 5000), mode="1"),
        "too many pixels",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_unusable_files_are_refused_with_a_message_and_the_text_kept(client_as, make_event, case):
    staff = client_as("staff")
    event = make_event()
    make_data, message = REFUSALS[case]
    response = upload(staff, event, make_data(), "poster.jpg")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in text
    assert f'value="{ALT}"' in text  # the description is not lost
    db.session.refresh(event)
    assert event.poster == ""
    assert not posters.folder().exists() or not any(posters.folder().iterdir())


def test_description_is_required(client_as, make_event):
    staff = client_as("staff")
    event = make_event()
    response = upload(staff, event, image_bytes("JPEG"), alt="  ")
    assert response.status_code == 400
    assert "Describe the poster in words" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.poster == ""


def test_missing_file_is_refused(client_as, make_event):
    staff = client_as("staff")
    event = make_event()
    response = staff.post(
        f"/staff/events/{event.id}/poster",
        data={"alt": ALT, "action": "upload"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Choose an image file" in response.get_data(as_text=True)


def test_replacing_and_removing_delete_old_files_and_are_audited(client_as, make_event):
    staff = client_as("staff")
    event = make_event()
    upload(staff, event, image_bytes("JPEG"))
    db.session.refresh(event)
    first = posters.folder() / posters.file_name(event, "page")
    upload(staff, event, image_bytes("PNG", size=(700, 1000)), "new.png")
    db.session.refresh(event)
    assert not first.exists()
    assert (posters.folder() / posters.file_name(event, "page")).exists()
    response = staff.post(f"/staff/events/{event.id}/poster", data={"action": "remove"})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.poster == "" and event.poster_alt == ""
    assert not any(posters.folder().iterdir())
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "event.poster").order_by(AuditEntry.id)
    ).all()
    assert len(entries) == 3
    assert entries[-1].after == {"poster": "", "poster_alt": ""}
    assert entries[-1].actor_id == staff.user.id


def test_staff_page_shows_the_current_poster(client_as, make_event):
    staff = client_as("staff")
    event = make_event()
    upload(staff, event, image_bytes("JPEG"))
    db.session.refresh(event)
    page = staff.get(f"/staff/events/{event.id}/poster").get_data(as_text=True)
    assert url(event, "card") in page and "Remove the poster" in page


@pytest.mark.parametrize("role", ["reader", "volunteer"])
def test_poster_page_is_for_staff_only(client_as, make_event, role):
    reader = client_as(role)
    event = make_event()
    assert reader.get(f"/staff/events/{event.id}/poster").status_code == 403
    assert upload(reader, event, image_bytes("JPEG")).status_code == 403
    db.session.refresh(event)
    assert event.poster == ""


def test_anonymous_upload_goes_to_login(client, make_event):
    event = make_event()
    response = upload(client, event, image_bytes("JPEG"))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_demo_gives_a_few_coming_events_a_poster_once(app, make_event):
    past = make_event(starts_at=utcnow() - timedelta(days=3))
    coming = [make_event(title=f"讲座 {n}") for n in range(demo_posters.HOW_MANY + 2)]
    demo_posters.load()
    db.session.commit()
    demo_posters.load()
    db.session.commit()
    with_poster = [e for e in coming if e.poster]
    assert len(with_poster) == demo_posters.HOW_MANY and not past.poster
    assert all((posters.folder() / posters.file_name(e, "card")).exists() for e in with_poster)
    assert with_poster[0].poster_alt.startswith("海报：")
