"""Redirect targets that cannot leave the site."""

from urllib.parse import urlsplit


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site; anything with a scheme or host is dropped."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
