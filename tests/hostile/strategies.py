"""Hostile input for the tests in this folder: what a careless, curious or malicious user types.

Text comes in five flavours (long, unicode, markup and script, SQL-looking, format strings) and
any mix of them; dates, times and numbers come with their edges. Everything is a string, as a
browser posts it. Surrogates are left out: no browser can send them (UTF-8 cannot encode them).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from hypothesis import strategies as st

# The longest text tried: far beyond every max_length of the project, short enough to stay fast.
LONG = 10_000

# Markup that runs when a page shows it unescaped. Every payload says "hostile", so a page that
# shows one raw is found by the marker (see RAW_MARKERS) and not by a "<" of the page itself.
SCRIPT = [
    '<script>alert("hostile")</script>',
    '"><script>alert("hostile")</script>',
    "'><script>alert('hostile')</script>",
    '</textarea><script>alert("hostile")</script>',
    '</title><script>alert("hostile")</script>',
    '<img src=x onerror=alert("hostile")>',
    '<svg onload=alert("hostile")>',
    'javascript:alert("hostile")',
    "<a href=\"javascript:alert('hostile')\">hostile</a>",
    '<iframe src="//example.com/hostile"></iframe>',
    "<style>body{display:none}</style>hostile",
    "{{ request.user.password }}{% debug %}hostile",
    "<!-- hostile",
    "&lt;script&gt;hostile&lt;/script&gt;",
    "]]><![CDATA[hostile",
]

# What a page must never contain: a payload's markup as markup.
RAW_MARKERS = (
    '<script>alert("hostile")',
    "<script>alert('hostile')",
    "<img src=x onerror",
    "<svg onload",
    'href="javascript:',
    "href='javascript:",
    '<iframe src="//example.com/hostile"',
    "<style>body{display:none}",
)

SQL = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "'; DROP TABLE placements_child; --",
    '" OR ""="',
    "1; SELECT pg_sleep(5)",
    "' UNION SELECT username, password FROM pleegzorg_user --",
    "1)) OR ((1=1",
    "%",
    "_",
    "%%",
    "\\",
    "\\'",
    "`",
    "$$",
    "E'\\x41'",
]

FORMAT = ["%(name)s", "%(child)s %s %d", "%s", "%", "{0}", "{name}", "{{", "%%(value)s", "%n%n%n"]

UNICODE = [
    "\x00",
    "a\x00b",
    "\x00<script>",
    "\x01\x02\x1b[31m\x7f",
    "\r\n",
    "\r",
    "\t",
    " ",
    "\u00a0",
    "\u2028\u2029",
    "\u202ehostile\u202c",  # right-to-left override
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width
    "שלום עולם",
    "مرحبا بالعالم",
    "Zoë Çelik-Đorđević Ñáñez",
    "e\u0301\u0301\u0301\u0301",  # combining accents
    "👩‍👩‍👧‍👦🏳️‍🌈🙂",
    "\U0010ffff\ufffd\uffff",
    "²³",  # str.isdigit() says yes, int() says no
    "٣٤",  # Arabic-Indic digits: int() reads them
    "𝟘𝟙",
    "Ⅻ",
    "ﷺ",
    "İı",
    "ß",
]

PIECES = SCRIPT + SQL + FORMAT + UNICODE

# Any character a browser can send, controls and NUL included.
CHARACTERS = st.characters(exclude_categories=("Cs",))


def long_text() -> st.SearchStrategy[str]:
    """Text far beyond every limit: a unit repeated up to LONG characters."""
    unit = st.one_of(st.sampled_from(PIECES), st.text(CHARACTERS, min_size=1, max_size=8))
    length = st.one_of(st.sampled_from([101, 201, 256, 301, 1001, LONG]), st.integers(1, LONG))
    return st.builds(lambda u, n: (u * (n // len(u) + 1))[:n], unit, length)


def hostile_text() -> st.SearchStrategy[str]:
    """One hostile string: a payload, random characters, a long text, or a mix."""
    piece = st.one_of(st.sampled_from(PIECES), st.text(CHARACTERS, max_size=40))
    return st.one_of(
        st.sampled_from(PIECES),
        st.text(CHARACTERS, max_size=60),
        long_text(),
        st.lists(piece, min_size=2, max_size=5).map("".join),
    )


def short_payload() -> st.SearchStrategy[str]:
    """Text short enough to be valid almost anywhere, that is still markup or SQL: the input
    that is saved and shown later."""
    return st.sampled_from(
        [p for p in SCRIPT + SQL + FORMAT if len(p) <= 60 and "\x00" not in p]
        + ["Zoë \u202eevil\u202c", "👩‍👩‍👧 ٣", "שלום"]
    )


def _today() -> dt.date:
    return timezone.localdate()


EDGE_DATES = [
    "0001-01-01",
    "0001-01-02",
    "9999-12-31",
    "9999-12-30",
    "9999-12-01",
    "2024-02-29",
    "2000-02-29",
    "2023-02-29",
    "2100-02-29",
    "1900-01-01",
    "1899-12-31",
    "1970-01-01",
    "2038-01-19",
    "3000-01-01",
    "10000-01-01",
    "0000-01-01",
    "2026-00-10",
    "2026-13-01",
    "2026-12-32",
    "-2026-01-01",
    "31-12-9999",
    "01-01-0001",
    "29-02-2024",
    "29-02-2023",
    "2026-1-1",
    "2026-01-01T23:59",
    "2026-W01",
    "99999999",
    "",
    " ",
]


def edge_date() -> st.SearchStrategy[str]:
    """A date as typed: at the edges of the calendar, near today, or any day at all."""
    near = st.integers(-800, 800).map(lambda n: (_today() + dt.timedelta(days=n)).isoformat())
    return st.one_of(
        st.sampled_from(EDGE_DATES),
        near,
        st.dates().map(dt.date.isoformat),
        st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
    )


def plausible_date() -> st.SearchStrategy[str]:
    """A real day, from the far past to the far future: valid for the form, maybe not the rule."""
    return st.one_of(
        st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-29", "1900-01-01"]),
        st.integers(-800, 800).map(lambda n: (_today() + dt.timedelta(days=n)).isoformat()),
    )


EDGE_TIMES = ["00:00", "23:59", "24:00", "12:60", "23:59:59.999999", "9:5", "-1:00", "noon", ""]


def edge_time() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(EDGE_TIMES), st.times().map(lambda t: t.isoformat()))


EDGE_NUMBERS = [
    "0",
    "-1",
    "1",
    "-0",
    "+1",
    " 7 ",
    "007",
    "1.5",
    "1,5",
    "1e3",
    "1e309",
    "NaN",
    "inf",
    "-inf",
    "0x1A",
    "1_000",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "9" * 40,
    "²",
    "٣",
    "𝟙",
    "",
]


def edge_number() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers().map(str))


def hostile_for(kind: str) -> st.SearchStrategy[str]:
    """Hostile input for a field of this kind (date, time, number, email, choice, text): mostly
    what fits the kind, sometimes any hostile text."""
    special = {
        "date": edge_date(),
        "time": edge_time(),
        "number": edge_number(),
        "email": st.one_of(st.emails(), st.sampled_from(['"<script>"@example.org', "a@b", "@"])),
        "choice": st.one_of(edge_number(), st.sampled_from(["", "None", "null", "[]", "{}"])),
    }.get(kind)
    if special is None:
        return hostile_text()
    return st.one_of(special, special, hostile_text())
