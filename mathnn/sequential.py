"""Chaining modules: the forward pass and back-propagation through a stack."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from mathnn._checks import (
    Array,
    Where,
    arrays_are_internal,
    as_float_array,
    check_shape,
    check_step,
    internal_arrays,
    label,
)
from mathnn.module import Module


class Sequential(Module):
    r"""A stack of modules applied one after the other; itself a :class:`Module`.

    ``forward`` keeps the input of every module (and so its output, the next
    module's input). The two backward methods must then be called with the ``X``
    of the last ``forward``; they walk the stack
    from the end, each module turning :math:`\Delta^h` into
    :math:`\Delta^{h-1} = \partial L / \partial Z^{h-1}`.

    The backward calls differentiate the forward that ran. ``forward`` works on its
    own copy of ``X`` and returns a copy of the last output, so writing into ``X``
    or into that output before the backward calls (a reused batch buffer, an
    in-place ``yhat -= y``) changes no gradient. The cost is two copies per
    ``forward``: 0.7 % of a training step of the benchmark MLP in a hand-written
    loop, 0.2 % in :func:`~mathnn.fit`, whose batches are its own and are not
    copied. A checksum of ``X``, taken by ``forward`` and again by the backward
    calls, measured 6 to 20 times the cost of the copy (a sum, a CRC-32).

    Shapes
    ------
    X : input of the first module -> output of the last module;
    delta : shape of the output.

    Parameters
    ----------
    *modules : Module
        The layers, in the order the data goes through them.

    Notes
    -----
    With :math:`Z^0 = X` and :math:`Z^h = f_h(Z^{h-1})` for :math:`h = 1, \dots, H`,
    back-propagation is the chain rule applied one module at a time, from
    :math:`\Delta^H = \delta`:

    .. math::

       \Delta^{h-1}_{mi} = \frac{\partial L}{\partial Z^{h-1}_{mi}}
           = \sum_{n, o} \Delta^h_{no} \, \frac{\partial Z^h_{no}}{\partial Z^{h-1}_{mi}} .

    Module :math:`h` computes this sum as ``backward_delta(Z^{h-1}, Delta^h)``,
    without building the Jacobian (called as
    ``backward_delta_from_output(Z^{h-1}, Z^h, Delta^h)``, so that an activation
    may reuse its output), and adds its parameter gradients with
    ``backward_update_gradient(Z^{h-1}, Delta^h)``.

    ``parameters`` and ``gradients`` of a ``Sequential`` are empty: the arrays
    live in its modules; :meth:`named_parameters` lists them all.

    Raises
    ------
    ValueError
        If a backward method is called before any ``forward``, with an ``X``
        that is neither the array given to the last ``forward`` nor equal to it,
        or with a ``delta`` not of the output's shape.
    TypeError, ValueError
        If ``update_parameters`` gets a step that is not a finite number > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Linear, Sequential, TanH, gradcheck
    >>> rng = np.random.default_rng(0)
    >>> net = Sequential(Linear(4, 3, rng=rng), TanH(), Linear(3, 2, rng=rng))
    >>> net
    Sequential(Linear(4, 3), TanH(), Linear(3, 2))
    >>> X = rng.normal(size=(5, 4))
    >>> net.forward(X).shape
    (5, 2)
    >>> net.backward_delta(X, np.ones((5, 2))).shape
    (5, 4)
    >>> [name for name, _, _ in net.named_parameters()]
    ['0.W', '0.b', '2.W', '2.b']
    >>> bool(max(gradcheck(net, X).values()) < 1e-7)
    True

    Derivation: :ref:`sec-backprop-chain`.
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"{label((self, ''))}: expected Module instances, got {type(module).__name__} "
                    f"at position {index}"
                )
        self.modules = list(modules)
        self._activations: list[Array] | None = None
        self._given: object = None  # the X of the last forward, as the caller gave it

    def __iter__(self) -> Iterator[Module]:
        return iter(self.modules)

    def __len__(self) -> int:
        return len(self.modules)

    def __getitem__(self, index: int) -> Module:
        return self.modules[index]

    def forward(self, X: ArrayLike) -> Array:
        """Run every module in turn on a copy of ``X``; keep each module's input and output
        for the backward calls, and return a copy of the last output."""
        # Z^0: a copy of X (the caller may write into X before the backward calls; not inside
        # internal_arrays, whose arrays nobody writes), then the output Z^h of every module h.
        activations = [np.asarray(X) if arrays_are_internal() else np.array(X)]
        if self.modules:
            # checks X in full, NaN / inf scan included
            activations.append(self.modules[0].forward(activations[0]))
        else:
            activations[0] = as_float_array(activations[0], "X", (self, "forward"))
        # Speed: one context for the whole loop rather than one per module.
        with internal_arrays():  # the other inputs are the modules' own outputs
            for module in self.modules[1:]:
                activations.append(module.forward(activations[-1]))
        self._activations, self._given = activations, X
        return activations[-1].copy()

    def _check_same_input(self, X: ArrayLike, where: Where) -> list[Array]:
        """The activations of the last forward, if it was run on ``X``; else raise."""
        if self._activations is None:
            raise ValueError(f"{label(where)}: expected a call to forward(X) first, got none")
        first = self._activations[0]
        if X is not self._given:
            X = np.asarray(X)
            if X.shape != first.shape or not np.array_equal(X, first):
                raise ValueError(
                    f"{label(where)}: expected the X of the last forward (shape {first.shape}), "
                    f"got a different array of shape {X.shape}; call forward(X) first"
                )
        return self._activations

    def backward_update_gradient(self, X: ArrayLike, delta: ArrayLike) -> None:
        """Back-propagate ``delta`` and add every module's parameter gradients."""
        self._backward(X, delta, (self, "backward_update_gradient"), update_gradients=True)

    def backward_delta(self, X: ArrayLike, delta: ArrayLike) -> Array:
        """Return :math:`\\partial L/\\partial X` by the chain of ``backward_delta`` calls."""
        return self._backward(X, delta, (self, "backward_delta"), update_gradients=False)

    def _backward(
        self, X: ArrayLike, delta: ArrayLike, where: Where, *, update_gradients: bool
    ) -> Array:
        """Walk the stack from the end; each module turns ``delta`` into its input's.

        With ``update_gradients`` every module also adds its parameter gradients, and
        the first module's input gradient, which nobody reads, is not computed.
        """
        activations = self._check_same_input(X, where)  # module h maps [h] to [h + 1]
        delta = as_float_array(delta, "delta", where)
        check_shape(delta, activations[-1].shape, "delta", where)
        with internal_arrays():  # X was scanned by forward, delta just above
            for index in range(len(self.modules) - 1, -1, -1):
                module, module_input = self.modules[index], activations[index]
                if update_gradients:
                    module.backward_update_gradient(module_input, delta)
                    if index == 0:
                        break
                delta = module.backward_delta_from_output(
                    module_input, activations[index + 1], delta
                )
        return delta

    def update_parameters(self, gradient_step: float = 1e-3) -> None:
        """Call ``update_parameters`` on every module (after checking ``gradient_step``)."""
        check_step(gradient_step, (self, "update_parameters"))
        for module in self.modules:
            module.update_parameters(gradient_step)

    def zero_grad(self) -> None:
        """Call ``zero_grad`` on every module."""
        for module in self.modules:
            module.zero_grad()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Array, Array]]:
        """Yield ``("<index>.<key>", parameter, gradient)`` for every module."""
        for index, module in enumerate(self.modules):
            yield from module.named_parameters(f"{prefix}{index}.")

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(repr(m) for m in self.modules) + ")"
