#!/usr/bin/env python3
"""Latency of proof.inclusion / proof.consistency on a running timelined.

    python3 scripts/proof_latency.py SOCKET [--requests N]

Asks for N inclusion proofs of random positions and N consistency proofs of random
sizes, one request at a time, and prints p50/p99/max in microseconds. Every reply is
checked for the fields PROTOCOL.md names. Standard library only.
"""
import argparse
import json
import random
import socket
import time


def call(sock, reader, request):
    sock.sendall((json.dumps(request) + "\n").encode())
    line = reader.readline()
    reply = json.loads(line)
    if not reply.get("ok"):
        raise SystemExit(f"{request['op']} failed: {reply.get('error')}")
    return reply["result"]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("--requests", type=int, default=10000)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(args.socket)
    reader = sock.makefile("r")
    head = call(sock, reader, {"id": 0, "op": "stats"})["head"]
    rng = random.Random(7)
    for op, params in (("proof.inclusion", lambda: {"position": rng.randint(1, head)}),
                       ("proof.consistency", lambda: {"fromSize": rng.randint(1, head)})):
        micros = []
        lengths = []
        for i in range(args.requests):
            started = time.perf_counter()
            result = call(sock, reader, dict({"id": i + 1, "op": op}, **params()))
            micros.append((time.perf_counter() - started) * 1e6)
            lengths.append(len(result["proof"]))
        print(f"{op}: head {head}, {args.requests} requests, p50 {percentile(micros, 0.5):.0f} µs, "
              f"p99 {percentile(micros, 0.99):.0f} µs, max {max(micros):.0f} µs, proof length {min(lengths)}-{max(lengths)}")


if __name__ == "__main__":
    main()
