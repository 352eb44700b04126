"""The one query helper: bound parameters in, rows out, the cursor always closed."""

from __future__ import annotations

import pytest

from evaluation.store import query
from evaluation.store.connection import Store


def test_each_shape_of_result(store: Store) -> None:
    sql = "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(n, s) WHERE n >= ? ORDER BY n"
    assert query.rows(store, sql, [2]) == [(2, "b"), (3, "c")]
    assert query.dicts(store, sql, [3]) == [{"n": 3, "s": "c"}]
    assert query.one(store, "SELECT count(*), max(n) FROM (VALUES (1), (5)) t(n)") == (2, 5)
    assert query.scalar(store, "SELECT ?::INTEGER + 1", [41]) == 42
    assert query.column(store, sql, [1]) == [1, 2, 3]
    assert query.dicts(store, "SELECT $x AS x", {"x": "named"}) == [{"x": "named"}]


def test_a_value_is_never_pasted_into_the_sql(store: Store) -> None:
    hostile = "x'; DROP TABLE conversations; --"
    assert query.scalar(store, "SELECT ?", [hostile]) == hostile
    assert query.scalar(store, "SELECT count(*) FROM conversations") == 0


def test_the_cursor_is_closed_even_when_the_query_fails(store: Store) -> None:
    with query.cursor(store) as cur:
        pass
    with pytest.raises(Exception, match="closed"):
        cur.execute("SELECT 1")
    with pytest.raises(Exception, match="no_such_table"):
        query.rows(store, "SELECT * FROM no_such_table")
