"""pleegzorg.db's hold on psycopg: a long query is turned into PostgreSQL's form once."""

from psycopg import _queries
from psycopg.adapt import Transformer

from pleegzorg.db import LONGEST_REMEMBERED_QUERY, MOST_REMEMBERED_PARAMETERS


def _convert(query: bytes, params=(1,)) -> None:
    _queries.PostgresQuery(Transformer()).convert(query, list(params))


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


def test_a_compiled_page_query_of_hundreds_of_parameters_is_split_once():
    """psycopg remembers only queries of at most 50 parameters unless told otherwise: the
    fidelity figures' query (some 300 for a year), converted twice, is a hit the second time."""
    assert _queries.MAX_CACHED_STATEMENT_PARAMS >= MOST_REMEMBERED_PARAMETERS
    query = b"SELECT " + b", ".join(b"%s" for _ in range(300))
    _convert(query, range(300))
    hits = _queries._query2pg.cache_info().hits
    _convert(query, range(300, 600))
    assert _queries._query2pg.cache_info().hits == hits + 1
