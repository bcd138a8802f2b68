#!/usr/bin/env python3
"""Crash test: kill -9 the daemon under load and prove no acknowledged event is lost.

Each round: start timelined on a fresh data directory, run writer threads that record
every acknowledged append, kill -9 the daemon at a random moment (or during
admin.rebuild / admin.backup), restart it on the same data, and check that every
acknowledged event is present exactly once at its acknowledged position, positions
and per-order revisions are contiguous, and `timeline-audit verify` is clean.
Prints 'N passed, N failed' and exits non-zero when a round failed.
"""
import argparse, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, threading, time

def connect(path, timeout=10.0):
    deadline = time.time() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.02)

class Conn:
    def __init__(self, path):
        self.sock = connect(path)
        self.file = self.sock.makefile("rwb")
        self.next_id = 0
    def call(self, op, **params):
        self.next_id += 1
        params.update(id=self.next_id, op=op)
        self.file.write((json.dumps(params) + "\n").encode())
        self.file.flush()
        line = self.file.readline()
        if not line:
            raise ConnectionError("closed")
        return json.loads(line)
    def close(self):
        try: self.sock.close()
        except OSError: pass

def start_daemon(binary, workdir, durability):
    config = os.path.join(workdir, "timelined.json")
    with open(config, "w") as f:
        json.dump({"socketPath": os.path.join(workdir, "s.sock"), "dataDirectory": os.path.join(workdir, "data"),
                   "durability": durability, "logLevel": "warning",
                   "store": {"initialMapSizeBytes": 1048576, "mapGrowthBytes": 4194304}}, f)
    log = open(os.path.join(workdir, "daemon.log"), "ab")
    proc = subprocess.Popen([binary, "--config", config], stdout=log, stderr=log)
    c = Conn(os.path.join(workdir, "s.sock")); c.call("hello"); c.close()
    return proc

BUYER, SELLER = {"role": "buyer", "id": "b1"}, {"role": "seller", "id": "s1"}

def place_orders(path, orders):
    c = Conn(path)
    for i in range(orders):
        r = c.call("append", order=f"C-{i}", events=[
            {"eventId": f"open-{i}", "type": "order.placed", "actor": BUYER,
             "data": {"buyer": "b1", "seller": "s1", "item": {"title": "gold", "quantity": 1},
                      "price": {"amount": 100, "currency": "EUR"}}}])
        assert r["ok"], r
    c.close()

def writer(path, orders, tag, acks, lock, stop):
    try:
        c = Conn(path)
    except OSError:
        return
    n = 0
    while not stop.is_set():
        n += 1
        order = f"C-{random.randrange(orders)}"
        batch = random.randint(1, 3)
        events = [{"eventId": f"{tag}-{n}-{k}", "type": "chat.message", "actor": random.choice([BUYER, SELLER]),
                   "data": {"channel": "order", "text": f"message {n}.{k}"}} for k in range(batch)]
        try:
            r = c.call("append", order=order, events=events)
        except (OSError, ConnectionError, ValueError):
            return
        if r.get("ok"):
            with lock:
                for e in r["result"]["events"]:
                    acks[e["eventId"]] = (order, e["position"], e["revision"])

def read_log(path):
    c = Conn(path)
    events, pos = [], 1
    while True:
        r = c.call("log.read", fromPosition=pos, limit=10000)
        assert r["ok"], r
        events += r["result"]["events"]
        if r["result"]["next"] is None:
            break
        pos = r["result"]["next"]
    c.close()
    return events

def check(path, acks, audit, data):
    problems = []
    events = read_log(path)
    for i, e in enumerate(events, start=1):
        if e["position"] != i:
            problems.append(f"position {e['position']} where {i} was expected"); break
    seen, revisions = {}, {}
    for e in events:
        if e["eventId"] in seen:
            problems.append(f"eventId {e['eventId']} recorded twice")
        seen[e["eventId"]] = e
        expected = revisions.get(e["order"], -1) + 1
        if e["revision"] != expected:
            problems.append(f"order {e['order']} revision {e['revision']} where {expected} was expected")
        revisions[e["order"]] = e["revision"]
    for event_id, (order, position, revision) in acks.items():
        e = seen.get(event_id)
        if e is None:
            problems.append(f"acknowledged {event_id} (position {position}) is missing")
        elif (e["order"], e["position"], e["revision"]) != (order, position, revision):
            problems.append(f"acknowledged {event_id} moved")
    if audit and os.path.exists(audit):
        r = subprocess.run([audit, "verify", "--data", data], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"timeline-audit verify exited {r.returncode}: {r.stdout[-500:]} {r.stderr[-300:]}")
    return problems, len(events)

def round_(binary, audit, mode, durability, writers, orders):
    workdir = tempfile.mkdtemp(prefix="crash-")
    path = os.path.join(workdir, "s.sock")
    try:
        proc = start_daemon(binary, workdir, durability)
        place_orders(path, orders)
        acks, lock, stop = {}, threading.Lock(), threading.Event()
        threads = [threading.Thread(target=writer, args=(path, orders, f"w{t}", acks, lock, stop)) for t in range(writers)]
        for t in threads: t.start()
        time.sleep(random.uniform(0.3, 1.5))
        if mode in ("rebuild", "backup"):
            admin = Conn(path)
            op = {"rebuild": ("admin.rebuild", {}), "backup": ("admin.backup", {"path": os.path.join(workdir, "backup")})}[mode]
            admin.file.write((json.dumps(dict(id=1, op=op[0], **op[1])) + "\n").encode()); admin.file.flush()
            time.sleep(random.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads: t.join()
        proc = start_daemon(binary, workdir, durability)
        try:
            problems, count = check(path, acks, audit, os.path.join(workdir, "data"))
        finally:
            proc.send_signal(signal.SIGTERM); proc.wait(timeout=30)
        return problems, len(acks), count
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--binary", default=".build/debug/timelined")
    p.add_argument("--audit", default=".build/debug/timeline-audit")
    p.add_argument("--durability", default="strict")
    p.add_argument("--writers", type=int, default=8)
    p.add_argument("--orders", type=int, default=20)
    a = p.parse_args()
    passed = failed = 0
    # Every tenth round kills during admin.rebuild, the next during admin.backup;
    # a short run (fewer than ten rounds, as CI's) still covers all three.
    cycle = ["load"] * 8 + ["rebuild", "backup"] if a.rounds >= 10 else ["load", "rebuild", "backup"]
    for i in range(a.rounds):
        mode = cycle[i % len(cycle)]
        problems, acked, stored = round_(a.binary, a.audit, mode, a.durability, a.writers, a.orders)
        status = "ok" if not problems else "FAILED"
        print(f"round {i + 1:2d} ({mode:7s}): {acked:6d} acknowledged, {stored:6d} stored: {status}")
        for line in problems[:10]: print("   ", line)
        if problems: failed += 1
        else: passed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
