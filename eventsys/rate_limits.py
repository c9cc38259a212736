"""When a refused request may come back: the ``Retry-After`` of a 429.

Flask-Limiter can also put ``X-RateLimit-*`` headers on every answer it counts, but
working them out costs two more round trips to the limit store (Redis in production) on
each such request, registrations included; a refusal is rare, so the wait is worked out
only then (``RATELIMIT_HEADERS_ENABLED`` stays off).
"""

import math
import time

from eventsys.extensions import limiter

# Said when the broken limit is not known (it always is for a limiter's 429).
FALLBACK_SECONDS = 60


def retry_after() -> str:
    """Whole seconds until the limit this request broke lets it through again."""
    broken = limiter.current_limit
    if broken is None or not broken.breached:
        return str(FALLBACK_SECONDS)
    reset_time, _remaining = broken.window  # (reset_at adds a second to it)
    return str(max(1, math.ceil(reset_time - time.time())))
