#!/usr/bin/env python3
"""Independent verifier of an OrderTimeline export and checkpoint: a wrapper of the
Python client's `ordertimeline.audit` (clients/python), standard library only.

  scripts/verify_export.py EXPORT.jsonl [--from N] [--checkpoint CP.json --public-key checkpoint.pub] [--json]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python", "src"))
from ordertimeline.audit import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv))
