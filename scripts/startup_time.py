#!/usr/bin/env python3
"""Time from starting timelined on an existing data directory to its first answered ping.

Usage: startup_time.py BINARY DATA_DIR [--kill-after-appends N] [--delete-views]
  --kill-after-appends N: first start it, append from 16 connections, kill -9 it under
                          that load once about N events went in (views/ may lag the
                          log), then time the restart (a replay).
  --delete-views:         delete DATA_DIR/views first, then time the start (a rebuild).
Prints the seconds and the daemon's recovery log line (docs/BENCHMARKS.md).
"""
import argparse, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time

def ping(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall(b'{"id":1,"op":"ping"}\n')
    reply = s.makefile("rb").readline()
    s.close()
    return json.loads(reply).get("ok") is True

def start(binary, data, sock, log):
    if os.path.exists(sock): os.unlink(sock)
    started = time.monotonic()
    proc = subprocess.Popen([binary, "--data", data, "--socket", sock, "--config", "config/timelined.json"], stdout=log, stderr=log)
    while True:
        try:
            if ping(sock): return proc, time.monotonic() - started
        except OSError:
            pass
        if proc.poll() is not None: sys.exit(f"timelined exited with {proc.returncode}")
        time.sleep(0.005)

def load(sock, n, tag, done):
    try:
        append_events(sock, n, tag, done)
    except OSError:
        pass  # the daemon was killed under this load

def append_events(sock, n, tag, done):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sock); f = s.makefile("rwb")
    for i in range(n):
        done.append(1)
        order = f"ST-{tag}"
        if i == 0:
            ev = {"eventId": f"st-{tag}-open", "type": "order.placed", "actor": {"role": "buyer", "id": "b"},
                  "data": {"buyer": "b", "seller": "s", "item": {"title": "x", "quantity": 1}, "price": {"amount": 1, "currency": "EUR"}}}
        else:
            ev = {"eventId": f"st-{tag}-{i}", "type": "chat.message", "actor": {"role": "buyer", "id": "b"}, "data": {"channel": "order", "text": f"m {i}"}}
        f.write((json.dumps({"id": i, "op": "append", "order": order, "events": [ev]}) + "\n").encode()); f.flush(); f.readline()
    s.close()

def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary"); p.add_argument("data")
    p.add_argument("--kill-after-appends", type=int, default=0)
    p.add_argument("--delete-views", action="store_true")
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="startup-")
    sock = os.path.join(work, "s.sock")
    log = open(os.path.join(work, "daemon.log"), "ab")
    if a.kill_after_appends:
        proc, _ = start(a.binary, a.data, sock, log)
        tag = str(int(time.time()))
        done = []
        threads = [threading.Thread(target=load, args=(sock, a.kill_after_appends, f"{tag}-{t}", done)) for t in range(16)]
        for t in threads: t.start()
        while len(done) < a.kill_after_appends: time.sleep(0.001)
        proc.send_signal(signal.SIGKILL); proc.wait()
        for t in threads: t.join()
    if a.delete_views:
        shutil.rmtree(os.path.join(a.data, "views"), ignore_errors=True)
    proc, seconds = start(a.binary, a.data, sock, log)
    proc.send_signal(signal.SIGTERM); proc.wait()
    log.close()
    lines = [l for l in open(os.path.join(work, "daemon.log"), errors="replace") if "views " in l]
    print(f"first ping after {seconds:.3f} s; {lines[-1].strip() if lines else '(no recovery line)'}")
    if os.environ.get("KEEP_LOG"): print("log:", os.path.join(work, "daemon.log"))
    else: shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
