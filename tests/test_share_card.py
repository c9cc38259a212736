"""The share page and its card: a PNG a reader can post in a chat or print."""

import io

import pytest
from PIL import Image

from eventsys.events import share_card
from eventsys.extensions import db
from eventsys.services import posters

BASE = "https://events.example.org"


@pytest.fixture
def app_config():
    return {"EVENTSYS_BASE_URL": BASE}


def card(client, event, **headers):
    return client.get(f"/events/{event.id}/share.png", headers=headers)


def test_share_page_shows_the_card_and_the_event_link(client, make_event):
    event = make_event(title="园林讲座")
    response = client.get(f"/events/{event.id}/share", base_url="http://attacker.example")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'src="/events/{event.id}/share.png"' in page
    assert f'value="{BASE}/lectures/{event.id}"' in page
    assert "Save image" in page
    assert "attacker.example" not in page


def test_event_page_links_to_sharing(client, make_event):
    event = make_event()
    page = client.get(f"/lectures/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/share"' in page


def test_card_is_a_png_of_the_open_graph_size(client, make_event):
    event = make_event(title="江南园林与文人生活：一场很长很长的讲座标题，要换行才能放下")
    response = card(client, event)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 630)
        # Not a blank picture: the band, the text and the QR code draw several colours.
        assert len(image.convert("RGB").getcolors(maxcolors=100_000)) > 3


def test_card_is_cached_until_the_event_changes(client, make_event):
    event = make_event()
    first = card(client, event)
    etag = first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"]
    again = card(client, event, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    event.title = "改了题目"
    db.session.commit()
    changed = card(client, event, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_card_uses_the_poster(client_as, client, make_event):
    event = make_event()
    plain = card(client, event).data
    buffer = io.BytesIO()
    Image.new("RGB", (800, 1100), (20, 120, 200)).save(buffer, "PNG")
    posters.save(event, buffer.getvalue(), "蓝色海报", None)
    db.session.commit()
    with Image.open(io.BytesIO(card(client, event).data)) as image:
        pixel = image.convert("RGB").getpixel((100, 300))
        assert all(abs(a - b) <= 8 for a, b in zip(pixel, (20, 120, 200), strict=True))
    with Image.open(io.BytesIO(plain)) as image:
        assert image.convert("RGB").getpixel((100, 300)) == share_card.BAND_COLOUR


def test_card_is_drawn_without_a_chinese_font(client, make_event, monkeypatch):
    monkeypatch.setattr(share_card, "cjk_font_file", lambda: None)
    share_card.font.cache_clear()
    try:
        event = make_event()
        response = card(client, event)
    finally:
        share_card.font.cache_clear()
    assert response.status_code == 200
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size == (1200, 630)


def test_drafts_cannot_be_shared(client, make_event):
    event = make_event(status="draft")
    assert client.get(f"/events/{event.id}/share").status_code == 404
    assert card(client, event).status_code == 404
    assert client.get("/events/999999/share.png").status_code == 404
