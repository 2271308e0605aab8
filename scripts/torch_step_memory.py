"""PyTorch's resident memory for one step of a reference workload; prints one JSON line.

  /usr/bin/python3 scripts/torch_step_memory.py --workload {seq2seq,charlm,vit} \
      [--mode {train,infer}] [--threads K] [--peer DIR]

Builds the model, batch and optimizer exactly as shared/bench/torch_peer.py does (it imports
that file from --peer, default ../shared/bench beside this checkout), resets the kernel's
high-water mark of this process (writing 5 to /proc/self/clear_refs), and runs 4 steps. Freed
memory stays resident in the allocator's caches, so later steps reuse what the first one
touched; the peak over the steps is the step's. It reports:

  rss_before_steps_bytes  resident memory before the first step (Python, libtorch, the model)
  peak_rss_bytes          the process's peak resident memory over the steps
  step_rss_growth_bytes   the difference: what the steps added at their peak (activations,
                          gradients, AdamW's moments, allocator caches)

heed-bench's planned_peak_bytes (the arena of intermediate values) plus the gradients and
moments in its persistent_bytes compare with the growth; its peak_rss_bytes (the whole
heed-bench process) with peak_rss_bytes.
"""

import argparse
import json
import os
import sys


def status_bytes(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", required=True, choices=["seq2seq", "charlm", "vit"])
    ap.add_argument("--mode", default="train", choices=["train", "infer"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--peer", default=os.path.join(here, "..", "..", "shared", "bench"),
                    help="folder holding torch_peer.py and torch_models.py")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.peer, "torch_peer.py")):
        sys.exit(f"torch_step_memory.py: no torch_peer.py in {args.peer}; give --peer")
    sys.path.insert(0, args.peer)
    saved_argv, sys.argv = sys.argv, [sys.argv[0]]  # torch_peer reads sys.argv when imported
    import torch_peer as peer
    sys.argv = saved_argv

    peer.set_threads(args.threads)
    name = args.workload
    batch = peer.BENCH_BATCH[name] if args.mode == "train" else 1
    model = peer.tm.build_model(name)
    data = peer.make_batch(name, batch)
    if args.mode == "train":
        model.train()
        opt = peer.make_optimizer(model)
        step = lambda: peer.train_step(name, model, opt, data)
    else:
        model.eval()
        step = lambda: peer.infer_step(name, model, data)
    before = status_bytes("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current resident size
    for _ in range(4):
        step()
    peak = status_bytes("VmHWM")
    print(json.dumps({"workload": name, "impl": "torch", "mode": args.mode, "threads": args.threads,
                      "batch": batch, "rss_before_steps_bytes": before, "peak_rss_bytes": peak,
                      "step_rss_growth_bytes": peak - before}), flush=True)


if __name__ == "__main__":
    main()
