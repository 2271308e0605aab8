#!/usr/bin/env python3
"""Writes tests/checkpoint/fixtures/torch_written.safetensors with the safetensors writer of
shared/bench/torch_models.py, so the C++ tests check that heed reads what the PyTorch twin
writes (and writes the very same bytes for the same tensors) without needing PyTorch.

  /usr/bin/python3 tests/checkpoint/make_fixtures.py [--bench ../shared/bench]

The values are small dyadic fractions, exact in f32; tests/checkpoint/test_safetensors.cpp
spells out the same tensors.
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def fixture_tensors():
    return {
        "layer.weight": (np.arange(6, dtype=np.float32) * 0.25 - 0.5).reshape(2, 3),  # [2, 3]
        "layer.bias": np.array([1.5, -2.0, 3.25], dtype=np.float32),                  # [3]
        "scale": np.array([7.0], dtype=np.float32),                                   # [1]
    }


# Keys in sorted order: heed writes metadata sorted by key, torch_models in insertion order.
FIXTURE_METADATA = {"config": '{"d":3}', "model": "tiny"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=os.path.join(HERE, "..", "..", "..", "shared", "bench"))
    args = parser.parse_args()
    sys.path.insert(0, os.path.abspath(args.bench))
    import torch_models  # noqa: E402  (needs PyTorch: Debian's python3-torch)

    path = os.path.join(HERE, "fixtures", "torch_written.safetensors")
    torch_models.save_safetensors(path, fixture_tensors(), FIXTURE_METADATA)
    tensors, metadata = torch_models.load_safetensors(path)
    assert metadata == FIXTURE_METADATA
    for name, value in fixture_tensors().items():
        assert np.array_equal(tensors[name], value), name
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
