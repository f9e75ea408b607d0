"""The headers of static files: the same frame and content-type protection as pages.

WhiteNoise answers /static/ from its middleware, before Django's clickjacking and CSP middleware
run, so those never see a static file. A black-box scan found ``X-Frame-Options`` missing there.
WhiteNoise calls :func:`add_security_headers` (``WHITENOISE_ADD_HEADERS_FUNCTION``) once per file
when it builds its index; the headers are then on every answer for that file, 304s included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.headers import Headers


def add_security_headers(headers: Headers, path: str, url: str) -> None:
    """What the page middleware would add: no framing (``X-Frame-Options`` and the CSP's
    ``frame-ancestors``), no content sniffing, and the pages' Content Security Policy, which keeps
    an SVG opened on its own from running script."""
    from django.conf import settings
    from django.utils.csp import build_policy

    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    headers["X-Content-Type-Options"] = "nosniff"
    if settings.SECURE_CSP:
        headers["Content-Security-Policy"] = build_policy(settings.SECURE_CSP)
