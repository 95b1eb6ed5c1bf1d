"""Benchmark-only data and the accuracy figures of ``bench.json``.

The training recipes themselves ship with the package, in :mod:`mathnn.recipes`, so
that the results page runs as a notebook anywhere mathnn is installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import mathnn as nn
from mathnn.recipes import RECIPES, SEEDS

F32 = np.float32


def usps_sized_digits(n: int = 7291, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Digits at the size of USPS (7291 x 256): 8 x 8 images up-sampled to 16 x 16, drawn with
    replacement. Only the benchmark uses them: the timing needs the shape, not new images."""
    data = nn.load_digits(test_fraction=0.25)
    images = data.X.reshape(-1, 8, 8)
    big = np.kron(images, np.ones((1, 2, 2), dtype=F32)).reshape(-1, 256)
    index = np.random.default_rng(seed).integers(0, len(big), size=n)
    return np.ascontiguousarray(big[index]), data.y[index]


def accuracies(verbose: bool = False) -> dict[str, Any]:
    """Seed-averaged final test accuracy of every recipe, and the per-seed values."""
    out: dict[str, Any] = {"seeds": list(SEEDS)}
    for name, recipe in RECIPES.items():
        values = [recipe(seed).test_accuracy for seed in SEEDS]
        out[name] = float(np.mean(values))
        out[name + "_per_seed"] = values
        if verbose:
            print(f"  {name}: {out[name]:.4f} (seeds {values})", flush=True)
    return out
