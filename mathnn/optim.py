"""Optimisers: plain and momentum SGD, and Adam. Each updates parameters in place."""

from __future__ import annotations

import numpy as np

from mathnn._checks import Array, check_pair, check_scalar, check_step, label
from mathnn.module import Module


class Optimizer:
    """Base class: holds the ``(name, parameter, gradient)`` triples of a module.

    Parameters
    ----------
    module : Module
        The network; its :meth:`~mathnn.Module.named_parameters` are optimised.
    lr : float
        Learning rate, a finite number > 0 (the rule of
        :meth:`~mathnn.Module.update_parameters`).

    Raises
    ------
    TypeError, ValueError
        If ``module`` is not a Module, or a rate or coefficient is NaN, infinite,
        out of its range or not a real number (None, a string, a complex number,
        a bool).
    """

    def __init__(self, module: Module, lr: float) -> None:
        where = (self, "")
        if not isinstance(module, Module):
            raise TypeError(f"{label(where)}: expected a Module, got {type(module).__name__}")
        self.lr = check_step(lr, where, "lr")
        self.module = module
        self.params = list(module.named_parameters())

    def zero_grad(self) -> None:
        """Reset the gradients of every parameter."""
        self.module.zero_grad()

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional (heavy-ball) momentum.

    Notes
    -----
    With gradient :math:`g`, velocity :math:`v` (starting at 0), momentum
    :math:`\mu` and learning rate :math:`\eta`, as in PyTorch:

    .. math:: v \leftarrow \mu v + g, \qquad \theta \leftarrow \theta - \eta v .

    With :math:`\mu = 0` this is ``module.update_parameters(lr)``.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import SGD, Linear
    >>> layer = Linear(2, 3, rng=0)
    >>> layer.gradients["b"][...] = 1.0
    >>> opt = SGD(layer, lr=0.1, momentum=0.9)
    >>> opt.step(); opt.step()
    >>> print(np.round(layer.parameters["b"], 4))
    [-0.29 -0.29 -0.29]

    Derivation: :ref:`sec-backprop-momentum`.
    """

    def __init__(self, module: Module, lr: float = 0.1, momentum: float = 0.0) -> None:
        super().__init__(module, lr)
        self.momentum = check_scalar(
            momentum, "momentum", (self, ""), float, 0.0, 1.0, high_open=True
        )
        self.velocity: list[Array] = [np.zeros_like(p) for _, p, _ in self.params]

    def step(self) -> None:
        """Apply one update to every parameter, in place."""
        if self.momentum == 0.0:
            for _, parameter, gradient in self.params:
                parameter -= self.lr * gradient
            return
        for (_, parameter, gradient), velocity in zip(self.params, self.velocity, strict=True):
            velocity *= self.momentum
            velocity += gradient
            parameter -= self.lr * velocity


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015) with bias correction.

    Notes
    -----
    At step :math:`t`:

    .. math::

       m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
       v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
       \theta \leftarrow \theta - \eta\,
           \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}.

    Derivation: :ref:`page-optimisers`.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Adam, Linear
    >>> layer = Linear(2, 3, rng=0)
    >>> layer.gradients["b"][...] = 5.0
    >>> Adam(layer, lr=0.01).step()
    >>> print(np.round(layer.parameters["b"], 4))
    [-0.01 -0.01 -0.01]
    """

    def __init__(
        self,
        module: Module,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(module, lr)
        where = (self, "")
        beta1, beta2 = check_pair(betas, "betas", where)
        self.beta1 = check_scalar(beta1, "betas[0]", where, float, 0.0, 1.0, high_open=True)
        self.beta2 = check_scalar(beta2, "betas[1]", where, float, 0.0, 1.0, high_open=True)
        self.eps = check_scalar(eps, "eps", where, float, 0.0)
        self.t = 0
        self.m: list[Array] = [np.zeros_like(p) for _, p, _ in self.params]
        self.v: list[Array] = [np.zeros_like(p) for _, p, _ in self.params]

    def step(self) -> None:
        """Apply one update to every parameter, in place."""
        self.t += 1
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        for (_, parameter, gradient), m, v in zip(self.params, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1.0 - self.beta1) * gradient
            v *= self.beta2
            v += (1.0 - self.beta2) * gradient * gradient
            parameter -= (self.lr / correction1) * m / (np.sqrt(v / correction2) + self.eps)
