"""The plain-NumPy floor of the benchmark (bench/plain.py) takes the same steps as mathnn.

The benchmark compares mathnn's course loop with that floor; the comparison only means
something if both compute the same training run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

import mathnn as nn

ROOT = Path(__file__).resolve().parent.parent


def _plain() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_plain", ROOT / "bench" / "plain.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plain_loop_takes_the_steps_of_mathnn() -> None:
    plain = _plain()
    rng = np.random.default_rng(3)
    model = nn.Sequential(nn.Linear(7, 5, rng=rng), nn.TanH(), nn.Linear(5, 4, rng=rng))
    twin, loss, twin_loss = plain.PlainMLP(model), nn.CrossEntropyLoss(), plain.PlainCrossEntropy()
    start = model.modules[0].parameters["W"].copy()
    X = rng.normal(size=(30, 7))
    Y = np.eye(4)[rng.integers(0, 4, size=30)]
    Y[:5] *= 0.5  # rows that do not sum to 1: the general gradient s * sum(y) - y
    for begin in range(0, 30, 8):  # the last batch is short
        X_batch, Y_batch = X[begin : begin + 8], Y[begin : begin + 8]
        values = []
        for net, cost in ((model, loss), (twin, twin_loss)):
            yhat = net.forward(X_batch)
            values.append(cost.forward(Y_batch, yhat))
            delta = cost.backward(Y_batch, yhat) / len(X_batch)
            net.zero_grad()
            net.backward_update_gradient(X_batch, delta)
            net.update_parameters(0.3)
        np.testing.assert_allclose(values[1], values[0], rtol=1e-12)
    first, _, second = model.modules
    ours = [first.parameters["W"], first.parameters["b"]]
    ours += [second.parameters["W"], second.parameters["b"]]
    for theirs, mine in zip((twin.W1, twin.b1, twin.W2, twin.b2), ours, strict=True):
        np.testing.assert_allclose(theirs, mine, rtol=1e-12, atol=1e-15)
    assert not np.allclose(first.parameters["W"], start, rtol=1e-3)  # training moved it
