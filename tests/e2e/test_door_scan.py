"""Scanning check-in codes with the camera at the door, on a 375px phone in Chinese.

Debian's chromium has no camera here, so the page gets a camera whose picture is a canvas
(``navigator.mediaDevices.getUserMedia`` replaced before the page's scripts run) and, for
the browser's own reader, a stand-in ``BarcodeDetector``. The bundled jsQR decoder is
checked on a real QR code made by segno, as a picture and through the fake camera."""

import base64
import io
import json
from datetime import timedelta

import pytest
import segno
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from eventsys import demo
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, Registration, User, Venue
from eventsys.services import registrations as service
from tests.conftest import PG_URL
from tests.e2e.conftest import SCREENSHOTS

FAKE_CAMERA = """
(() => {
  const picture = %(picture)s;
  window.__cameraAsked = [];
  const camera = {
    getUserMedia(constraints) {
      window.__cameraAsked.push(constraints);
      if (%(refuse)s) {
        return Promise.reject(new DOMException("denied", "NotAllowedError"));
      }
      const canvas = document.createElement("canvas");
      canvas.width = 480;
      canvas.height = 360;
      const context = canvas.getContext("2d");
      const image = new Image();
      const paint = () => {
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        if (image.complete && image.naturalWidth) { context.drawImage(image, 90, 30, 300, 300); }
      };
      if (picture) { image.src = picture; }
      setInterval(paint, 50);
      paint();
      return Promise.resolve(canvas.captureStream(20));
    }
  };
  Object.defineProperty(navigator, "mediaDevices", { value: camera, configurable: true });
})();
"""

STUB_DETECTOR = """
(() => {
  window.__detected = 0;
  window.BarcodeDetector = class {
    static getSupportedFormats() { return Promise.resolve(["qr_code", "ean_13"]); }
    constructor(options) { window.__detectorFormats = options.formats; }
    detect(source) {
      window.__detected += 1;
      // A few empty frames first, as when the code is still being brought into view.
      const found = window.__detected > 3 && source instanceof HTMLVideoElement;
      return Promise.resolve(found ? [{ rawValue: %(code)s, format: "qr_code" }] : []);
    }
  };
})();
"""

NO_DETECTOR = "delete window.BarcodeDetector;"


def _qr_data_url(text: str) -> str:
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=8, border=4)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def door_event(demo_site) -> Event:
    starts_at = utcnow().replace(microsecond=0) + timedelta(minutes=30)
    event = Event(
        kind="lecture",
        title="昆曲《牡丹亭》导赏",
        venue=db.session.scalars(sa.select(Venue).order_by(Venue.id)).first(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        status="published",
        capacity=40,
        max_party_size=4,
    )
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def registration(app, door_event) -> Registration:
    reader = db.session.scalar(sa.select(User).where(User.email == "reader@demo.eventsys"))
    with app.test_request_context():
        return service.register(door_event, reader, party_size=2)


def _door(open_walker, event: Event, *init_scripts: str):
    walker = open_walker("staff-door", "zh_Hans", "phone")
    for script in init_scripts:
        walker.page.add_init_script(script=script)
    door = f"/staff/events/{event.id}/checkin"
    walker.goto(f"/auth/login?next={door}")
    walker.page.fill("input[name=email]", "staff@demo.eventsys")
    walker.page.fill("input[name=password]", demo.DEMO_PASSWORD)
    with walker.page.expect_navigation():
        walker.page.press("input[name=password]", "Enter")
    if not walker.page.url.endswith(door):
        walker.goto(door)
    walker.seen()
    return walker


def _checked_in(registration: Registration) -> bool:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).checked_in_at is not None


def test_a_code_the_browser_reads_from_the_rear_camera_checks_the_party_in(
    open_walker, door_event, registration
):
    walker = _door(
        open_walker,
        door_event,
        FAKE_CAMERA % {"picture": "null", "refuse": "false"},
        STUB_DETECTOR % {"code": json.dumps(registration.checkin_code)},
    )
    page = walker.page
    # Typing stays possible next to the camera.
    assert page.locator("#code").is_editable()
    assert page.locator("[data-scan-stop]").is_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-door-zh-375.png"), full_page=True)

    page.click("[data-scan-start]")
    page.wait_for_selector(".checkin-ok")
    walker.seen()
    assert _checked_in(registration)
    asked = page.evaluate("() => window.__cameraAsked")
    assert asked[0]["video"]["facingMode"] == {"ideal": "environment"}
    assert page.evaluate("() => window.__detectorFormats") == ["qr_code"]
    # Scanning goes on for the next reader, and the code still in view is not sent again.
    page.wait_for_function("() => window.__detected > 8")
    assert page.locator("video").is_visible()
    assert page.locator(".checkin-warn").count() == 0
    page.click("[data-scan-stop]")
    assert page.locator("video").is_hidden()
    page.reload()
    walker.seen()
    assert page.locator("video").is_hidden()
    assert page.evaluate("() => window.__cameraAsked.length") == 0
    walker.assert_accessible()


def test_without_the_browsers_reader_the_bundled_decoder_reads_the_camera(
    open_walker, door_event, registration
):
    picture = json.dumps(_qr_data_url(registration.checkin_code))
    walker = _door(
        open_walker, door_event, FAKE_CAMERA % {"picture": picture, "refuse": "false"}, NO_DETECTOR
    )
    walker.page.click("[data-scan-start]")
    walker.page.wait_for_selector(".checkin-ok")
    assert _checked_in(registration)


def test_a_refused_camera_says_so_in_the_pages_language_and_typing_still_works(
    app, open_walker, door_event, registration
):
    walker = _door(open_walker, door_event, FAKE_CAMERA % {"picture": "null", "refuse": "true"})
    page = walker.page
    page.click("[data-scan-start]")
    message = page.locator("[data-scan-message]")
    message.wait_for()
    with app.test_request_context(), force_locale("zh_Hans"):
        expected = gettext(
            "The camera may not be used: allow it in the browser settings, or type the code."
        )
    assert message.inner_text() == expected
    assert page.locator("video").is_hidden()
    page.fill("#code", registration.checkin_code)
    page.keyboard.press("Enter")
    page.wait_for_selector(".checkin-ok")
    assert _checked_in(registration)


@pytest.mark.skipif(
    bool(PG_URL),
    reason="the bundled decoder runs in the browser alone, the same on either database:"
    " it is checked on SQLite only",
)
def test_the_bundled_decoder_reads_a_qr_code_made_by_segno(open_walker, door_event):
    walker = _door(open_walker, door_event)
    found = walker.page.evaluate(
        """async (picture) => {
            await new Promise((resolve, reject) => {
                const script = document.createElement("script");
                script.src = "/static/vendor/jsQR.js";
                script.onload = resolve;
                script.onerror = reject;
                document.head.appendChild(script);
            });
            const image = new Image();
            image.src = picture;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.naturalWidth;
            canvas.height = image.naturalHeight;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
            const result = jsQR(pixels.data, pixels.width, pixels.height);
            return result && result.data;
        }""",
        _qr_data_url("K7QM3XPA"),
    )
    assert found == "K7QM3XPA"
