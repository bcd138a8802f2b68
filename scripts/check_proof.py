#!/usr/bin/env python3
"""Checks an inclusion proof file written by `timeline-audit prove` (or a bundle's
proofs/<position>.json) with only the daemon's public key: a wrapper of the Python
client's `ordertimeline.proof` (clients/python), standard library only.

  python3 scripts/check_proof.py proof.json checkpoint.pub
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python", "src"))
from ordertimeline.proof import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv))
