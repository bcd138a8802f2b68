"""Blocking and asyncio clients for timelined (PROTOCOL.md: one JSON object per line).

Both clients share one definition of the ops (``_Ops``): each method builds the
request's parameters and hands them to ``_call``, which the blocking client
answers with the result and the asyncio client with an awaitable.
"""
from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import socket
import time
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Optional, Sequence, Union

from .errors import Busy, ConnectionLost, ShuttingDown, SubscriberTooSlow, TimelineError, from_wire

JSON = Dict[str, Any]


def _drop_none(params: JSON) -> JSON:
    return {k: v for k, v in params.items() if v is not None}


def _encode(request: JSON) -> bytes:
    return json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _result(reply: JSON) -> JSON:
    if reply.get("ok"):
        return reply.get("result", {})
    raise from_wire(reply.get("error") or {})


class _Ops:
    """Every op of PROTOCOL.md, once, with keyword arguments."""

    def _call(self, op: str, params: Optional[JSON] = None) -> Any:
        raise NotImplementedError

    def hello(self) -> Any:
        return self._call("hello")

    def ping(self) -> Any:
        return self._call("ping")

    def append(self, order: str, events: Sequence[JSON], expected_revision: Optional[int] = None) -> Any:
        return self._call("append", _drop_none({"order": order, "events": list(events), "expectedRevision": expected_revision}))

    def evidence_put(
        self, order: str, event_id: str, actor: JSON, filename: str, media_type: str,
        content: Union[bytes, str, "os.PathLike[str]"], channel: str = "order", description: Optional[str] = None,
    ) -> Any:
        """`content` is the file's bytes, or a path to read them from."""
        if isinstance(content, (bytes, bytearray)):
            data = bytes(content)
        else:
            with open(content, "rb") as file:
                data = file.read()
        return self._call("evidence.put", _drop_none({
            "order": order, "eventId": event_id, "actor": actor, "filename": filename, "mediaType": media_type,
            "channel": channel, "description": description, "contentBase64": base64.b64encode(data).decode("ascii"),
        }))

    def evidence_get(self, sha256: str) -> Any:
        return self._call("evidence.get", {"sha256": sha256})

    def order_get(self, order: str, at_position: Optional[int] = None) -> Any:
        return self._call("order.get", _drop_none({"order": order, "atPosition": at_position}))

    def order_events(self, order: str, from_revision: Optional[int] = None, limit: Optional[int] = None, direction: Optional[str] = None) -> Any:
        return self._call("order.events", _drop_none({"order": order, "fromRevision": from_revision, "limit": limit, "direction": direction}))

    def log_read(self, from_position: Optional[int] = None, limit: Optional[int] = None) -> Any:
        return self._call("log.read", _drop_none({"fromPosition": from_position, "limit": limit}))

    def orders_list(self, participant: Optional[str] = None, state: Optional[str] = None, limit: Optional[int] = None, after: Optional[str] = None) -> Any:
        return self._call("orders.list", _drop_none({"participant": participant, "state": state, "limit": limit, "after": after}))

    def disputes_list(self, status: Optional[str] = None, limit: Optional[int] = None) -> Any:
        return self._call("disputes.list", _drop_none({"status": status, "limit": limit}))

    def participant_get(self, participant: str) -> Any:
        return self._call("participant.get", {"participant": participant})

    def stats(self) -> Any:
        return self._call("stats")

    def proof_inclusion(self, position: int, tree_size: Optional[int] = None) -> Any:
        return self._call("proof.inclusion", _drop_none({"position": position, "treeSize": tree_size}))

    def proof_consistency(self, from_size: int, to_size: Optional[int] = None) -> Any:
        return self._call("proof.consistency", _drop_none({"fromSize": from_size, "toSize": to_size}))

    def moderation_statement(self, position: int) -> Any:
        return self._call("moderation.statement", {"position": position})

    def appeals_list(self, status: Optional[str] = None, limit: Optional[int] = None) -> Any:
        return self._call("appeals.list", _drop_none({"status": status, "limit": limit}))

    def admin_rebuild(self) -> Any:
        return self._call("admin.rebuild")

    def admin_reload_moderation(self) -> Any:
        return self._call("admin.reloadModeration")

    def admin_backup(self, path: str) -> Any:
        return self._call("admin.backup", {"path": os.path.abspath(path)})

    def admin_checkpoint(self) -> Any:
        return self._call("admin.checkpoint")

    def admin_redact(self, order: str, positions: Sequence[int], reason: str, requested_by: str) -> Any:
        return self._call("admin.redact", {"order": order, "positions": list(positions), "reason": reason, "requestedBy": requested_by})



def connect_unix(path: str, timeout: Optional[float]) -> socket.socket:
    """A connected Unix stream socket to the daemon at `path`; raises ConnectionLost with the OS reason."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except OSError as error:
        sock.close()
        raise ConnectionLost(f"cannot connect to {path}: {error}") from error
    return sock

class Client(_Ops):
    """A blocking client on one connection. Not for use from several threads at once.

    >>> with Client("var/timelined.sock") as c:
    ...     c.append("A-1", [{"eventId": "e1", "type": "order.placed", ...}])
    """

    def __init__(self, socket_path: str, timeout: Optional[float] = 60.0) -> None:
        self.socket_path = socket_path
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._sock: Optional[socket.socket] = None
        self._file: Any = None
        self._connect()

    def _connect(self) -> None:
        self.close()
        sock = connect_unix(self.socket_path, self.timeout)
        self._sock, self._file = sock, sock.makefile("rb")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._sock is not None:
            self._sock.close()
        self._sock = self._file = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _call(self, op: str, params: Optional[JSON] = None) -> JSON:
        if self._sock is None:
            self._connect()
        request_id = next(self._ids)
        try:
            assert self._sock is not None
            self._sock.sendall(_encode({"id": request_id, "op": op, **(params or {})}))
            while True:
                line = self._file.readline()
                if not line:
                    raise ConnectionLost("the daemon closed the connection")
                reply = json.loads(line)
                if reply.get("id") == request_id or ("ok" in reply and reply.get("id") is None):
                    return _result(reply)
        except (OSError, ValueError) as error:
            self.close()
            raise ConnectionLost(f"the connection to {self.socket_path} failed: {error}") from error
        except ConnectionLost:
            self.close()
            raise

    def call(self, op: str, **params: Any) -> JSON:
        """Any op by its wire name, with its wire parameter names."""
        return self._call(op, params)

    def order_events_all(self, order: str, page: int = 1000) -> Iterator[JSON]:
        """Every event of `order`, oldest first, across pages."""
        revision: Optional[int] = 0
        while revision is not None:
            reply = self.order_events(order, from_revision=revision, limit=page)
            yield from reply["events"]
            revision = reply.get("next")

    def log_read_all(self, from_position: int = 1, page: int = 1000) -> Iterator[JSON]:
        """Every recorded event from `from_position` to the head."""
        position: Optional[int] = from_position
        while position is not None:
            reply = self.log_read(from_position=position, limit=page)
            yield from reply["events"]
            position = reply.get("next")

    def append_with_retry(
        self, order: str, events: Sequence[JSON], expected_revision: Optional[int] = None, timeout: float = 60.0,
    ) -> JSON:
        """`append`, sent again (same eventIds, so at most once recorded) while the
        daemon is unreachable, restarting, or busy, for up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            try:
                return self.append(order, events, expected_revision)
            except (ConnectionLost, Busy, ShuttingDown):
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def subscribe(
        self, from_position: Optional[int] = None, orders: Optional[Sequence[str]] = None, types: Optional[Sequence[str]] = None,
        reconnect_timeout: float = 60.0,
    ) -> "Subscription":
        """Recorded events as they are appended (history first from `from_position`), on a
        connection of their own that resumes after `subscriber_too_slow` or a restart."""
        return Subscription(self.socket_path, from_position, orders, types, reconnect_timeout, self.timeout)


class Subscription:
    """An iterator of recorded events with no gap and no duplicate: after a cut-off or
    a lost connection it subscribes again from the last position it gave + 1."""

    def __init__(
        self, socket_path: str, from_position: Optional[int], orders: Optional[Sequence[str]], types: Optional[Sequence[str]],
        reconnect_timeout: float, timeout: Optional[float],
    ) -> None:
        self.socket_path, self.orders, self.types = socket_path, orders, types
        self.reconnect_timeout, self.timeout = reconnect_timeout, timeout
        self.next_position = from_position
        self.resumes = 0
        self._conn: Optional[socket.socket] = None
        self._file: Any = None
        self._id: Optional[str] = None
        self._open()

    def _open(self) -> None:
        deadline = time.monotonic() + self.reconnect_timeout
        delay = 0.05
        while True:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(self.socket_path)
                file = sock.makefile("rb")
                params = _drop_none({"fromPosition": self.next_position, "orders": self.orders and list(self.orders),
                                     "types": self.types and list(self.types)})
                sock.sendall(_encode({"id": 1, "op": "subscribe", **params}))
                while True:
                    line = file.readline()
                    if not line:
                        raise ConnectionLost("the daemon closed the connection")
                    reply = json.loads(line)
                    if reply.get("id") == 1:
                        result = _result(reply)
                        break
                self._conn, self._file, self._id = sock, file, result["subscription"]
                if self.next_position is None:
                    self.next_position = int(result["head"]) + 1
                return
            except (OSError, ValueError, ConnectionLost, ShuttingDown, Busy) as error:
                if time.monotonic() + delay > deadline:
                    raise ConnectionLost(f"cannot subscribe at {self.socket_path}: {error}") from error
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._conn is not None:
            self._conn.close()
        self._conn = self._file = None

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self) -> JSON:
        while True:
            if self._conn is None:
                self.resumes += 1
                self._open()
            try:
                line = self._file.readline()
            except OSError:
                line = b""
            if not line:
                self.close()
                continue
            push = json.loads(line)
            if push.get("subscription") != self._id:
                continue
            if "error" in push:
                error = from_wire(push["error"])
                self.close()
                if isinstance(error, (SubscriberTooSlow, ShuttingDown)):
                    continue
                raise error
            event = push["event"]
            if self.next_position is not None and event["position"] < self.next_position:
                continue  # already given (a resume never repeats an event)
            self.next_position = event["position"] + 1
            return event


class AsyncClient(_Ops):
    """An asyncio client on one connection; calls may be pipelined (many in flight).

    >>> c = await AsyncClient.connect("var/timelined.sock")
    >>> replies = await asyncio.gather(*(c.append(o, evs) for o, evs in batches))
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, socket_path: str) -> None:
        self.socket_path = socket_path
        self._reader, self._writer = reader, writer
        self._ids = itertools.count(1)
        self._waiting: Dict[int, "asyncio.Future[JSON]"] = {}
        self._pushes: Dict[str, "asyncio.Queue[JSON]"] = {}
        self._reading = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, socket_path: str) -> "AsyncClient":
        try:
            reader, writer = await asyncio.open_unix_connection(socket_path, limit=1 << 26)
        except OSError as error:
            raise ConnectionLost(f"cannot connect to {socket_path}: {error}") from error
        return cls(reader, writer, socket_path)

    async def close(self) -> None:
        self._reading.cancel()
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except OSError:
            pass

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def _read(self) -> None:
        failure: TimelineError = ConnectionLost("the daemon closed the connection")
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                message = json.loads(line)
                if "subscription" in message and "ok" not in message:
                    queue = self._pushes.get(message["subscription"])
                    if queue is not None:
                        queue.put_nowait(message)
                    continue
                future = self._waiting.pop(message.get("id"), None)
                if future is not None and not future.done():
                    future.set_result(message)
        except (OSError, ValueError) as error:
            failure = ConnectionLost(f"the connection failed: {error}")
        finally:
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(failure)
            self._waiting.clear()
            for queue in self._pushes.values():
                queue.put_nowait({"error": {"code": "connection_lost", "message": str(failure)}})

    async def _send(self, op: str, params: Optional[JSON]) -> JSON:
        request_id = next(self._ids)
        future: "asyncio.Future[JSON]" = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        try:
            self._writer.write(_encode({"id": request_id, "op": op, **(params or {})}))
            await self._writer.drain()
        except OSError as error:
            self._waiting.pop(request_id, None)
            raise ConnectionLost(f"the connection failed: {error}") from error
        return await future

    async def _call_async(self, op: str, params: Optional[JSON]) -> JSON:
        return _result(await self._send(op, params))

    def _call(self, op: str, params: Optional[JSON] = None) -> Any:
        return self._call_async(op, params)

    async def call(self, op: str, **params: Any) -> JSON:
        """Any op by its wire name, with its wire parameter names."""
        return await self._call_async(op, params)

    async def subscribe(
        self, from_position: Optional[int] = None, orders: Optional[Sequence[str]] = None, types: Optional[Sequence[str]] = None,
        reconnect_timeout: float = 60.0,
    ) -> AsyncIterator[JSON]:
        """An async iterator of recorded events, on a connection of its own, that resumes
        after `subscriber_too_slow` or a restart with no gap and no duplicate."""
        next_position = from_position
        deadline_for: Callable[[], float] = lambda: time.monotonic() + reconnect_timeout
        while True:
            deadline, delay = deadline_for(), 0.05
            while True:
                try:
                    conn = await AsyncClient.connect(self.socket_path)
                    params = _drop_none({"fromPosition": next_position, "orders": orders and list(orders), "types": types and list(types)})
                    reply = await conn._send("subscribe", params)
                    result = _result(reply)
                    break
                except (ConnectionLost, ShuttingDown, Busy):
                    if time.monotonic() + delay > deadline:
                        raise
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 1.0)
            queue: "asyncio.Queue[JSON]" = asyncio.Queue()
            conn._pushes[result["subscription"]] = queue
            if next_position is None:
                next_position = int(result["head"]) + 1
            try:
                while True:
                    push = await queue.get()
                    if "error" in push:
                        error = from_wire(push["error"])
                        if isinstance(error, (SubscriberTooSlow, ShuttingDown, ConnectionLost)) or error.code == "connection_lost":
                            break
                        raise error
                    event = push["event"]
                    if event["position"] < next_position:
                        continue
                    next_position = event["position"] + 1
                    yield event
            finally:
                await conn.close()


def stable_json(value: Any) -> str:
    """JSON with sorted keys, for logging and comparing replies."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


__all__: List[str] = ["Client", "AsyncClient", "Subscription", "stable_json"]
