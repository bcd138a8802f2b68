"""Checks an inclusion proof file written by `timeline-audit prove`, with only the
daemon's public key (checkpoint.pub) and Python's standard library.

    python3 scripts/check_proof.py proof.json checkpoint.pub
    python3 -m ordertimeline.proof proof.json checkpoint.pub

Exit 0: the event is in the log whose signed checkpoint the file carries. Exit 1: it
is not (each reason printed). Exit 2: the file cannot be read. The rules are
DOMAIN.md's: the event's dataHash and hash, leaf = SHA-256(0x00 || raw hash), nodes
SHA-256(0x01 || left || right), the path checked as RFC 9162 section 2.1.3.2 says,
and the checkpoint's Ed25519 signature over canonical(checkpoint without signature).
"""
import base64
import hashlib
import json
import sys

from .audit import canonical, ed25519_verify, sha256_hex


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(leaf, index, size, path):
    """RFC 9162 2.1.3.2; None when the path cannot lead to a root of that size."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0 or len(p) != 32:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def problems(bundle, public_key):
    out = []
    event = bundle["event"]
    body = {k: v for k, v in event.items() if k not in ("hash", "data")}
    # A redacted event has no data (DOMAIN.md): its hash, which covers dataHash, still proves it.
    if "data" in event and sha256_hex(canonical(event["data"])) != event["dataHash"]:
        out.append("the event's data does not hash to its dataHash")
    if sha256_hex(canonical(body)) != event["hash"]:
        out.append("the event's hash does not match its fields")
    position, size = bundle["position"], bundle["treeSize"]
    if event["position"] != position:
        out.append("the proof is for another position than the event's")
    leaf = hashlib.sha256(b"\x00" + bytes.fromhex(event["hash"])).digest()
    if leaf.hex() != bundle["leafHash"]:
        out.append("leafHash is not SHA-256(0x00 || the event's hash)")
    path = [bytes.fromhex(h) for h in bundle["proof"]]
    if root_from_inclusion(leaf, position - 1, size, path) != bytes.fromhex(bundle["rootHash"]):
        out.append("the proof does not lead from the leaf to rootHash")
    checkpoint = bundle.get("checkpoint")
    if checkpoint is None:
        out.append("no signed checkpoint: rootHash is not signed by the daemon")
        return out
    signed = {k: v for k, v in checkpoint.items() if k != "signature"}
    if not ed25519_verify(public_key, base64.b64decode(checkpoint["signature"]), canonical(signed)):
        out.append("the checkpoint's signature does not verify with this key")
    if checkpoint.get("treeSize", checkpoint["position"]) != size or checkpoint.get("rootHash") != bundle["rootHash"]:
        out.append("the checkpoint is of another tree than the one the proof leads to")
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            bundle = json.load(f)
        with open(argv[2], encoding="utf-8") as f:
            public_key = base64.b64decode(f.read().strip())
        found = problems(bundle, public_key)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read the proof: {error}", file=sys.stderr)
        return 2
    if found:
        print("The proof does NOT hold:\n" + "\n".join("- " + p for p in found))
        return 1
    print(f"The event at position {bundle['position']} is in the signed log of {bundle['treeSize']} events.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
