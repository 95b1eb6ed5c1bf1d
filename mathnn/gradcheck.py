r"""Checking gradients: numerical and analytic Jacobians, and ``gradcheck``.

The numerical derivative is the central difference

.. math::

   \frac{\partial f}{\partial x_i} \approx
   \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon},

whose error is :math:`O(\varepsilon^2)` from truncation plus about
:math:`u |f| / \varepsilon` from rounding (:math:`u` the unit round-off), hence
float64 and :math:`\varepsilon \approx 10^{-6}`. The error reported for a
tensor compares analytic :math:`a` and numerical :math:`n` gradients as

.. math:: \frac{\max_i |a_i - n_i|}{\max(\max_i |a_i|,\ \max_i |n_i|,\ \text{tiny})}.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from mathnn._checks import Array, as_float_array
from mathnn.module import Loss, Module, resolve_rng

TINY = 1e-300


def relative_error(analytic: ArrayLike, numeric: ArrayLike) -> float:
    r"""Return :math:`\max|a - n| / \max(\max|a|, \max|n|, \text{tiny})`.

    Examples
    --------
    >>> print(f"{relative_error([1.0, -4.0], [1.0, -4.0 + 4e-9]):.1e}")
    1.0e-09
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: expected equal shapes, got {a.shape} and {n.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.abs(a).max()), float(np.abs(n).max()), TINY)
    return float(np.abs(a - n).max() / scale)


def numerical_gradient(f: Callable[[], float], x: Array, eps: float = 1e-6) -> Array:
    r"""Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``x`` is changed in place one entry at a time and restored, so ``f`` must
    read ``x`` (for example a module's parameter array).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, -2.0])
    >>> print(np.round(numerical_gradient(lambda: float((x ** 3).sum()), x), 6))
    [ 3. 12.]
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient: expected a contiguous array that can be edited")
    out = grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        f_plus = f()
        flat[i] = saved - eps
        f_minus = f()
        flat[i] = saved
        out[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _float64_copy(X: ArrayLike, where: str) -> Array:
    return np.array(as_float_array(X, "X", where), dtype=np.float64)


def jacobian(module: Module, X: ArrayLike, wrt: str = "X") -> Array:
    r"""The full Jacobian of ``module.forward`` at ``X``, from the module's own backward.

    Row by row: entry ``i`` of the output gets a one-hot ``delta``, and
    ``backward_delta`` (or ``backward_update_gradient`` for a parameter)
    returns the vector-Jacobian product, which is row ``i`` of the Jacobian.

    Parameters
    ----------
    module : Module
        The module; its gradients are left as they were.
    X : array_like, shape (N, ...)
        The input.
    wrt : str, default "X"
        ``"X"`` or the name of a parameter (``"W"``, ``"b"``).

    Returns
    -------
    ndarray
        For ``wrt="X"``, shape ``(N, *out, N, *in)`` with entry ``[n, o, m, i]``
        equal to :math:`\partial Z_{no} / \partial X_{mi}`. For a parameter
        :math:`\theta`, shape ``(N, *out, *theta.shape)`` with entry ``[n, o, p]``
        equal to :math:`\partial Z_{no} / \partial \theta_p`.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Linear, jacobian
    >>> layer = Linear(3, 2, rng=0)
    >>> X = np.random.default_rng(1).normal(size=(4, 3))
    >>> J = jacobian(layer, X)
    >>> J.shape
    (4, 2, 4, 3)
    >>> bool(np.allclose(J[1, :, 1, :], layer.parameters["W"].T))
    True
    >>> bool(np.all(J[1, :, 2, :] == 0))
    True
    >>> jacobian(layer, X, wrt="W").shape
    (4, 2, 3, 2)
    """
    if isinstance(module, Loss):
        raise TypeError("jacobian: expected a Module, got a Loss; use gradcheck for losses")
    X = _float64_copy(X, "jacobian")
    named = {name: (p, g) for name, p, g in module.named_parameters()}
    if wrt != "X" and wrt not in named:
        raise ValueError(f"jacobian: expected wrt to be 'X' or one of {list(named)}, got {wrt!r}")
    Z = module.forward(X)
    in_shape = X.shape if wrt == "X" else named[wrt][0].shape
    rows = np.zeros((Z.size, *in_shape), dtype=np.float64)
    saved = {name: g.copy() for name, (_, g) in named.items()}
    try:
        for i in range(Z.size):
            delta = np.zeros(Z.shape, dtype=Z.dtype)
            delta.flat[i] = 1.0
            if wrt == "X":
                rows[i] = module.backward_delta(X, delta)
            else:
                module.zero_grad()
                module.backward_update_gradient(X, delta)
                rows[i] = named[wrt][1]
    finally:
        for name, gradient in saved.items():
            named[name][1][...] = gradient
    return rows.reshape(*Z.shape, *in_shape)


def numerical_jacobian(module: Module, X: ArrayLike, wrt: str = "X", eps: float = 1e-6) -> Array:
    r"""The full Jacobian of ``module.forward`` at ``X`` by central differences.

    Same shapes as :func:`jacobian`; needs no backward at all.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import TanH, jacobian, numerical_jacobian
    >>> X = np.random.default_rng(0).normal(size=(2, 3))
    >>> J = numerical_jacobian(TanH(), X)
    >>> J.shape
    (2, 3, 2, 3)
    >>> bool(np.allclose(J, jacobian(TanH(), X), atol=1e-8))
    True
    """
    X = _float64_copy(X, "numerical_jacobian")
    named = {name: p for name, p, _ in module.named_parameters()}
    if wrt != "X" and wrt not in named:
        raise ValueError(
            f"numerical_jacobian: expected wrt to be 'X' or one of {list(named)}, got {wrt!r}"
        )
    target = X if wrt == "X" else named[wrt]
    Z = module.forward(X)
    flat = target.reshape(-1)
    columns = np.zeros((target.size, Z.size), dtype=np.float64)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        # Copies: a forward may return a view of X (Flatten does), which the next edit would change.
        plus = np.array(module.forward(X), dtype=np.float64).reshape(-1)
        flat[i] = saved - eps
        minus = np.array(module.forward(X), dtype=np.float64).reshape(-1)
        flat[i] = saved
        columns[i] = (plus - minus) / (2 * eps)
    return columns.T.reshape(*Z.shape, *target.shape)


def gradcheck(
    module: Module | Loss,
    X: ArrayLike,
    y: ArrayLike | None = None,
    *,
    eps: float = 1e-6,
    rng: np.random.Generator | int | None = 0,
) -> dict[str, float]:
    r"""Compare a module's backward with central differences, in float64.

    For a :class:`Module`, the scalar checked is :math:`f = \sum \Delta \odot
    \texttt{forward}(X)` with a random (seeded) :math:`\Delta`; its analytic
    gradients are ``backward_delta(X, delta)`` and what
    ``backward_update_gradient`` adds for each parameter. For a :class:`Loss`,
    ``X`` is the prediction ``yhat``, ``y`` the target, and
    :math:`f = \sum_n \ell(y_n, \hat y_n)` with gradient ``backward(y, yhat)``.

    The module's parameters must be float64; they and its gradients are left
    as they were.

    Parameters
    ----------
    module : Module or Loss
        What to check.
    X : array_like
        Input of the module (the prediction ``yhat`` for a loss).
    y : array_like, optional
        Target, for a loss only.
    eps : float, default 1e-6
        Step of the central differences.
    rng : numpy.random.Generator or int or None, default 0
        Source of the random ``delta``.

    Returns
    -------
    dict of str to float
        Relative error (see :func:`relative_error`) for ``"X"`` (``"yhat"``
        for a loss) and for each parameter name.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Conv1D, CrossEntropyLoss, gradcheck
    >>> rng = np.random.default_rng(0)
    >>> errors = gradcheck(Conv1D(2, 3, 4, rng=rng), rng.normal(size=(2, 6, 3)))
    >>> sorted(errors)
    ['W', 'X', 'b']
    >>> bool(max(errors.values()) < 1e-7)
    True
    >>> z = rng.normal(size=(5, 4))
    >>> errors = gradcheck(CrossEntropyLoss(), z, y=np.array([0, 3, 1, 1, 2]))
    >>> bool(errors["yhat"] < 1e-7)
    True
    """
    X = _float64_copy(X, "gradcheck")
    if isinstance(module, Loss):
        if y is None:
            raise ValueError("gradcheck: expected the target y for a Loss, got None")
        loss = module
        gradient = np.asarray(loss.backward(y, X), dtype=np.float64)
        numeric = numerical_gradient(lambda: float(loss.forward(y, X).sum()), X, eps)
        return {"yhat": relative_error(gradient, numeric)}
    if y is not None:
        raise ValueError("gradcheck: expected no y for a Module (y is for losses)")
    named = [(name, p, g) for name, p, g in module.named_parameters()]
    for name, parameter, _ in named:
        if parameter.dtype != np.float64:
            raise TypeError(
                f"gradcheck: expected float64 parameters, got {parameter.dtype} for {name!r}"
            )
    Z = module.forward(X)
    delta = resolve_rng(rng).normal(size=Z.shape)
    saved = [g.copy() for _, _, g in named]
    try:
        analytic = {"X": np.array(module.backward_delta(X, delta), dtype=np.float64)}
        module.zero_grad()
        module.backward_update_gradient(X, delta)
        analytic.update({name: g.astype(np.float64) for name, _, g in named})
    finally:
        for (_, _, gradient), old in zip(named, saved, strict=True):
            gradient[...] = old

    def f() -> float:
        return float((delta * module.forward(X)).sum())

    errors = {"X": relative_error(analytic["X"], numerical_gradient(f, X, eps))}
    for name, parameter, _ in named:
        errors[name] = relative_error(analytic[name], numerical_gradient(f, parameter, eps))
    return errors
