"""One exception class per error code of PROTOCOL.md, all under TimelineError."""
from __future__ import annotations

from typing import Any, Dict, Optional, Type


class TimelineError(Exception):
    """A refusal from the daemon: `code` (stable), `message` (a sentence), `details`."""

    code = "internal"
    #: Safe to send again as is (the daemon wrote nothing and may take it later).
    retryable = False

    def __init__(self, message: str, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Dict[str, Any] = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class BadRequest(TimelineError):
    code = "bad_request"


class UnknownOp(TimelineError):
    code = "unknown_op"


class FrameTooLarge(TimelineError):
    code = "frame_too_large"


class Unauthorized(TimelineError):
    code = "unauthorized"


class NotFound(TimelineError):
    code = "not_found"


class WrongExpectedRevision(TimelineError):
    code = "wrong_expected_revision"

    @property
    def expected(self) -> Optional[int]:
        return self.details.get("expectedRevision")

    @property
    def actual(self) -> Optional[int]:
        return self.details.get("actualRevision")


class InvalidEvent(TimelineError):
    code = "invalid_event"

    @property
    def index(self) -> Optional[int]:
        return self.details.get("index")


class InvalidTransition(TimelineError):
    code = "invalid_transition"

    @property
    def index(self) -> Optional[int]:
        return self.details.get("index")

    @property
    def state(self) -> Optional[str]:
        return self.details.get("state")

    @property
    def reason(self) -> Optional[str]:
        return self.details.get("reason")


class IdempotencyConflict(TimelineError):
    code = "idempotency_conflict"


class TooLarge(TimelineError):
    code = "too_large"

    @property
    def limit(self) -> Optional[int]:
        return self.details.get("limit")


class Busy(TimelineError):
    code = "busy"
    retryable = True


class StorageFull(TimelineError):
    code = "storage_full"


class ShuttingDown(TimelineError):
    code = "shutting_down"
    retryable = True


class Internal(TimelineError):
    code = "internal"


class WrongShard(TimelineError):
    code = "wrong_shard"

    @property
    def shard(self) -> Any:
        return self.details.get("shard")


class SubscriberTooSlow(TimelineError):
    code = "subscriber_too_slow"
    retryable = True


class ConnectionLost(TimelineError):
    """The daemon could not be reached or hung up (not a daemon error code)."""

    code = "connection_lost"
    retryable = True


ERRORS: Dict[str, Type[TimelineError]] = {
    cls.code: cls
    for cls in (
        BadRequest, UnknownOp, FrameTooLarge, Unauthorized, NotFound, WrongExpectedRevision, InvalidEvent,
        InvalidTransition, IdempotencyConflict, TooLarge, Busy, StorageFull, ShuttingDown, Internal, WrongShard,
        SubscriberTooSlow, ConnectionLost,
    )
}


def from_wire(error: Dict[str, Any]) -> TimelineError:
    """The exception for an `error` object of a reply or a push."""
    code = str(error.get("code", "internal"))
    details = {k: v for k, v in error.items() if k not in ("code", "message")}
    cls = ERRORS.get(code)
    if cls is None:
        exc = TimelineError(str(error.get("message", "")), details)
        exc.code = code
        return exc
    return cls(str(error.get("message", "")), details)
