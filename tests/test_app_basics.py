"""The app starts, answers health checks, and never shows a stack trace."""

import pytest

from eventsys import create_app
from eventsys.config import ConfigError


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_home_page_renders_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.text


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>" in response.text
    assert "Traceback" not in response.text


def test_unknown_api_path_answers_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404


def test_unexpected_error_is_a_500_page_without_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("EVENTSYS_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SECRET_KEY": None, "EVENTSYS_INSTANCE_PATH": str(tmp_path)})


def test_development_keeps_a_generated_secret_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) > 30
    assert (tmp_path / "secret_key").exists()


def test_nul_character_in_any_input_is_refused_with_400(client):
    page = client.get("/lectures/?q=a%00b")
    assert page.status_code == 400
    assert "NUL" in page.text
    api = client.post(
        "/api/v1/tokens",
        data=b'{"email": "a\\u0000@x.org", "password": "x"}',
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.mimetype == "application/problem+json"
