"""Numerically stable kernels shared by activations and losses."""

from __future__ import annotations

import numpy as np

from mathnn._checks import Array


def logsumexp(Z: Array) -> Array:
    r"""Log-sum-exp over the last axis, kept as a trailing axis of size 1.

    .. math:: \operatorname{lse}(z) = m + \log \sum_j e^{z_j - m}, \quad m = \max_j z_j

    Subtracting the row maximum keeps every exponent at most 0, so logits of
    1e4 give finite results.
    """
    row_max = Z.max(axis=-1, keepdims=True)
    return row_max + np.log(np.exp(Z - row_max).sum(axis=-1, keepdims=True))


def log_softmax(Z: Array) -> Array:
    r"""Log-softmax over the last axis: :math:`z - \operatorname{lse}(z)`."""
    return Z - logsumexp(Z)


def softmax(Z: Array) -> Array:
    r"""Softmax over the last axis, computed as :math:`e^{z - m} / \sum_j e^{z_j - m}`."""
    exp = np.exp(Z - Z.max(axis=-1, keepdims=True))
    exp /= exp.sum(axis=-1, keepdims=True)
    return exp


def sigmoid(X: Array) -> Array:
    r"""Logistic function :math:`1 / (1 + e^{-x}) = e^{-\log(1 + e^{-x})}`, overflow-free."""
    return np.exp(-np.logaddexp(0.0, -X))
