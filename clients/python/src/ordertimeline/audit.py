"""Independent verifier of an OrderTimeline export and checkpoint.

Implements only DOMAIN.md's "Audit rules" (canonical JSON, dataHash, hash,
prevHash, positions, revisions, recordedAt order, signed checkpoints), with no
code shared with timeline-audit. It does not replay the event catalog (legality)
and cannot check blobs or stored views, which an export does not carry.

Usage (scripts/verify_export.py is a thin wrapper of this module):
  python3 -m ordertimeline.audit EXPORT.jsonl [same options]
  scripts/verify_export.py EXPORT.jsonl [--from N] [--checkpoint CP.json --public-key checkpoint.pub] [--json]

A whole export must start at position 1; --from N checks one made with
`timeline-audit export --from N` from N on.

Exit codes: 0 clean, 1 findings, 2 the input could not be read.
Findings use timeline-audit's codes (docs/AUDIT.md).
Ed25519 verification uses the `cryptography` package when installed, else
PyNaCl, else a slow pure-Python implementation of RFC 8032 (verification only).
"""
import base64
import hashlib
import json
import sys
from datetime import datetime, timezone


# --- canonical JSON (RFC 8785 for the values the log holds) ---------------------------

def canonical(value):
    return _enc(value).encode("utf-8")


def _enc(o):
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return str(o)
    if isinstance(o, float):
        if o == int(o) and abs(o) < 1e21:
            return str(int(o))
        return repr(o)  # close to ECMAScript for the values a log holds; event data is integer-only
    if isinstance(o, str):
        return _string(o)
    if isinstance(o, list):
        return "[" + ",".join(_enc(x) for x in o) + "]"
    if isinstance(o, dict):
        # keys sorted by code point: sort by UTF-16 code units per RFC 8785 equals code point order
        # outside the astral planes; sort by the UTF-8 bytes, which is code point order, as DOMAIN.md says.
        keys = sorted(o.keys(), key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(_string(k) + ":" + _enc(o[k]) for k in keys) + "}"
    raise TypeError("unsupported JSON value %r" % (o,))


_ESC = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(s):
    out = ['"']
    for ch in s:
        if ch in _ESC:
            out.append(_ESC[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


def parse_time(text):
    # RFC 3339 with Z or offset; microsecond precision is enough (the daemon writes 6 digits).
    t = text.replace("z", "Z").replace("t", "T")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    if "." in t:
        head, rest = t.split(".", 1)
        digits = "".join(c for c in rest if c.isdigit())
        tz = rest[len(digits):]
        t = head + "." + (digits + "000000")[:6] + tz
    return datetime.fromisoformat(t).astimezone(timezone.utc)


# --- Ed25519 verification (RFC 8032) -----------------------------------------------------

def ed25519_verify(public_key, signature, message):
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.exceptions import InvalidSignature
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
            return True
        except InvalidSignature:
            return False
    except ImportError:
        pass
    try:
        import nacl.signing
        import nacl.exceptions
        try:
            nacl.signing.VerifyKey(public_key).verify(message, signature)
            return True
        except nacl.exceptions.BadSignatureError:
            return False
    except ImportError:
        pass
    return _pure_verify(public_key, signature, message)


_p = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_d = -121665 * pow(121666, _p - 2, _p) % _p
_I = pow(2, (_p - 1) // 4, _p)


def _add(P, Q):
    x1, y1, z1, t1 = P
    x2, y2, z2, t2 = Q
    a = (y1 - x1) * (y2 - x2) % _p
    b = (y1 + x1) * (y2 + x2) % _p
    c = 2 * t1 * t2 * _d % _p
    dd = 2 * z1 * z2 % _p
    e, f, g, h = b - a, dd - c, dd + c, b + a
    return (e * f % _p, g * h % _p, f * g % _p, e * h % _p)


def _mul(s, P):
    Q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            Q = _add(Q, P)
        P = _add(P, P)
        s >>= 1
    return Q


def _recover_x(y, sign):
    if y >= _p:
        return None
    x2 = (y * y - 1) * pow(_d * y * y + 1, _p - 2, _p)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_p + 3) // 8, _p)
    if (x * x - x2) % _p != 0:
        x = x * _I % _p
    if (x * x - x2) % _p != 0:
        return None
    if (x & 1) != sign:
        x = _p - x
    return x


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _p)


def _equal(P, Q):
    x1, y1, z1, _ = P
    x2, y2, z2, _ = Q
    return (x1 * z2 - x2 * z1) % _p == 0 and (y1 * z2 - y2 * z1) % _p == 0


_G = (None,)


def _base():
    global _G
    if _G[0] is None:
        gy = 4 * pow(5, _p - 2, _p) % _p
        gx = _recover_x(gy, 0)
        _G = (gx, gy, 1, gx * gy % _p)
    return _G


def _pure_verify(public, signature, msg):
    if len(public) != 32 or len(signature) != 64:
        return False
    A = _decompress(public)
    R = _decompress(signature[:32])
    if A is None or R is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + msg).digest(), "little") % _L
    return _equal(_mul(s, _base()), _add(R, _mul(h, A)))


# --- the rules ---------------------------------------------------------------------------

def verify(path, checkpoint=None, public_key=None, start=1):
    findings = []

    def add(code, position, order, revision, message):
        findings.append({"code": code, "position": position, "order": order, "revision": revision, "message": message})

    records = []
    # Findings of unreadable lines since the last readable one, by the index of the
    # record that follows them: placed at the positions that record skips, if it skips
    # exactly as many (as timeline-audit does).
    unreadable = []
    unreadable_before = {}
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            try:
                r = json.loads(line.decode("utf-8"))
                # A redacted event has no "data" member (DOMAIN.md "Audit rules": Redaction).
                if not isinstance(r, dict) or ("data" in r and not isinstance(r["data"], dict)):
                    raise ValueError("not a recorded event")
                for k in ("position", "revision"):
                    if not isinstance(r.get(k), int) or isinstance(r.get(k), bool):
                        raise ValueError("%s is not an integer" % k)
                for k in ("order", "eventId", "type", "recordedAt", "dataHash", "prevHash", "hash"):
                    if not isinstance(r.get(k), str):
                        raise ValueError("%s is missing" % k)
                parse_time(r["recordedAt"])
            except Exception as e:  # noqa: BLE001 - any malformed line is a finding
                add("unreadable_record", None, None, None, "line %d cannot be read: %s" % (number, e))
                unreadable.append(len(findings) - 1)
                continue
            if unreadable:
                unreadable_before[len(records)] = unreadable
                unreadable = []
            records.append(r)

    # Put records back in position order. An event that arrives when it is the next
    # position expected, while later ones already arrived, was stored after them: one
    # finding per such event (two swapped events give one, at the lower position). A
    # position that never comes is a gap: after 1024 waiting events the wait moves on.
    seen = {}
    ordered = []
    expected = start
    pending = set()
    explained = set()
    for i, r in enumerate(records):
        p = r["position"]
        lines = unreadable_before.get(i, [])
        if lines and p > expected and p - expected == len(lines):
            for k, index in enumerate(lines):
                findings[index]["position"] = expected + k
                explained.add(expected + k)
        if p in seen:
            add("position_repeat", p, r["order"], r["revision"], "position %d appears twice" % p)
            continue
        seen[p] = r
        ordered.append(r)
        if p == expected:
            if pending:
                add("position_out_of_order", p, r["order"], r["revision"], "event %d is stored after event %d" % (p, max(pending)))
            expected += 1
            while expected in pending:
                pending.remove(expected)
                expected += 1
        elif p > expected:
            pending.add(p)
            if len(pending) > 1024:
                expected = min(pending)
                while expected in pending:
                    pending.remove(expected)
                    expected += 1
        else:
            add("position_out_of_order", p, r["order"], r["revision"], "event %d is stored after events from %d on" % (p, expected))
    ordered.sort(key=lambda r: r["position"])

    # A whole export starts at position 1 (64 zeros before it); one made with
    # `export --from N` is checked from N on (`--from N`).
    first = start
    prev_hash = "0" * 64 if start == 1 else None
    prev_time = None
    prev_pos = start - 1
    last_rev = {}
    missing = 0
    by_position = {}
    redacted = {}  # position -> the data-less record
    targets = {}   # position -> (the redaction's position, its target entry)
    for r in ordered:
        p = r["position"]
        if p < start:
            continue  # reported above as stored out of order
        if p != prev_pos + 1:
            gap = p - prev_pos - 1
            if not all(q in explained for q in range(prev_pos + 1, p)):
                add("position_gap", prev_pos + 1, None, None, "%d position(s) missing after %d" % (gap, prev_pos))
            missing += gap
            prev_hash = None
        if "data" in r:
            if sha256_hex(canonical(r["data"])) != r["dataHash"]:
                add("data_hash_mismatch", p, r["order"], r["revision"], "data does not hash to dataHash")
        else:
            redacted[p] = r
        if r["type"] == "redaction.applied" and "data" in r:
            for t in r["data"].get("targets", []):
                if isinstance(t, dict) and isinstance(t.get("position"), int):
                    if t["position"] in targets:
                        add("redaction_mismatch", p, r["order"], r["revision"], "position %d was already redacted" % t["position"])
                    else:
                        targets[t["position"]] = (p, t)
        body = {k: v for k, v in r.items() if k not in ("hash", "data")}
        if sha256_hex(canonical(body)) != r["hash"]:
            add("hash_mismatch", p, r["order"], r["revision"], "hash does not match the event's fields")
        if prev_hash is not None and r["prevHash"] != prev_hash:
            add("prev_hash_mismatch", p, r["order"], r["revision"], "prevHash is not the previous event's hash")
        t = parse_time(r["recordedAt"])
        if prev_time is not None and t < prev_time:
            add("recorded_at_backwards", p, r["order"], r["revision"], "recordedAt goes backwards")
        order, rev = r["order"], r["revision"]
        if order in last_rev:
            expected = last_rev[order] + 1
        else:
            expected = 0 if first == 1 else rev
        if rev > expected:
            if missing >= rev - expected:
                missing -= rev - expected
            else:
                add("revision_gap", p, order, rev, "order %s skips from revision %d to %d" % (order, expected - 1, rev))
        elif rev < expected:
            add("revision_repeat", p, order, rev, "order %s repeats revision %d" % (order, rev))
        last_rev[order] = max(last_rev.get(order, rev), rev)
        prev_hash, prev_time, prev_pos = r["hash"], t, p
        by_position[p] = r

    check_redactions(redacted, targets, by_position, add)

    if checkpoint is not None:
        cp = checkpoint
        body = {k: v for k, v in cp.items() if k != "signature"}
        key_id = sha256_hex(public_key)[:16] if public_key else None
        if public_key is None:
            add("checkpoint_signature_invalid", cp.get("position"), None, None, "no public key given")
        else:
            if cp.get("keyId") != key_id:
                add("checkpoint_signature_invalid", cp.get("position"), None, None, "keyId does not name this public key")
            try:
                sig = base64.b64decode(cp.get("signature", ""), validate=True)
            except Exception:  # noqa: BLE001
                sig = b""
            if not ed25519_verify(public_key, sig, canonical(body)):
                add("checkpoint_signature_invalid", cp.get("position"), None, None, "the signature does not verify")
        pos = cp.get("position")
        if pos == 0:
            if cp.get("hash") != "0" * 64:
                add("checkpoint_mismatch", 0, None, None, "an empty-log checkpoint must carry 64 zeros")
        elif pos not in by_position:
            add("checkpoint_mismatch", pos, None, None, "the export does not reach the checkpoint's position")
        elif by_position[pos]["hash"] != cp.get("hash"):
            add("checkpoint_mismatch", pos, None, None, "the hash at the checkpoint's position differs")
        elif parse_time(by_position[pos]["recordedAt"]) != parse_time(cp.get("recordedAt", "")):
            add("checkpoint_mismatch", pos, None, None, "recordedAt at the checkpoint's position differs")
    return findings, len(ordered)


REDACTABLE = {"chat.message", "evidence.attached", "support.note"}


def check_redactions(redacted, targets, by_position, add):
    """Every data-less event is named by a later, matching redaction.applied;
    every target of one has lost its data."""
    for p in sorted(redacted):
        r = redacted[p]
        if p not in targets:
            add("data_missing", p, r["order"], r["revision"], "a %s without data that no redaction.applied names" % r["type"])
            continue
        by, t = targets[p]
        header = {k: v for k, v in r.items() if k != "data"}
        if by <= p or r["type"] not in REDACTABLE or t.get("eventId") != r["eventId"] or t.get("dataHash") != r["dataHash"] \
                or t.get("hash") != r["hash"] or t.get("header") != header:
            add("redaction_mismatch", by, r["order"], None, "the redaction at %d does not match its target at %d" % (by, p))
    for p in sorted(targets):
        if p in by_position and p not in redacted:
            add("redaction_incomplete", p, by_position[p]["order"], None,
                "the redaction at %d names position %d, which still holds its data" % (targets[p][0], p))


def main(argv):
    args = argv[1:]
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    checkpoint_path = public_key_path = None
    start = 1
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--checkpoint" and i + 1 < len(args):
            checkpoint_path = args[i + 1]; i += 2
        elif args[i] == "--public-key" and i + 1 < len(args):
            public_key_path = args[i + 1]; i += 2
        elif args[i] == "--from" and i + 1 < len(args) and args[i + 1].isdigit() and int(args[i + 1]) >= 1:
            start = int(args[i + 1]); i += 2
        else:
            rest.append(args[i]); i += 1
    if len(rest) != 1:
        sys.stderr.write(__doc__)
        return 64
    try:
        checkpoint = json.load(open(checkpoint_path, "rb")) if checkpoint_path else None
        fields = {"position", "hash", "recordedAt", "signedAt", "keyId", "signature"}
        if checkpoint is not None and (not isinstance(checkpoint, dict) or not fields <= set(checkpoint)):
            raise ValueError("the checkpoint needs the fields %s" % ", ".join(sorted(fields)))
        public_key = base64.b64decode(open(public_key_path).read().strip()) if public_key_path else None
        findings, events = verify(rest[0], checkpoint, public_key, start)
    except (OSError, ValueError) as e:
        sys.stderr.write("verify_export: cannot read the input: %s\n" % e)
        return 2
    findings.sort(key=lambda f: (f["position"] is None, f["position"] or 0))
    if as_json:
        print(json.dumps({"clean": not findings, "events": events, "findings": findings}, sort_keys=True))
    else:
        print("%d events, %d finding(s)" % (events, len(findings)))
        for f in findings:
            print("%s\t%s\t%s" % (f["position"], f["code"], f["message"]))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))


def verify_export(path):
    """The findings of a JSON Lines export (`timeline-audit export`) under DOMAIN.md's
    audit rules: a list of {code, position, order, revision, message}; empty when intact."""
    return verify(path)[0]
