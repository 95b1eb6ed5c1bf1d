"""The two contracts every piece of a network keeps: :class:`Module` and :class:`Loss`."""

from __future__ import annotations

from collections.abc import Iterator

from numpy.typing import ArrayLike

from mathnn._checks import Array, check_step
from mathnn._checks import resolve_rng as resolve_rng  # its former home: still importable here


class Module:
    r"""Base class of every layer: a differentiable map of a batch.

    A module holds its parameters and the gradients accumulated for them in
    two dictionaries with the same keys and shapes. Back-propagation is split
    in two calls, both given the input ``X`` of the forward pass and
    ``delta``, the gradient of the loss with respect to the module's output:

    * :meth:`backward_update_gradient` *adds* :math:`\partial L/\partial \theta`
      to ``gradients`` (so gradients accumulate until :meth:`zero_grad`);
    * :meth:`backward_delta` *returns* :math:`\partial L/\partial X`, which is
      the ``delta`` of the module before it.

    The contract is five methods: :meth:`forward`, these two, :meth:`update_parameters`
    and :meth:`zero_grad`. :meth:`backward_delta_from_output` is an optional fast path
    outside it, with a default that needs nothing more.

    Attributes
    ----------
    parameters : dict[str, ndarray]
        The module's own arrays; writing into them changes the module.
    gradients : dict[str, ndarray]
        Same keys, shapes and dtypes as ``parameters``.

    Examples
    --------
    >>> from mathnn import Module
    >>> Module().parameters
    {}

    Derivation: :ref:`sec-backprop-chain`.
    """

    def __init__(self) -> None:
        self.parameters: dict[str, Array] = {}
        self.gradients: dict[str, Array] = {}

    def forward(self, X: ArrayLike) -> Array:
        """Return the module's output for the batch ``X``."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def __call__(self, X: ArrayLike) -> Array:
        return self.forward(X)

    def backward_update_gradient(self, X: ArrayLike, delta: ArrayLike) -> None:
        """Add the loss gradient of every parameter to ``gradients``.

        A module without parameters has nothing to add.
        """

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return :math:`\\partial L/\\partial X`, an array of the shape of ``X``."""
        raise NotImplementedError(f"{type(self).__name__} does not define backward_delta")

    def backward_delta_from_output(self, X: ArrayLike, Z: ArrayLike, delta: ArrayLike) -> Array:
        r"""Optional fast path, not part of the five-method contract: ``backward_delta(X,
        delta)``, given also the output ``Z = forward(X)``.

        :class:`~mathnn.Sequential` keeps the output of every module and calls this
        method; the default ignores ``Z``, so a module that keeps the contract needs
        nothing more. An activation whose derivative is a function of its output
        overrides it to reuse ``Z`` instead of computing the nonlinearity again:
        :math:`\tanh' = 1 - \tanh^2` and :math:`\sigma' = \sigma (1 - \sigma)`
        (:class:`~mathnn.TanH`, :class:`~mathnn.Sigmoid`, :class:`~mathnn.Softmax`,
        :class:`~mathnn.LogSoftmax`). Measured gain: 1.3 % of a training step of the
        benchmark MLP (256-100-10, TanH); none for the benchmark CNN, whose ReLU reads
        its input.

        Examples
        --------
        >>> import numpy as np
        >>> from mathnn import TanH
        >>> X, delta = np.array([[-1.0, 0.0, 2.0]]), np.ones((1, 3))
        >>> tanh = TanH()
        >>> Z = tanh.forward(X)
        >>> bool(np.allclose(tanh.backward_delta_from_output(X, Z, delta),
        ...                  tanh.backward_delta(X, delta)))
        True
        """
        return self.backward_delta(X, delta)

    def update_parameters(self, gradient_step: float = 1e-3) -> None:
        r"""Take one gradient step in place: :math:`\theta \leftarrow \theta - \eta\, g`.

        Parameters
        ----------
        gradient_step : float
            The learning rate :math:`\eta`, a finite number > 0.

        Raises
        ------
        TypeError, ValueError
            If ``gradient_step`` is not a finite real number > 0 (NaN, infinity,
            None, a string, a complex number, a bool); nothing is changed.
        """
        step = check_step(gradient_step, (self, "update_parameters"))
        for key, parameter in self.parameters.items():
            parameter -= step * self.gradients[key]

    def zero_grad(self) -> None:
        """Set every accumulated gradient back to zero, in place."""
        for gradient in self.gradients.values():
            gradient.fill(0)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Array, Array]]:
        """Yield ``(name, parameter, gradient)`` for this module and any sub-module.

        Examples
        --------
        >>> from mathnn import Linear
        >>> [name for name, _, _ in Linear(3, 2, rng=0).named_parameters()]
        ['W', 'b']
        """
        for key, parameter in self.parameters.items():
            yield prefix + key, parameter, self.gradients[key]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Loss:
    r"""Base class of the losses: one value per sample and its gradient.

    ``forward(y, yhat)`` returns an array of shape ``(batch,)``; the batch
    loss is its sum :math:`L = \sum_n \ell(y_n, \hat y_n)`. ``backward(y, yhat)``
    returns :math:`\partial L/\partial \hat y`, an array of the shape of ``yhat``.

    Examples
    --------
    >>> from mathnn import Loss, MSELoss
    >>> isinstance(MSELoss(), Loss)
    True

    Derivation: :ref:`sec-losses-per-sample`.
    """

    def forward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return the per-sample losses, shape ``(batch,)``."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def __call__(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        return self.forward(y, yhat)

    def backward(self, y: ArrayLike, yhat: ArrayLike) -> Array:
        """Return the gradient of the summed loss with respect to ``yhat``."""
        raise NotImplementedError(f"{type(self).__name__} does not define backward")

    def value_and_gradient(self, y: ArrayLike, yhat: ArrayLike) -> tuple[Array, Array]:
        """Optional fast path, not part of the contract: ``(forward(y, yhat), backward(y,
        yhat))``, the pair a training step needs; :func:`~mathnn.fit` calls it.

        The default calls the two methods. The losses of mathnn override it to check
        their input once, and :class:`~mathnn.CrossEntropyLoss` to compute its softmax
        once; an error then names ``value_and_gradient``. Measured gain of the
        cross-entropy's: 8 % of a training step of the benchmark MLP, 1.5 % of the CNN's.

        Examples
        --------
        >>> import numpy as np
        >>> from mathnn import MSELoss
        >>> values, gradient = MSELoss().value_and_gradient(np.zeros((2, 1)), np.ones((2, 1)))
        >>> print(values, gradient.ravel())
        [1. 1.] [2. 2.]
        """
        return self.forward(y, yhat), self.backward(y, yhat)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
