r"""The checks of :func:`~mathnn.check_module`, each a method of :class:`ModuleChecks`.

They run on deep copies of a float64 copy of the module (and of a float32 one for
the ``float32`` check); gradients are compared with central differences.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from mathnn._checks import Array
from mathnn._grading import MATCH, TOLERANCE, Candidate, Checker, Raised, as_array, describe_entry
from mathnn.gradcheck import numerical_gradient, numerical_jacobian, relative_error
from mathnn.module import Module

STEP = 0.1
"""The ``gradient_step`` given to ``update_parameters``."""


def named(module: Any) -> list[tuple[str, Array, Array | None]]:
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
        for name, parameter, gradient in named(self.inner):
            yield prefix + name, parameter, parameter if gradient is None else gradient


def cast_copy(module: Any, dtype: type[np.floating[Any]]) -> Any:
    """A deep copy whose float parameters, gradients and float dtype attributes are ``dtype``.

    ``copy.deepcopy`` with a prepared memo replaces every reference to an old
    array (or to the other float dtype) by its cast, aliases included.
    """
    memo: dict[int, Any] = {}
    for _, parameter, gradient in named(module):
        for array in (parameter, gradient):
            if isinstance(array, np.ndarray) and array.dtype.kind == "f":
                memo[id(array)] = array.astype(dtype)
    other = np.float32 if dtype is np.float64 else np.float64
    memo[id(np.dtype(other))] = np.dtype(dtype)
    memo[id(other)] = dtype
    memo[id(memo)] = [module]  # deepcopy's keep-alive list
    return copy.deepcopy(module, memo)


def _gradient_of(module: Any, name: str) -> Array | None:
    for key, _, gradient in named(module):
        if key == name:
            return gradient
    return None


def _parameter_of(module: Any, name: str) -> Array:
    return next(p for key, p, _ in named(module) if key == name)


def _flat(arrays: list[Any]) -> Array:
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


class ModuleChecks:
    """The checks of :func:`check_module`, on copies of a float64 copy of the module."""

    def __init__(
        self, checker: Checker, base: Any, single: Any, X: Array, generator: np.random.Generator
    ) -> None:
        self.c, self.base, self.single, self.X = checker, base, single, X
        self.generator = generator
        self.N = X.shape[0]
        self.names = [name for name, _, _ in named(base)]
        self.delta = np.zeros(0)
        self._jacobian: Array | None = None

    def fresh(self) -> Any:
        return copy.deepcopy(self.base)

    def with_gradients(self, random: bool) -> Any:
        """A fresh copy whose gradients are zero, or drawn from the checker's stream."""
        module = self.fresh()
        for _, _, gradient in named(module):
            if gradient is not None:
                gradient[...] = self.generator.normal(size=gradient.shape) if random else 0
        return module

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
            Z = as_array(self.c.invoke(check, "forward", self.fresh().forward, self.X.copy()))
        except Raised:
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
        for name, parameter, _ in named(self.base):
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
        module = self.with_gradients(random=False)
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
        module = self.with_gradients(random=False)
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
                + describe_entry(both, one + two),
                error,
            )

    def zero_grad(self) -> None:
        check = "zero_grad"
        module = self.with_gradients(random=True)
        before = {name: p.copy() for name, p, _ in named(module)}
        self.c.invoke(check, "zero_grad", module.zero_grad)
        for name, parameter, gradient in named(module):
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
        module = self.with_gradients(random=True)
        before = _flat([p for _, p, _ in named(module)])
        gradients = _flat([g for _, _, g in named(module) if g is not None])
        self.c.invoke(check, "update_parameters", module.update_parameters, STEP)
        step = _flat([p for _, p, _ in named(module)]) - before
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
            message = "the step is not theta - eta g; " + describe_entry(step, -STEP * gradients)
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
        Z = as_array(self.c.invoke(check, "forward", module.forward, X))
        if Z is not None and Z.dtype != np.float32:
            problems.append(f"forward returns {Z.dtype}")
        dX = as_array(self.c.invoke(check, "backward_delta", module.backward_delta, X, delta))
        if dX is not None and dX.dtype != np.float32:
            problems.append(f"backward_delta returns {dX.dtype}")
        self.c.invoke(check, "forward", module.forward, X)
        self.c.invoke(check, "backward_update_gradient", module.backward_update_gradient, X, delta)
        for name, _, gradient in named(module):
            if gradient is not None and gradient.dtype != np.float32:
                problems.append(f"the gradient of {name} is {gradient.dtype}")
        self.c.invoke(check, "update_parameters", module.update_parameters, STEP)
        for name, parameter, _ in named(module):
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
