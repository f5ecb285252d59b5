from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC now: SQLite keeps no time zone, so every stored time is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
