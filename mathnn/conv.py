"""1-D convolution, max-pooling and flattening, channels last: ``X`` is ``(N, T, C)``.

Both ``Conv1D`` and ``MaxPool1D`` read the input through a strided view of
shape ``(N, T', k, C)`` (window ``t`` covers positions ``t*s .. t*s + k - 1``),
so there is no Python loop over samples or positions; the backward passes loop
only over the ``k`` offsets of a window.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from mathnn._checks import (
    Array,
    as_float_array,
    check_axis,
    check_float_dtype,
    check_positive_int,
    check_shape,
)
from mathnn.init import init_weights
from mathnn.module import Module, resolve_rng


def output_length(length: int, k_size: int, stride: int) -> int:
    r"""Number of windows :math:`T' = \lfloor (T - k) / s \rfloor + 1` of a valid 1-D sweep.

    Examples
    --------
    >>> output_length(10, 3, 2)
    4
    """
    return (length - k_size) // stride + 1


def windows(X: Array, k_size: int, stride: int) -> Array:
    """Read-only strided view of ``X`` (N, T, C) as windows (N, T', k, C); no copy.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(6.0).reshape(1, 6, 1)
    >>> print(windows(X, 3, 2)[0, :, :, 0])
    [[0. 1. 2.]
     [2. 3. 4.]]
    """
    n, length, chan = X.shape
    t_out = output_length(length, k_size, stride)
    s_n, s_t, s_c = X.strides
    shape, strides = (n, t_out, k_size, chan), (s_n, stride * s_t, s_t, s_c)
    if X.flags.c_contiguous:
        # Speed: the ndarray constructor on X's buffer is ~3x cheaper than as_strided, which
        # goes through a Python-level array interface; it needs X contiguous.
        view = np.ndarray(shape, dtype=X.dtype, buffer=X, strides=strides)
        view.flags.writeable = False
        return view
    return np.lib.stride_tricks.as_strided(X, shape=shape, strides=strides, writeable=False)


def _sequence(X: ArrayLike, k_size: int, where: str, dtype: DTypeLike | None = None) -> Array:
    X = as_float_array(X, "X", where, ndim=3, dtype=dtype, layout="(batch, length, channels)")
    if X.shape[1] < k_size:
        raise ValueError(
            f"{where}: expected a sequence of length >= k_size = {k_size}, "
            f"got length {X.shape[1]} in shape {X.shape}"
        )
    return X


class Conv1D(Module):
    r"""Valid 1-D cross-correlation with stride, channels last.

    Shapes
    ------
    X : (N, T, C) -> output Z : (N, T', C'), with
    :math:`T' = \lfloor (T - k)/s \rfloor + 1`;  W : (k, C, C');  b : (C',);
    delta : (N, T', C').  k = ``k_size``, s = ``stride``, C = ``chan_in``,
    C' = ``chan_out``.

    Parameters
    ----------
    k_size : int
        Kernel width :math:`k`.
    chan_in, chan_out : int
        Input and output channels :math:`C` and :math:`C'`.
    stride : int, default 1
        Step :math:`s` between two windows.
    bias : bool, default True
        Whether to add the bias :math:`b`.
    init : {"xavier", "he"}, default "xavier"
        Weight initialisation with fan-in :math:`kC` and fan-out :math:`kC'`.
    rng : numpy.random.Generator or int or None
        Source (or seed) of the random initial weights.
    dtype : float64 or float32, default float64
        dtype of the parameters and of every result.

    Notes
    -----
    .. math::

       Z_{n t o} = b_o + \sum_{j=0}^{k-1} \sum_{c} X_{n,\, ts + j,\, c}\, W_{j c o},

       \frac{\partial L}{\partial W_{jco}} = \sum_{n, t} X_{n,\, ts + j,\, c}\, \Delta_{nto},
       \qquad
       \frac{\partial L}{\partial b_o} = \sum_{n, t} \Delta_{nto},
       \qquad
       \frac{\partial L}{\partial X_{n i c}} = \sum_{(t, j):\, ts + j = i}\
           \sum_o \Delta_{nto} W_{jco}.

    The forward is one matrix product of the im2col matrix, of shape
    :math:`(N T', k C)`, with ``W`` seen as :math:`(kC, C')`; the weight
    gradient is the transposed product with :math:`\Delta`; the input gradient
    scatters :math:`\Delta W^\top` back onto the windows (with stride 1, a full
    convolution of :math:`\Delta` with the flipped kernel).
    Derivation: :ref:`page-convolution`.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Conv1D, gradcheck
    >>> rng = np.random.default_rng(0)
    >>> conv = Conv1D(3, 2, 4, stride=2, rng=rng)
    >>> X = rng.normal(size=(5, 11, 2))
    >>> conv.forward(X).shape
    (5, 5, 4)
    >>> conv.backward_delta(X, np.ones((5, 5, 4))).shape
    (5, 11, 2)
    >>> bool(max(gradcheck(conv, X).values()) < 1e-7)
    True
    """

    def __init__(
        self,
        k_size: int,
        chan_in: int,
        chan_out: int,
        stride: int = 1,
        bias: bool = True,
        *,
        init: str = "xavier",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        self.k_size = check_positive_int(k_size, "k_size", "Conv1D")
        self.chan_in = check_positive_int(chan_in, "chan_in", "Conv1D")
        self.chan_out = check_positive_int(chan_out, "chan_out", "Conv1D")
        self.stride = check_positive_int(stride, "stride", "Conv1D")
        self.dtype = check_float_dtype(dtype, "Conv1D")
        self.parameters["W"] = init_weights(
            (self.k_size, self.chan_in, self.chan_out),
            self.k_size * self.chan_in,
            self.k_size * self.chan_out,
            init,
            resolve_rng(rng),
            self.dtype,
        )
        if bias:
            self.parameters["b"] = np.zeros(self.chan_out, dtype=self.dtype)
        self.gradients = {k: np.zeros_like(v) for k, v in self.parameters.items()}

    def _input(self, X: ArrayLike, where: str) -> Array:
        X = _sequence(X, self.k_size, where, self.dtype)
        check_axis(X, 2, self.chan_in, "X", where, "channels")
        return X

    def _delta(self, X: Array, delta: ArrayLike, where: str) -> Array:
        delta = as_float_array(delta, "delta", where, ndim=3, dtype=self.dtype)
        t_out = output_length(X.shape[1], self.k_size, self.stride)
        check_shape(delta, (X.shape[0], t_out, self.chan_out), "delta", where)
        return delta

    def _columns(self, X: Array) -> Array:
        """The im2col matrix (N*T', k*C): one row per window, copied once by ``reshape``."""
        cols = windows(X, self.k_size, self.stride)
        return cols.reshape(-1, self.k_size * self.chan_in)

    def _single_channel_columns(self, X: Array) -> Array:
        # One input channel with a bias (typically the first layer): the im2col matrix built
        # transposed, (k + 1, N*T'), its last row all ones so that the bias rides in the same
        # product. Speed: each row is one copy of N contiguous runs, where the (N*T', k) layout
        # copies k values at a time, and no broadcast bias addition is needed (~3x faster).
        n, length, _ = X.shape
        t_out = output_length(length, self.k_size, self.stride)
        span = self.stride * (t_out - 1) + 1
        cols_t = np.empty((self.k_size + 1, n, t_out), dtype=X.dtype)
        for j in range(self.k_size):
            cols_t[j] = X[:, j : j + span : self.stride, 0]
        cols_t[-1] = 1
        return cols_t.reshape(self.k_size + 1, -1)

    def forward(self, X: ArrayLike) -> Array:
        """Return the cross-correlation of ``X`` with ``W`` plus ``b``, shape (N, T', C')."""
        X = self._input(X, "Conv1D.forward")
        t_out = output_length(X.shape[1], self.k_size, self.stride)
        W = self.parameters["W"].reshape(-1, self.chan_out)
        if self.chan_in == 1 and "b" in self.parameters:
            W_b = np.concatenate([W, self.parameters["b"][None]])  # (k + 1, C'): b last
            Z = self._single_channel_columns(X).T @ W_b
            return Z.reshape(X.shape[0], t_out, self.chan_out)
        Z = self._columns(X) @ W
        if "b" in self.parameters:
            Z += self.parameters["b"]
        return Z.reshape(X.shape[0], t_out, self.chan_out)

    def backward_update_gradient(self, X: ArrayLike, delta: ArrayLike) -> None:
        """Add ``cols.T @ delta`` (reshaped to (k, C, C')) to ``gradients["W"]``, and ``delta``
        summed over batch and length to ``gradients["b"]``."""
        where = "Conv1D.backward_update_gradient"
        X = self._input(X, where)
        delta = self._delta(X, delta, where).reshape(-1, self.chan_out)
        if self.chan_in == 1 and "b" in self.gradients:
            both = self._single_channel_columns(X) @ delta  # (k + 1, C'): the b row last
            self.gradients["W"] += both[:-1].reshape(self.parameters["W"].shape)
            self.gradients["b"] += both[-1]
            return
        self.gradients["W"] += (self._columns(X).T @ delta).reshape(self.parameters["W"].shape)
        if "b" in self.gradients:
            # Speed: a product with a vector of ones is ~5x faster than delta.sum(axis=0).
            self.gradients["b"] += np.ones(delta.shape[0], dtype=delta.dtype) @ delta

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return the input gradient, shape (N, T, C): ``delta @ W^T`` scattered onto the
        windows it came from."""
        where = "Conv1D.backward_delta"
        X = self._input(X, where)
        delta = self._delta(X, delta, where)
        n, t_out, _ = delta.shape
        W = self.parameters["W"]
        # (N T', C') @ (k, C', C) -> (k, N T', C): the gradient of every window, offset by offset,
        # then one strided add per offset. Speed: delta is flattened to 2-D first, so this is
        # one batched BLAS call, not N small ones; each offset's block is contiguous, so the
        # adds read whole rows of T' C values instead of C values at a time.
        per_offset = np.matmul(delta.reshape(-1, self.chan_out), W.transpose(0, 2, 1)).reshape(
            self.k_size, n, t_out, self.chan_in
        )
        span = self.stride * (t_out - 1) + 1
        first = 0
        if self.stride == 1:
            # Speed: offset 0 alone covers positions 0 .. T'-1, so it is assigned rather than
            # added to zeros; only the k - 1 positions after them are zeroed.
            dX = np.empty_like(X)
            dX[:, :t_out] = per_offset[0]
            dX[:, t_out:] = 0
            first = 1
        else:
            dX = np.zeros_like(X)
        for j in range(first, self.k_size):
            dX[:, j : j + span : self.stride] += per_offset[j]
        return dX

    def __repr__(self) -> str:
        return f"Conv1D({self.k_size}, {self.chan_in}, {self.chan_out}, stride={self.stride})"


class MaxPool1D(Module):
    r"""Maximum over windows of the length axis, channel by channel.

    Shapes
    ------
    X : (N, T, C) -> output : (N, T', C) with
    :math:`T' = \lfloor (T - k)/s \rfloor + 1`;  delta : (N, T', C).

    Parameters
    ----------
    k_size : int
        Window width :math:`k`.
    stride : int
        Step :math:`s` between windows (independent of ``k_size``).

    Notes
    -----
    .. math::

       Z_{ntc} = \max_{0 \le j < k} X_{n,\, ts + j,\, c}, \qquad
       \frac{\partial L}{\partial X_{nic}} = \sum_{t:\ ts + j^*_{ntc} = i} \Delta_{ntc},

    where :math:`j^*_{ntc}` is the position of the maximum in window
    :math:`t` (the first one on ties, as in PyTorch): each window routes its
    gradient to its winner only; overlapping windows may add up at one entry.
    Derivation: :ref:`page-convolution`.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import MaxPool1D
    >>> X = np.array([1.0, 3.0, 2.0, 5.0, 4.0]).reshape(1, 5, 1)
    >>> pool = MaxPool1D(2, 1)
    >>> print(pool.forward(X)[0, :, 0])
    [3. 3. 5. 5.]
    >>> print(pool.backward_delta(X, np.ones((1, 4, 1)))[0, :, 0])
    [0. 2. 0. 2. 0.]
    """

    def __init__(self, k_size: int, stride: int) -> None:
        super().__init__()
        self.k_size = check_positive_int(k_size, "k_size", "MaxPool1D")
        self.stride = check_positive_int(stride, "stride", "MaxPool1D")

    def forward(self, X: ArrayLike) -> Array:
        """Return the maximum of every window, shape (N, T', C)."""
        X = _sequence(X, self.k_size, "MaxPool1D.forward")
        return self._max(X)

    def _offsets(self, X: Array) -> list[Array]:
        """The k views ``X[:, j : j + span : s]``, each (N, T', C): offset j of every window."""
        t_out = output_length(X.shape[1], self.k_size, self.stride)
        span = self.stride * (t_out - 1) + 1
        return [X[:, j : j + span : self.stride] for j in range(self.k_size)]

    def _max(self, X: Array) -> Array:
        # Speed: k element-wise maxima of strided slices instead of a reduction over the
        # short window axis of a strided view (about 20x faster for k = 2).
        offsets = self._offsets(X)
        if len(offsets) == 1:
            return offsets[0].copy()
        Z = np.maximum(offsets[0], offsets[1])  # Speed: the first maximum also allocates Z
        for view in offsets[2:]:
            np.maximum(Z, view, out=Z)
        return Z

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta`` routed to the position of each window's maximum, shape (N, T, C)."""
        where = "MaxPool1D.backward_delta"
        X = _sequence(X, self.k_size, where)
        delta = as_float_array(delta, "delta", where, ndim=3, dtype=X.dtype)
        n, length, chan = X.shape
        t_out = output_length(length, self.k_size, self.stride)
        check_shape(delta, (n, t_out, chan), "delta", where)
        # Offsets in order: each takes the gradient still unrouted where it equals the
        # window's maximum, so the first maximum wins ties (as in PyTorch); what is left
        # belongs to the last offset. No argmax: a few element-wise passes instead.
        # remaining - routed is exact (routed is either 0 or remaining itself).
        if self.stride == self.k_size == 2:
            # Speed: windows that do not overlap route into disjoint entries of dX, so each
            # offset's share is written straight into dX (no zero fill, no accumulation; only
            # the entries after the last window are zeroed), and with k = 2 the first entry
            # wins exactly when it is >= the second: no maximum to recompute.
            dX = np.empty_like(X)
            dX[:, 2 * t_out :] = 0
            first, second = self._offsets(X)
            d_first, d_second = self._offsets(dX)
            np.multiply(delta, first >= second, out=d_first)
            np.subtract(delta, d_first, out=d_second)
            return dX
        Z = self._max(X)
        dX = np.zeros_like(X)
        views, d_views = self._offsets(X), self._offsets(dX)
        remaining = delta
        for view, d_view in zip(views[:-1], d_views[:-1], strict=True):
            routed = remaining * (view == Z)
            d_view += routed
            remaining = remaining - routed
        d_views[-1] += remaining
        return dX

    def __repr__(self) -> str:
        return f"MaxPool1D({self.k_size}, {self.stride})"


class Flatten(Module):
    r"""Reshape ``(N, T, C)`` (or any ``(N, ...)``) into ``(N, T*C)``; the backward undoes it.

    Shapes
    ------
    X : (N, T, C) -> output : (N, T C);  delta : (N, T C) -> (N, T, C).

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Flatten
    >>> X = np.zeros((2, 5, 3))
    >>> Flatten().forward(X).shape
    (2, 15)
    >>> Flatten().backward_delta(X, np.ones((2, 15))).shape
    (2, 5, 3)
    """

    def forward(self, X: ArrayLike) -> Array:
        """Return ``X.reshape(N, -1)``."""
        where = "Flatten.forward"
        X = as_float_array(X, "X", where, ndim=tuple(range(2, 8)), layout="(batch, ...)")
        return X.reshape(X.shape[0], -1)

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta.reshape(X.shape)``."""
        where = "Flatten.backward_delta"
        X = as_float_array(X, "X", where, ndim=tuple(range(2, 8)), layout="(batch, ...)")
        delta = as_float_array(delta, "delta", where, dtype=X.dtype)
        check_shape(delta, (X.shape[0], X[0].size), "delta", where)
        return delta.reshape(X.shape)
