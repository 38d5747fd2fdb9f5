#!/usr/bin/env python3
"""Parses every file with Python's fastfeedparser and prints bytes, CPU and wall seconds (Scripts/bench-parse)."""
import os
import sys
import time

import fastfeedparser

files = sys.argv[1:]
cpu0, wall0 = time.process_time(), time.perf_counter()
total = items = failed = 0
for path in files:
    with open(path, "rb") as f:
        data = f.read()
    total += len(data)
    try:
        feed = fastfeedparser.parse(data)
        items += len(feed.get("entries", []))
    except Exception:
        failed += 1
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
mb = total / 1048576
print("fastfeedparser files=%d MiB=%.1f items=%d failed=%d cpu_s=%.3f wall_s=%.3f MiB_per_cpu_s=%.1f MiB_per_wall_s=%.1f"
      % (len(files), mb, items, failed, cpu, wall, mb / cpu, mb / wall))
