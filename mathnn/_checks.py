"""Input validation shared by every module.

Each function raises ``TypeError`` or ``ValueError`` with a message that names
what was expected and what came, and returns the validated array. Nothing here
changes the caller's data: arrays are converted, never written to.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

Array = NDArray[Any]

_SCAN_FINITE: ContextVar[bool] = ContextVar("mathnn_scan_finite", default=True)


class inputs_already_scanned:  # lower case: used like a function, in ``with`` statements
    """Within this block :func:`as_float_array` skips its NaN / inf scan; every other check stays.

    Only :class:`~mathnn.Sequential` uses it, after scanning its own input and the
    incoming ``delta``: the arrays it then passes between its modules are their own
    outputs. Speed: that scan is a full pass over each array at every call, about a
    sixth of a small CNN's training step. A class rather than a ``@contextmanager``
    generator, which costs several times more per ``with``, twice per training step.
    """

    def __enter__(self) -> None:
        self._token = _SCAN_FINITE.set(False)

    def __exit__(self, *exc_info: object) -> None:
        _SCAN_FINITE.reset(self._token)


def as_float_array(
    value: ArrayLike,
    name: str,
    where: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    dtype: DTypeLike | None = None,
    layout: str = "",
) -> Array:
    """Return ``value`` as a finite floating-point array, or raise.

    ``where`` names the calling method (``"Linear.forward"``), ``layout`` the
    expected axes (``"(batch, features)"``) for the error message. Integer
    input is converted to ``dtype`` (float64 when ``dtype`` is None); a float
    array keeps its dtype unless ``dtype`` is given.
    """
    # Fast path for the common case (an ndarray already of the wanted dtype): no conversion
    # call at all, only the checks below (the finiteness scan is skipped only inside
    # inputs_already_scanned).
    array = value if type(value) is np.ndarray else np.asarray(value)
    kind = array.dtype.kind
    if kind not in "fiu":
        raise TypeError(
            f"{where}: expected {name} to be a real numeric array, "
            f"got dtype {array.dtype} ({_describe(value)})"
        )
    given = array
    if dtype is not None:
        if array.dtype != dtype:
            with np.errstate(over="ignore"):  # reported below as out of range, not warned
                array = array.astype(dtype)
    elif kind != "f":
        array = array.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if array.ndim not in allowed:
            if len(allowed) > 2 and allowed == tuple(range(allowed[0], allowed[-1] + 1)):
                dims = f"{allowed[0]} to {allowed[-1]}"
            else:
                dims = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{where}: expected {name} with {dims} dimensions {layout}".rstrip()
                + f", got shape {array.shape}"
            )
    if array.size and _SCAN_FINITE.get() and not np.isfinite(array).all():
        bad = int(array.size - np.count_nonzero(np.isfinite(array)))
        if given is not array and np.isfinite(given).all():
            raise ValueError(
                f"{where}: expected {name} within the range of {array.dtype}, got {bad} "
                f"entr{'y' if bad == 1 else 'ies'} beyond it (largest {np.abs(given).max():.3g})"
            )
        raise ValueError(
            f"{where}: expected finite values in {name}, got {bad} NaN or infinite "
            f"entr{'y' if bad == 1 else 'ies'} in shape {array.shape}"
        )
    return array


def check_axis(array: Array, axis: int, expected: int, name: str, where: str, what: str) -> None:
    """Raise ``ValueError`` unless ``array.shape[axis] == expected``."""
    if array.shape[axis] != expected:
        raise ValueError(
            f"{where}: expected {name} with {expected} {what} (axis {axis}), "
            f"got {array.shape[axis]} in shape {array.shape}"
        )


def check_shape(array: Array, expected: tuple[int, ...], name: str, where: str) -> None:
    """Raise ``ValueError`` unless ``array.shape == expected``."""
    if array.shape != expected:
        raise ValueError(f"{where}: expected {name} of shape {expected}, got {array.shape}")


def check_same_shape(a: Array, a_name: str, b: Array, b_name: str, where: str) -> None:
    """Raise ``ValueError`` unless two arrays have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{where}: expected {b_name} with the shape of {a_name} {a.shape}, got {b.shape}"
        )


def check_positive_int(value: object, name: str, where: str) -> int:
    """Return ``value`` as an ``int`` if it is a positive integer, or raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where}: expected {name} to be a positive int, got {value!r}")
    if value <= 0:
        raise ValueError(f"{where}: expected {name} to be a positive int, got {value}")
    return int(value)


def check_float_dtype(dtype: DTypeLike, where: str) -> np.dtype[Any]:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, or raise ``TypeError``."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: expected dtype float32 or float64, got {dtype!r}") from None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{where}: expected dtype float32 or float64, got {resolved}")
    return resolved


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"
