"""Every page a reader can reach, crawled in a real browser on two phones in Chinese
(320 × 640 and 375 × 812) and on a desktop in English (1280 × 800): anonymously, as the
demo reader and as the demo volunteer. From a list of starting pages the crawl follows the
site's own links (GET only, a bounded number of pages per pass) and fails listing every
page, viewport and problem it finds:

- the page scrolls sideways;
- a tap target (link, button, field, summary, label of a checkbox) smaller than 24 × 24
  CSS px, links inside a sentence excepted (WCAG 2.5.8);
- text left in the other language;
- anything axe-core reports, whatever its impact.

Screenshots of the main reader pages go to test-artifacts/screenshots/reader-*.png.
"""

import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from eventsys import demo
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, User
from eventsys.models.registrations import Registration
from tests.conftest import PG_URL
from tests.e2e.conftest import SCREENSHOTS, TIMEOUT_MS

log = logging.getLogger(__name__)

pytestmark = pytest.mark.skipif(
    bool(PG_URL),
    reason="the crawl checks what the browser shows (layout, tap targets, language, axe-core),"
    " the same on either database: it runs on SQLite only",
)

PHONES = ({"width": 375, "height": 812}, {"width": 320, "height": 640})
DESKTOP = ({"width": 1280, "height": 800},)
# Pages per pass, and variants of one path with different query strings.
PAGE_LIMIT = {"anonymous": 45, "reader": 60, "volunteer": 25}
QUERY_VARIANTS = 3
# Not followed: leaving the session, files, and the staff's and the API's pages.
SKIPPED_PREFIXES = (
    "/auth/logout",
    "/staff",
    "/admin",
    "/api",
    "/indicators",
    "/volunteers/staff",
    "/calendar/export",
    "/static/",
    "/healthz",
    "/readyz",
)
SKIPPED_SUFFIXES = (".ics", ".csv", ".xlsx", ".png", ".json", ".pdf")
MONTH_VIEW = "/events/calendar"
MISSING_PAGE = "/no-such-page"  # the error page
# Latin words a Chinese page may show: names of the calendar apps, their menu items and file
# formats as the reader sees them on their own screen in Chinese ("从 Internet" is Outlook's),
# and the time zone's name in the footer. Email and web addresses are taken out before the
# check; shorter words (QR, URL, PDF, CSV, Mac, Web) pass anyway.
LATIN_ALLOWED = {
    "Google",
    "Outlook",
    "Apple",
    "Thunderbird",
    "iPhone",
    "Internet",
    "iCal",
    "WebCal",
    "Excel",
    "Email",
    "JSON",
    "Asia",
    "Shanghai",
}

CHECKS = r"""
({wantLang, latinAllowed}) => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push(
      `scrolls sideways: ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    const classes = typeof el.className === 'string' ? el.className.trim() : '';
    if (el.id) name += '#' + el.id;
    else if (classes) name += '.' + classes.split(/\s+/).join('.');
    const text = (el.innerText || el.value || el.getAttribute('aria-label')
      || el.getAttribute('href') || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return text ? `${name} "${text}"` : name;
  };
  const shown = (el) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    if (el.closest('[aria-hidden="true"]')) return false;
    const r = el.getBoundingClientRect();
    // Off-screen (skip link, honeypot) or clipped to a pixel (text for screen readers only).
    return r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > -window.scrollY;
  };
  const blockOf = (el) => {
    let parent = el.parentElement;
    while (parent && getComputedStyle(parent).display.startsWith('inline')) {
      parent = parent.parentElement;
    }
    return parent;
  };
  // A link in a sentence: an inline link whose block holds words that are no one's target
  // (separators like " · " between links and text for screen readers only do not count).
  const inSentence = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = blockOf(el);
    if (!block) return false;
    const words = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    while (words.nextNode()) {
      const parent = words.currentNode.parentElement;
      if (parent.closest('a, button, label, summary, select')) continue;
      if (parent.getBoundingClientRect().width <= 1) continue;
      if (/[\p{L}\p{N}]/u.test(words.currentNode.nodeValue)) return true;
    }
    return false;
  };
  const targets = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, label');
  for (const el of targets) {
    const forBox = el.control && ['checkbox', 'radio'].includes(el.control.type);
    if (el.tagName === 'LABEL' && !forBox) continue;
    if (!shown(el) || inSentence(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 23.5 || r.height < 23.5) {
      problems.push(`tap target ${Math.round(r.width)}×${Math.round(r.height)}px: ${describe(el)}`);
    }
  }
  // Text in the other language: text nodes and the labels read aloud, except inside an
  // element whose lang attribute names the other language, and codes (<code>: a check-in
  // code such as ABCD-EFGH is in no language).
  const pageLang = root.lang.slice(0, 2);
  const ownLanguage = (el) => {
    const marked = el.closest('[lang]');
    return !marked || marked.getAttribute('lang').slice(0, 2) === pageLang;
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest('script, style, noscript, template, code') || !ownLanguage(el)) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    texts.push(walker.currentNode.nodeValue);
  }
  for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [alt], [title]')) {
    if (!ownLanguage(el)) continue;
    for (const name of ['aria-label', 'placeholder', 'alt', 'title']) {
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  const found = new Set();
  for (const raw of texts) {
    const text = raw.replace(/\s+/g, ' ');
    if (wantLang === 'en') {
      const match = text.match(/[\p{Script=Han}\u3000-\u303f\uff01-\uff5e]+/u);
      if (match) found.add(`Chinese text on an English page: "${text.trim().slice(0, 60)}"`);
    } else {
      const bare = text.replace(/\S+@\S+/g, ' ').replace(/(https?|webcal):\/\/\S+/g, ' ');
      const words = (bare.match(/[A-Za-z]{4,}/g) || []).filter(w => !latinAllowed.includes(w));
      if (words.length) found.add(`English left on a Chinese page: "${text.trim().slice(0, 60)}"`);
    }
  }
  problems.push(...found);
  return problems;
}
"""

AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => `axe ${v.impact} ${v.id}: ${v.help} — ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


@dataclass
class Crawl:
    """One pass: one person, one language, its viewports; what it found, page by page."""

    page: object
    base_url: str
    axe_source: str
    lang: str
    viewports: tuple
    problems: list = field(default_factory=list)
    visited: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return "zh" if self.lang == "zh_Hans" else "en"

    def open(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")
        return response

    def check(self, path: str) -> None:
        """The checks at each viewport of the pass; axe-core at the first one."""
        served = self.page.get_attribute("html", "lang")
        wanted = "zh-Hans" if self.lang == "zh_Hans" else "en"
        if served != wanted:  # one line for the page, not one per string in it
            self.problems.append((path, self.label, f"page served in {served}, not {wanted}"))
            return
        for number, viewport in enumerate(self.viewports):
            self.page.set_viewport_size(viewport)
            found = self.page.evaluate(
                CHECKS,
                {"wantLang": self.label, "latinAllowed": sorted(LATIN_ALLOWED)},
            )
            if number == 0:
                if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
                    self.page.evaluate(self.axe_source)
                found += self.page.evaluate(AXE)
                found += self._open_menu_targets()
            width = viewport["width"]
            self.problems.extend((path, f"{self.label}-{width}", problem) for problem in found)
        self.page.set_viewport_size(self.viewports[0])

    def _open_menu_targets(self) -> list[str]:
        """On a phone the header's links are folded into "Menu": their size, menu open."""
        toggle = self.page.locator(".site-menu > summary")
        if not (toggle.count() and toggle.is_visible()):
            return []
        toggle.click()
        found = self.page.evaluate(
            CHECKS, {"wantLang": self.label, "latinAllowed": sorted(LATIN_ALLOWED)}
        )
        toggle.click()
        return [f"{problem} (menu open)" for problem in found if problem.startswith("tap target")]

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = self.viewports[0]["width"]
        path = SCREENSHOTS / f"reader-{name}-{self.label}-{width}.png"
        self.page.screenshot(path=str(path), full_page=True)

    def links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href)"
        )
        return [path for path in (self._same_site(href) for href in hrefs) if path]

    def _same_site(self, href: str) -> str | None:
        url = urlsplit(href)
        if f"{url.scheme}://{url.netloc}" != self.base_url:
            return None
        if url.path.startswith(SKIPPED_PREFIXES) or url.path.endswith(SKIPPED_SUFFIXES):
            return None
        return url.path + (f"?{url.query}" if url.query else "")

    def run(self, seeds: list[str], limit: int, shots: dict) -> None:
        """Breadth first from the seeds, at most ``limit`` pages."""
        queue = deque(seeds)
        queued = set(seeds)
        variants: dict[str, int] = {}
        while queue and len(self.visited) < limit:
            path = queue.popleft()
            response = self.open(path)
            self.visited.append(path)
            status = response.status if response else 0
            if path == MONTH_VIEW and status == 404:
                log.warning("%s answers 404 (not built yet): not crawled, no screenshot", path)
                continue
            if status >= 400 and path != MISSING_PAGE:
                self.problems.append((path, self.label, f"answered {status}"))
                continue
            self.check(path)
            if path in shots:
                self.shot(shots[path])
            for link in self.links():
                bare = link.split("?", 1)[0]
                if link in queued or variants.get(bare, 0) >= QUERY_VARIANTS:
                    continue
                variants[bare] = variants.get(bare, 0) + 1
                queued.add(link)
                queue.append(link)


def _report(problems: list) -> str:
    lines = sorted(set(problems))
    return f"{len(lines)} problems:\n" + "\n".join(
        f"{page} [{viewport}] {problem}" for page, viewport, problem in lines
    )


def _event_pages() -> list[str]:
    """One upcoming published event of each kind."""
    pages = {}
    events = db.session.scalars(
        sa.select(Event)
        .where(Event.status == "published", Event.starts_at > utcnow())
        .order_by(Event.starts_at)
    )
    for event in events:
        pages.setdefault(event.kind, f"/events/{event.id}")
    return list(pages.values())


def _register_page(reader: User) -> str:
    """An upcoming event with seats the reader has not registered for."""
    taken = sa.select(Registration.event_id).where(Registration.user_id == reader.id)
    event = db.session.scalars(
        sa.select(Event)
        .where(
            Event.status == "published",
            Event.capacity.is_not(None),
            Event.starts_at > utcnow() + timedelta(days=1),
            Event.id.not_in(taken),
        )
        .order_by(Event.starts_at)
    ).first()
    return f"/events/{event.id}/register"


def _registration_page(reader: User) -> str:
    registration = db.session.scalars(
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == reader.id)
        .order_by(Event.starts_at.desc())
    ).first()
    return f"/registrations/{registration.id}"


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


PUBLIC_SEEDS = [
    "/",
    "/events/",
    "/events/?audience=children",
    "/events/?kind=lecture&q=%E8%AE%B2%E5%BA%A7",
    "/lectures/",
    "/exhibitions/",
    "/red-culture/",
    "/volunteers/",
    "/calendar/",
    MONTH_VIEW,
]


def _seeds(role: str) -> tuple[list[str], dict]:
    """The starting pages of a pass and the screenshots to take on the way."""
    events = _event_pages()
    if role == "anonymous":
        return PUBLIC_SEEDS + events + [
            "/auth/login",
            "/auth/signup",
            "/auth/reset",
            MISSING_PAGE,
        ], {}
    if role == "volunteer":
        volunteer_pages = ["/volunteers/", "/volunteers/mine", "/volunteers/certificate"]
        return volunteer_pages + ["/volunteers/apply", "/auth/account"], {}
    reader = _user("reader@demo.eventsys")
    register, registration = _register_page(reader), _registration_page(reader)
    shots = {
        "/": "home",
        events[0]: "event",
        register: "register",
        registration: "registration",
        "/my/registrations": "my-registrations",
        MONTH_VIEW: "month",
    }
    seeds = [*shots, *PUBLIC_SEEDS, *events[1:]]
    seeds += ["/auth/account", "/auth/password", "/auth/account/close"]
    return list(dict.fromkeys(seeds)), shots


def _log_in(crawl: Crawl, email: str) -> None:
    crawl.open("/auth/login")
    crawl.page.fill("input[name=email]", email)
    crawl.page.fill("input[name=password]", demo.DEMO_PASSWORD)
    crawl.page.press("input[name=password]", "Enter")
    crawl.page.wait_for_url(lambda url: "/auth/login" not in url)


def _choose_language(crawl: Crawl) -> None:
    """The language switch in the header; a signed-in person's choice is kept in the account."""
    crawl.open("/")
    wanted = "zh-Hans" if crawl.lang == "zh_Hans" else "en"
    if crawl.page.get_attribute("html", "lang") != wanted:
        # Wait for the switch's own answer (it sets the session cookie), not just any load.
        with crawl.page.expect_navigation(wait_until="load"):
            crawl.page.click(f".language-switch button[value='{crawl.lang}']")
    assert crawl.page.get_attribute("html", "lang") == wanted
    crawl.open("/events/")
    assert crawl.page.get_attribute("html", "lang") == wanted, "the chosen language did not stay"


@pytest.mark.parametrize("role", ["anonymous", "reader", "volunteer"])
def test_every_reader_page_fits_a_phone_speaks_one_language_and_passes_axe(
    browser, axe_source, demo_site, role
):
    seeds, shots = _seeds(role)
    problems, visited = [], 0
    for lang, viewports in (("zh_Hans", PHONES), ("en", DESKTOP)):
        context = browser.new_context(viewport=viewports[0], timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        # axe-core arrives like a browser extension's script, outside the page's policy.
        context.add_init_script(script=axe_source)
        try:
            crawl = Crawl(context.new_page(), demo_site, axe_source, lang, viewports)
            if role != "anonymous":
                _log_in(crawl, f"{role}@demo.eventsys")
            _choose_language(crawl)
            crawl.run(seeds, PAGE_LIMIT[role], shots)
        finally:
            context.close()
        problems += crawl.problems
        visited += len(crawl.visited)
    assert visited > len(seeds), "the crawl followed links beyond its starting pages"
    assert not problems, _report(problems)
