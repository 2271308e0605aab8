"""Measures heed (CPU and Vulkan) against PyTorch side by side and prints the README's tables.

  python3 scripts/benchmark_table.py [--build build] [--peer ../shared/bench]
      [--gemm-peak /tmp/gemm_peak] [--skip-vulkan] [--bf16] [--raw results.jsonl]

For each workload it runs, one after the other: heed-bench on the CPU backend, torch_peer.py,
and heed-bench on the Vulkan backend, at 2 threads and then at 1, training step (MODELS.md's
benchmark batch: 20 timed steps after 3 warm-up) and batch-1 inference (50 after 5). The Vulkan
backend's threads are lavapipe's (LP_NUM_THREADS); on lavapipe a training step takes seconds,
so it gets 3 timed steps after 1 warm-up. Then PyTorch's resident memory for a training step
(scripts/torch_step_memory.py) beside heed's planned peak, and, given gemm_peak.cpp built as
--gemm-peak, the GEMM peak and charlm's share of it. With --bf16, each workload's training step
and batch-1 inference again at 2 threads in bf16 (heed-bench --precision bf16, and PyTorch under
CPU autocast, torch_peer.py --precision bf16), with heed's planned memory in both precisions;
heed refuses bf16 on a CPU without AVX-512 BF16 or AMX, and the script then stops with its
message. Every JSON line goes to --raw.

PyTorch runs under /usr/bin/python3 (Debian's python3-torch) with OpenBLAS, as torch_peer.py
sets it up: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from its environment, so that
torch_peer.py's own choice of kernels applies. Each measurement is a separate process, so the
figures are medians of one run each on a machine that may be shared: run it on a quiet machine
and compare within one run.
"""

import argparse
import json
import os
import subprocess
import sys

WORKLOADS = ["seq2seq", "charlm", "vit"]
TORCH_PYTHON = "/usr/bin/python3"


def run_json(command, env=None):
    """Runs a command that prints JSON lines; returns the parsed lines, failing loudly."""
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"benchmark_table.py: {' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    lines = []
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            lines.append(json.loads(line))
    if not lines:
        sys.exit(f"benchmark_table.py: {' '.join(command)} printed no JSON line:\n{result.stdout}{result.stderr}")
    return lines


def heed(args, backend, mode, workload, threads, precision="f32"):
    steps = ["--steps", "20", "--warmup", "3"] if mode == "train" else ["--steps", "50", "--warmup", "5"]
    env = dict(os.environ)
    if backend == "vulkan":
        env["LP_NUM_THREADS"] = str(threads)
        steps = ["--steps", "3", "--warmup", "1"] if mode == "train" else ["--steps", "10", "--warmup", "2"]
    command = [os.path.join(args.build, "tools", "heed-bench"), mode, "--workload", workload, "--backend", backend,
               "--threads", str(threads), "--precision", precision] + steps
    return run_json(command, env)[0]


def torch_environment():
    """The environment without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which some machines set to
    keep older OpenBLAS builds on safe kernels: they would pin PyTorch to slower kernels than
    torch_peer.py's own choice (AVX-512 where the CPU has it), and the peer gets its best."""
    return {name: value for name, value in os.environ.items() if name not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}


def torch(args, mode, workload, threads, precision="f32"):
    steps = ["--steps", "20", "--warmup", "3"] if mode == "train" else ["--steps", "50", "--warmup", "5"]
    command = [TORCH_PYTHON, os.path.join(args.peer, "torch_peer.py"), "--workload", workload, "--mode", mode,
               "--threads", str(threads), "--precision", precision] + steps
    return run_json(command, torch_environment())[0]


def mb(value):
    return f"{value / 1e6:.1f}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(here, "..", "build"), help="heed's build folder")
    ap.add_argument("--peer", default=os.path.join(here, "..", "..", "shared", "bench"), help="folder of torch_peer.py")
    ap.add_argument("--gemm-peak", help="gemm_peak.cpp, built (g++ -O2 -fopenmp ... -ldnnl)")
    ap.add_argument("--workload", default="all", choices=WORKLOADS + ["all"])
    ap.add_argument("--skip-vulkan", action="store_true", help="leave out the Vulkan backend")
    ap.add_argument("--bf16", action="store_true", help="also time heed and PyTorch in bf16 at 2 threads")
    ap.add_argument("--raw", help="also write every JSON line here")
    args = ap.parse_args()
    if not os.access(os.path.join(args.build, "tools", "heed-bench"), os.X_OK):
        sys.exit(f"benchmark_table.py: no heed-bench in {args.build}/tools; build heed first or give --build")
    if not os.path.isfile(os.path.join(args.peer, "torch_peer.py")):
        sys.exit(f"benchmark_table.py: no torch_peer.py in {args.peer}; give --peer")

    workloads = WORKLOADS if args.workload == "all" else [args.workload]
    results = {}  # (impl, mode, workload, threads) -> JSON line
    for workload in workloads:
        for threads in (2, 1):
            for mode in ("train", "infer"):
                results["heed-cpu", mode, workload, threads] = heed(args, "cpu", mode, workload, threads)
                results["torch", mode, workload, threads] = torch(args, mode, workload, threads)
                if not args.skip_vulkan:
                    results["heed-vulkan", mode, workload, threads] = heed(args, "vulkan", mode, workload, threads)
        if args.bf16:
            for mode in ("train", "infer"):
                results["heed-cpu-bf16", mode, workload, 2] = heed(args, "cpu", mode, workload, 2, "bf16")
                results["torch-bf16", mode, workload, 2] = torch(args, mode, workload, 2, "bf16")
    memory = {}
    for workload in workloads:
        memory[workload] = run_json([TORCH_PYTHON, os.path.join(here, "torch_step_memory.py"), "--workload", workload,
                                     "--threads", "2", "--peer", args.peer], torch_environment())[0]
    raw = list(results.values()) + list(memory.values())
    peak = None
    if args.gemm_peak:
        lines = run_json([args.gemm_peak])
        raw += lines
        onednn = [line["gflops_median"] for line in lines if line.get("kind") == "onednn" and line.get("threads") == 2]
        if onednn:
            peak = max(onednn)
    if args.raw:
        with open(args.raw, "w") as f:
            for line in raw:
                f.write(json.dumps(line) + "\n")

    def ms(key):
        line = results.get(key)
        if line is None:
            return "-"
        value = line["ms_per_step_median"]
        return f"{value:.0f}" if value >= 1000 else f"{value:.1f}" if value >= 10 else f"{value:.2f}" if value >= 1 else f"{value:.3f}"

    first = workloads[0]
    print(f"heed CPU: {results['heed-cpu', 'train', first, 2]['device']}; PyTorch {results['torch', 'train', first, 2]['torch']} "
          f"with {results['torch', 'train', first, 2]['blas']} "
          f"(OpenBLAS kernels: {results['torch', 'train', first, 2]['openblas_core']}).\n")
    for mode, title in (("train", "Training step, ms (median)"), ("infer", "Batch-1 inference, ms (median)")):
        print(f"{title}:\n")
        header = "| workload | heed CPU 2 thr | heed CPU 1 thr | PyTorch 2 thr | PyTorch 1 thr |"
        rule = "|---|---|---|---|---|"
        if not args.skip_vulkan:
            header += " heed Vulkan (lavapipe) 2 thr | heed Vulkan (lavapipe) 1 thr |"
            rule += "---|---|"
        header += " heed CPU 2 thr vs faster PyTorch |"
        rule += "---|"
        print(header)
        print(rule)
        for workload in workloads:
            row = f"| {workload} | {ms(('heed-cpu', mode, workload, 2))} | {ms(('heed-cpu', mode, workload, 1))} | " \
                  f"{ms(('torch', mode, workload, 2))} | {ms(('torch', mode, workload, 1))} |"
            if not args.skip_vulkan:
                row += f" {ms(('heed-vulkan', mode, workload, 2))} | {ms(('heed-vulkan', mode, workload, 1))} |"
            best_torch = min(results["torch", mode, workload, t]["ms_per_step_median"] for t in (1, 2))
            row += f" {best_torch / results['heed-cpu', mode, workload, 2]['ms_per_step_median']:.2f}x |"
            print(row)
        print()

    if args.bf16:
        for mode, title in (("train", "Training step in bf16 at 2 threads, ms (median)"),
                            ("infer", "Batch-1 inference in bf16 at 2 threads, ms (median)")):
            print(f"{title}:\n")
            print("| workload | heed f32 | heed bf16 | heed bf16 vs f32 | PyTorch f32 | PyTorch bf16 autocast | "
                  "heed bf16 vs PyTorch bf16 | heed planned peak f32, MB | heed planned peak bf16, MB |")
            print("|---|---|---|---|---|---|---|---|---|")
            for workload in workloads:
                f32_line, bf16_line = results["heed-cpu", mode, workload, 2], results["heed-cpu-bf16", mode, workload, 2]
                torch_bf16 = results["torch-bf16", mode, workload, 2]
                print(f"| {workload} | {ms(('heed-cpu', mode, workload, 2))} | {ms(('heed-cpu-bf16', mode, workload, 2))} | "
                      f"{f32_line['ms_per_step_median'] / bf16_line['ms_per_step_median']:.2f}x | "
                      f"{ms(('torch', mode, workload, 2))} | {ms(('torch-bf16', mode, workload, 2))} | "
                      f"{torch_bf16['ms_per_step_median'] / bf16_line['ms_per_step_median']:.2f}x | "
                      f"{mb(f32_line['planned_peak_bytes'])} | {mb(bf16_line['planned_peak_bytes'])} |")
            print()

    print("Memory of a training step, MB:\n")
    print("| workload | heed planned peak (arena) | heed persistent | heed-bench process peak RSS | "
          "PyTorch growth over the steps | PyTorch process peak RSS |")
    print("|---|---|---|---|---|---|")
    for workload in workloads:
        line = results["heed-cpu", "train", workload, 2]
        print(f"| {workload} | {mb(line['planned_peak_bytes'])} | {mb(line['persistent_bytes'])} | "
              f"{mb(line['peak_rss_bytes'])} | {mb(memory[workload]['step_rss_growth_bytes'])} | "
              f"{mb(memory[workload]['peak_rss_bytes'])} |")
    print()
    if peak and "charlm" in workloads:
        charlm = results["heed-cpu", "train", "charlm", 2]
        torch_charlm = results["torch", "train", "charlm", 2]
        heed_rate = charlm["flops_per_step"] / charlm["ms_per_step_median"] / 1e6
        torch_rate = torch_charlm["flops_per_step"] / torch_charlm["ms_per_step_median"] / 1e6
        print(f"GEMM peak (gemm_peak.cpp, best oneDNN shape at 2 threads): {peak:.1f} GFLOP/s. charlm training step: "
              f"heed {heed_rate:.1f} GFLOP/s ({100 * heed_rate / peak:.1f} %), PyTorch {torch_rate:.1f} GFLOP/s "
              f"({100 * torch_rate / peak:.1f} %).")


if __name__ == "__main__":
    main()
