"""Losses: mean squared error, binary cross-entropy, cross-entropy on logits.

Each ``forward(y, yhat)`` returns one loss per sample, shape ``(batch,)``; the
batch loss is their sum, and ``backward(y, yhat)`` is its gradient with respect
to ``yhat``, of the shape of ``yhat``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from mathnn import _numerics
from mathnn._checks import (
    Array,
    Where,
    as_float_array,
    check_axis,
    check_in_range,
    check_same_shape,
    label,
    ranks,
)
from mathnn.module import Loss

_ANY_RANK = ranks(1)  # a batch axis, then anything


def _sample_sum(A: Array) -> Array:
    """Sum every axis but the batch axis (an empty batch gives an empty result)."""
    return _numerics.row_sums(A.reshape(A.shape[0], math.prod(A.shape[1:])))


class _Loss(Loss):
    """A loss whose input check, values and gradient are each written once, in
    ``_checked``, ``_values`` and ``_gradient``; ``forward``, ``backward`` and
    ``value_and_gradient`` combine them, each naming itself in an error."""

    def _checked(self, y: ArrayLike, yhat: ArrayLike, where: Where) -> tuple[Array, Array]:
        yhat = as_float_array(yhat, "yhat", where, ndim=_ANY_RANK, layout="(batch, ...)")
        y = as_float_array(y, "y", where, dtype=yhat.dtype)
        check_same_shape(yhat, "yhat", y, "y", where)
        return y, yhat

    def _values(self, y: Array, yhat: Array) -> Array:
        raise NotImplementedError

    def _gradient(self, y: Array, yhat: Array) -> Array:
        raise NotImplementedError

    def value_and_gradient(self, y: ArrayLike, yhat: ArrayLike) -> tuple[Array, Array]:
        """Return ``(forward(y, yhat), backward(y, yhat))``, checking the input once."""
        y, yhat = self._checked(y, yhat, (self, "value_and_gradient"))
        return self._values(y, yhat), self._gradient(y, yhat)


class MSELoss(_Loss):
    r"""Squared error summed over each sample's outputs.

    Shapes
    ------
    y, yhat : (N, ...) -> per-sample loss : (N,);  backward : shape of yhat.

    Notes
    -----
    .. math::

       \ell(y_n, \hat y_n) = \lVert \hat y_n - y_n \rVert^2, \qquad
       \frac{\partial L}{\partial \hat y} = 2 (\hat y - y).


    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import MSELoss
    >>> y = np.array([[0.0, 1.0], [2.0, 2.0], [1.0, 0.0]])
    >>> yhat = np.array([[1.0, 1.0], [0.0, 2.0], [1.0, 0.5]])
    >>> print(MSELoss().forward(y, yhat))
    [1.   4.   0.25]
    >>> print(MSELoss().backward(y, yhat))
    [[ 2.  0.]
     [-4.  0.]
     [ 0.  1.]]

    Derivation: :ref:`sec-losses-mse`.
    """

    def forward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return ``((yhat - y)**2)`` summed over each sample."""
        return self._values(*self._checked(y, yhat, (self, "forward")))

    def backward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return ``2 * (yhat - y)``."""
        return self._gradient(*self._checked(y, yhat, (self, "backward")))

    def _values(self, y: Array, yhat: Array) -> Array:
        diff = yhat - y
        return _sample_sum(diff * diff)

    def _gradient(self, y: Array, yhat: Array) -> Array:
        return 2.0 * (yhat - y)


class BCELoss(_Loss):
    r"""Binary cross-entropy on probabilities, summed over each sample's outputs.

    Shapes
    ------
    y, yhat : (N, ...) with values in [0, 1] -> per-sample loss : (N,);
    backward : shape of yhat.

    Notes
    -----
    .. math::

       \ell(y_n, \hat y_n) = -\sum_j \left[ y_{nj} \log \hat y_{nj}
           + (1 - y_{nj}) \log (1 - \hat y_{nj}) \right], \qquad
       \frac{\partial L}{\partial \hat y} = \frac{\hat y - y}{\hat y (1 - \hat y)}.

    As in PyTorch, each logarithm is clamped at :math:`-100` so that
    :math:`\hat y \in \{0, 1\}` gives a finite loss, and the denominator of
    the gradient is clamped at :math:`10^{-12}`.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import BCELoss
    >>> y = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> yhat = np.array([[0.9, 0.2], [0.0, 0.5]])
    >>> print(np.round(BCELoss().forward(y, yhat), 4))
    [0.3285 0.6931]
    >>> print(np.round(BCELoss().backward(y, yhat), 4))
    [[-1.1111  1.25  ]
     [ 0.     -2.    ]]

    Derivation: :ref:`sec-losses-bce`.
    """

    clamp_log = -100.0
    eps = 1e-12

    def _checked(self, y: ArrayLike, yhat: ArrayLike, where: Where) -> tuple[Array, Array]:
        y, yhat = super()._checked(y, yhat, where)
        check_in_range(yhat, "yhat", where, 0.0, 1.0)
        check_in_range(y, "y", where, 0.0, 1.0)
        return y, yhat

    def forward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return ``-(y log yhat + (1 - y) log(1 - yhat))`` summed over each sample."""
        return self._values(*self._checked(y, yhat, (self, "forward")))

    def backward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return ``(yhat - y) / max(yhat (1 - yhat), 1e-12)``."""
        return self._gradient(*self._checked(y, yhat, (self, "backward")))

    def _values(self, y: Array, yhat: Array) -> Array:
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(yhat), self.clamp_log)
            log_q = np.maximum(np.log1p(-yhat), self.clamp_log)
        return -_sample_sum(y * log_p + (1.0 - y) * log_q)

    def _gradient(self, y: Array, yhat: Array) -> Array:
        return (yhat - y) / np.maximum(yhat * (1.0 - yhat), self.eps)


class CrossEntropyLoss(Loss):
    r"""Cross-entropy of the softmax of logits, fused for stability.

    ``y`` is either one-hot (or class probabilities) of shape ``(N, k)``, or
    integer class labels of shape ``(N,)`` with values in ``0 .. k-1``.

    Shapes
    ------
    y : (N, k) or (N,) integers;  yhat = logits z : (N, k) ->
    per-sample loss : (N,);  backward : (N, k).

    Notes
    -----
    With :math:`s = \operatorname{softmax}(z)` and one-hot :math:`y`:

    .. math::

       \ell(y_n, z_n) = -\sum_j y_{nj} \log s_{nj}
                     = \operatorname{lse}(z_n) - \langle y_n, z_n \rangle, \qquad
       \frac{\partial L}{\partial z} = s - y .

    For class probabilities that do not sum to 1 the gradient is
    :math:`s \sum_j y_j - y`. Logits of :math:`\pm 10^4` stay finite.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import CrossEntropyLoss
    >>> z = np.array([[2.0, 0.0, -1.0], [0.0, 1e4, 0.0]])
    >>> labels = np.array([0, 2])
    >>> print(np.round(CrossEntropyLoss().forward(labels, z), 4).tolist())
    [0.1698, 10000.0]
    >>> print(np.round(CrossEntropyLoss().backward(labels, z), 4))
    [[-0.1562  0.1142  0.042 ]
     [ 0.      1.     -1.    ]]
    >>> one_hot = np.eye(3)[labels]
    >>> bool(np.allclose(CrossEntropyLoss().forward(one_hot, z), [0.1698, 1e4], atol=1e-4))
    True

    Derivation: :ref:`sec-activations-cross-entropy`.
    """

    def _checked(self, y: ArrayLike, yhat: ArrayLike, where: Where) -> tuple[Array, Array]:
        """``(target, z)``: integer labels (N,) or one-hot / probabilities (N, k), and logits."""
        z = as_float_array(yhat, "yhat (logits)", where, ndim=2, layout="(batch, classes)")
        check_axis(z, 1, 1, "yhat (logits)", where, "class", at_least=True)
        n, k = z.shape
        labels = np.asarray(y)
        if labels.ndim == 1:
            if labels.dtype.kind not in "iu":
                raise TypeError(
                    f"{label(where)}: expected y as integer class labels of shape ({n},) or "
                    f"one-hot of shape ({n}, {k}), got dtype {labels.dtype} with shape "
                    f"{labels.shape}"
                )
            check_axis(labels, 0, n, "y", where, "labels")
            note = f" ({k} classes, from yhat.shape[1])"
            check_in_range(labels, "integer labels", where, 0, k - 1, note)
            return labels, z  # integer labels: no one-hot matrix is built (see _values)
        target = as_float_array(y, "y", where, ndim=2, dtype=z.dtype, layout="(batch, classes)")
        check_same_shape(z, "yhat (logits)", target, "y (one-hot)", where)
        check_in_range(target, "y (one-hot or class probabilities)", where, 0.0)
        return target, z

    def forward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return ``-(y * log_softmax(yhat)).sum(-1)``."""
        target, z = self._checked(y, yhat, (self, "forward"))
        shifted, _, total = _numerics.softmax_parts(z)
        return self._values(target, shifted, total)

    def backward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return ``softmax(yhat) * y.sum(-1) - y`` (``softmax(yhat) - y`` for one-hot ``y``)."""
        target, z = self._checked(y, yhat, (self, "backward"))
        return self._gradient(target, _numerics.softmax(z))

    def value_and_gradient(self, y: ArrayLike, yhat: ArrayLike) -> tuple[Array, Array]:
        """Return ``(forward(y, yhat), backward(y, yhat))`` from a single softmax.

        Examples
        --------
        >>> import numpy as np
        >>> from mathnn import CrossEntropyLoss
        >>> values, gradient = CrossEntropyLoss().value_and_gradient(
        ...     np.array([0, 2]), np.array([[2.0, 0.0, -1.0], [0.0, 1e4, 0.0]]))
        >>> print(np.round(values, 4).tolist())
        [0.1698, 10000.0]
        >>> print(np.round(gradient, 4))
        [[-0.1562  0.1142  0.042 ]
         [ 0.      1.     -1.    ]]
        """
        target, z = self._checked(y, yhat, (self, "value_and_gradient"))
        # The loss and its gradient share the shift, the exponentials and their sum: forward
        # then backward would check the input twice and compute them twice.
        shifted, exp, total = _numerics.softmax_parts(z)
        values = self._values(target, shifted, total)
        exp /= total  # the softmax
        return values, self._gradient(target, exp)

    @staticmethod
    def _values(target: Array, shifted: Array, total: Array) -> Array:
        r"""Per-sample loss :math:`-\sum_j y_j (z_j - m - \log \sum_l e^{z_l - m})` from the
        core's parts; for a label :math:`c`, :math:`\log \sum_l e^{z_l - m} - (z_c - m)`."""
        if target.ndim == 1:  # labels: no product with a one-hot y
            return np.log(total[:, 0]) - shifted[np.arange(len(target)), target]
        # Speed: the sum over classes as a product with ones (row_sums), not .sum(axis=1),
        # which reduces the short class axis one row at a time (2.9 against 3.7 microseconds
        # for 64 x 10 in float32). With the same in _gradient: 1.6 % of a step of the course's
        # loop on the benchmark MLP (bench/models.py), from an A/B of steps.
        return -_numerics.row_sums(target * (shifted - np.log(total)))

    @staticmethod
    def _gradient(target: Array, S: Array) -> Array:
        """``S * y.sum(-1) - y``, written into the softmax ``S``."""
        if target.ndim == 1:  # labels: s - y is s with 1 taken off at each true class
            S[np.arange(len(target)), target] -= 1.0
            return S
        S *= _numerics.row_sums(target)[:, None]  # row_sums: see _values
        S -= target
        return S


class BCEWithLogitsLoss(_Loss):
    r"""Binary cross-entropy on logits: a sigmoid and :class:`BCELoss` fused, stable for any logit.

    ``yhat`` holds the logits :math:`a`, not probabilities; the probability is
    :math:`\sigma(a) = 1 / (1 + e^{-a})`. The loss is summed over each sample's
    entries, as in :class:`BCELoss`.

    Shapes
    ------
    y : (N, ...) with values in [0, 1];  yhat = logits a : (N, ...), the shape of y ->
    per-sample loss : (N,);  backward : shape of yhat.

    Notes
    -----
    For one entry, :math:`-[y \log \sigma(a) + (1 - y) \log(1 - \sigma(a))]` equals
    :math:`\log(1 + e^{a}) - a y`, computed without the exponential of a positive number:

    .. math::

       \ell(y_n, a_n) = \sum_j \max(a_{nj}, 0) - a_{nj} y_{nj}
           + \log\left(1 + e^{-|a_{nj}|}\right), \qquad
       \frac{\partial L}{\partial a} = \sigma(a) - y .

    Logits of :math:`\pm 10^4` give finite losses and gradients, and no clamp is
    needed; the values and gradients are those of PyTorch's
    ``BCEWithLogitsLoss(reduction="sum")`` applied to each sample.
    Derivation: :ref:`sec-bce-logits`.

    Raises
    ------
    ValueError
        If ``y`` and ``yhat`` differ in shape, ``yhat`` has no batch axis, an entry is
        NaN or infinite, or ``y`` has values outside :math:`[0, 1]`.
    TypeError
        If an input is not a real numeric array.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import BCEWithLogitsLoss
    >>> y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.5]])
    >>> a = np.array([[2.0, -1.0], [0.0, 3.0], [-1e4, 1e4]])
    >>> print(np.round(BCEWithLogitsLoss().forward(y, a), 4).tolist())
    [0.4402, 0.7417, 15000.0]
    >>> print(np.round(BCEWithLogitsLoss().backward(y, a), 4))
    [[-0.1192  0.2689]
     [ 0.5    -0.0474]
     [-1.      0.5   ]]
    """

    def _checked(self, y: ArrayLike, yhat: ArrayLike, where: Where) -> tuple[Array, Array]:
        y, a = super()._checked(y, yhat, where)
        check_in_range(y, "y", where, 0.0, 1.0)
        return y, a

    def forward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return ``max(a, 0) - a y + log(1 + exp(-|a|))`` summed over each sample."""
        return self._values(*self._checked(y, yhat, (self, "forward")))

    def backward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return ``sigmoid(a) - y``."""
        return self._gradient(*self._checked(y, yhat, (self, "backward")))

    def _values(self, y: Array, yhat: Array) -> Array:
        return _sample_sum(np.maximum(yhat, 0.0) - yhat * y + np.log1p(np.exp(-np.abs(yhat))))

    def _gradient(self, y: Array, yhat: Array) -> Array:
        return _numerics.sigmoid(yhat) - y
