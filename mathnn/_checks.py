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
    """Within this block :func:`as_float_array` skips its NaN / inf scan of an array it does
    not convert; every other check stays.

    :class:`~mathnn.Sequential` uses it after scanning its own input and the incoming
    ``delta``: the arrays it then passes between its modules are their own outputs.
    :func:`~mathnn.fit` uses it after scanning the whole training set once; a loss that
    turns NaN or infinite then stops training with a message of its own.

    Speed: that scan is a full pass over each array at every call, about a sixth of a
    small CNN's training step. A class rather than a ``@contextmanager`` generator, which
    costs several times more per ``with``, entered a few times per training step.
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
    # Speed: for the common case, an ndarray already of the wanted float dtype, this is a few
    # attribute tests (no conversion call) and the finiteness scan; the scan of such an array
    # is skipped inside inputs_already_scanned.
    array = value if type(value) is np.ndarray else np.asarray(value)
    given = array
    if array.dtype.kind != "f" or (dtype is not None and array.dtype != dtype):
        array = _converted(array, value, name, where, dtype)
    if ndim is not None and array.ndim != ndim:
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
    # A cast can push finite values out of range, so a converted array is always scanned.
    if array.size and (given is not array or _SCAN_FINITE.get()):
        check_finite(array, name, where, given)
    return array


def _converted(
    array: Array, value: object, name: str, where: str, dtype: DTypeLike | None
) -> Array:
    """``array`` cast to ``dtype`` (float64 when None), or ``TypeError`` if not real numeric."""
    if array.dtype.kind not in "fiu":
        raise TypeError(
            f"{where}: expected {name} to be a real numeric array, "
            f"got dtype {array.dtype} ({_describe(value)})"
        )
    with np.errstate(over="ignore"):  # reported by check_finite as out of range, not warned
        return array.astype(np.float64 if dtype is None else dtype)


def check_finite(array: Array, name: str, where: str, given: Array | None = None) -> None:
    """Raise ``ValueError`` if ``array`` holds NaN or infinity.

    ``given`` is the array before a cast to ``array.dtype``: if it was finite, the
    message says which entries the cast pushed out of range.
    """
    if np.isfinite(array).all():
        return
    bad = int(array.size - np.count_nonzero(np.isfinite(array)))
    entries = f"entr{'y' if bad == 1 else 'ies'}"
    if given is not None and given is not array and np.isfinite(given).all():
        raise ValueError(
            f"{where}: expected {name} within the range of {array.dtype}, got {bad} "
            f"{entries} beyond it (largest {np.abs(given).max():.3g})"
        )
    raise ValueError(
        f"{where}: expected finite values in {name}, got {bad} NaN or infinite "
        f"{entries} in shape {array.shape}"
    )


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
