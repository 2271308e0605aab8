#!/usr/bin/env python3
"""A compiled program's steady state, as heed-bench times it: ten more steps create no oneDNN
primitive (DNNL_VERBOSE=2 lists every creation) and make no heap allocation outside oneDNN's own
execute (allocation_counter, preloaded, counts the rest)."""
import os
import re
import subprocess
import sys

bench, counter = sys.argv[1], sys.argv[2]
failures = []


def run(args, env):
    result = subprocess.run([bench, *args], capture_output=True, text=True, timeout=240, env={**os.environ, **env})
    if result.returncode != 0:
        sys.exit(f"heed-bench {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


for mode, workload in [(mode, workload) for mode in ("train", "infer") for workload in ("seq2seq", "charlm", "vit", "classify")]:
    creations, outside = {}, {}
    for steps in (2, 12):
        args = [mode, "--workload", workload, "--backend", "cpu", "--threads", "2", "--steps", str(steps), "--warmup", "2"]
        # One run counts both: oneDNN prints its creations at compile time, the same in both runs.
        counted = run(args, {"DNNL_VERBOSE": "2", "LD_PRELOAD": counter})
        creations[steps] = sum(1 for line in counted.stdout.splitlines() if line.startswith("onednn_verbose,create"))
        found = re.search(r"allocations outside oneDNN: (\d+)", counted.stderr)
        if not found:
            sys.exit(f"allocation_counter printed nothing for heed-bench {' '.join(args)}: {counted.stderr.strip()}")
        outside[steps] = int(found.group(1))
    print(f"{mode} {workload}: oneDNN primitives created {creations[2]} and {creations[12]}; "
          f"allocations outside oneDNN {outside[2]} and {outside[12]} (2 and 12 steps)")
    if creations[12] != creations[2] or creations[2] == 0:
        failures.append(f"{mode} {workload}: {creations[12] - creations[2]} primitives created during 10 more steps")
    # heed-bench's own list of step times may grow a few times; a kernel allocating would add
    # at least one allocation per step.
    if outside[12] - outside[2] > 5:
        failures.append(f"{mode} {workload}: {outside[12] - outside[2]} allocations outside oneDNN during 10 more steps")

for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
