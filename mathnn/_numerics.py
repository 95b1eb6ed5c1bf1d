"""Numerically stable kernels shared by activations and losses.

One core, :func:`softmax_parts`, computes the shift, the exponentials and their sum
(after tinygrad's ``_softmax``); the softmax, the log-softmax and the cross-entropy, with
its log-sum-exp, are all read off it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mathnn._checks import Array


def softmax_parts(Z: Array) -> tuple[Array, Array, Array]:
    r"""The shared core, over the last axis: the shifted logits :math:`z - m` (with
    :math:`m = \max_j z_j`), their exponentials :math:`e^{z - m}` and the sum
    :math:`\sum_j e^{z_j - m}` (kept as an axis of size 1).

    Subtracting :math:`m` keeps every exponent at most 0, so logits of 1e4 give finite
    results; the sum is at least 1 (the maximum contributes :math:`e^0`). Then
    :math:`\operatorname{softmax}(z) = e^{z - m} / \sum_j e^{z_j - m}` and
    :math:`\log \operatorname{softmax}(z) = (z - m) - \log \sum_j e^{z_j - m}`.
    The last axis must not be empty.

    Examples
    --------
    >>> import numpy as np
    >>> shifted, exp, total = softmax_parts(np.array([[1e4, 0.0]]))
    >>> print(shifted, exp, total)
    [[     0. -10000.]] [[1. 0.]] [[1.]]
    """
    rows = Z if Z.ndim == 2 else Z.reshape(-1, Z.shape[-1])  # (samples, classes)
    # Speed: NumPy reduces a short last axis one row at a time; the maximum of the transposed
    # copy is k vectorised passes instead (3.5 against 1.7 microseconds for 64 x 10 in
    # float32, 43 against 4.6 for 1000 x 10), and the sums are one BLAS product with ones
    # (row_sums). Share: 0.5 % of a training step of the benchmark MLP (bench/models.py).
    row_max = np.ascontiguousarray(rows.T).max(axis=0)
    shifted = rows - row_max[:, None]
    exp = np.exp(shifted)
    total = row_sums(exp)[:, None]
    if Z.ndim == 2:
        return shifted, exp, total
    return shifted.reshape(Z.shape), exp.reshape(Z.shape), total.reshape(*Z.shape[:-1], 1)


def log_softmax(Z: Array) -> Array:
    r"""Log-softmax over the last axis: :math:`(z - m) - \log \sum_j e^{z_j - m}`."""
    shifted, _, total = softmax_parts(Z)
    shifted -= np.log(total)
    return shifted


def softmax(Z: Array) -> Array:
    r"""Softmax over the last axis: :math:`e^{z - m} / \sum_j e^{z_j - m}`."""
    _, exp, total = softmax_parts(Z)
    exp /= total
    return exp


def sigmoid(X: Array) -> Array:
    r"""Logistic function :math:`1 / (1 + e^{-x}) = e^{-\log(1 + e^{-x})}`, overflow-free."""
    return np.exp(-np.logaddexp(0.0, -X))


_ONES: dict[tuple[int, np.dtype[Any]], Array] = {}


def _ones(n: int, dtype: np.dtype[Any]) -> Array:
    """A read-only vector of ``n`` ones, made once per length and dtype (``np.ones`` is a
    Python-level function: a few of its calls per training step cost more than a lookup)."""
    ones = _ONES.get((n, dtype))
    if ones is None:
        ones = np.ones(n, dtype=dtype)
        ones.flags.writeable = False
        _ONES[(n, dtype)] = ones
    return ones


def row_sums(A: Array) -> Array:
    r""":math:`A \mathbf{1}`: the sum of each row of the 2-D array ``A``, as a product with a
    column of ones (see :func:`column_sums` for the speed)."""
    return A @ _ones(A.shape[1], A.dtype)


def column_sums(A: Array) -> Array:
    r""":math:`A^\top \mathbf{1}`: the sum of the rows of the 2-D array ``A``, as a product with
    a column of ones (the bias gradient :math:`\Delta^\top \mathbf{1}_N`).

    Speed: in float32 this BLAS product is 3 to 8 times faster than ``A.sum(axis=0)`` for
    the shapes of a training step, e.g. 9 against 71 microseconds for (2432, 32). Share:
    2 % of a training step of the benchmark CNN, 0.4 % of the MLP's (bench/models.py).
    """
    return _ones(A.shape[0], A.dtype) @ A
