"""ordertimeline: a client for timelined, the OrderTimeline daemon.

Blocking (:class:`Client`) and asyncio (:class:`AsyncClient`) clients with one method
per op of PROTOCOL.md, one exception class per error code (:mod:`ordertimeline.errors`),
subscriptions that resume by themselves, and :func:`verify_export` for auditors.
"""
from .client import AsyncClient, Client, Subscription
from .errors import (
    ERRORS, BadRequest, Busy, ConnectionLost, FrameTooLarge, IdempotencyConflict, Internal, InvalidEvent,
    InvalidTransition, NotFound, ShuttingDown, StorageFull, SubscriberTooSlow, TimelineError, TooLarge,
    Unauthorized, UnknownOp, WrongExpectedRevision, WrongShard,
)
from .audit import canonical, verify, verify_export
from .proof import problems as proof_problems
from .shard import shard_of

__all__ = [
    "AsyncClient", "Client", "Subscription", "verify", "verify_export", "proof_problems", "shard_of", "canonical", "ERRORS", "TimelineError", "BadRequest",
    "Busy", "ConnectionLost", "FrameTooLarge", "IdempotencyConflict", "Internal", "InvalidEvent", "InvalidTransition",
    "NotFound", "ShuttingDown", "StorageFull", "SubscriberTooSlow", "TooLarge", "Unauthorized", "UnknownOp",
    "WrongExpectedRevision", "WrongShard",
]
__version__ = "0.1.0"
