"""The Python client against a real timelined started by the tests (python3 -m unittest)."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

import ordertimeline as ot  # noqa: E402
from ordertimeline import errors  # noqa: E402


class Daemon:
    """A real timelined on a temporary socket and data directory."""

    def __init__(self, limits=None, data=None, scratch=None):
        self.scratch = scratch or tempfile.mkdtemp(prefix="ot-py-")
        self.socket = os.path.join(self.scratch, "t.sock")
        self.data = data or os.path.join(self.scratch, "data")
        config = {"socketPath": self.socket, "dataDirectory": self.data, "durability": "relaxed",
                  "moderationPath": os.path.join(ROOT, "config", "moderation.json")}
        if limits:
            config["limits"] = limits
        self.config = os.path.join(self.scratch, "config.json")
        with open(self.config, "w") as f:
            json.dump(config, f)
        self.process = None

    def start(self):
        binary = os.environ.get("TIMELINED_BIN", os.path.join(ROOT, ".build", "debug", "timelined"))
        self.log = open(os.path.join(self.scratch, "daemon.log"), "ab")
        self.process = subprocess.Popen([binary, "--config", self.config], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with ot.Client(self.socket, timeout=2) as c:
                    c.hello()
                return self
            except ot.ConnectionLost:
                if self.process.poll() is not None:
                    raise RuntimeError("timelined exited at start; see " + self.log.name)
                time.sleep(0.05)
        raise RuntimeError("timelined did not answer within 30 s")

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(30)
        self.log.close()

    def remove(self):
        shutil.rmtree(self.scratch, ignore_errors=True)


def placed(order, buyer, seller, event_id=None):
    return {"eventId": event_id or f"p-{uuid.uuid4()}", "type": "order.placed", "actor": {"role": "system", "id": "shop"},
            "data": {"buyer": buyer, "seller": seller, "item": {"title": "Dragon Sword", "quantity": 2},
                     "price": {"amount": 1500, "currency": "EUR"}}}


def event(type_, role, actor_id, data=None):
    return {"eventId": f"e-{uuid.uuid4()}", "type": type_, "actor": {"role": role, "id": actor_id}, "data": data or {}}


def new_order(client, paid=True):
    order = f"PY-{uuid.uuid4().hex[:8]}"
    events = [placed(order, "b-" + order, "s-" + order)]
    if paid:
        events.append(event("order.paid", "system", "payments"))
    client.append(order, events)
    return order


class ClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(limits={"maxEvidenceBytes": 4096}).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.daemon.remove()

    def setUp(self):
        self.client = ot.Client(self.daemon.socket)

    def tearDown(self):
        self.client.close()

    def test_reads_and_writes(self):
        c = self.client
        self.assertEqual(c.hello()["protocol"], 1)
        c.ping()
        order = new_order(c)
        chat = event("chat.message", "buyer", "b-" + order, {"channel": "order", "text": "when do we trade?"})
        first = c.append(order, [chat])
        again = c.append(order, [chat])
        self.assertEqual(first["events"][0]["status"], "recorded")
        self.assertEqual(again["events"][0]["status"], "duplicate")
        self.assertEqual(c.order_get(order)["state"], "paid")
        self.assertEqual(c.order_get(order, at_position=first["events"][0]["position"] - 1)["messages"]["visible"], 0)
        self.assertEqual([e["type"] for e in c.order_events_all(order, page=1)], ["order.placed", "order.paid", "chat.message"])
        self.assertEqual(c.order_events(order, direction="backward", limit=1)["events"][0]["type"], "chat.message")
        log = list(c.log_read_all(page=2))
        self.assertEqual([e["position"] for e in log], list(range(1, len(log) + 1)))
        self.assertEqual(c.log_read(limit=1)["head"], len(log))
        self.assertTrue(any(o["order"] == order for o in c.orders_list(participant="b-" + order)["orders"]))
        self.assertGreaterEqual(c.stats()["head"], len(log))
        self.assertEqual(c.participant_get("b-" + order)["ordersAsBuyer"], 1)
        put = c.evidence_put(order, f"ev-{uuid.uuid4()}", {"role": "buyer", "id": "b-" + order}, "shot.png", "image/png", b"\x89PNG fake")
        self.assertEqual(c.evidence_get(put["sha256"])["size"], 9)
        path = os.path.join(self.daemon.scratch, "file.bin")
        with open(path, "wb") as f:
            f.write(b"from a path")
        self.assertEqual(c.evidence_put(order, f"ev-{uuid.uuid4()}", {"role": "buyer", "id": "b-" + order}, "f.bin", "application/octet-stream", path)["size"], 11)
        dispute = event("dispute.opened", "buyer", "b-" + order, {"reason": "not_delivered", "requestedOutcome": "full_refund", "description": "nothing came"})
        c.append(order, [dispute])
        self.assertTrue(any(d["order"] == order for d in c.disputes_list(status="open")["disputes"]))
        head = c.stats()["head"]
        self.assertEqual(c.proof_inclusion(1)["treeSize"], head)
        self.assertEqual(c.proof_consistency(1, to_size=head)["toSize"], head)
        self.assertIn("rootHash", c.admin_checkpoint())
        self.assertGreater(c.admin_reload_moderation()["rules"], 0)
        self.assertGreaterEqual(c.admin_rebuild()["events"], head)
        backup = os.path.join(self.daemon.scratch, f"backup-{uuid.uuid4().hex[:6]}")
        self.assertEqual(c.admin_backup(backup)["path"], backup)
        self.assertEqual(c.call("ping"), {})

    def test_moderation_appeals_and_redaction(self):
        c = self.client
        order = new_order(c)
        reply = c.append(order, [event("chat.message", "buyer", "b-" + order, {"channel": "order", "text": "add me on d i s c o r d"})])
        position = reply["events"][0]["position"]
        self.assertEqual(reply["events"][0]["moderation"]["verdict"], "filtered")
        self.assertEqual(c.moderation_statement(position)["automated_decision"], "AUTOMATED_DECISION_FULLY")
        c.append(order, [event("moderation.appealed", "buyer", "b-" + order, {"position": position, "text": "a game name"})])
        self.assertTrue(any(a["position"] == position for a in c.appeals_list(status="pending")["appeals"]))
        redacted = c.admin_redact(order, [position], "GDPR Art. 17", "dpo")
        self.assertEqual(redacted["redacted"], 1)
        self.assertNotIn("data", next(e for e in c.order_events_all(order) if e["position"] == position))

    def test_every_error_class(self):
        c = self.client
        order = new_order(c)
        cases = [
            (errors.BadRequest, lambda: c.call("order.get")),
            (errors.UnknownOp, lambda: c.call("order.teleport")),
            (errors.NotFound, lambda: c.order_get("PY-none")),
            (errors.InvalidEvent, lambda: c.append(order, [event("order.teleported", "buyer", "b-" + order)])),
            (errors.IdempotencyConflict, lambda: c.append(order, [dict(event("order.cancelled", "support", "a", {"reason": "x"}), eventId=first_id)])),
            (errors.TooLarge, lambda: c.evidence_put(order, "big", {"role": "buyer", "id": "b-" + order}, "b.bin", "x/y", b"0" * 5000)),
        ]
        first_id = c.order_events(order)["events"][0]["eventId"]
        for cls, call in cases:
            with self.assertRaises(cls) as caught:
                call()
            self.assertIsInstance(caught.exception, errors.TimelineError)
            self.assertEqual(caught.exception.code, cls.code)
            self.assertTrue(caught.exception.message)
        with self.assertRaises(errors.WrongExpectedRevision) as wrong:
            c.append(order, [event("chat.message", "buyer", "b-" + order, {"channel": "order", "text": "hi"})], expected_revision=0)
        self.assertEqual((wrong.exception.expected, wrong.exception.actual), (0, 1))
        with self.assertRaises(errors.InvalidTransition) as illegal:
            c.append(order, [event("delivery.confirmed", "buyer", "b-" + order)])
        self.assertEqual(illegal.exception.state, "paid")
        self.assertTrue(illegal.exception.reason or illegal.exception.message)
        self.assertEqual(errors.from_wire({"code": "busy", "message": "m"}).retryable, True)
        self.assertEqual(errors.from_wire({"code": "shutting_down", "message": "m"}).retryable, True)
        self.assertEqual(errors.from_wire({"code": "storage_full", "message": "m"}).__class__, errors.StorageFull)
        self.assertEqual(errors.from_wire({"code": "wrong_shard", "message": "m", "shard": 3}).shard, 3)
        self.assertEqual(set(errors.ERRORS) - {"connection_lost"}, {
            "bad_request", "unknown_op", "frame_too_large", "unauthorized", "not_found", "wrong_expected_revision",
            "invalid_event", "invalid_transition", "idempotency_conflict", "too_large", "busy", "storage_full",
            "shutting_down", "internal", "wrong_shard", "subscriber_too_slow",
        })

    def test_async_pipelining_of_1000_appends(self):
        async def run():
            async with await ot.AsyncClient.connect(self.daemon.socket) as c:
                order = f"PY-{uuid.uuid4().hex[:8]}"
                await c.append(order, [placed(order, "b-" + order, "s-" + order)])
                chats = [event("chat.message", "buyer", "b-" + order, {"channel": "order", "text": f"message {i}"}) for i in range(1000)]
                started = time.monotonic()
                replies = await asyncio.gather(*(c.append(order, [chat]) for chat in chats))
                seconds = time.monotonic() - started
                positions = [r["events"][0]["position"] for r in replies]
                self.assertEqual(len(set(positions)), 1000)
                self.assertEqual((await c.order_get(order))["messages"]["visible"], 1000)
                with self.assertRaises(errors.NotFound):
                    await c.order_get("PY-none")
                return seconds
        seconds = asyncio.run(run())
        print(f"\n1000 pipelined appends in {seconds:.2f} s", file=sys.stderr)


class ResumeTests(unittest.TestCase):
    def test_subscription_resumes_across_kill_9_without_gap_or_duplicate(self):
        daemon = Daemon().start()
        try:
            with ot.Client(daemon.socket) as c:
                order = new_order(c)
                subscription = c.subscribe(from_position=1, orders=[order], reconnect_timeout=60)
                seen = [next(subscription)["position"], next(subscription)["position"]]
                c.append(order, [event("chat.message", "buyer", "b-" + order, {"channel": "order", "text": "before"})])
                seen.append(next(subscription)["position"])
            daemon.stop(signal.SIGKILL)
            restarted = Daemon(data=daemon.data, scratch=daemon.scratch).start()
            with ot.Client(restarted.socket) as c:
                texts = ["after 1", "after 2"]
                for text in texts:
                    c.append_with_retry(order, [event("chat.message", "seller", "s-" + order, {"channel": "order", "text": text})])
                for _ in texts:
                    seen.append(next(subscription)["position"])
                self.assertGreaterEqual(subscription.resumes, 1)
                expected = [e["position"] for e in c.order_events_all(order)]
            self.assertEqual(seen, expected, "every event once, in order, across the kill")
            subscription.close()
            restarted.stop()
        finally:
            daemon.remove()

    def test_subscription_resumes_after_subscriber_too_slow(self):
        daemon = Daemon(limits={"subscriberBufferEvents": 10}).start()
        try:
            with ot.Client(daemon.socket) as c:
                order = new_order(c)
                subscription = c.subscribe(orders=[order])
                for batch in range(5):
                    c.append(order, [event("chat.message", "buyer", "b-" + order, {"channel": "order", "text": f"m {batch}-{i}"}) for i in range(50)])
                got = [next(subscription)["position"] for _ in range(250)]
                expected = [e["position"] for e in c.order_events_all(order) if e["type"] == "chat.message"]
                self.assertEqual(got, expected, "no gap and no duplicate")
                self.assertGreaterEqual(subscription.resumes, 1, "the 50-event commits pass the 10-event buffer: it was cut off")
                subscription.close()
            daemon.stop()
        finally:
            daemon.remove()

    def test_append_with_retry_is_recorded_once_across_a_restart(self):
        daemon = Daemon().start()
        try:
            c = ot.Client(daemon.socket)
            order = new_order(c)
            chat = event("chat.message", "buyer", "b-" + order, {"channel": "order", "text": "sent twice"})
            c.append(order, [chat])
            daemon.stop()
            restarted = Daemon(data=daemon.data, scratch=daemon.scratch)
            restarted.start()
            reply = c.append_with_retry(order, [chat])
            self.assertEqual(reply["events"][0]["status"], "duplicate")
            self.assertEqual(sum(1 for e in c.order_events_all(order) if e["type"] == "chat.message"), 1)
            c.close()
            restarted.stop()
        finally:
            daemon.remove()


class ShardTests(unittest.TestCase):
    def test_the_shared_vectors(self):
        from ordertimeline.shard import shard_of
        with open(os.path.join(ROOT, "Tests", "Fixtures", "shard-vectors.json")) as f:
            vectors = json.load(f)["vectors"]
        self.assertGreater(len(vectors), 1000)
        for v in vectors:
            self.assertEqual(shard_of(v["order"], v["shards"]), v["shard"], v)


class VerifyTests(unittest.TestCase):
    def test_verify_export_finds_tampering(self):
        daemon = Daemon().start()
        try:
            with ot.Client(daemon.socket) as c:
                order = new_order(c)
                c.append(order, [event("chat.message", "buyer", "b-" + order, {"channel": "order", "text": "got 1 of 2"})])
                lines = [json.dumps(e, ensure_ascii=False) for e in c.log_read_all()]
            path = os.path.join(daemon.scratch, "log.jsonl")
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            self.assertEqual(ot.verify_export(path), [])
            with open(path, "w") as f:
                f.write("\n".join([lines[0], lines[1], lines[2].replace("got 1 of 2", "got 2 of 2")]) + "\n")
            self.assertEqual([f["code"] for f in ot.verify_export(path)], ["data_hash_mismatch"])
            with open(path, "w") as f:
                f.write("\n".join([lines[0], lines[2]]) + "\n")
            self.assertIn("position_gap", [f["code"] for f in ot.verify_export(path)])
            daemon.stop()
        finally:
            daemon.remove()


if __name__ == "__main__":
    unittest.main()
