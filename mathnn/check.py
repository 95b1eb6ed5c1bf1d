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
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from mathnn._checks import Array, as_float_array
from mathnn.gradcheck import numerical_gradient, numerical_jacobian, relative_error
from mathnn.module import Module, resolve_rng

BASE_URL = "https://mathnn.readthedocs.io/en/latest/"
"""Where the site lives; every slip's URL starts with it."""

TOLERANCE = 1e-7
"""A gradient passes when its relative error to central differences is below this."""

MATCH = 1e-6
"""A wrong result is recognised as a slip when it is this close to the slip's result."""

STEP = 0.1
"""The ``gradient_step`` given to ``update_parameters``."""

SEED = 0x6D617468
"""Seeds the checker's random numbers (``"math"`` in ASCII), mixed with an int ``rng``."""


@dataclass(frozen=True)
class Slip:
    r"""One entry of the catalogue: a wrong result that a check can recognise.

    Attributes
    ----------
    id : str
        The fixed public name, such as ``"transposed"``.
    title : str
        A few words.
    explanation : str
        One or two sentences: what the wrong result is and where it comes from.
    page : str
        The page of the site that explains it, without ``.html``.
    anchor : str
        The section of that page; empty means ``"slip-" + id``.

    Examples
    --------
    >>> from mathnn import SLIPS
    >>> SLIPS["transposed"].url
    'https://mathnn.readthedocs.io/en/latest/linear.html#common-slip'
    """

    id: str
    title: str
    explanation: str
    page: str = "own_module"
    anchor: str = ""

    @property
    def url(self) -> str:
        """``BASE_URL + page + ".html#" + anchor``."""
        return f"{BASE_URL}{self.page}.html#{self.anchor or 'slip-' + self.id}"


_CATALOGUE = [
    Slip(
        "wrong-shape",
        "wrong shape",
        "An array has not the shape the contract gives it: the output is batch first, "
        "and every gradient has the shape of its variable.",
    ),
    Slip(
        "sign",
        "wrong sign",
        "The gradient is the negative of the right one, as when the squared error is "
        "differentiated with respect to the target instead of the prediction.",
        "losses",
        "the-mean-over-the-batch",
    ),
    Slip(
        "factor",
        "constant factor",
        "The gradient is the right one times a constant, as when the 2 of the squared "
        "error is dropped.",
        "losses",
        "the-mean-over-the-batch",
    ),
    Slip(
        "batch-mean",
        "divided by the batch size",
        "The gradient is the right one divided by N: the contract sums the losses over "
        "the batch; the mean is the training loop's business.",
    ),
    Slip(
        "transposed",
        "transposed gradient",
        "The gradient is the transpose of the right one, such as Delta^T X for the W of "
        "Z = X W, whose gradient is X^T Delta.",
        "linear",
        "common-slip",
    ),
    Slip(
        "transposed-parameter",
        "transposed parameter",
        "The input gradient is the right one for the transposed weights: Delta W instead "
        "of Delta W^T, which only a square layer can compute.",
        "linear",
        "common-slip",
    ),
    Slip(
        "unflipped-kernel",
        "kernel not flipped",
        "The input gradient of a convolution is the right one for the kernel reversed "
        "along its taps: the full correlation of Delta needs the flipped kernel.",
        "convolution",
        "stride-1-a-full-correlation-with-the-flipped-kernel",
    ),
    Slip(
        "diagonal-only",
        "diagonal of the Jacobian only",
        "The input gradient keeps only the diagonal of each sample's Jacobian, "
        "dz_i/dx_i, as if the module were element-wise; the softmax's Jacobian is full.",
    ),
    Slip(
        "not-accumulated",
        "gradient overwritten",
        "backward_update_gradient replaces the gradients instead of adding to them.",
    ),
    Slip(
        "zero-grad",
        "gradient not reset",
        "zero_grad leaves a gradient that is not zero, or changes a parameter.",
    ),
    Slip(
        "ascent",
        "wrong update rule",
        "update_parameters does not take the step theta - eta g: a step up the gradient, "
        "a step that ignores eta, or no step.",
    ),
    Slip(
        "mutates-input",
        "input changed",
        "A method writes into the X or the delta it was given, which belong to the caller.",
    ),
    Slip(
        "upcast",
        "float32 turned float64",
        "A float32 module returns or stores float64 arrays, as when a float64 array or "
        "NumPy float64 scalar enters the arithmetic.",
    ),
    Slip(
        "mixes-samples",
        "samples mixed",
        "The output of one sample depends on the input of another: an operation runs "
        "over the batch axis.",
    ),
    Slip(
        "missing-log",
        "logarithm missing",
        "The cross-entropy is computed as -<y, p> instead of -<y, log p>.",
        "losses",
        "cross-entropy-on-probabilities",
    ),
    Slip("raises", "method raises", "A method of the contract raises an exception on valid input."),
    Slip("wrong", "wrong result", "The result is wrong and matches none of the known slips."),
]
SLIPS: dict[str, Slip] = {slip.id: slip for slip in _CATALOGUE}
"""The slip catalogue, keyed by slip id."""


@dataclass(frozen=True)
class Finding:
    r"""The result of one check.

    Attributes
    ----------
    check : str
        What was checked (``"gradient W"``, ``"accumulation"``, ...).
    passed : bool
        Whether the check passed.
    slip : str or None
        The id of the slip found (a key of :data:`~mathnn.SLIPS`); None when passed.
    error : float or None
        The largest relative error, where the check measures one.
    message : str
        One sentence: what was found.

    Examples
    --------
    >>> from mathnn import Finding
    >>> Finding("gradient W", False, "sign", 2.0, "the negative of the right gradient").slip
    'sign'
    """

    check: str
    passed: bool
    slip: str | None
    error: float | None
    message: str


@dataclass
class Report:
    r"""What :func:`check_module` or :func:`check_loss` found: one finding per check run.

    ``str(report)`` is a table with a line per check, then, for each failure, a
    sentence naming the slip and the URL of the section that explains it.

    Attributes
    ----------
    subject : str
        The name of what was checked.
    findings : list of Finding
        In the order the checks ran.

    Examples
    --------
    >>> from mathnn import Finding, Report
    >>> report = Report("MyTanh", [Finding("output shape", True, None, None, "(5, 3)")])
    >>> report.passed
    True
    >>> print(report)
    MyTanh: all 1 checks passed
      output shape       pass
    """

    subject: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(finding.passed for finding in self.findings)

    @property
    def slips(self) -> list[str]:
        """The slip ids of the failed checks, in order, each once."""
        return list(dict.fromkeys(f.slip for f in self.findings if f.slip is not None))

    def __str__(self) -> str:
        failed = [f for f in self.findings if not f.passed]
        total = len(self.findings)
        head = (
            f"{self.subject}: all {total} checks passed"
            if not failed
            else f"{self.subject}: {len(failed)} of {total} checks failed"
        )
        width = max([len(f.check) for f in self.findings] + [17])
        lines = [head]
        for f in self.findings:
            error = "" if f.error is None else f"{f.error:.1e}"
            line = f"  {f.check:<{width}}  {'pass' if f.passed else 'FAIL'}  {error:<8}"
            lines.append((line + "  " + (f.slip or "")).rstrip())
        for f in failed:
            slip = SLIPS[f.slip or "wrong"]
            lines.append(f"{f.check}: {f.message}")
            lines.append(f"  slip '{slip.id}' ({slip.title}): {slip.url}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------- helpers

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


def _named(module: Any) -> list[tuple[str, Array, Array | None]]:
    """``(name, parameter, gradient)`` by ``named_parameters`` or the two dictionaries."""
    if hasattr(module, "named_parameters"):
        return [(name, p, g) for name, p, g in module.named_parameters()]
    gradients = module.gradients
    return [(k, p, gradients.get(k)) for k, p in module.parameters.items()]


class _Contract(Module):
    """Gives any object of the contract the ``named_parameters`` that mathnn's tools read."""

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, X: ArrayLike) -> Array:
        return np.asarray(self.inner.forward(X))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Array, Array]]:
        for name, parameter, gradient in _named(self.inner):
            yield prefix + name, parameter, parameter if gradient is None else gradient


def _cast_copy(module: Any, dtype: type[np.floating[Any]]) -> Any:
    """A deep copy whose float parameters, gradients and float dtype attributes are ``dtype``.

    ``copy.deepcopy`` with a prepared memo replaces every reference to an old
    array (or to the other float dtype) by its cast, aliases included.
    """
    memo: dict[int, Any] = {}
    for _, parameter, gradient in _named(module):
        for array in (parameter, gradient):
            if isinstance(array, np.ndarray) and array.dtype.kind == "f":
                memo[id(array)] = array.astype(dtype)
    other = np.float32 if dtype is np.float64 else np.float64
    memo[id(np.dtype(other))] = np.dtype(dtype)
    memo[id(other)] = dtype
    memo[id(memo)] = [module]  # deepcopy's keep-alive list
    return copy.deepcopy(module, memo)


def _array(value: object) -> Array | None:
    """``value`` as a float array, or None if it is not a numeric array."""
    if value is None:
        return None
    array = np.asarray(value)
    return array if array.dtype.kind in "fiu" else None


def _describe_entry(got: Array, right: Array) -> str:
    index = np.unravel_index(int(np.argmax(np.abs(got - right))), got.shape)
    position = tuple(int(i) for i in index)
    return (
        f"the worst entry is {position}: {got[position]:.6g} where {right[position]:.6g} "
        "was expected."
    )


Candidate = tuple[str, str, Callable[[], Array]]
"""A slip id, what its result is (for the message), and how to compute that result."""


def _recognise(
    what: str, got: Array, right: Array, batch: int, candidates: list[Candidate]
) -> tuple[str, str]:
    """The slip whose result ``got`` matches, and a sentence; ``wrong`` when none does."""
    if got.shape == right.shape and np.any(right):
        scale = float(np.vdot(got, right) / np.vdot(right, right))
        if relative_error(got, scale * right) < MATCH:
            if abs(scale + 1) < MATCH:
                return "sign", f"{what} is the negative of the right one."
            if batch > 1 and abs(scale * batch - 1) < MATCH:
                return "batch-mean", f"{what} is the right one divided by the batch size {batch}."
            return "factor", f"{what} is {scale:.6g} times the right one."
    for axes in itertools.permutations(range(right.ndim)):
        if axes != tuple(range(right.ndim)) and right.transpose(axes).shape == got.shape:
            if relative_error(got, right.transpose(axes)) < MATCH:
                detail = "" if right.ndim == 2 else f" (axes {axes})"
                shapes = (
                    ""
                    if got.shape == right.shape
                    else f": shape {got.shape}, where the right one has shape {right.shape}"
                )
                return "transposed", f"{what} is the transpose{detail} of the right one{shapes}."
    if got.shape != right.shape:
        return "wrong-shape", f"{what} has shape {got.shape}, where {right.shape} was expected."
    for slip, description, compute in candidates:
        try:
            result = compute()
        except Exception:  # a candidate that cannot be formed does not match
            continue
        if result.shape == got.shape and relative_error(got, result) < MATCH:
            return slip, f"{what} is {description}."
    return "wrong", f"{what} is wrong and matches no known slip; " + _describe_entry(got, right)


class _Raised(Exception):
    """A method of the checked object raised; its finding is already recorded."""


class _Checker:
    """Runs the checks and collects the findings."""

    def __init__(self, subject: str) -> None:
        self.report = Report(subject)

    def ok(self, check: str, message: str, error: float | None = None) -> None:
        self.report.findings.append(Finding(check, True, None, error, message))

    def fail(self, check: str, slip: str, message: str, error: float | None = None) -> None:
        self.report.findings.append(Finding(check, False, slip, error, message))

    def invoke(self, check: str, method: str, call: Callable[..., Any], *args: Any) -> Any:
        """``call(*args)``; an exception becomes a ``raises`` finding of ``check``."""
        try:
            return call(*args)
        except Exception as error:  # the checked code may raise anything
            detail = f": {error}" if str(error) else ""
            self.fail(check, "raises", f"{method} raised {type(error).__name__}{detail}.")
            raise _Raised from error

    def run(self, *checks: Callable[[], None]) -> None:
        for check in checks:
            try:
                check()
            except _Raised:
                pass

    def compare(
        self,
        check: str,
        what: str,
        got: object,
        right: Array,
        batch: int,
        candidates: list[Candidate] | None = None,
    ) -> None:
        """Pass if ``got`` agrees with ``right``; else name the slip that explains it."""
        array = _array(got)
        if array is None:
            self.fail(check, "wrong-shape", f"{what} is {got!r}, not an array.")
            return
        array = array.astype(np.float64)
        error = relative_error(array, right) if array.shape == right.shape else None
        if error is not None and error < TOLERANCE:
            self.ok(check, f"{what} agrees with central differences.", error)
            return
        slip, message = _recognise(what, array, right, batch, candidates or [])
        self.fail(check, slip, message, error)


def _gradient_of(module: Any, name: str) -> Array | None:
    for key, _, gradient in _named(module):
        if key == name:
            return gradient
    return None


def _parameter_of(module: Any, name: str) -> Array:
    return next(p for key, p, _ in _named(module) if key == name)


def _flat(arrays: list[Any]) -> Array:
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


class _ModuleChecks:
    """The checks of :func:`check_module`, on copies of a float64 copy of the module."""

    def __init__(
        self, checker: _Checker, base: Any, single: Any, X: Array, generator: np.random.Generator
    ) -> None:
        self.c, self.base, self.single, self.X = checker, base, single, X
        self.generator = generator
        self.N = X.shape[0]
        self.names = [name for name, _, _ in _named(base)]
        self.delta = np.zeros(0)
        self._jacobian: Array | None = None

    def fresh(self) -> Any:
        return copy.deepcopy(self.base)

    def backward(self, check: str, module: Any, method: str, delta: Array) -> Any:
        """``forward(X)`` then ``method(X, delta)``, on copies of ``X`` and ``delta``."""
        self.c.invoke(check, "forward", module.forward, self.X.copy())
        return self.c.invoke(check, method, getattr(module, method), self.X.copy(), delta.copy())

    def summed_output(self, module: Any, target: Array | None = None) -> Array:
        """Central differences of ``sum(delta * forward(X))`` by ``target`` (None: by ``X``)."""
        X = self.X.copy()

        def f() -> float:
            return float(np.sum(self.delta * np.asarray(module.forward(X), dtype=np.float64)))

        return numerical_gradient(f, X if target is None else target)

    def jacobian(self) -> Array:
        """The numerical Jacobian, shape ``(N, Z size, N, X size)``, computed once."""
        if self._jacobian is None:
            J = numerical_jacobian(_Contract(self.fresh()), self.X)
            self._jacobian = J.reshape(self.N, -1, self.N, self.X[0].size)
        return self._jacobian

    # ------------------------------------------------------------------ checks

    def output_shape(self) -> bool:
        check = "output shape"
        try:
            Z = _array(self.c.invoke(check, "forward", self.fresh().forward, self.X.copy()))
        except _Raised:
            return False
        if Z is None or Z.ndim == 0 or Z.shape[0] != self.N:
            shape = "no array" if Z is None else f"shape {Z.shape}"
            self.c.fail(
                check,
                "wrong-shape",
                f"forward returned {shape}, where (N, ...) with N = {self.N} was expected.",
            )
            return False
        self.c.ok(check, f"forward returns shape {Z.shape}.")
        self.delta = self.generator.normal(size=Z.shape)
        self.Z_shape = Z.shape
        return True

    def input_gradient(self) -> None:
        check = "input gradient"
        got = self.backward(check, self.fresh(), "backward_delta", self.delta)
        right = self.c.invoke(check, "forward", self.summed_output, self.fresh())
        candidates = list(self._parameter_candidates())
        if tuple(self.Z_shape) == self.X.shape:
            description = "delta times the diagonal of each sample's Jacobian only"
            candidates.append(("diagonal-only", description, self._diagonal_only))
        self.c.compare(check, "the input gradient", got, right, self.N, candidates)

    def _parameter_candidates(self) -> Iterator[Candidate]:
        """The right input gradient for a parameter transposed (same shape) or reversed."""
        for name, parameter, _ in _named(self.base):
            identity = tuple(range(parameter.ndim))
            for axes in itertools.permutations(identity):
                if axes != identity and parameter.transpose(axes).shape == parameter.shape:
                    detail = "" if parameter.ndim == 2 else f" (axes {axes})"
                    description = f"the right one for the transposed {name}{detail}"
                    yield "transposed-parameter", description, self._with(name, axes=axes)
            if parameter.ndim >= 3 and parameter.shape[0] > 1:
                description = f"the right one for {name} reversed along its first axis"
                yield "unflipped-kernel", description, self._with(name, axes=None)

    def _with(self, name: str, axes: tuple[int, ...] | None) -> Callable[[], Array]:
        """The input gradient for parameter ``name`` transposed by ``axes`` (None: reversed)."""

        def compute() -> Array:
            module = self.fresh()
            parameter = _parameter_of(module, name)
            original = parameter.copy()
            parameter[...] = original[::-1] if axes is None else original.transpose(axes)
            return self.summed_output(module)

        return compute

    def _diagonal_only(self) -> Array:
        diagonal = np.einsum("nini->ni", self.jacobian())
        return (diagonal * self.delta.reshape(self.N, -1)).reshape(self.X.shape)

    def parameter_gradients(self) -> None:
        module = self.fresh()
        for _, _, gradient in _named(module):
            if gradient is not None:
                gradient[...] = 0
        label = "gradient " + ", ".join(self.names)
        self.backward(label, module, "backward_update_gradient", self.delta)
        numeric = self.fresh()
        for name in self.names:
            check = f"gradient {name}"
            target = _parameter_of(numeric, name)
            right = self.c.invoke(check, "forward", self.summed_output, numeric, target)
            got = _gradient_of(module, name)
            if got is None:
                self.c.fail(check, "wrong-shape", f"gradients has no entry {name!r}.")
            else:
                self.c.compare(check, f"the gradient of {name}", got, right, self.N)

    def _gradients_after(self, check: str, *deltas: Array) -> Array:
        module = self.fresh()
        for _, _, gradient in _named(module):
            if gradient is not None:
                gradient[...] = 0
        for delta in deltas:
            self.backward(check, module, "backward_update_gradient", delta)
        return _flat([_gradient_of(module, name) for name in self.names])

    def accumulation(self) -> None:
        check = "accumulation"
        second = self.generator.normal(size=self.delta.shape)
        one, two = self._gradients_after(check, self.delta), self._gradients_after(check, second)
        both = self._gradients_after(check, self.delta, second)
        if both.shape != one.shape:
            self.c.fail(
                check, "wrong-shape", "the gradients change shape from one call to the next."
            )
            return
        error = relative_error(both, one + two)
        if error < TOLERANCE:
            self.c.ok(check, "two calls of backward_update_gradient add up.", error)
        elif relative_error(both, two) < TOLERANCE:
            self.c.fail(
                check,
                "not-accumulated",
                "the second call of backward_update_gradient replaced the gradients of "
                "the first instead of adding to them.",
                error,
            )
        else:
            self.c.fail(
                check,
                "wrong",
                "two calls of backward_update_gradient do not add up; "
                + _describe_entry(both, one + two),
                error,
            )

    def zero_grad(self) -> None:
        check = "zero_grad"
        module = self.fresh()
        for _, _, gradient in _named(module):
            if gradient is not None:
                gradient[...] = self.generator.normal(size=gradient.shape)
        before = {name: p.copy() for name, p, _ in _named(module)}
        self.c.invoke(check, "zero_grad", module.zero_grad)
        for name, parameter, gradient in _named(module):
            if gradient is not None and np.any(gradient):
                self.c.fail(
                    check, "zero-grad", f"after zero_grad the gradient of {name} is not zero."
                )
                return
            if not np.array_equal(parameter, before[name]):
                self.c.fail(check, "zero-grad", f"zero_grad changed the parameter {name}.")
                return
        self.c.ok(check, "zero_grad sets every gradient to zero and changes no parameter.")

    def update_parameters(self) -> None:
        check = "update_parameters"
        module = self.fresh()
        for _, _, gradient in _named(module):
            if gradient is not None:
                gradient[...] = self.generator.normal(size=gradient.shape)
        before = _flat([p for _, p, _ in _named(module)])
        gradients = _flat([g for _, _, g in _named(module) if g is not None])
        self.c.invoke(check, "update_parameters", module.update_parameters, STEP)
        step = _flat([p for _, p, _ in _named(module)]) - before
        if step.shape != gradients.shape:
            self.c.fail(check, "wrong-shape", "update_parameters changed the parameters' shapes.")
            return
        error = relative_error(step, -STEP * gradients)
        if error < TOLERANCE:
            self.c.ok(check, f"the step is theta - eta g with eta = {STEP}.", error)
            return
        scale = -float(np.vdot(step, gradients) / max(np.vdot(gradients, gradients), 1e-300))
        if relative_error(step, -scale * gradients) < MATCH:
            if abs(scale + STEP) < MATCH:
                what = "theta + eta g, a step up the gradient"
            elif abs(scale) < MATCH:
                what = "no step at all: the parameters did not change"
            elif abs(scale - 1) < MATCH:
                what = f"theta - g: the step ignores eta = {STEP}"
            else:
                what = f"theta - c g with c = {scale:.6g}"
            message = f"with eta = {STEP} the step is {what}, where theta - eta g was expected."
        else:
            message = "the step is not theta - eta g; " + _describe_entry(step, -STEP * gradients)
        self.c.fail(check, "ascent", message, error)

    def inputs_unchanged(self) -> None:
        check = "inputs unchanged"
        module = self.fresh()
        X, delta = self.X.copy(), self.delta.copy()
        calls = [
            ("forward", (X,)),
            ("backward_update_gradient", (X, delta)),
            ("backward_delta", (X, delta)),
        ]
        for method, args in calls:
            self.c.invoke(check, method, getattr(module, method), *args)
            for name, given, original in (("X", X, self.X), ("delta", delta, self.delta)):
                if not np.array_equal(given, original):
                    self.c.fail(
                        check, "mutates-input", f"{method} wrote into the {name} it was given."
                    )
                    return
        self.c.ok(check, "forward and both backward methods leave X and delta as they were.")

    def float32(self) -> None:
        check = "float32"
        module, X = self.single, self.X.astype(np.float32)
        delta = self.delta.astype(np.float32)
        problems = []
        Z = _array(self.c.invoke(check, "forward", module.forward, X))
        if Z is not None and Z.dtype != np.float32:
            problems.append(f"forward returns {Z.dtype}")
        dX = _array(self.c.invoke(check, "backward_delta", module.backward_delta, X, delta))
        if dX is not None and dX.dtype != np.float32:
            problems.append(f"backward_delta returns {dX.dtype}")
        self.c.invoke(check, "forward", module.forward, X)
        self.c.invoke(check, "backward_update_gradient", module.backward_update_gradient, X, delta)
        for name, _, gradient in _named(module):
            if gradient is not None and gradient.dtype != np.float32:
                problems.append(f"the gradient of {name} is {gradient.dtype}")
        self.c.invoke(check, "update_parameters", module.update_parameters, STEP)
        for name, parameter, _ in _named(module):
            if parameter.dtype != np.float32:
                problems.append(f"after update_parameters, {name} is {parameter.dtype}")
        if problems:
            self.c.fail(
                check, "upcast", "with float32 input and parameters, " + "; ".join(problems) + "."
            )
        else:
            self.c.ok(check, "float32 input and parameters give float32 results.")

    def per_sample(self) -> None:
        check = "per sample"
        J = np.abs(self.c.invoke(check, "forward", self.jacobian))
        cross = J.copy()
        for n in range(self.N):
            cross[n, :, n, :] = 0
        ratio = float(cross.max() / max(float(J.max()), 1e-300))
        if ratio < TOLERANCE:
            self.c.ok(check, "no output of a sample depends on the input of another.", ratio)
            return
        n, _, m, _ = (int(i) for i in np.unravel_index(int(np.argmax(cross)), cross.shape))
        message = f"the output of sample {n} changes with the input of sample {m}."
        self.c.fail(check, "mixes-samples", message, ratio)


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
    X = np.array(as_float_array(X, "X", "check_module"), dtype=np.float64)
    if X.ndim == 0 or X.shape[0] == 0:
        raise ValueError(
            f"check_module: expected X with a batch axis (N, ...), got shape {X.shape}"
        )
    try:
        base, single = _cast_copy(module, np.float64), _cast_copy(module, np.float32)
    except Exception as error:
        raise TypeError(
            f"check_module: expected a module that copy.deepcopy can copy, "
            f"got {type(module).__name__}: {error}"
        ) from error
    checker = _Checker(_subject(module))
    checks = _ModuleChecks(checker, base, single, X, _generator(rng))
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


def _generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """``rng`` itself, or a Generator seeded by ``(SEED, rng)``: apart from the reader's stream."""
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng([SEED, 0] if rng is None else [SEED, 1, int(rng)])
    return resolve_rng(rng)


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
    yhat = np.array(as_float_array(yhat, "yhat", "check_loss"), dtype=np.float64)
    if yhat.ndim == 0 or yhat.shape[0] == 0:
        raise ValueError(
            f"check_loss: expected yhat with a batch axis (N, ...), got shape {yhat.shape}"
        )
    y = np.array(y)
    if y.dtype.kind == "f":
        y = y.astype(np.float64)
    try:
        base = copy.deepcopy(loss)
    except Exception as error:
        raise TypeError(
            f"check_loss: expected a loss that copy.deepcopy can copy, "
            f"got {type(loss).__name__}: {error}"
        ) from error
    checker = _Checker(_subject(loss))
    n = yhat.shape[0]
    found: dict[str, Array] = {}

    def values() -> None:
        check = "values"
        value = _array(
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
            result = _array(
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
