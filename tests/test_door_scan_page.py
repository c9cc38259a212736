"""The staff door page offers camera scanning under the strict headers: its script and the
bundled decoder come from the site itself, and the camera is allowed for this origin."""

from datetime import timedelta

from eventsys.db_types import utcnow


def test_the_door_page_offers_the_camera_next_to_the_typed_code(client_as, make_event):
    event = make_event(starts_at=utcnow().replace(microsecond=0) + timedelta(minutes=30))
    page = client_as("staff", locale="en").get(f"/staff/events/{event.id}/checkin")
    assert page.status_code == 200
    html = page.text
    assert 'name="code"' in html
    assert "Scan with camera" in html
    assert 'src="/static/door-scan.js"' in html
    assert 'data-decoder="/static/vendor/jsQR.js"' in html
    assert "The camera may not be used" in html


def test_the_camera_is_allowed_for_the_site_and_scripts_only_from_it(client_as, make_event):
    event = make_event()
    response = client_as("staff", locale="en").get(f"/staff/events/{event.id}/checkin")
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_scanner_script_and_decoder_are_served(client):
    for path in ("/static/door-scan.js", "/static/vendor/jsQR.js", "/static/door-scan.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
