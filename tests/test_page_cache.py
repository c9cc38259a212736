"""Public pages kept for visitors who are not logged in (eventsys/page_cache.py): the same
page as a fresh build, renewed by any change to what it shows, never a logged-in reader's
page nor a message meant for someone else, each visitor's own CSRF token, one copy for
all the workers of a machine."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys import create_app, page_cache
from eventsys.db_types import utcnow
from eventsys.extensions import cache, db
from eventsys.local_time import library_zone
from eventsys.models import Event, Venue
from eventsys.services import registrations as reg

HIT = "X-Page-Cache"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def _statements(app, client, path: str, **kwargs):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path, **kwargs)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return response, statements


def _without_token(page: str) -> str:
    return CSRF_FIELD.sub("", page)


@pytest.mark.parametrize("path", ["/", "/events/", "/events/calendar", "/lectures/", "{event}"])
def test_a_second_visitor_gets_the_same_page_without_a_query(app, make_event, path):
    # An hour from now: in this month's calendar too, except in the month's last hour.
    starts_at = utcnow().replace(microsecond=0) + timedelta(hours=1)
    event = make_event(title="评弹之夜", title_en="An Evening of Pingtan", starts_at=starts_at)
    path = path.format(event=f"/lectures/{event.id}")
    built = app.test_client().get(path)
    assert built.status_code == 200 and HIT not in built.headers

    kept, statements = _statements(app, app.test_client(), path)
    assert kept.status_code == 200 and kept.headers[HIT] == "hit"
    assert statements == []
    assert _without_token(kept.text) == _without_token(built.text)
    shown_this_month = (
        starts_at.astimezone(library_zone()).month == utcnow().astimezone(library_zone()).month
    )
    if path != "/events/calendar" or shown_this_month:
        assert "An Evening of Pingtan" in kept.text


def test_each_visitor_gets_a_token_of_their_own_that_the_language_switch_accepts(app, make_event):
    app.config["WTF_CSRF_ENABLED"] = True
    make_event()
    first, second = app.test_client(), app.test_client()
    first.get("/")
    kept = second.get("/")
    assert kept.headers[HIT] == "hit"
    token = CSRF_FIELD.search(kept.text)[1]
    assert token != CSRF_FIELD.search(first.get("/events/").text)[1]

    switched = second.post("/language", data={"csrf_token": token, "locale": "zh_Hans"})
    assert switched.status_code == 302
    assert '<html lang="zh-Hans">' in second.get("/").text


def test_a_seat_taken_shows_at_once_on_the_kept_event_page_and_list(app, make_event, make_user):
    event = make_event(title="昆曲欣赏", capacity=2)
    page = f"/lectures/{event.id}"
    visitor = app.test_client()
    assert "2 of 2 seats left" in visitor.get(page).text
    visitor.get("/events/")

    reg.register(event, make_user())
    after = visitor.get(page)
    assert HIT not in after.headers and "1 of 2 seats left" in after.text

    reg.register(event, make_user())
    reg.register(event, make_user())
    full = visitor.get(page).text
    assert "Waiting list: 1 parties." in full
    assert "Full" in visitor.get("/events/").text


def test_a_change_of_event_place_or_series_shows_at_once(app, make_event, make_user):
    event = make_event(title="评弹之夜", title_en="An Evening of Pingtan")
    visitor = app.test_client()
    assert "An Evening of Pingtan" in visitor.get("/events/").text

    db.session.execute(
        sa.update(Event).where(Event.id == event.id).values(title_en="Pingtan by Night")
    )
    db.session.commit()
    assert "Pingtan by Night" in visitor.get("/events/").text

    venue = db.session.get(Venue, event.venue_id)
    venue.name_en = "Hall of Rare Books"
    db.session.commit()
    assert "Hall of Rare Books" in visitor.get(f"/lectures/{event.id}").text


def test_a_change_rolled_back_keeps_the_pages(app, make_event):
    event = make_event()
    visitor = app.test_client()
    visitor.get("/events/")
    db.session.get(Event, event.id).title_en = "Never published"
    db.session.flush()
    db.session.rollback()
    again = visitor.get("/events/")
    assert again.headers[HIT] == "hit" and "Never published" not in again.text


def test_a_logged_in_reader_sees_their_own_booking_not_the_visitors_page(
    app, make_event, client_as
):
    event = make_event(title="昆曲欣赏")
    page = f"/lectures/{event.id}"
    app.test_client().get(page)
    reader = client_as()
    registration = reg.register(event, reader.user)
    app.test_client().get(page)  # kept again after the change

    own = reader.get(page)
    assert HIT not in own.headers
    assert f"/registrations/{registration.id}" in own.text
    assert "Log in to register" not in own.text


def test_a_message_for_one_visitor_is_neither_kept_nor_shown_to_the_next(
    app, make_event, make_user, login
):
    make_event()
    app.test_client().get("/")
    leaving = login(app.test_client(), make_user())
    home = leaving.post("/auth/logout", follow_redirects=True)
    assert "You are logged out." in home.text and HIT not in home.headers

    next_visitor = app.test_client().get("/")
    assert next_visitor.headers[HIT] == "hit"
    assert "You are logged out." not in next_visitor.text


def test_each_language_has_its_own_page_and_searches_are_never_kept(app, make_event):
    make_event(title="评弹之夜", title_en="An Evening of Pingtan")
    app.test_client().get("/events/", headers={"Accept-Language": "en"})
    chinese = app.test_client().get("/events/", headers={"Accept-Language": "zh-CN"})
    assert HIT not in chinese.headers and "评弹之夜" in chinese.text

    for _ in range(2):
        searched = app.test_client().get("/events/?q=nothing-like-this")
        assert HIT not in searched.headers and "An Evening of Pingtan" not in searched.text
        pinyin = app.test_client().get("/events/?q=Pingtan")
        assert HIT not in pinyin.headers and "An Evening of Pingtan" in pinyin.text


def test_a_page_is_not_kept_past_its_minute(app, make_event, monkeypatch):
    make_event()
    visitor = app.test_client()
    visitor.get("/events/")
    assert visitor.get("/events/").headers[HIT] == "hit"
    next_minute = utcnow() + timedelta(minutes=1)
    monkeypatch.setattr(page_cache, "utcnow", lambda: next_minute)
    assert HIT not in visitor.get("/events/").headers


def test_a_worker_serves_the_pages_it_keeps_from_its_own_copy_until_a_change(
    app, make_event, make_user, monkeypatch
):
    event = make_event(title="昆曲欣赏", capacity=10)
    page = f"/lectures/{event.id}"
    now = utcnow()
    monkeypatch.setattr(page_cache, "utcnow", lambda: now)  # one minute, one key
    page_reads = []  # reads of kept pages from the shared cache (not of the generation)
    real_get = cache.get

    def counting(key):
        if key != page_cache.GENERATION_KEY:
            page_reads.append(key)
        return real_get(key)

    monkeypatch.setattr(cache, "get", counting)
    built = app.test_client().get(page)
    kept = [app.test_client().get(page) for _ in range(3)]
    assert len(page_reads) == 1  # the miss before the first build
    assert all(answer.headers[HIT] == "hit" for answer in kept)
    assert _without_token(kept[-1].text) == _without_token(built.text)

    reg.register(event, make_user())
    renewed = app.test_client().get(page)
    assert HIT not in renewed.headers and "9 of 10 seats left" in renewed.text


def test_a_change_made_by_another_worker_renews_this_workers_pages(
    app, database_url, tmp_path, make_event
):
    event = make_event(title_en="An Evening of Pingtan")
    visitor = app.test_client()
    visitor.get("/events/")
    other = _worker(database_url)
    try:
        with other.app_context():
            db.session.execute(
                sa.update(Event).where(Event.id == event.id).values(title_en="Pingtan by Night")
            )
            db.session.commit()
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    db.session.remove()  # what this worker loaded before, as its next request would
    renewed = visitor.get("/events/")
    assert HIT not in renewed.headers and "Pingtan by Night" in renewed.text


@pytest.mark.parametrize("url", ["memory://", "none"])
def test_a_cache_of_each_worker_alone_keeps_no_pages(app_config, url, make_event, app):
    assert app.config["EVENTSYS_CACHE_URL"] == url
    make_event()
    app.test_client().get("/")
    assert HIT not in app.test_client().get("/").headers


@pytest.fixture
def app_config(request):
    """The cache parametrized as ``url``, else the default one (the instance folder)."""
    callspec = getattr(request.node, "callspec", None)
    return {"EVENTSYS_CACHE_URL": callspec.params.get("url", "") if callspec else ""}


def _worker(database_url: str, **config):
    """Another app on the same database and instance folder, as a second gunicorn worker."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
            "BABEL_DEFAULT_LOCALE": "en",
            **config,
        }
    )


def test_an_unreachable_cache_still_answers_every_page(app, database_url, make_event):
    event = make_event(title_en="An Evening of Pingtan")
    broken = _worker(database_url, EVENTSYS_CACHE_URL="redis://127.0.0.1:1/0")
    client = broken.test_client()
    try:
        assert "An Evening of Pingtan" in client.get("/events/").text
        assert client.get(f"/lectures/{event.id}").status_code == 200
    finally:
        with broken.app_context():
            db.session.remove()
            db.engine.dispose()
