"""Pages with scripts or styles of their own still work under the Content-Security-Policy:
their files load and run, and the browser blocks nothing (the walker fails on any
"Content Security Policy" console message)."""

import pytest

from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(
    bool(PG_URL),
    reason="the Content-Security-Policy is enforced by the browser, the same on either"
    " database: it is checked on SQLite only",
)


def test_pages_with_their_own_scripts_and_styles_work_under_the_policy(open_walker):
    walker = open_walker("csp", "en", "desktop")
    walker.goto("/api/v1/docs")
    # api-docs.css applied: the reference is set in a 60rem column.
    width = walker.page.evaluate("() => getComputedStyle(document.querySelector('main')).maxWidth")
    assert width == "960px"

    walker.goto("/calendar/")
    # calendar.js ran: it shows the copy buttons, which stay hidden without script.
    assert walker.page.locator("button[data-copy]").first.is_visible()

    walker.log_in("volunteer@demo.eventsys")
    walker.goto("/volunteers/certificate")
    # print.js ran: it shows the print button.
    assert walker.page.locator("button[data-print]").is_visible()
