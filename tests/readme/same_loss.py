#!/usr/bin/env python3
"""Runs the README's example on every backend given and checks that each prints the same final
loss as the first to 4 significant digits (what the README promises of HEED_BACKEND=vulkan)."""
import os
import re
import subprocess
import sys

example, backends = sys.argv[1], sys.argv[2:]
losses = {}
for backend in backends:
    run = subprocess.run([example], env={**os.environ, "HEED_BACKEND": backend}, capture_output=True, text=True, timeout=120)
    print(f"{backend}: {run.stdout.strip()}")
    found = re.search(r"loss ([0-9.eE+-]+)", run.stdout)
    if run.returncode != 0 or not found:
        sys.exit(f"the example failed on {backend} (exit {run.returncode}): {run.stderr.strip()}")
    losses[backend] = float(found.group(1))

first = backends[0]
for backend, loss in losses.items():
    if f"{loss:.4g}" != f"{losses[first]:.4g}":
        sys.exit(f"final loss on {backend} is {loss:.4g}, on {first} {losses[first]:.4g}: they differ in the first 4 significant digits")
print(f"the same final loss to 4 significant digits on {', '.join(backends)}")
