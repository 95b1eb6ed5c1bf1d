"""Element-wise activations and the two normalisations over the last axis.

None of these modules has parameters. Each ``backward_delta`` multiplies the
incoming ``delta`` by the local derivative, written next to its forward. TanH,
Sigmoid, Softmax and LogSoftmax also write that derivative in terms of their
output (``backward_delta_from_output``), which :class:`~mathnn.Sequential` keeps.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from mathnn import _numerics
from mathnn._checks import Array, Where, as_float_array, check_axis, check_same_shape, ranks
from mathnn.module import Module


class _Activation(Module):
    """Shared input checks: a batch axis (and a class axis for the softmaxes), finite values."""

    ndims: tuple[int, ...] = ranks(1)  # accepted numbers of dimensions
    layout = "(batch, ...)"
    classes = False  # whether the last axis holds classes (and so must not be empty)

    def _input(self, X: ArrayLike, method: str) -> Array:
        where = (self, method)
        X = as_float_array(X, "X", where, ndim=self.ndims, layout=self.layout)
        if self.classes:
            check_axis(X, X.ndim - 1, 1, "X", where, "class", at_least=True)
        return X

    def _pair(
        self, X: ArrayLike, delta: ArrayLike, method: str = "backward_delta"
    ) -> tuple[Array, Array]:
        where: Where = (self, method)
        X = self._input(X, method)
        delta = as_float_array(delta, "delta", where, dtype=X.dtype)
        check_same_shape(X, "X", delta, "delta", where)
        return X, delta


class _FromOutput(_Activation):
    """An activation whose derivative is a function of its output ``Z``, written once in
    ``_from_output(Z, delta)``: ``backward_delta`` computes ``Z`` again from ``X``,
    ``backward_delta_from_output`` takes the ``Z`` that the forward pass returned."""

    @staticmethod
    def _from_output(Z: Array, delta: Array) -> Array:
        raise NotImplementedError

    def backward_delta_from_output(self, X: ArrayLike, Z: ArrayLike, delta: ArrayLike) -> Array:
        """The input gradient from the output ``Z = forward(X)``: ``_from_output(Z, delta)``."""
        X, delta = self._pair(X, delta, "backward_delta_from_output")
        where = (self, "backward_delta_from_output")
        Z = as_float_array(Z, "Z", where, dtype=X.dtype)
        check_same_shape(X, "X", Z, "Z", where)
        return self._from_output(Z, delta)


class _OverClasses(_FromOutput):
    """Softmax and LogSoftmax: the last axis holds the classes, at least one."""

    ndims = ranks(2)
    layout = "(batch, ..., classes)"
    classes = True


class TanH(_FromOutput):
    r"""Hyperbolic tangent, element-wise.

    Shapes
    ------
    X : (N, ...) -> output : same shape;  delta : same shape.

    Notes
    -----
    .. math::

       z = \tanh(x), \qquad
       \frac{\partial L}{\partial x} = \delta \odot (1 - \tanh^2 x) = \delta \odot (1 - z^2).

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import TanH, gradcheck
    >>> X = np.array([[-1.0, 0.0, 2.0]])
    >>> print(np.round(TanH().forward(X), 4))
    [[-0.7616  0.      0.964 ]]
    >>> print(np.round(TanH().backward_delta(X, np.ones((1, 3))), 4))
    [[0.42   1.     0.0707]]
    >>> bool(gradcheck(TanH(), np.random.default_rng(0).normal(size=(4, 3)))["X"] < 1e-7)
    True

    Derivation: :ref:`sec-activations-tanh`.
    """

    def forward(self, X: ArrayLike) -> Array:
        """Return ``tanh(X)``."""
        return np.tanh(self._input(X, "forward"))

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta * (1 - tanh(X)**2)``."""
        X, delta = self._pair(X, delta)
        return self._from_output(np.tanh(X), delta)

    @staticmethod
    def _from_output(Z: Array, delta: Array) -> Array:
        # Speed: one new array, overwritten in place (Z itself is left untouched).
        grad = np.square(Z)
        np.subtract(1.0, grad, out=grad)
        grad *= delta
        return grad


class Sigmoid(_FromOutput):
    r"""Logistic sigmoid, element-wise, without overflow for large :math:`|x|`.

    Shapes
    ------
    X : (N, ...) -> output : same shape;  delta : same shape.

    Notes
    -----
    .. math::

       \sigma(x) = \frac{1}{1 + e^{-x}}, \qquad
       \frac{\partial L}{\partial x} = \delta \odot \sigma(x) \odot (1 - \sigma(x)).

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Sigmoid, gradcheck
    >>> X = np.array([[-800.0, 0.0, 2.0]])
    >>> print(np.round(Sigmoid().forward(X), 4))
    [[0.     0.5    0.8808]]
    >>> print(np.round(Sigmoid().backward_delta(X, np.ones((1, 3))), 4))
    [[0.    0.25  0.105]]
    >>> bool(gradcheck(Sigmoid(), np.random.default_rng(0).normal(size=(4, 3)))["X"] < 1e-7)
    True

    Derivation: :ref:`sec-activations-sigmoid`.
    """

    def forward(self, X: ArrayLike) -> Array:
        """Return ``1 / (1 + exp(-X))``."""
        return _numerics.sigmoid(self._input(X, "forward"))

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta * s * (1 - s)`` with ``s = sigmoid(X)``."""
        X, delta = self._pair(X, delta)
        return self._from_output(_numerics.sigmoid(X), delta)

    @staticmethod
    def _from_output(S: Array, delta: Array) -> Array:
        return delta * S * (1.0 - S)


class ReLU(_Activation):
    r"""Rectified linear unit, element-wise.

    Shapes
    ------
    X : (N, ...) -> output : same shape;  delta : same shape.

    Notes
    -----
    .. math::

       z = \max(x, 0), \qquad
       \frac{\partial L}{\partial x} = \delta \odot \mathbb{1}[x > 0].

    The derivative at :math:`x = 0` is taken to be 0, as in PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import ReLU
    >>> X = np.array([[-1.0, 0.0, 2.0]])
    >>> print(ReLU().forward(X))
    [[0. 0. 2.]]
    >>> print(ReLU().backward_delta(X, np.full((1, 3), 5.0)))
    [[0. 0. 5.]]

    Derivation: :ref:`sec-activations-relu`.
    """

    def forward(self, X: ArrayLike) -> Array:
        """Return ``max(X, 0)``."""
        X = self._input(X, "forward")
        # Speed: against an array of zeros NumPy takes its vectorised loop, ~2x faster than
        # against the scalar 0 (which it broadcasts through a slow path); written into that
        # array, it allocates nothing more (6.4 against 9.2 microseconds for 64 x 38 x 32 in
        # float32; 1.4 % of a step of the course's loop on the benchmark CNN, A/B of steps).
        Z = np.zeros(X.shape, dtype=X.dtype)
        np.maximum(X, Z, out=Z)
        return Z

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta`` where ``X > 0`` and 0 elsewhere."""
        X, delta = self._pair(X, delta)
        # Speed: a product with the mask is ~10x faster than np.where(X > 0, delta, 0); the
        # mask converted to floats first, then multiplied in place, avoids NumPy's slower
        # mixed bool-float loop (~15% faster than delta * (X > 0), same values and signs).
        grad = (X > 0).astype(delta.dtype)
        grad *= delta
        return grad


class Softmax(_OverClasses):
    r"""Softmax over the last axis, stable for huge inputs.

    Shapes
    ------
    X : (N, k) -> output S : (N, k), each row sums to 1;  delta : (N, k).

    Notes
    -----
    For one sample, a row :math:`s \in \mathbb{R}^{1 \times k}`, the Jacobian is
    :math:`\operatorname{diag}(s) - s^\top s`. It is symmetric, and the
    vector-Jacobian product needs no :math:`k \times k` matrix:

    .. math::

       s = \frac{e^{z - \max z}}{\sum_j e^{z_j - \max z}}, \qquad
       \frac{\partial L}{\partial z} = \delta \left(\operatorname{diag}(s) - s^\top s\right)
           = s \odot \left(\delta - \langle \delta, s \rangle\right).

    Raises
    ------
    ValueError
        If the last axis is empty (no class).

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Softmax, gradcheck
    >>> S = Softmax().forward(np.array([[1.0, 2.0, 3.0], [1e4, 0.0, -1e4]]))
    >>> print(np.round(S, 4))
    [[0.09   0.2447 0.6652]
     [1.     0.     0.    ]]
    >>> bool(gradcheck(Softmax(), np.random.default_rng(0).normal(size=(4, 3)))["X"] < 1e-7)
    True

    Derivation: :ref:`sec-activations-softmax`.
    """

    def forward(self, X: ArrayLike) -> Array:
        """Return ``exp(X) / exp(X).sum(-1)``, computed stably."""
        return _numerics.softmax(self._input(X, "forward"))

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``s * (delta - (delta * s).sum(-1))``."""
        X, delta = self._pair(X, delta)
        return self._from_output(_numerics.softmax(X), delta)

    @staticmethod
    def _from_output(S: Array, delta: Array) -> Array:
        return S * (delta - (delta * S).sum(axis=-1, keepdims=True))


class LogSoftmax(_OverClasses):
    r"""Logarithm of the softmax over the last axis, by the log-sum-exp trick.

    Shapes
    ------
    X : (N, k) -> output : (N, k);  delta : (N, k).

    Notes
    -----
    .. math::

       \log s = z - \operatorname{lse}(z), \qquad
       \frac{\partial L}{\partial z} = \delta - s \sum_j \delta_j .

    Raises
    ------
    ValueError
        If the last axis is empty (no class).

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import LogSoftmax, gradcheck
    >>> print(np.round(LogSoftmax().forward(np.array([[1e4, 0.0]])), 4))
    [[     0. -10000.]]
    >>> bool(gradcheck(LogSoftmax(), np.random.default_rng(0).normal(size=(4, 3)))["X"] < 1e-7)
    True

    Derivation: :ref:`sec-activations-logsoftmax`.
    """

    def forward(self, X: ArrayLike) -> Array:
        """Return ``X - logsumexp(X)``."""
        return _numerics.log_softmax(self._input(X, "forward"))

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return ``delta - softmax(X) * delta.sum(-1)``."""
        X, delta = self._pair(X, delta)
        return self._from_output(_numerics.log_softmax(X), delta)

    @staticmethod
    def _from_output(Z: Array, delta: Array) -> Array:
        return delta - np.exp(Z) * delta.sum(axis=-1, keepdims=True)  # exp(Z) = softmax
