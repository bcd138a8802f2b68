"""``python3 -m ordertimeline``: send requests to timelined and print its replies.

Each request is one JSON object, given as an argument or, with none, read from
standard input one per line. A request without ``id`` gets one (1, 2, …). Every
reply is printed as the daemon sent it, one line each. Standard library only::

    PYTHONPATH=clients/python/src python3 -m ordertimeline '{"op": "hello"}'
    echo '{"id": 1, "op": "stats"}' | python3 -m ordertimeline --socket var/timelined.sock

Exit codes: 0 every reply was ``ok``, 1 the daemon refused one (its error is in the
reply), 2 the daemon could not be reached or hung up, 64 bad usage.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, Iterable, List, Optional

from .client import connect_unix
from .errors import ConnectionLost


def _requests(arguments: List[str], stdin: Iterable[str]) -> Iterable[str]:
    if arguments:
        yield from arguments
        return
    for line in stdin:
        if line.strip():
            yield line


def _parse(text: str, next_id: int) -> Dict[str, Any]:
    request = json.loads(text)
    if not isinstance(request, dict):
        raise ValueError("a request is a JSON object, such as {\"op\": \"hello\"}")
    request.setdefault("id", next_id)
    return request


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m ordertimeline",
        description="Sends JSON requests (arguments, else standard input, one per line) to timelined and prints each reply line.",
    )
    parser.add_argument("requests", nargs="*", metavar="REQUEST", help='a JSON object, e.g. \'{"op": "hello"}\'')
    parser.add_argument("--socket", default=os.environ.get("TIMELINE_SOCKET") or "var/timelined.sock",
                        help="the daemon's Unix socket (default: $TIMELINE_SOCKET, else var/timelined.sock)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a reply (default 60)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 64

    try:
        sock = connect_unix(args.socket, args.timeout)
    except ConnectionLost as error:
        print(f"ordertimeline: cannot reach timelined at {args.socket} ({error.__cause__}): is it running? Pass --socket PATH", file=sys.stderr)
        return 2
    status = 0
    with sock, sock.makefile("rb") as replies:
        for number, text in enumerate(_requests(args.requests, sys.stdin), start=1):
            try:
                request = _parse(text, number)
            except ValueError as error:
                print(f"ordertimeline: request {number} is not a JSON object: {error}", file=sys.stderr)
                return 64
            try:
                sock.sendall(json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
                while True:
                    line = replies.readline()
                    if not line:
                        print("ordertimeline: timelined closed the connection before replying", file=sys.stderr)
                        return 2
                    reply = json.loads(line)
                    # Skip pushes (a subscription's events); `"id": null` answers an unreadable frame.
                    if "ok" in reply and reply.get("id") in (request["id"], None):
                        break
            except (OSError, ValueError) as error:
                print(f"ordertimeline: the connection to {args.socket} failed: {error}", file=sys.stderr)
                return 2
            print(line.decode("utf-8").rstrip("\n"), flush=True)
            if not reply.get("ok"):
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
