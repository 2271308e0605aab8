#!/usr/bin/env python3
"""The heed -> PyTorch direction of checkpoint interchange: runs heed's write_example, reads its
file with torch_models.load_safetensors and checks every value, dtype and the metadata.

  python3 torch_reads_heed.py WRITE_EXAMPLE TORCH_MODELS_DIR TMPDIR

Needs numpy and PyTorch (torch_models imports it); meson registers this test only where both
import.
"""
import os
import subprocess
import sys

import numpy as np


def main():
    writer, bench, tmpdir = sys.argv[1:4]
    sys.path.insert(0, bench)
    import torch_models

    path = os.path.join(tmpdir, "heed_written.safetensors")
    subprocess.run([writer, path], check=True)
    tensors, metadata = torch_models.load_safetensors(path)
    assert metadata == {"model": "example", "config": '{"in":4,"out":3}'}, metadata
    want = {
        "linear.weight": (np.arange(12, dtype=np.float32) * 0.5 - 3.0).reshape(3, 4),
        "linear.bias": np.array([0.125, -1e-3, 1e6], dtype=np.float32),
        "tokens": np.array([[-7, 0], [255, 2147483647]], dtype=np.int32),
    }
    assert set(tensors) == set(want), sorted(tensors)
    for name, value in want.items():
        assert tensors[name].dtype == value.dtype, (name, tensors[name].dtype)
        assert np.array_equal(tensors[name], value), (name, tensors[name])
    # And the float tensors load into a PyTorch module through the twin's own loader.
    import torch
    linear = torch.nn.Linear(4, 3)
    linear.load_state_dict({"weight": torch.from_numpy(tensors["linear.weight"]),
                            "bias": torch.from_numpy(tensors["linear.bias"])}, strict=True)
    os.remove(path)
    print("torch_models.load_safetensors read heed's file: 3 tensors and the metadata match")


if __name__ == "__main__":
    main()
