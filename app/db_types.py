"""Column types shared by every stage."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A point in time, stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so naive values there are UTC by construction; PostgreSQL keeps
    timestamptz. Naive datetimes are refused on the way in: a time without a zone is a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def value_enum(enum_class, length: int = 20) -> Enum:
    """Store an enum by its value in a plain string column: no database enum type to migrate."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


# The largest id an INTEGER primary key holds on PostgreSQL (and the most any table will reach).
MAX_ROW_ID = 2**31 - 1


def is_row_id(value) -> bool:
    """A value that can be looked up as a primary key: an int in range (never a bool), so that a
    signed token or a URL carrying a huge number is "not found", not a database error."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID
