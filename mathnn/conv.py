"""1-D convolution, max-pooling and flattening, channels last: ``X`` is ``(N, T, C)``.

Both ``Conv1D`` and ``MaxPool1D`` read the input through a strided view of
shape ``(N, T', k, C)`` (window ``t`` covers positions ``t*s .. t*s + k - 1``),
so there is no Python loop over samples or positions; the backward passes loop
only over the ``k`` offsets of a window.

The code below is the path that each class's Notes describe. A few layer
shapes have a faster kernel of their own, in :mod:`mathnn._conv_fast`, chosen by
its single dispatch ``_conv_fast.kernel``; the tests check each against this path.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from mathnn import _conv_fast
from mathnn._checks import (
    Array,
    Where,
    as_float_array,
    check_axis,
    check_float_dtype,
    check_scalar,
    check_shape,
)
from mathnn._numerics import column_sums
from mathnn.init import init_parameters
from mathnn.module import Module


def output_length(length: int, k_size: int, stride: int, padding: int = 0) -> int:
    r"""Number of windows :math:`T' = \lfloor (T + 2p - k) / s \rfloor + 1` of a 1-D sweep.

    Examples
    --------
    >>> output_length(10, 3, 2), output_length(10, 3, 2, padding=1)
    (4, 5)
    """
    return (length + 2 * padding - k_size) // stride + 1


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
        # goes through a Python-level array interface; it needs X contiguous. Share: 2 % of
        # a training step of the benchmark CNN (1.20 against 1.23 ms, A/B of steps).
        view = np.ndarray(shape, dtype=X.dtype, buffer=X, strides=strides)
        view.flags.writeable = False
        return view
    return np.lib.stride_tricks.as_strided(X, shape=shape, strides=strides, writeable=False)


def _sequence(
    X: ArrayLike, where: Where, k_size: int, padding: int = 0, dtype: DTypeLike | None = None
) -> Array:
    """``X`` checked as a float (N, T, C) array long enough for one window once padded."""
    X = as_float_array(X, "X", where, ndim=3, dtype=dtype, layout="(batch, length, channels)")
    if X.shape[1] + 2 * padding < k_size:
        note = f" for k_size = {k_size}" + (f" and padding = {padding}" if padding else "")
        check_axis(X, 1, k_size - 2 * padding, "X", where, "positions", at_least=True, note=note)
    return X


class Conv1D(Module):
    r"""1-D cross-correlation with stride and zero padding, channels last.

    Shapes
    ------
    X : (N, T, C) -> output Z : (N, T', C'), with
    :math:`T' = \lfloor (T + 2p - k)/s \rfloor + 1`;  W : (k, C, C');  b : (C',);
    delta : (N, T', C').  k = ``k_size``, s = ``stride``, p = ``padding``,
    C = ``chan_in``, C' = ``chan_out``.

    Parameters
    ----------
    k_size : int
        Kernel width :math:`k`.
    chan_in, chan_out : int
        Input and output channels :math:`C` and :math:`C'`.
    stride : int, default 1
        Step :math:`s` between two windows.
    padding : int, default 0
        Number :math:`p` of zeros added at each end of the length axis, as in
        PyTorch's ``Conv1d``; 0 gives the valid cross-correlation.
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
    The padded input :math:`\tilde X`, of length :math:`T + 2p`, holds
    :math:`\tilde X_{n,\, i + p,\, c} = X_{nic}` for :math:`0 \le i < T` and zeros
    at its first and last :math:`p` positions. Then

    .. math::

       Z_{n t o} = b_o + \sum_{j=0}^{k-1} \sum_{c} \tilde X_{n,\, ts + j,\, c}\, W_{j c o},

       \frac{\partial L}{\partial W_{jco}} = \sum_{n, t} \tilde X_{n,\, ts + j,\, c}\,
           \Delta_{nto},
       \qquad
       \frac{\partial L}{\partial b_o} = \sum_{n, t} \Delta_{nto},

       \frac{\partial L}{\partial \tilde X_{n i c}} = \sum_{(t, j):\, ts + j = i}\
           \sum_o \Delta_{nto} W_{jco},
       \qquad
       \frac{\partial L}{\partial X_{n i c}}
           = \frac{\partial L}{\partial \tilde X_{n,\, i + p,\, c}}.

    Padding is a linear map whose transpose crops: the input gradient is that of
    :math:`\tilde X` without its first and last :math:`p` positions.

    The forward is one matrix product of the im2col matrix of :math:`\tilde X`, of
    shape :math:`(N T', k C)`, with ``W`` seen as :math:`(kC, C')`; the weight
    gradient is the transposed product with :math:`\Delta`, the bias gradient
    :math:`\Delta^\top \mathbf{1}`; the input gradient scatters
    :math:`\Delta W^\top` back onto the windows. With stride 1 that scatter is a
    full correlation of :math:`\Delta` with the flipped kernel, that is a full
    convolution of :math:`\Delta` with the kernel itself.

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
    >>> padded = Conv1D(3, 2, 4, padding=1, rng=rng)
    >>> padded.forward(X).shape
    (5, 11, 4)
    >>> bool(max(gradcheck(padded, X).values()) < 1e-7)
    True

    Derivation: :ref:`sec-convolution-forward`, :ref:`sec-convolution-kernel-gradient`,
    :ref:`sec-convolution-input-gradient`.
    """

    def __init__(
        self,
        k_size: int,
        chan_in: int,
        chan_out: int,
        stride: int = 1,
        padding: int = 0,
        bias: bool = True,
        *,
        init: str = "xavier",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        where = (self, "")
        self.k_size = check_scalar(k_size, "k_size", where, int, 1)
        self.chan_in = check_scalar(chan_in, "chan_in", where, int, 1)
        self.chan_out = check_scalar(chan_out, "chan_out", where, int, 1)
        self.stride = check_scalar(stride, "stride", where, int, 1)
        self.padding = check_scalar(padding, "padding", where, int, 0)
        self.dtype = check_float_dtype(dtype, where)
        k, c, c_out = self.k_size, self.chan_in, self.chan_out
        self.parameters, self.gradients = init_parameters(
            (k, c, c_out),
            k * c,
            k * c_out,
            bias=bias,
            init=init,
            rng=rng,
            dtype=self.dtype,
            where=where,
        )

    def _input(self, X: ArrayLike, where: Where) -> Array:
        """``X`` checked: 3-D, ``chan_in`` channels, long enough for one window."""
        X = _sequence(X, where, self.k_size, self.padding, self.dtype)
        check_axis(X, 2, self.chan_in, "X", where, "channels")
        return X

    def _padded(self, X: Array) -> Array:
        r""":math:`\tilde X`: ``X`` with ``padding`` zeros at each end of the length axis."""
        p = self.padding
        if p == 0:
            return X
        n, length, chan = X.shape
        padded = np.zeros((n, length + 2 * p, chan), dtype=X.dtype)
        padded[:, p : p + length] = X
        return padded

    def _delta(self, X: Array, delta: ArrayLike, where: Where) -> Array:
        """``delta`` checked against the output shape for the input ``X``."""
        delta = as_float_array(delta, "delta", where, ndim=3, dtype=self.dtype)
        t_out = output_length(X.shape[1], self.k_size, self.stride, self.padding)
        check_shape(delta, (X.shape[0], t_out, self.chan_out), "delta", where)
        return delta

    def _columns(self, X_padded: Array) -> Array:
        """The im2col matrix (N*T', k*C): one row per window, copied once by ``reshape``."""
        cols = windows(X_padded, self.k_size, self.stride)
        return cols.reshape(-1, self.k_size * self.chan_in)

    def forward(self, X: ArrayLike) -> Array:
        """Return the cross-correlation of the padded ``X`` with ``W`` plus ``b``, (N, T', C')."""
        X = self._padded(self._input(X, (self, "forward")))
        fast = _conv_fast.kernel("Conv1D.forward", self)
        if fast is not None:
            return fast(self, X)
        Z = self._columns(X) @ self.parameters["W"].reshape(-1, self.chan_out)
        if "b" in self.parameters:
            Z += self.parameters["b"]
        t_out = output_length(X.shape[1], self.k_size, self.stride)
        return Z.reshape(X.shape[0], t_out, self.chan_out)

    def backward_update_gradient(self, X: ArrayLike, delta: ArrayLike) -> None:
        """Add ``cols.T @ delta`` (reshaped to (k, C, C')) to ``gradients["W"]``, and ``delta``
        summed over batch and length to ``gradients["b"]``."""
        where = (self, "backward_update_gradient")
        X = self._input(X, where)
        delta = self._delta(X, delta, where).reshape(-1, self.chan_out)  # (N T', C')
        fast = _conv_fast.kernel("Conv1D.backward_update_gradient", self)
        if fast is not None:
            fast(self, self._padded(X), delta)
            return
        cols = self._columns(self._padded(X))
        self.gradients["W"] += (cols.T @ delta).reshape(self.parameters["W"].shape)
        if "b" in self.gradients:
            self.gradients["b"] += column_sums(delta)

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return the input gradient, shape (N, T, C): ``delta @ W^T`` scattered onto the
        windows it came from, without the padded positions."""
        where = (self, "backward_delta")
        X = self._input(X, where)
        delta = self._delta(X, delta, where)
        length, p = X.shape[1], self.padding
        fast = _conv_fast.kernel("Conv1D.backward_delta", self)
        if fast is not None:
            dX = fast(self, delta, length + 2 * p)
        else:
            dX = self._scatter(delta, length + 2 * p)
        return dX if p == 0 else dX[:, p : p + length]

    def _window_gradients(self, delta: Array) -> Array:
        r""":math:`\Delta W^\top`, offset by offset: (k, N, T', C), entry ``[j, n, t]`` the
        gradient of position ``t*s + j`` of window ``t``."""
        n, t_out, _ = delta.shape
        W = self.parameters["W"]
        # (N T', C') @ (k, C', C) -> (k, N T', C): offset j's block is contiguous, so each
        # strided add of the scatter reads whole rows of T' C values.
        per_offset = np.matmul(delta.reshape(-1, self.chan_out), W.transpose(0, 2, 1))
        return per_offset.reshape(self.k_size, n, t_out, self.chan_in)

    def _scatter(self, delta: Array, padded_length: int) -> Array:
        r""":math:`\partial L / \partial \tilde X`, (N, T + 2p, C): the gradient of every
        window added back onto the positions it covers, offset by offset."""
        per_offset = self._window_gradients(delta)
        n, t_out, _ = delta.shape
        dX = np.zeros((n, padded_length, self.chan_in), dtype=delta.dtype)
        span = self.stride * (t_out - 1) + 1
        for j in range(self.k_size):
            dX[:, j : j + span : self.stride] += per_offset[j]
        return dX

    def __repr__(self) -> str:
        padding = f", padding={self.padding}" if self.padding else ""
        return (
            f"Conv1D({self.k_size}, {self.chan_in}, {self.chan_out}, stride={self.stride}{padding})"
        )


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

    Derivation: :ref:`sec-convolution-maxpool`.
    """

    def __init__(self, k_size: int, stride: int) -> None:
        super().__init__()
        where = (self, "")
        self.k_size = check_scalar(k_size, "k_size", where, int, 1)
        self.stride = check_scalar(stride, "stride", where, int, 1)

    def _input(self, X: ArrayLike, where: Where) -> Array:
        return _sequence(X, where, self.k_size)

    def forward(self, X: ArrayLike) -> Array:
        """Return the maximum of every window, shape (N, T', C)."""
        return self._max(self._input(X, (self, "forward")))

    def _offsets(self, X: Array) -> list[Array]:
        """The k views ``X[:, j : j + span : s]``, each (N, T', C): offset j of every window."""
        t_out = output_length(X.shape[1], self.k_size, self.stride)
        span = self.stride * (t_out - 1) + 1
        return [X[:, j : j + span : self.stride] for j in range(self.k_size)]

    def _max(self, X: Array) -> Array:
        """The maximum over offsets, one element-wise maximum per offset."""
        offsets = self._offsets(X)
        if len(offsets) == 1:
            return offsets[0].copy()
        Z = np.maximum(offsets[0], offsets[1])  # the first maximum also allocates Z
        for view in offsets[2:]:
            np.maximum(Z, view, out=Z)
        return Z

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta`` routed to the position of each window's maximum, shape (N, T, C)."""
        where = (self, "backward_delta")
        X = self._input(X, where)
        delta = as_float_array(delta, "delta", where, ndim=3, dtype=X.dtype)
        n, length, chan = X.shape
        t_out = output_length(length, self.k_size, self.stride)
        check_shape(delta, (n, t_out, chan), "delta", where)
        fast = _conv_fast.kernel("MaxPool1D.backward_delta", self)
        if fast is not None:
            return fast(self, X, delta)
        # Offsets in order: each takes the gradient still unrouted where it equals the
        # window's maximum, so the first maximum wins ties (as in PyTorch); what is left
        # belongs to the last offset. remaining - routed is exact (routed is either 0 or
        # remaining itself).
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
    r"""Reshape ``(N, T, C)`` into ``(N, T*C)``, row-major; the backward undoes it.

    Shapes
    ------
    X : (N, T, C) -> output : (N, T C);  delta : (N, T C) -> (N, T, C).

    Notes
    -----
    Entry :math:`(t, c)` of sample :math:`n` goes to column :math:`tC + c`; the
    input gradient is the same reshape backwards, :math:`\partial L/\partial
    X_{ntc} = \Delta_{n,\, tC + c}`.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Flatten
    >>> X = np.zeros((2, 5, 3))
    >>> Flatten().forward(X).shape
    (2, 15)
    >>> Flatten().backward_delta(X, np.ones((2, 15))).shape
    (2, 5, 3)

    Derivation: :ref:`sec-convolution-flatten`.
    """

    def _input(self, X: ArrayLike, where: Where) -> Array:
        return as_float_array(X, "X", where, ndim=3, layout="(batch, length, channels)")

    def forward(self, X: ArrayLike) -> Array:
        """Return ``X.reshape(N, T * C)``."""
        X = self._input(X, (self, "forward"))
        n, length, chan = X.shape
        return X.reshape(n, length * chan)

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta.reshape(X.shape)``."""
        where = (self, "backward_delta")
        X = self._input(X, where)
        delta = as_float_array(delta, "delta", where, dtype=X.dtype)
        n, length, chan = X.shape
        check_shape(delta, (n, length * chan), "delta", where)
        return delta.reshape(X.shape)
