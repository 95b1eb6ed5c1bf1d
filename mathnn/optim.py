"""Optimisers: plain and momentum SGD, and Adam. Each updates parameters in place."""

from __future__ import annotations

import numbers

import numpy as np

from mathnn._checks import Array
from mathnn.module import Module


def _real(value: object, name: str, where: str) -> float:
    """Return ``value`` as a float if it is a real number (not a bool), or raise ``TypeError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: expected {name} to be a real number, got {value!r}")
    return float(value)


class Optimizer:
    """Base class: holds the ``(name, parameter, gradient)`` triples of a module.

    Parameters
    ----------
    module : Module
        The network; its :meth:`~mathnn.Module.named_parameters` are optimised.
    lr : float
        Learning rate, a positive number.
    """

    def __init__(self, module: Module, lr: float) -> None:
        if not isinstance(module, Module):
            name = type(self).__name__
            raise TypeError(f"{name}: expected a Module, got {type(module).__name__}")
        self.lr = _real(lr, "lr", type(self).__name__)
        if not (0.0 < self.lr < float("inf")):
            raise ValueError(f"{type(self).__name__}: expected a finite lr > 0, got {lr!r}")
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
    """

    def __init__(self, module: Module, lr: float = 0.1, momentum: float = 0.0) -> None:
        super().__init__(module, lr)
        self.momentum = _real(momentum, "momentum", "SGD")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"SGD: expected momentum in [0, 1), got {momentum!r}")
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
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: expected betas as two numbers in [0, 1), got {betas!r}")
        self.beta1, self.beta2 = (_real(beta, "betas", "Adam") for beta in betas)
        if not (0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0):
            raise ValueError(f"Adam: expected betas in [0, 1), got {betas!r}")
        self.eps = _real(eps, "eps", "Adam")
        if not 0.0 <= self.eps < float("inf"):
            raise ValueError(f"Adam: expected a finite eps >= 0, got {eps!r}")
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
