r"""Grading a module or a loss written by hand: :func:`check_module`, :func:`check_loss`.

Each check compares what the object computes with the right result, in float64:
gradients with central differences (:func:`~mathnn.numerical_gradient`), the
bookkeeping (accumulation, ``zero_grad``, the update rule) with its definition.
When a result is wrong, it is compared with the wrong results that the usual
slips give (the negative, a constant factor, the transpose, ...); the slip
that matches is named, with the page of the site that explains it
(:data:`~mathnn.SLIPS`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from mathnn._checks import Array, as_float_array, resolve_rng
from mathnn._grading import MATCH, TOLERANCE, Checker, as_array
from mathnn._module_checks import STEP, ModuleChecks, cast_copy
from mathnn._report import Finding, Report
from mathnn.gradcheck import numerical_gradient, relative_error
from mathnn.slips import BASE_URL, SLIPS, Slip

_T = TypeVar("_T")

__all__ = [
    "BASE_URL",
    "MATCH",
    "SEED",
    "SLIPS",
    "STEP",
    "TOLERANCE",
    "Finding",
    "Report",
    "Slip",
    "check_loss",
    "check_module",
]

SEED = 0x6D617468
"""Seeds the checker's random numbers (``"math"`` in ASCII), mixed with an int ``rng``."""


_CONTRACT = (
    "forward",
    "backward_update_gradient",
    "backward_delta",
    "update_parameters",
    "zero_grad",
)


def _subject(thing: object) -> str:
    text = repr(thing)
    return type(thing).__name__ if text.startswith("<") else text


def check_module(
    module: Any,
    X: ArrayLike,
    *,
    per_sample: bool = True,
    rng: np.random.Generator | int | None = None,
) -> Report:
    r"""Check a module against the contract and name the slip behind each failure.

    The module is never changed: the checks run on deep copies of it, with its
    parameters cast to float64 (and, for the float32 check, to float32).

    Shapes
    ------
    X : (N, ...) -> forward(X) : (N, ...);  delta, random : shape of forward(X).

    Parameters
    ----------
    module : object
        Anything with ``forward``, ``backward_update_gradient``,
        ``backward_delta``, ``update_parameters``, ``zero_grad`` and the
        dictionaries ``parameters`` and ``gradients`` (or ``named_parameters``,
        as :class:`~mathnn.Sequential`); it need not subclass :class:`~mathnn.Module`.
    X : array_like, shape (N, ...)
        A valid input, batch first. Use ``N`` different from every width, so
        that a missing transpose cannot pass.
    per_sample : bool, default True
        Check that no sample's output depends on another sample's input.
    rng : numpy.random.Generator or int or None
        Source of the random ``delta`` and gradients. An int or None seeds a
        stream of the checker's own, so that a report can be reproduced and
        the ``delta`` never equals an ``X`` drawn with the same seed.

    Returns
    -------
    Report
        One :class:`Finding` per check run, in this order: ``output shape``
        (batch first); ``input gradient``, :math:`\sum \Delta \odot
        \partial Z / \partial X` against central differences of
        :math:`f = \sum \Delta \odot \texttt{forward}(X)`; ``gradient <name>``
        for each parameter, likewise; ``accumulation`` (two calls add up);
        ``zero_grad``; ``update_parameters`` (exactly
        :math:`\theta - \eta g`); ``inputs unchanged``; ``float32``; ``per
        sample`` (the cross-sample blocks of the Jacobian are 0). Checks that
        need a result the module did not give are not run.

    Notes
    -----
    Central differences call ``forward`` twice per entry of ``X`` for the input
    gradient, twice more for the per-sample Jacobian, and twice per entry of
    each parameter: keep ``X`` to a few samples.

    Raises
    ------
    TypeError
        If ``module`` lacks a method or the two dictionaries, or cannot be copied.
    ValueError
        If ``X`` is not a finite numeric array with a batch axis.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Linear, check_module
    >>> X = np.random.default_rng(0).normal(size=(5, 3))
    >>> report = check_module(Linear(3, 2, rng=0), X)
    >>> report.passed, len(report.findings)
    (True, 10)
    >>> class MyTanh:
    ...     parameters, gradients = {}, {}
    ...     def forward(self, X): return np.tanh(X)
    ...     def backward_delta(self, X, delta): return delta * (1 - np.tanh(X))  # no square
    ...     def backward_update_gradient(self, X, delta): pass
    ...     def update_parameters(self, gradient_step=1e-3): pass
    ...     def zero_grad(self): pass
    >>> report = check_module(MyTanh(), X)
    >>> report.slips
    ['wrong']
    >>> print(report.findings[1].message)  # doctest: +ELLIPSIS
    the input gradient is wrong and matches no known slip; the worst entry is ...
    """
    _require(module, _CONTRACT, "check_module")
    X = _batch(X, "X", "check_module")
    base, single = _copied(
        module,
        "a module",
        "check_module",
        lambda: (cast_copy(module, np.float64), cast_copy(module, np.float32)),
    )
    checker = Checker(_subject(module))
    checks = ModuleChecks(checker, base, single, X, resolve_rng(rng, "check_module", stream=SEED))
    if checks.output_shape():
        steps = [checks.input_gradient]
        if checks.names:
            steps += [
                checks.parameter_gradients,
                checks.accumulation,
                checks.zero_grad,
                checks.update_parameters,
            ]
        steps += [checks.inputs_unchanged, checks.float32]
        if per_sample and checks.N > 1:
            steps.append(checks.per_sample)
        checker.run(*steps)
    return checker.report


def _batch(value: ArrayLike, name: str, where: str) -> Array:
    """``value`` as a float64 array with a batch axis of at least one sample, or raise."""
    array = np.array(as_float_array(value, name, where), dtype=np.float64)
    if array.ndim == 0 or array.shape[0] == 0:
        raise ValueError(
            f"{where}: expected {name} with a batch axis (N, ...), got shape {array.shape}"
        )
    return array


def _copied(thing: Any, what: str, where: str, make: Callable[[], _T]) -> _T:
    """``make()``, the copies of ``thing``; ``TypeError`` if they cannot be made."""
    try:
        return make()
    except Exception as error:  # deepcopy of the reader's object may raise anything
        raise TypeError(
            f"{where}: expected {what} that copy.deepcopy can copy, "
            f"got {type(thing).__name__}: {error}"
        ) from error


def _require(thing: Any, methods: tuple[str, ...], where: str) -> None:
    missing = [name for name in methods if not callable(getattr(thing, name, None))]
    if where == "check_module" and not hasattr(thing, "named_parameters"):
        for name in ("parameters", "gradients"):
            if not isinstance(getattr(thing, name, None), dict):
                missing.append(f"{name} dict")
    if missing:
        raise TypeError(
            f"{where}: expected an object with {', '.join(methods)}"
            + (" and the parameters and gradients dicts" if where == "check_module" else "")
            + f", got {type(thing).__name__} without {', '.join(missing)}"
        )


def _class_targets(y: Array, yhat: Array) -> Array | None:
    """``y`` as rows of class probabilities for the logits ``yhat``, or None if it is not one."""
    if yhat.ndim != 2:
        return None
    n, k = yhat.shape
    if y.shape == (n,) and y.dtype.kind in "iu" and np.all((y >= 0) & (y < k)):
        return np.eye(k)[y]
    if y.shape == (n, k) and np.all(y >= 0) and np.allclose(y.sum(axis=1), 1, atol=1e-9):
        return y.astype(np.float64)
    return None


def check_loss(loss: Any, y: ArrayLike, yhat: ArrayLike) -> Report:
    r"""Check a loss against the contract and name the slip behind each failure.

    The loss is never changed: the checks run on a deep copy of it.

    Shapes
    ------
    yhat : (N, ...);  y : the target, as the loss takes it (``yhat``'s shape,
    or integer labels (N,));  forward(y, yhat) : (N,);  backward(y, yhat) :
    shape of yhat.

    Parameters
    ----------
    loss : object
        Anything with ``forward(y, yhat)`` and ``backward(y, yhat)``; it need
        not subclass :class:`~mathnn.Loss`.
    y : array_like
        Valid targets.
    yhat : array_like, shape (N, ...)
        Valid predictions (logits for a cross-entropy on logits).

    Returns
    -------
    Report
        One :class:`Finding` per check run: ``values`` (one loss per sample,
        shape ``(N,)``); ``gradient``, ``backward`` against central
        differences of :math:`L = \sum_n \ell(y_n, \hat y_n)`; ``logarithm``
        (only for class targets: the values are not those of a cross-entropy
        without its logarithm, :math:`-\langle y, \hat y\rangle` or
        :math:`-\langle y, \operatorname{softmax}(\hat y)\rangle`); ``inputs
        unchanged``; ``float32`` (float32 predictions give float32 results).

    Raises
    ------
    TypeError
        If ``loss`` lacks ``forward`` or ``backward``, or cannot be copied.
    ValueError
        If ``yhat`` is not a finite numeric array with a batch axis.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import MSELoss, check_loss
    >>> rng = np.random.default_rng(0)
    >>> y, yhat = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    >>> check_loss(MSELoss(), y, yhat).passed
    True
    >>> class MyMSE:
    ...     def forward(self, y, yhat): return ((yhat - y) ** 2).sum(axis=1)
    ...     def backward(self, y, yhat): return yhat - y  # the 2 is missing
    >>> report = check_loss(MyMSE(), y, yhat)
    >>> report.slips
    ['factor']
    >>> print(report.findings[1].message)
    the gradient of the summed loss is 0.5 times the right one.
    """
    _require(loss, ("forward", "backward"), "check_loss")
    yhat = _batch(yhat, "yhat", "check_loss")
    y = np.array(y)
    if y.dtype.kind == "f":
        y = y.astype(np.float64)
    base = _copied(loss, "a loss", "check_loss", lambda: copy.deepcopy(loss))
    checker = Checker(_subject(loss))
    n = yhat.shape[0]
    found: dict[str, Array] = {}

    def values() -> None:
        check = "values"
        value = as_array(
            checker.invoke(check, "forward", copy.deepcopy(base).forward, y.copy(), yhat.copy())
        )
        if value is None or value.shape != (n,):
            shape = (
                "no array"
                if value is None
                else ("a single number" if value.ndim == 0 else f"shape {value.shape}")
            )
            checker.fail(
                check,
                "wrong-shape",
                f"forward returned {shape}, where one loss per sample, shape ({n},), was expected.",
            )
            return
        found["values"] = value.astype(np.float64)
        checker.ok(check, f"forward returns one loss per sample, shape ({n},).")

    def gradient() -> None:
        check = "gradient"
        got = checker.invoke(check, "backward", copy.deepcopy(base).backward, y.copy(), yhat.copy())
        numeric, prediction = copy.deepcopy(base), yhat.copy()
        right = checker.invoke(
            check,
            "forward",
            numerical_gradient,
            lambda: float(np.sum(numeric.forward(y, prediction))),
            prediction,
        )
        checker.compare(check, "the gradient of the summed loss", got, right, n)

    def known_values() -> None:
        check = "logarithm"
        targets = _class_targets(y, yhat)
        if "values" not in found or targets is None:
            return
        shifted = np.exp(yhat - yhat.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
        for form, candidate in (("-<y, yhat>", yhat), ("-<y, softmax(yhat)>", probabilities)):
            wrong = -(targets * candidate).sum(axis=1)
            # The right values differ from both wrong forms except in degenerate cases.
            right = -(targets * np.log(np.maximum(probabilities, 1e-300))).sum(axis=1)
            if relative_error(right, wrong) < MATCH:
                continue
            if relative_error(found["values"], wrong) < MATCH:
                checker.fail(check, "missing-log", f"forward returns {form}: the log is missing.")
                return
        checker.ok(check, "the values are not those of a cross-entropy without its logarithm.")

    def inputs_unchanged() -> None:
        check = "inputs unchanged"
        module, target, prediction = copy.deepcopy(base), y.copy(), yhat.copy()
        for method in ("forward", "backward"):
            checker.invoke(check, method, getattr(module, method), target, prediction)
            for name, given, original in (("y", target, y), ("yhat", prediction, yhat)):
                if not np.array_equal(given, original):
                    checker.fail(
                        check, "mutates-input", f"{method} wrote into the {name} it was given."
                    )
                    return
        checker.ok(check, "forward and backward leave y and yhat as they were.")

    def float32() -> None:
        check = "float32"
        module = copy.deepcopy(base)
        target = y.astype(np.float32) if y.dtype.kind == "f" else y.copy()
        prediction = yhat.astype(np.float32)
        problems = []
        for method in ("forward", "backward"):
            result = as_array(
                checker.invoke(check, method, getattr(module, method), target, prediction)
            )
            if result is not None and result.dtype != np.float32:
                problems.append(f"{method} returns {result.dtype}")
        if problems:
            checker.fail(check, "upcast", "with float32 y and yhat, " + "; ".join(problems) + ".")
        else:
            checker.ok(check, "float32 y and yhat give float32 results.")

    checker.run(values, gradient, known_values, inputs_unchanged, float32)
    return checker.report
