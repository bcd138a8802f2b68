"""``python3 -m ordertimeline`` (the README's socket walkthrough) against a real timelined."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from test_client import Daemon  # noqa: E402

SRC = os.path.abspath(os.path.join(HERE, "..", "src"))


def run(*args, stdin=""):
    env = dict(os.environ, PYTHONPATH=SRC)
    env.pop("TIMELINE_SOCKET", None)
    return subprocess.run([sys.executable, "-m", "ordertimeline", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)


class CLITests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon().start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.daemon.remove()

    def test_a_request_from_the_arguments_gets_an_id_and_its_reply_printed(self):
        r = run("--socket", self.daemon.socket, '{"op": "hello"}')
        self.assertEqual(r.returncode, 0, r)
        reply = json.loads(r.stdout)
        self.assertEqual((reply["id"], reply["ok"], reply["result"]["protocol"]), (1, True, 1))

    def test_requests_from_stdin_one_per_line_in_order(self):
        lines = '{"op": "ping"}\n\n{"id": "s", "op": "stats"}\n'
        r = run("--socket", self.daemon.socket, stdin=lines)
        self.assertEqual(r.returncode, 0, r)
        replies = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertEqual([reply["id"] for reply in replies], [1, "s"])
        self.assertIn("head", replies[1]["result"])

    def test_a_refusal_exits_1_with_the_daemons_error(self):
        r = run("--socket", self.daemon.socket, '{"op": "order.get", "order": "NOPE"}')
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "not_found")

    def test_bad_usage_and_an_unreachable_daemon(self):
        r = run("--socket", self.daemon.socket, "not json")
        self.assertEqual(r.returncode, 64, r)
        self.assertIn("not a JSON object", r.stderr)
        r = run("--socket", self.daemon.socket, "[1, 2]")
        self.assertEqual(r.returncode, 64, r)
        r = run("--socket", os.path.join(self.daemon.scratch, "none.sock"), '{"op": "hello"}')
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("cannot reach timelined", r.stderr)


if __name__ == "__main__":
    unittest.main()
