"""Data history for bulk writes: the same pghistory events, written set-based.

pghistory records each insert and update by a row trigger. That is right for the one-by-one
writes of pages, the API and services, but not for an import of a million rows: the trigger
function opens a subtransaction per row (its ``EXCEPTION`` blocks), and past 64 subtransactions
PostgreSQL's visibility checks slow down for the whole transaction (measured here: 200,000
inserted rows did not finish in 15 minutes). Models written in bulk are tracked with
``track_bulk_aware``: their triggers carry a ``WHEN`` condition that skips them while the
transaction-local setting ``laowu.bulk_history`` is ``on``, and the bulk writer then records the
very same events (same event table, same columns, label ``insert`` or ``update``, one context row
with who/where) with one ``INSERT ... SELECT`` per statement (``bulk_history_record``).
Nothing else changes: outside ``bulk_history`` blocks every write is recorded by the triggers.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pghistory
import pgtrigger
from django.db import connection
from django.db.models import Model

SETTING = "laowu.bulk_history"
# Cheap: evaluated in the trigger's WHEN clause, no function call into PL/pgSQL per row.
NOT_BULK_SQL = f"current_setting('{SETTING}', true) IS DISTINCT FROM 'on'"


class _NotBulk(pgtrigger.Condition):
    sql = f"({NOT_BULK_SQL})"


class _AnyChangeNotBulk(pgtrigger.AnyChange):
    """pghistory's default update condition (any tracked field changed), outside bulk blocks."""

    def resolve(self, model: type[Model]) -> str:
        return f"(({super().resolve(model)}) AND {NOT_BULK_SQL})"


def track_bulk_aware(**kwargs: Any) -> Any:
    """``pghistory.track`` with insert and update events that bulk writers record themselves."""
    return pghistory.track(
        pghistory.InsertEvent(condition=_NotBulk()),
        pghistory.UpdateEvent(condition=_AnyChangeNotBulk()),
        **kwargs,
    )


def _event_model(model: type[Model]) -> Any:
    return model.pgh_event_model  # type: ignore[attr-defined]


def event_table(model: type[Model]) -> str:
    """The table of ``model``'s history events."""
    return str(_event_model(model)._meta.db_table)


def _tracked_columns(model: type[Model]) -> list[str]:
    event_model = _event_model(model)
    return [
        f.column for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_") and f.column is not None
    ]


def bulk_history_start(cursor: Any, *, metadata: dict[str, Any]) -> str:
    """Inside the current transaction: switch the row triggers off, create one context row with
    ``metadata`` (who, where, source) and return its id for ``bulk_write``."""
    if not connection.in_atomic_block:
        raise RuntimeError("bulk history needs a transaction")
    context_id = str(uuid.uuid4())
    cursor.execute(
        "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) VALUES (%s, %s, now(), now())",
        [context_id, json.dumps(metadata, ensure_ascii=False)],
    )
    cursor.execute("SELECT set_config(%s, 'on', true)", [SETTING])
    return context_id


def bulk_history_stop(cursor: Any) -> None:
    """Row triggers on again (a rolled-back transaction resets the setting by itself)."""
    cursor.execute("SELECT set_config(%s, 'off', true)", [SETTING])


@contextlib.contextmanager
def bulk_history(cursor: Any, *, metadata: dict[str, Any]) -> Iterator[str]:
    """``bulk_history_start`` … ``bulk_history_stop`` as a block."""
    context_id = bulk_history_start(cursor, metadata=metadata)
    yield context_id
    bulk_history_stop(cursor)


def bulk_write(
    cursor: Any, model: type[Model], *, label: str, context_id: str, sql: str, params: Sequence[Any] = ()
) -> int:
    """Run one INSERT or UPDATE on ``model``'s table that ends in ``RETURNING t.*`` and record a
    ``label`` event (``insert`` / ``update``) for every row it wrote, exactly as the row trigger
    would have (the new row's tracked columns, this context). Returns the number of rows written."""
    columns = _tracked_columns(model)
    column_list = ", ".join(f'"{c}"' for c in columns)
    source_list = ", ".join(f'w."{c}"' for c in columns)
    event_table = _event_model(model)._meta.db_table
    cursor.execute(
        f"WITH w AS ({sql}) "
        f'INSERT INTO "{event_table}" ({column_list}, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id) '
        f"SELECT {source_list}, now(), %s, w.id, %s FROM w",
        [*params, label, context_id],
    )
    return int(cursor.rowcount)


def bulk_record_inserted(cursor: Any, model: type[Model], *, context_id: str, first_id: int, last_id: int) -> int:
    """Record an ``insert`` event, as the row trigger would have, for each row of ``model``'s
    table with an id from ``first_id`` to ``last_id``: rows a bulk writer has just put there by
    COPY (which has no RETURNING). Returns the number of events."""
    columns = _tracked_columns(model)
    column_list = ", ".join(f'"{c}"' for c in columns)
    event_table = _event_model(model)._meta.db_table
    cursor.execute(
        f'INSERT INTO "{event_table}" ({column_list}, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id) '
        f'SELECT {column_list}, now(), %s, id, %s FROM "{model._meta.db_table}" WHERE id BETWEEN %s AND %s',
        ["insert", context_id, first_id, last_id],
    )
    return int(cursor.rowcount)
