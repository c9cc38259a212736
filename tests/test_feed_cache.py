"""Public calendar feeds answered from the feed cache: the same bytes and headers as a fresh
build, a new build after any change, one copy for all workers, never a personal feed."""

import os
import time
from datetime import timedelta

import pytest
import redis

from eventsys import create_app, feed_cache, worker_copies
from eventsys.config import ConfigError
from eventsys.extensions import cache, db
from eventsys.models import Registration
from eventsys.services import feeds, ical

FEED = "/calendar/events.ics"
HEADERS = ("ETag", "Last-Modified", "Content-Type", "Cache-Control", "Content-Disposition")
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def builds(monkeypatch) -> list:
    """One entry per calendar actually built (not taken from the cache)."""
    calls = []
    real = ical.feed_calendar

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ical, "feed_calendar", counting)
    return calls


@pytest.fixture
def worker(database_url, tmp_path, monkeypatch):
    """worker(**config) -> another app on the same database, as a second gunicorn worker
    (or a second server) would be; its own instance folder unless the config names one."""

    made = []

    def make(**config):
        monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(tmp_path / "instance"))
        made.append(
            create_app(
                {
                    "TESTING": True,
                    "SECRET_KEY": "test-secret",
                    "SQLALCHEMY_DATABASE_URI": database_url,
                    "RATELIMIT_ENABLED": False,
                    "BABEL_DEFAULT_LOCALE": "en",
                    **config,
                }
            )
        )
        return made[-1]

    yield make
    # Close each worker's connections now, not when the garbage collector finds them.
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")


def test_second_request_comes_from_the_cache_with_same_bytes_and_headers(
    client, make_event, builds, worker
):
    kunqu = make_event(title="昆曲欣赏")
    make_event(title="评弹之夜", starts_at=kunqu.starts_at + timedelta(days=3))
    first = client.get(FEED)
    second = client.get(FEED)
    assert first.status_code == second.status_code == 200
    assert len(builds) == 1
    assert second.data == first.data
    for name in (*HEADERS, "Content-Length"):
        assert second.headers[name] == first.headers[name], name
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"

    # The same bytes as a server without any cache builds.
    uncached = worker(EVENTSYS_CACHE_URL="none").test_client().get(FEED)
    assert uncached.data == second.data
    assert len(builds) == 2


def test_a_changed_event_gives_a_new_feed_at_once(client, make_event, builds):
    event = make_event(title="园林讲座")
    before = client.get(FEED)
    event.title = "园林讲座（改期）"
    db.session.commit()
    after = client.get(FEED)
    assert len(builds) == 2
    assert "园林讲座（改期）" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_new_calendar_format_is_not_answered_from_old_copies(
    client, make_event, builds, monkeypatch
):
    make_event(title="园林讲座")
    client.get(FEED)
    monkeypatch.setattr(feeds, "FORMAT_VERSION", feeds.FORMAT_VERSION + "-next")
    client.get(FEED)
    assert len(builds) == 2


def test_each_language_and_filter_is_kept_apart(client, make_event, builds):
    make_event(kind="lecture", title="昆曲欣赏", title_en="Kunqu evening")
    english = client.get(FEED + "?lang=en").get_data(as_text=True)
    chinese = client.get(FEED + "?lang=zh_Hans").get_data(as_text=True)
    films = client.get("/calendar/kind/film.ics?lang=en").get_data(as_text=True)
    assert "Kunqu evening" in english and "昆曲欣赏" in chinese and "BEGIN:VEVENT" not in films
    assert len(builds) == 3
    assert client.get(FEED + "?lang=en").get_data(as_text=True) == english
    assert len(builds) == 3


@pytest.mark.parametrize("store", ["filesystem", "redis"])
def test_two_workers_share_one_copy(store, worker, make_event, builds, tmp_path):
    if store == "redis":
        redis_or_skip()
        url = REDIS_URL
    else:
        url = f"filesystem://{tmp_path / 'shared-feeds'}"
    # A base address of its own keeps this test's entries apart from any other run's.
    config = {"EVENTSYS_CACHE_URL": url, "EVENTSYS_BASE_URL": f"https://{tmp_path.name}.test"}
    make_event(title="书画展")
    first = worker(**config).test_client().get(FEED)
    second = worker(**config).test_client().get(FEED)
    assert len(builds) == 1
    assert second.data == first.data and b"SUMMARY:" in first.data
    for name in HEADERS:
        assert second.headers[name] == first.headers[name], name


@pytest.fixture
def shared_reads(monkeypatch) -> list:
    """One entry per feed read from the shared cache (not from the worker's own copy)."""
    reads = []
    real = cache.get

    def counting(key):
        reads.append(key)
        return real(key)

    monkeypatch.setattr(cache, "get", counting)
    return reads


def test_a_worker_answers_a_feed_it_keeps_without_asking_the_shared_cache(
    client, make_event, builds, shared_reads
):
    event = make_event(title="园林讲座")
    first = client.get(FEED)
    again = [client.get(FEED) for _ in range(3)]
    assert len(builds) == 1 and len(shared_reads) == 1
    assert all(answer.data == first.data for answer in again)
    for name in (*HEADERS, "Content-Length"):
        assert again[-1].headers[name] == first.headers[name], name

    # A change is a new feed at once, in this worker too.
    event.title = "园林讲座（改期）"
    db.session.commit()
    changed = client.get(FEED)
    assert "园林讲座（改期）" in changed.get_data(as_text=True)
    assert len(builds) == 2 and len(shared_reads) == 2


def test_another_worker_reads_the_shared_copy_once_then_keeps_its_own(
    worker, make_event, builds, shared_reads, tmp_path
):
    config = {"EVENTSYS_CACHE_URL": f"filesystem://{tmp_path / 'shared-feeds'}"}
    make_event(title="书画展")
    first = worker(**config).test_client()
    second = worker(**config).test_client()
    built = first.get(FEED)
    answers = [second.get(FEED) for _ in range(3)]
    assert len(builds) == 1
    assert len(shared_reads) == 2  # the first worker's miss, the second's first poll
    assert all(answer.data == built.data for answer in answers)


def test_a_feed_larger_than_a_workers_room_is_read_from_the_shared_cache(
    worker, make_event, builds, shared_reads, monkeypatch
):
    monkeypatch.setattr(worker_copies, "BYTES", 100)
    make_event(title="古琴雅集")
    client = worker().test_client()
    answers = [client.get(FEED) for _ in range(3)]
    assert len(answers[0].data) > 100
    assert len(builds) == 1 and len(shared_reads) == 3
    assert answers[2].data == answers[0].data


def test_a_workers_copy_lasts_no_longer_than_the_shared_cache_keeps_a_feed(
    worker, make_event, builds, shared_reads
):
    make_event(title="苏绣展")
    client = worker(EVENTSYS_FEED_CACHE_SECONDS=1).test_client()
    client.get(FEED)
    client.get(FEED)
    assert len(shared_reads) == 1
    time.sleep(1.2)
    client.get(FEED)
    assert len(shared_reads) == 2


def test_without_a_cache_every_feed_is_built(worker, make_event, builds):
    make_event(title="评弹之夜")
    client = worker(EVENTSYS_CACHE_URL="none").test_client()
    client.get(FEED)
    client.get(FEED)
    assert len(builds) == 2


def test_a_broken_cache_still_answers_the_feed(worker, make_event, builds, caplog):
    make_event(title="古琴雅集")
    client = worker(EVENTSYS_CACHE_URL="redis://127.0.0.1:1/0").test_client()
    response = client.get(FEED)
    assert response.status_code == 200 and "古琴雅集" in response.get_data(as_text=True)
    assert "feed cache" in caplog.text


def test_personal_feeds_are_never_cached_or_shared(app, client_as, make_event, builds):
    first, second = client_as(), client_as()
    own, other = make_event(title="读者甲的讲座"), make_event(title="读者乙的讲座")
    for reader, event in ((first, own), (second, other)):
        db.session.add(Registration(user_id=reader.user.id, event_id=event.id, status="confirmed"))
    db.session.commit()
    urls = {}
    for reader in (first, second):
        reader.post("/calendar/token")
        urls[reader] = f"/calendar/u/{db.session.merge(reader.user).calendar_token}.ics"

    feed_of_first = first.get(urls[first]).get_data(as_text=True)
    feed_of_second = second.get(urls[second]).get_data(as_text=True)
    assert "读者甲的讲座" in feed_of_first and "读者乙的讲座" not in feed_of_first
    assert "读者乙的讲座" in feed_of_second and "读者甲的讲座" not in feed_of_second
    # Asked again without validators, each is built afresh: nothing personal is stored.
    first.get(urls[first])
    assert len(builds) == 3


def test_the_rate_limiters_redis_is_the_default_and_unknown_caches_are_refused(app):
    app.config.update(EVENTSYS_CACHE_URL="", RATELIMIT_STORAGE_URI="redis://cache:6379/2")
    assert feed_cache.cache_config(app)["CACHE_REDIS_URL"] == "redis://cache:6379/2"
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    assert feed_cache.cache_config(app)["CACHE_TYPE"] == "FileSystemCache"
    app.config["EVENTSYS_CACHE_URL"] = "memcached://cache:11211"
    with pytest.raises(ConfigError, match="EVENTSYS_CACHE_URL='memcached://cache:11211'"):
        feed_cache.cache_config(app)
