"""Browser fixtures: Debian's chromium driven by Playwright against the live server on the
demo data, with an axe-core audit of every page a journey visits.

The browser is never downloaded: it is /usr/bin/chromium (``.ci/run`` installs the Debian
package), and axe-core comes from ``npm ci`` (node_modules/axe-core). When either is missing
the tests are skipped with the reason locally and fail in CI (``CI=true``).
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from eventsys import demo

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
ACCEPT_LANGUAGE = {"zh_Hans": "zh-CN,zh;q=0.9", "en": "en-GB,en;q=0.9"}
HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 15_000


def _missing_tools() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE_SCRIPT.exists():
        missing.append(f"{AXE_SCRIPT.relative_to(ROOT)} (npm ci)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[test]')")
    return missing


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"end-to-end tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"end-to-end tests need {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    missing = _missing_tools()
    if missing:
        _unavailable(", ".join(missing))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        _unavailable(f"{AXE_SCRIPT.relative_to(ROOT)} (npm ci)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def live_server_options() -> dict:
    # A browser is one person: two workers are plenty and start faster.
    return {"workers": 2, "threads": 4}


@pytest.fixture
def demo_site(app, browser, request) -> str:
    """The base URL of the live server with the demo data loaded."""
    demo.load()
    return request.getfixturevalue("live_server")


@dataclass
class Walker:
    """One person's browser tab: visits pages, audits each with axe-core, takes screenshots."""

    page: object
    base_url: str
    journey: str
    lang: str
    width: str
    axe_source: str
    violations: list = field(default_factory=list)
    layout_problems: list = field(default_factory=list)
    audited: int = 0
    # The live server's log: its end is shown with an error answer, so the cause is seen.
    server_log: Path | None = None

    @property
    def name(self) -> str:
        return f"{self.journey}-{self.lang}-{self.width}"

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.seen()

    def __post_init__(self) -> None:
        self.bad_pages: list[str] = []
        self.blocked: list[str] = []
        self.page.on("response", self._note_status)
        self.page.on("console", self._note_blocked)
        # The Content-Security-Policy refuses inline scripts, so axe-core comes in the way
        # browser extensions do: before each page's own scripts, outside the policy.
        self.page.add_init_script(script=self.axe_source)

    def _note_status(self, response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.bad_pages.append(f"{response.status} {response.url}")

    def _note_blocked(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.blocked.append(f"{self.page.url}: {message.text}")

    def seen(self) -> None:
        """The page that is now shown: loaded, no error answer on the way, nothing of it
        blocked by the Content-Security-Policy, audited."""
        self.page.wait_for_load_state("load")
        assert not self.bad_pages, f"the server answered {self.bad_pages}{self._log_tail()}"
        assert not self.blocked, "\n".join(self.blocked)
        self.audit()
        self.check_width()

    def _log_tail(self, lines: int = 80) -> str:
        if self.server_log is None or not self.server_log.exists():
            return ""
        tail = self.server_log.read_text(errors="replace").splitlines()[-lines:]
        return "\nThe end of the server's log:\n" + "\n".join(tail)

    def check_width(self) -> None:
        """Nothing makes the whole page scroll sideways (wide tables scroll in their box)."""
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            self.layout_problems.append(f"{self.page.url} is {overflow}px too wide")

    def audit(self) -> None:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(self.axe_source)
        result = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)
                }));
            }"""
        )
        self.audited += 1
        for violation in result:
            if violation["impact"] in BLOCKING_IMPACTS:
                self.violations.append((self.page.url, violation))

    def choose_language(self) -> None:
        """Use the language switch in the header when the page is in the other language."""
        if self.page.get_attribute("html", "lang") != HTML_LANG[self.lang]:
            self.page.click(f".language-switch button[value='{self.lang}']")
            self.seen()
        assert self.page.get_attribute("html", "lang") == HTML_LANG[self.lang]

    def header_link(self, selector: str):
        """A link of the header's navigation, after opening the "Menu" it folds into on phones."""
        toggle = self.page.locator(".site-menu:not([open]) > summary")
        if toggle.count() and toggle.is_visible():
            toggle.click()
        return self.page.locator(selector)

    def log_in(self, email: str) -> None:
        """From any page: the header's log-in link, then the form."""
        self.header_link(".account-nav a[href^='/auth/login']").click()
        self.seen()
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", demo.DEMO_PASSWORD)
        # The answer to the form, however slow a busy machine makes it (the password hash
        # is costly by design), then what it shows: an error answer brings the server's log.
        with self.page.expect_navigation(timeout=2 * TIMEOUT_MS):
            self.page.press("input[name=password]", "Enter")
        self.seen()
        logout = self.page.locator(".account-nav form[action$='/auth/logout']")
        if not logout.count():
            shown = self.page.inner_text("main")[:300]
            raise AssertionError(f"not logged in as {email}: {self.page.url} shows {shown!r}")
        self.choose_language()

    def shot(self, step: str | None = None, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / (f"{self.name}-{step}.png" if step else f"{self.name}.png")
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_accessible(self) -> None:
        assert self.audited, "no page was audited"
        report = [
            f"{url}: [{v['impact']}] {v['id']} — {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
            for url, v in self.violations
        ]
        assert not report, "axe-core found serious or critical problems:\n" + "\n".join(report)
        assert not self.layout_problems, "\n".join(self.layout_problems)


@pytest.fixture
def open_walker(app, browser, axe_source, demo_site) -> Iterator:
    """open_walker(journey, lang, width) -> a Walker in a fresh browser context."""
    contexts = []

    def open_one(journey: str, lang: str, width: str) -> Walker:
        context = browser.new_context(
            viewport=VIEWPORTS[width],
            locale="zh-CN" if lang == "zh_Hans" else "en-GB",
            extra_http_headers={"Accept-Language": ACCEPT_LANGUAGE[lang]},
            accept_downloads=True,
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return Walker(
            context.new_page(),
            demo_site,
            journey,
            lang,
            width,
            axe_source,
            server_log=Path(app.instance_path) / "gunicorn.log",  # see tests/live_server.py
        )

    yield open_one
    for context in contexts:
        context.close()
