"""One row mapper for every table: a result row becomes a dataclass by its field names.

The repositories return SQLAlchemy rows; the services turn them into their domain
dataclasses with :func:`to`. The store never imports those classes (dependencies
point from services to store), so the class is an argument, and a field that is not
a column as such (``has_audio``, a copied ``details`` dict) is passed as an override.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from sqlalchemy import Row

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

AnyRow: TypeAlias = Row[*tuple[Any, ...]]
"""A result row of any columns: what the repositories return."""


def to(cls: type[T], row: AnyRow | Mapping[str, Any], **overrides: Any) -> T:
    """``cls`` with each field taken from ``overrides`` or else from the row's column
    of the same name. Columns without a field are ignored; a field that is neither
    a column nor an override raises ``KeyError`` naming it."""
    columns = row._mapping if isinstance(row, Row) else row
    return cls(
        **{
            name: overrides[name] if name in overrides else columns[name]
            for name in _field_names(cls)
        }
    )


@cache
def _field_names(cls: type[DataclassInstance]) -> tuple[str, ...]:
    # Cached: listings map thousands of rows of one class.
    return tuple(f.name for f in fields(cls) if f.init)
