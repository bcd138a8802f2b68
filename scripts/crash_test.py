#!/usr/bin/env python3
"""Crash test: kill -9 the daemon under load and prove no acknowledged event is lost.

Each round: start timelined on a fresh data directory, run writer threads that record
every acknowledged append, kill -9 the daemon at a random moment (or during
admin.rebuild / admin.backup), restart it on the same data, and check that every
acknowledged event is present exactly once at its acknowledged position, positions
and per-order revisions are contiguous, and `timeline-audit verify` is clean.
Two more kinds of round damage views/ (derived, NOSYNC) after the kill: "oscrash"
simulates an OS crash (another boot id, random bytes over views/data.mdb pages), so
the restart must rebuild views/ from the log; "noviews" deletes views/ after a
clean restart and checks that the rebuilt views answer exactly as before.
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

def start_daemon(binary, workdir, durability, boot="boot-1"):
    """Starts timelined; `boot` is the boot id it sees (TIMELINE_BOOT_ID_FILE)."""
    config = os.path.join(workdir, "timelined.json")
    with open(config, "w") as f:
        json.dump({"socketPath": os.path.join(workdir, "s.sock"), "dataDirectory": os.path.join(workdir, "data"),
                   "durability": durability, "logLevel": "notice",
                   "store": {"initialMapSizeBytes": 1048576, "mapGrowthBytes": 4194304}}, f)
    boot_file = os.path.join(workdir, "boot_id")
    with open(boot_file, "w") as f:
        f.write(boot + "\n")
    log = open(os.path.join(workdir, "daemon.log"), "ab")
    env = dict(os.environ, TIMELINE_BOOT_ID_FILE=boot_file)
    proc = subprocess.Popen([binary, "--config", config], stdout=log, stderr=log, env=env)
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

def answers(path, orders):
    """What readers get: every order's view, the dispute queue, the whole log."""
    c = Conn(path)
    out = [c.call("order.get", order=f"C-{i}") for i in range(orders)]
    out.append(c.call("disputes.list", limit=1000))
    c.close()
    for r in out:
        r.pop("id", None)
    return out + [read_log(path)]

def tear_views(data):
    """An OS crash under NOSYNC views: random bytes over some of views/data.mdb's pages."""
    name = os.path.join(data, "views", "data.mdb")
    size = os.path.getsize(name)
    with open(name, "r+b") as f:
        for _ in range(8):
            f.seek(random.randrange(0, max(size - 4096, 1)))
            f.write(os.urandom(random.randint(16, 4096)))

def last_recovery(workdir):
    with open(os.path.join(workdir, "daemon.log"), "rb") as f:
        lines = [l.decode(errors="replace") for l in f if b"views " in l and b"log" in l]
    return lines[-1] if lines else ""

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
        data = os.path.join(workdir, "data")
        boot = "boot-1"
        if mode == "oscrash":
            boot = "boot-2"
            tear_views(data)
        proc = start_daemon(binary, workdir, durability, boot=boot)
        problems = []
        try:
            if mode == "oscrash" and "views rebuilt from the log" not in last_recovery(workdir):
                problems.append(f"after a simulated OS crash views/ was not rebuilt: {last_recovery(workdir).strip()}")
            found, count = check(path, acks, audit, data)
            problems += found
            if mode == "noviews":
                before = answers(path, orders)
                proc.send_signal(signal.SIGTERM); proc.wait(timeout=30)
                shutil.rmtree(os.path.join(data, "views"))
                proc = start_daemon(binary, workdir, durability, boot=boot)
                if "views rebuilt from the log" not in last_recovery(workdir):
                    problems.append(f"with views/ deleted the daemon did not rebuild: {last_recovery(workdir).strip()}")
                if answers(path, orders) != before:
                    problems.append("the rebuilt views answer differently from the ones deleted")
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
    # Every tenth round kills during admin.rebuild, the next during admin.backup, two
    # more damage views/ after the kill; a short run (as CI's) covers every kind once.
    kinds = ["load", "rebuild", "backup", "oscrash", "noviews"]
    cycle = ["load"] * 6 + kinds[1:] if a.rounds >= 10 else kinds
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
