"""pleegzorg.db's hold on psycopg: a long query is turned into PostgreSQL's form once."""

from psycopg import _queries
from psycopg.adapt import Transformer

from pleegzorg.db import LONGEST_REMEMBERED_QUERY


def _convert(query: bytes) -> None:
    _queries.PostgresQuery(Transformer()).convert(query, [1])


def test_a_compiled_page_query_longer_than_psycopgs_own_limit_is_split_once():
    """psycopg remembers only queries of at most 4,096 bytes unless told otherwise (the
    project raises the limit when Django starts, pleegzorg.apps): a query of 10,000 bytes,
    converted twice, is a hit of psycopg's cache the second time."""
    assert _queries.MAX_CACHED_STATEMENT_LENGTH >= LONGEST_REMEMBERED_QUERY
    query = b"SELECT %s WHERE " + b" AND ".join(b"TRUE" for _ in range(1_500))
    assert 4_096 < len(query) < LONGEST_REMEMBERED_QUERY
    _convert(query)
    hits = _queries._query2pg.cache_info().hits
    _convert(query)
    assert _queries._query2pg.cache_info().hits == hits + 1
