"""A child process of the local stack: its resident memory read while it runs, nothing once it has stopped."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from trueup.local_stack.processes import ManagedProcess


def test_a_running_process_has_resident_memory_and_a_stopped_one_none(tmp_path: Path):
    holds = "b = bytearray(64 * 2**20); import time; time.sleep(60)"  # 64 MB touched, then waits
    process = ManagedProcess("holder", [sys.executable, "-c", holds], tmp_path / "holder.log").start()
    try:
        seen = 0
        for _ in range(100):  # until the 64 MB are in (at most ten seconds)
            seen = process.resident_bytes() or 0
            if seen >= 64 * 2**20:
                break
            time.sleep(0.1)
        assert seen >= 64 * 2**20
    finally:
        process.stop()
    assert process.resident_bytes() is None
