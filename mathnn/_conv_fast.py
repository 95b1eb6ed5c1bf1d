"""Faster kernels for a few layer shapes of :mod:`mathnn.conv`, behind one dispatch.

Each kernel computes exactly what the plain path of :mod:`mathnn.conv` computes (the
path the Notes of each class describe); ``tests/test_conv_fast.py`` checks each one
against it. Each comment "Share" gives the kernel's measured gain: the fraction of a
training step of the benchmark CNN (``bench/models.py``: one MNIST-1D epoch, batch 64,
SGD with momentum, float32, one thread) that it saves, from an in-process A/B: blocks of
training steps with and without the kernel, interleaved in random order, 300 blocks each,
CPU time of the thread, median of the paired ratios. All kernels together save 11 %.
A kernel whose gain cannot be measured does not belong here.

Every kernel receives arrays already checked (and padded) by the calling method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mathnn._checks import Array


def _single_channel_columns(conv: Any, X: Array) -> Array:
    """The im2col matrix built transposed, ``(k + 1, N*T')``, its last row all ones (for the
    bias), from ``X`` of shape (N, T, 1)."""
    n, length, _ = X.shape
    t_out = (length - conv.k_size) // conv.stride + 1
    span = conv.stride * (t_out - 1) + 1
    cols_t = np.empty((conv.k_size + 1, n, t_out), dtype=X.dtype)
    for j in range(conv.k_size):
        cols_t[j] = X[:, j : j + span : conv.stride, 0]
    cols_t[-1] = 1
    return cols_t.reshape(conv.k_size + 1, -1)


# One input channel with a bias (typically the first layer). Each row of the transposed
# im2col matrix is one copy of N contiguous runs, where the (N*T', k) layout copies k
# values at a time; the bias rides in the same product as a row of ones.
# Share: forward and weight gradient together save 4 % of a training step (1.13 against
# 1.08 ms).
def single_channel_forward(conv: Any, X: Array) -> Array:
    """``Z`` of a one-channel Conv1D with bias, as ``cols_t.T @ [W; b]``."""
    W = conv.parameters["W"].reshape(-1, conv.chan_out)
    W_b = np.concatenate([W, conv.parameters["b"][None]])  # (k + 1, C'): b last
    t_out = (X.shape[1] - conv.k_size) // conv.stride + 1
    return (_single_channel_columns(conv, X).T @ W_b).reshape(X.shape[0], t_out, conv.chan_out)


def single_channel_weight_gradient(conv: Any, X: Array, delta: Array) -> None:
    """Add ``cols_t @ delta`` to the gradients of ``W`` (first k rows) and ``b`` (last row)."""
    both = _single_channel_columns(conv, X) @ delta  # (k + 1, C'): the b row last
    conv.gradients["W"] += both[:-1].reshape(conv.parameters["W"].shape)
    conv.gradients["b"] += both[-1]


# Stride 1: offset 0 alone covers positions 0 .. T'-1, so it is assigned rather than added
# to zeros; only the k - 1 positions after them are zeroed.
# Share: 0.5 to 0.9 % of a training step (the smallest gain kept here).
def stride_one_input_gradient(conv: Any, delta: Array, padded_length: int) -> Array:
    """``dL/dX`` of the padded input for stride 1, as ``Conv1D._scatter`` computes it."""
    per_offset = conv._window_gradients(delta)
    n, t_out, _ = delta.shape
    dX = np.empty((n, padded_length, conv.chan_in), dtype=delta.dtype)
    dX[:, :t_out] = per_offset[0]
    dX[:, t_out:] = 0
    for j in range(1, conv.k_size):
        dX[:, j : j + t_out] += per_offset[j]
    return dX


# Max-pooling with k = s = 2: windows do not overlap, so each offset's share is written
# straight into dX (no zero fill, no accumulation; only the entries after the last window
# are zeroed), and the first entry wins exactly when it is >= the second: no maximum to
# recompute. Share: 6 % of a training step (1.15 against 1.08 ms).
def pairs_input_gradient(pool: Any, X: Array, delta: Array) -> Array:
    """``dL/dX`` of ``MaxPool1D(2, 2)``: ``delta`` routed to the larger entry of each pair."""
    t_out = delta.shape[1]
    dX = np.empty_like(X)
    dX[:, 2 * t_out :] = 0
    first, second = X[:, 0 : 2 * t_out : 2], X[:, 1 : 2 * t_out : 2]
    d_first, d_second = dX[:, 0 : 2 * t_out : 2], dX[:, 1 : 2 * t_out : 2]
    # The mask as floats, then a product in place: NumPy's mixed bool-float loop is slower
    # (the trick of ReLU.backward_delta). Share: 1 % of a step of the course's loop on the
    # benchmark CNN (1.044 against 1.035 ms, A/B of steps as above).
    routed = (first >= second).astype(delta.dtype)
    routed *= delta
    d_first[...] = routed
    np.subtract(delta, routed, out=d_second)
    return dX


Kernel = Callable[..., Any]

# method -> (which layers qualify, the kernel)
FAST: dict[str, tuple[Callable[[Any], bool], Kernel]] = {
    "Conv1D.forward": (
        lambda conv: conv.chan_in == 1 and "b" in conv.parameters,
        single_channel_forward,
    ),
    "Conv1D.backward_update_gradient": (
        lambda conv: conv.chan_in == 1 and "b" in conv.parameters,
        single_channel_weight_gradient,
    ),
    "Conv1D.backward_delta": (lambda conv: conv.stride == 1, stride_one_input_gradient),
    "MaxPool1D.backward_delta": (
        lambda pool: pool.k_size == pool.stride == 2,
        pairs_input_gradient,
    ),
}


def kernel(method: str, layer: Any) -> Kernel | None:
    """The one dispatch: the fast kernel of ``method`` (``"Conv1D.forward"``, ...) for this
    layer's shape, or None when the plain path of :mod:`mathnn.conv` applies."""
    qualifies, fast = FAST[method]
    return fast if qualifies(layer) else None
