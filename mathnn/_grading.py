r"""Recording the findings of a check, and naming the slip behind a wrong result.

A wrong result is compared with the wrong results that the usual slips give
(the negative, a constant factor, the transpose, ...); the slip it matches is
the one named (:data:`~mathnn.SLIPS`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from mathnn._checks import Array
from mathnn._report import Finding, Report
from mathnn.gradcheck import relative_error

TOLERANCE = 1e-7
"""A gradient passes when its relative error to central differences is below this."""

MATCH = 1e-6
"""A wrong result is recognised as a slip when it is this close to the slip's result."""


def as_array(value: object) -> Array | None:
    """``value`` as a float array, or None if it is not a numeric array."""
    if value is None:
        return None
    array = np.asarray(value)
    return array if array.dtype.kind in "fiu" else None


def describe_entry(got: Array, right: Array) -> str:
    """A sentence naming the entry where ``got`` is farthest from ``right``, with both values."""
    index = np.unravel_index(int(np.argmax(np.abs(got - right))), got.shape)
    position = tuple(int(i) for i in index)
    return (
        f"the worst entry is {position}: {got[position]:.6g} where {right[position]:.6g} "
        "was expected."
    )


Candidate = tuple[str, str, Callable[[], Array]]
"""A slip id, what its result is (for the message), and how to compute that result."""


def recognise(
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
    return "wrong", f"{what} is wrong and matches no known slip; " + describe_entry(got, right)


class Raised(Exception):
    """A method of the checked object raised; its finding is already recorded."""


class Checker:
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
            raise Raised from error

    def run(self, *checks: Callable[[], None]) -> None:
        for check in checks:
            try:
                check()
            except Raised:
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
        array = as_array(got)
        if array is None:
            self.fail(check, "wrong-shape", f"{what} is {got!r}, not an array.")
            return
        array = array.astype(np.float64)
        error = relative_error(array, right) if array.shape == right.shape else None
        if error is not None and error < TOLERANCE:
            self.ok(check, f"{what} agrees with central differences.", error)
            return
        slip, message = recognise(what, array, right, batch, candidates or [])
        self.fail(check, slip, message, error)
