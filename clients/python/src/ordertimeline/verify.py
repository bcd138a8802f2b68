"""verify_export: DOMAIN.md's chain rules over an export, with the standard library only.

It checks what makes the log tamper-evident: positions 1, 2, 3 … without gap or
repeat, each event's dataHash and hash, the prevHash chain, redactions covering
every data-less event. scripts/verify_export.py (the project's full independent
verifier) adds revisions, time order and signed checkpoints.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List


def canonical(value: Any) -> bytes:
    """RFC 8785-style canonical JSON for the values a log holds (integers, no floats)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _sha(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def verify_export(path: str) -> List[Dict[str, Any]]:
    """The findings of a JSON Lines export (`timeline-audit export`); empty when it is intact."""
    findings: List[Dict[str, Any]] = []
    previous, expected = "0" * 64, 1
    dataless, named = set(), set()
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            event = json.loads(line)
            p = event.get("position")
            def add(code: str, message: str) -> None:
                findings.append({"code": code, "position": p, "line": number, "message": message})
            if p != expected:
                add("position_gap" if isinstance(p, int) and p > expected else "position_repeat", f"expected position {expected}")
            if "data" in event:
                if _sha(event["data"]) != event.get("dataHash"):
                    add("data_hash_mismatch", "data does not hash to dataHash")
                if event.get("type") == "redaction.applied":
                    named.update(t.get("position") for t in event["data"].get("targets", []))
            else:
                dataless.add(p)
            if _sha({k: v for k, v in event.items() if k not in ("hash", "data")}) != event.get("hash"):
                add("hash_mismatch", "hash does not match the event's fields")
            if event.get("prevHash") != previous:
                add("prev_hash_mismatch", "prevHash is not the previous event's hash")
            previous, expected = event.get("hash"), (p if isinstance(p, int) else expected) + 1
    for p in sorted(dataless - named):
        findings.append({"code": "data_missing", "position": p, "line": None, "message": "no redaction.applied names this data-less event"})
    return findings
