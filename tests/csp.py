"""What the Content Security Policy would block on a page: inline script without a nonce, inline
event handlers and ``javascript:`` links, inline styles, and htmx attributes that need eval.

``tests/matrix.py`` runs :func:`blocked_by_csp` on every HTML page a matrix requests, so each new
page is checked by every persona that may see it.
"""

from __future__ import annotations

from html.parser import HTMLParser

# Script types the browser does not execute: data blocks are not subject to script-src.
DATA_TYPES = {"application/json", "application/ld+json", "text/template"}
# htmx attributes that only work with eval, which base.html switches off (allowEval: false).
EVAL_ATTRIBUTES = ("hx-on", "hx-vars")


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>: inline event handler")
            elif name == "style":
                self.found.append(f"<{tag} style=...>: inline style")
            elif name.startswith(EVAL_ATTRIBUTES) or (
                name == "hx-vals" and (value or "").lstrip().startswith("js:")
            ):
                self.found.append(f"<{tag} {name}=...>: needs eval")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>: inline script")
        if tag == "script":
            self._script, self._script_text = values, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        attrs, text = self._script, "".join(self._script_text).strip()
        self._script = None
        if (attrs.get("type") or "").lower() in DATA_TYPES:
            return
        if text and not attrs.get("nonce"):
            self.found.append(f"<script> with inline code and no nonce: {text[:60]!r}")


def blocked_by_csp(html: str) -> list[str]:
    """Everything on the page that the policy (no inline script without a nonce, no inline
    style, no eval) would block: empty for a page that works under it."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found
