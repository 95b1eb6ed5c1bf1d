"""The linear (fully connected) layer."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

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


class Linear(Module):
    r"""Affine map of each row of the batch: ``Z = X @ W + b``.

    Shapes
    ------
    X : (N, d) -> output Z : (N, d');  W : (d, d');  b : (d',);
    delta = dL/dZ : (N, d').  N is the batch size, d = ``input_dim``,
    d' = ``output_dim``.

    Parameters
    ----------
    input_dim : int
        Number of input features :math:`d`.
    output_dim : int
        Number of output features :math:`d'`.
    bias : bool, default True
        Whether to add the bias :math:`b`. Without it ``parameters`` holds only ``W``.
    init : {"xavier", "he"}, default "xavier"
        Weight initialisation, see :mod:`mathnn.init`; the bias starts at zero.
    rng : numpy.random.Generator or int or None
        Source (or seed) of the random initial weights.
    dtype : float64 or float32, default float64
        dtype of the parameters, of the output and of every gradient. Input of
        another float dtype is converted to it, so a float32 layer never up-casts.

    Notes
    -----
    With :math:`\Delta = \partial L / \partial Z` (rows are samples, each
    gradient has the shape of its variable):

    .. math::

       Z = X W + \mathbf{1}_N b^\top, \qquad
       \frac{\partial L}{\partial X} = \Delta W^\top, \qquad
       \frac{\partial L}{\partial W} = X^\top \Delta, \qquad
       \frac{\partial L}{\partial b} = \Delta^\top \mathbf{1}_N .

    :meth:`backward_delta` returns the first, :meth:`backward_update_gradient`
    adds the last two to ``gradients``.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D with :math:`d` columns, or ``delta`` is not
        :math:`(N, d')`; the message gives the expected and received shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Linear, gradcheck
    >>> rng = np.random.default_rng(0)
    >>> layer = Linear(3, 2, rng=rng)
    >>> X = rng.normal(size=(4, 3))
    >>> layer.forward(X).shape
    (4, 2)
    >>> delta = np.ones((4, 2))
    >>> layer.backward_delta(X, delta).shape
    (4, 3)
    >>> layer.backward_update_gradient(X, delta)
    >>> print(np.round(layer.gradients["b"], 4))
    [4. 4.]
    >>> bool(max(gradcheck(layer, X).values()) < 1e-7)
    True

    Derivation: :ref:`sec-linear-forward`, :ref:`sec-linear-weight-gradient`,
    :ref:`sec-linear-bias-gradient`, :ref:`sec-linear-input-gradient`.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        bias: bool = True,
        *,
        init: str = "xavier",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        where = (self, "")
        self.input_dim = check_scalar(input_dim, "input_dim", where, int, 1)
        self.output_dim = check_scalar(output_dim, "output_dim", where, int, 1)
        self.dtype = check_float_dtype(dtype, where)
        d, d_out = self.input_dim, self.output_dim
        self.parameters, self.gradients = init_parameters(
            (d, d_out), d, d_out, bias=bias, init=init, rng=rng, dtype=self.dtype, where=where
        )

    def _input(self, X: ArrayLike, where: Where) -> Array:
        X = as_float_array(X, "X", where, ndim=2, dtype=self.dtype, layout="(batch, features)")
        check_axis(X, 1, self.input_dim, "X", where, "features")
        return X

    def _delta(self, X: Array, delta: ArrayLike, where: Where) -> Array:
        delta = as_float_array(delta, "delta", where, ndim=2, dtype=self.dtype)
        check_shape(delta, (X.shape[0], self.output_dim), "delta", where)
        return delta

    def forward(self, X: ArrayLike) -> Array:
        """Return ``X @ W + b``, shape ``(N, d')``."""
        X = self._input(X, (self, "forward"))
        Z = X @ self.parameters["W"]
        if "b" in self.parameters:
            Z += self.parameters["b"]
        return Z

    def backward_update_gradient(self, X: ArrayLike, delta: ArrayLike) -> None:
        """Add ``X.T @ delta`` to ``gradients["W"]`` and ``delta.T @ ones`` (the column sums of
        ``delta``) to ``gradients["b"]``."""
        where = (self, "backward_update_gradient")
        X = self._input(X, where)
        delta = self._delta(X, delta, where)
        self.gradients["W"] += X.T @ delta
        if "b" in self.gradients:
            self.gradients["b"] += column_sums(delta)

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta @ W.T``, shape ``(N, d)``."""
        where = (self, "backward_delta")
        X = self._input(X, where)
        delta = self._delta(X, delta, where)
        return delta @ self.parameters["W"].T

    def __repr__(self) -> str:
        bias = "" if "b" in self.parameters else ", bias=False"
        return f"Linear({self.input_dim}, {self.output_dim}{bias})"
