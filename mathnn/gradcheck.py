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

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import ArrayLike

from mathnn._checks import Array, as_float_array, check_scalar, resolve_rng
from mathnn.module import Loss, Module

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


def _central_differences(f: Callable[[], ArrayLike], x: Array, eps: float, where: str) -> Array:
    r"""The one central-difference loop: row ``i`` is
    :math:`(f(x + \varepsilon e_i) - f(x - \varepsilon e_i)) / 2\varepsilon`, so the result
    has shape ``(x.size, *f().shape)``. ``x`` is edited in place, one entry at a time,
    and restored; each value of ``f`` is copied before the next edit (a forward may
    return a view of its input, as Flatten does)."""
    eps = check_scalar(eps, "eps", where, float, 0.0, low_open=True)
    flat = x.reshape(-1)
    if not np.shares_memory(flat, x) and x.size:
        raise ValueError(f"{where}: expected a contiguous array that can be edited")
    rows: Array | None = None
    for i in range(flat.size):  # two evaluations of f per entry, no more
        saved = flat[i]
        flat[i] = saved + eps
        plus = np.array(f(), dtype=np.float64)
        flat[i] = saved - eps
        minus = np.array(f(), dtype=np.float64)
        flat[i] = saved
        if rows is None:
            rows = np.empty((flat.size, *plus.shape), dtype=np.float64)
        rows[i] = (plus - minus) / (2 * eps)
    if rows is None:  # x has no entry: one evaluation, for the shape of the result
        rows = np.zeros((0, *np.shape(f())), dtype=np.float64)
    return rows


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
    return _central_differences(f, x, eps, "numerical_gradient").reshape(x.shape)


def _float64_copy(X: ArrayLike, where: str) -> Array:
    return np.array(as_float_array(X, "X", where), dtype=np.float64)


def _wrt(module: Module, X: Array, wrt: object, where: str) -> tuple[Array, Array | None]:
    """The one ``wrt`` resolver: ``(X, None)`` for ``"X"``, else ``(parameter, gradient)``
    of the parameter named ``wrt`` (as :meth:`~mathnn.Module.named_parameters` names it)."""
    if isinstance(module, Loss) or not isinstance(module, Module):
        raise TypeError(
            f"{where}: expected a Module, got {type(module).__name__}; use gradcheck for losses"
        )
    named = {name: (p, g) for name, p, g in module.named_parameters()}
    if wrt == "X":
        return X, None
    if not isinstance(wrt, str) or wrt not in named:
        raise ValueError(f"{where}: expected wrt to be 'X' or one of {list(named)}, got {wrt!r}")
    return named[wrt]


@contextmanager
def _gradients_kept(module: Module) -> Iterator[None]:
    """Within this block the module's gradients may be changed; they are put back after."""
    saved = [(gradient, gradient.copy()) for _, _, gradient in module.named_parameters()]
    try:
        yield
    finally:
        for gradient, old in saved:
            gradient[...] = old


def _backward(module: Module, X: Array, delta: Array, gradient: Array | None) -> Array:
    """What the module's own backward gives for ``delta``: ``backward_delta`` when
    ``gradient`` is None, else the ``gradient`` array after one ``backward_update_gradient``
    from zero."""
    if gradient is None:
        return np.array(module.backward_delta(X, delta), dtype=np.float64)
    module.zero_grad()
    module.backward_update_gradient(X, delta)
    return gradient.astype(np.float64)


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
    X = _float64_copy(X, "jacobian")
    target, gradient = _wrt(module, X, wrt, "jacobian")
    Z = module.forward(X)
    rows = np.zeros((Z.size, *target.shape), dtype=np.float64)
    with _gradients_kept(module):
        for i in range(Z.size):
            delta = np.zeros(Z.shape, dtype=Z.dtype)
            delta.flat[i] = 1.0
            rows[i] = _backward(module, X, delta, gradient)
    return rows.reshape(*Z.shape, *target.shape)


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
    target, _ = _wrt(module, X, wrt, "numerical_jacobian")
    columns = _central_differences(lambda: module.forward(X), target, eps, "numerical_jacobian")
    out_shape = columns.shape[1:]
    return columns.reshape(target.size, -1).T.reshape(*out_shape, *target.shape)


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
    where = "gradcheck"
    X = _float64_copy(X, where)
    if isinstance(module, Loss):
        if y is None:
            raise ValueError(f"{where}: expected the target y for a Loss, got None")
        loss = module
        gradient = np.asarray(loss.backward(y, X), dtype=np.float64)
        numeric = _central_differences(lambda: loss.forward(y, X).sum(), X, eps, where)
        return {"yhat": relative_error(gradient, numeric.reshape(X.shape))}
    if y is not None:
        raise ValueError(f"{where}: expected no y for a Module (y is for losses)")
    names = ["X", *(name for name, _, _ in module.named_parameters())]
    targets = {name: _wrt(module, X, name, where) for name in names}
    for name, (parameter, kept) in targets.items():
        if kept is not None and parameter.dtype != np.float64:
            raise TypeError(
                f"{where}: expected float64 parameters, got {parameter.dtype} for {name!r}"
            )
    delta = resolve_rng(rng, where).normal(size=np.shape(module.forward(X)))
    with _gradients_kept(module):
        analytic = {name: _backward(module, X, delta, g) for name, (_, g) in targets.items()}

    def f() -> float:
        return float((delta * module.forward(X)).sum())

    return {
        name: relative_error(
            analytic[name], _central_differences(f, target, eps, where).reshape(target.shape)
        )
        for name, (target, _) in targets.items()
    }
