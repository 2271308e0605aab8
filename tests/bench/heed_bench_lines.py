#!/usr/bin/env python3
"""Runs the built heed-bench as the README does and checks what it prints: one JSON line per
measurement with the keys torch_peer.py shares and the memory figures, a charlm step at context
4096 whose planned memory stays far below one layer's T x T scores, and clear errors for bad
arguments."""
import json
import subprocess
import sys

bench = sys.argv[1]
failures = []


def run(*args):
    return subprocess.run([bench, *args], capture_output=True, text=True, timeout=240)


def lines(result, what):
    if result.returncode != 0:
        failures.append(f"{what}: exit {result.returncode}: {result.stderr.strip()}")
        return []
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


keys = ["workload", "impl", "mode", "precision", "threads", "batch", "steps", "ms_per_step_median", "ms_per_step_min", "samples_per_s",
        "flops_per_step", "planned_peak_bytes", "persistent_bytes", "peak_rss_bytes", "omp_wait_policy", "gomp_spincount"]

trained = lines(run("train", "--workload", "vit", "--backend", "cpu", "--threads", "2", "--steps", "2", "--warmup", "1"), "train vit")
inferred = lines(run("infer", "--workload", "all", "--backend", "cpu", "--steps", "2", "--warmup", "1"), "infer all")
if [line["workload"] for line in inferred] != ["seq2seq", "charlm", "vit", "classify"]:
    failures.append(f"infer --workload all printed {[line.get('workload') for line in inferred]}, not seq2seq, charlm, vit, classify")
for line in trained + inferred:
    missing = [key for key in keys if key not in line]
    if missing:
        failures.append(f"{line.get('workload')} {line.get('mode')}: no {missing} in {line}")
        continue
    if not 0 < line["ms_per_step_min"] <= line["ms_per_step_median"]:
        failures.append(f"{line['workload']} {line['mode']}: min {line['ms_per_step_min']} and median {line['ms_per_step_median']} ms")
    if not 0 < line["planned_peak_bytes"] < line["peak_rss_bytes"]:
        failures.append(f"{line['workload']} {line['mode']}: planned {line['planned_peak_bytes']} bytes, process peak {line['peak_rss_bytes']}")
    if line["impl"] != "heed-cpu" or line["flops_per_step"] <= 0:
        failures.append(f"{line['workload']} {line['mode']}: impl {line['impl']}, flops {line['flops_per_step']}")
if trained and (trained[0]["mode"] != "train" or trained[0]["batch"] != 128 or trained[0]["threads"] != 2 or trained[0]["gomp_spincount"] != "100000"):
    failures.append(f"train vit: {trained[0]}")

# Context 4096: one causal layer's scores alone would be batch x heads x T x T floats.
long = lines(run("train", "--workload", "charlm", "--context", "4096", "--batch", "1", "--steps", "1", "--warmup", "0"), "charlm at 4096")
scores_bytes = 1 * 4 * 4096 * 4096 * 4
if long and not long[0]["planned_peak_bytes"] < scores_bytes:
    failures.append(f"charlm at 4096 plans {long[0]['planned_peak_bytes']} bytes, more than one layer's scores ({scores_bytes})")

for args, expected in [(["train", "--workload", "gpt"], "gpt"), (["train", "--steps", "0"], "--steps"),
                       (["train", "--backend", "nosuch"], "nosuch"), (["infer", "--context", "-5"], "--context")]:
    result = run(*args)
    if result.returncode == 0 or expected not in result.stderr + result.stdout:
        failures.append(f"heed-bench {' '.join(args)}: exit {result.returncode}, output {result.stderr.strip()!r} does not name {expected}")

for failure in failures:
    print("FAIL:", failure)
if failures:
    sys.exit(1)
print(f"heed-bench: {len(trained) + len(inferred) + len(long)} JSON lines checked, and 4 bad invocations refused")
