"""Fits the polynomial Q of backends/cpu/vector_math.hpp's normal_distribution and reports its error.

  /usr/bin/python3 scripts/fit_normal_tail.py [--degree 9]

The normal tail Phi(-|x|) = erfc(z) / 2, z = |x| / sqrt 2, is written there as
t Q(t) exp(-x^2 / 2) / 2 with t = 1 / (1 + z / 2), so Q(t) = erfc(z) exp(z^2) / t, a smooth
function on t in (0, 1]. Below t = 0.17 (z > 9.3) exp(-x^2 / 2) underflows in float and the tail
is 0, so the fit covers [0.17, 1]. Q is a polynomial in s = t - 0.585 (the middle of the interval,
which keeps the coefficients small); least squares weighted by 1 / Q, then Lawson's reweighting
towards the smallest largest relative error. It prints the coefficients, lowest power first, and
the largest relative error in double and with float Horner steps as the C++ code takes them.
Runs under Debian's python3-torch (the benchmarks' PyTorch), used here for float64 least squares.
"""

import argparse
import math

import torch

LOW, CENTRE = 0.17, 0.585


def exact(t):
    z = 2 * (1 - t) / t
    return math.erfc(z) * math.exp(z * z) / t


def horner(coefficients, s):
    value = torch.zeros_like(s)
    for c in reversed(coefficients):
        value = value * s + c
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--degree", type=int, default=9)
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)

    count = 3000  # Chebyshev nodes of [LOW, 1]
    nodes = torch.cos(math.pi * (torch.arange(count) + 0.5) / count)
    t = (LOW + 1) / 2 + (1 - LOW) / 2 * nodes
    target = torch.tensor([exact(float(v)) for v in t])
    powers = torch.stack([(t - CENTRE) ** i for i in range(args.degree + 1)], 1)
    weights = torch.full((count,), 1.0 / count)
    for _ in range(80):
        root = weights.sqrt()[:, None]
        coefficients = torch.linalg.lstsq(powers / target[:, None] * root, root).solution[:, 0]
        error = (powers @ coefficients - target) / target
        weights = weights * error.abs()
        weights = weights / weights.sum()

    grid = torch.linspace(LOW, 1, 40001)
    truth = torch.tensor([exact(float(v)) for v in grid])
    in_double = horner(coefficients, grid - CENTRE)
    in_float = horner(coefficients.float(), (grid.float() - CENTRE)).double()
    print("coefficients, lowest power of (t - 0.585) first:")
    for c in coefficients:
        print(f"  {float(c):.9e}")
    print(f"largest relative error: {float(((in_double - truth) / truth).abs().max()):.2e} in double, "
          f"{float(((in_float - truth) / truth).abs().max()):.2e} in float")


if __name__ == "__main__":
    main()
