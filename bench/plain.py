"""The benchmark MLP in plain NumPy, driven by the course's calls, with no check at all.

The arithmetic is mathnn's, with the same kernels (:mod:`mathnn._numerics`), written in
place wherever nothing else reads the array; but there is no input check, no NaN / inf
scan, no copy, no error message and no module stack: the floor under the course's loop of
:mod:`bench.models` in NumPy.
``make bench`` times it beside mathnn and PyTorch, so that what mathnn's checks cost on
that loop is measured rather than guessed. ``tests/test_bench_plain.py`` checks that it
takes the same steps as mathnn.
"""

from __future__ import annotations

import numpy as np

import mathnn as nn
from mathnn._numerics import column_sums, row_sums, softmax, softmax_parts


class PlainMLP:
    """Linear, TanH, Linear, started from the weights of a mathnn MLP (copied)."""

    def __init__(self, model: nn.Sequential) -> None:
        first, _, second = model.modules
        self.W1, self.b1 = first.parameters["W"].copy(), first.parameters["b"].copy()
        self.W2, self.b2 = second.parameters["W"].copy(), second.parameters["b"].copy()
        self.params = (self.W1, self.b1, self.W2, self.b2)
        self.grads = [np.zeros_like(p) for p in self.params]
        self.H = np.zeros((0, self.W1.shape[1]), dtype=self.W1.dtype)  # set by each forward

    def forward(self, X: np.ndarray) -> np.ndarray:
        Z = X @ self.W1
        Z += self.b1
        self.H = np.tanh(Z, out=Z)
        out = self.H @ self.W2
        out += self.b2
        return out

    def zero_grad(self) -> None:
        for gradient in self.grads:
            gradient.fill(0)

    def backward_update_gradient(self, X: np.ndarray, delta: np.ndarray) -> None:
        dW1, db1, dW2, db2 = self.grads
        dW2 += self.H.T @ delta
        db2 += column_sums(delta)
        hidden = np.square(self.H)
        np.subtract(1.0, hidden, out=hidden)
        hidden *= delta @ self.W2.T  # (1 - tanh^2) times the back-propagated delta
        dW1 += X.T @ hidden
        db1 += column_sums(hidden)

    def update_parameters(self, step: float) -> None:
        for parameter, gradient in zip(self.params, self.grads, strict=True):
            parameter -= step * gradient


class PlainCrossEntropy:
    """Cross-entropy on logits against one-hot rows, as mathnn computes it, unchecked."""

    def forward(self, Y: np.ndarray, Z: np.ndarray) -> np.ndarray:
        shifted, _, total = softmax_parts(Z)
        return row_sums(Y * (np.log(total) - shifted))

    def backward(self, Y: np.ndarray, Z: np.ndarray) -> np.ndarray:
        S = softmax(Z)
        S *= row_sums(Y)[:, None]
        S -= Y
        return S
