"""Input validation shared by every module.

Each function raises ``TypeError`` or ``ValueError`` with a message that names
what was expected and what came, and returns the validated array. Nothing here
changes the caller's data: arrays are converted, never written to.
"""

from __future__ import annotations

import math
import numbers
from contextvars import ContextVar
from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

Array = NDArray[Any]

MAX_RANK = 7
"""The most dimensions any array argument may have (batch axis included)."""


def ranks(lowest: int) -> tuple[int, ...]:
    """The accepted numbers of dimensions, from ``lowest`` to :data:`MAX_RANK`."""
    return tuple(range(lowest, MAX_RANK + 1))


Where = Union[str, "tuple[object, str]"]
"""Who checks, for messages: a function's name (``"fit"``), or ``(instance, method)``."""


def label(where: Where) -> str:
    """How messages name their origin: a function's name as given, ``"Linear.forward"`` for
    ``(layer, "forward")``, ``"Linear"`` for ``(layer, "")`` (a constructor).

    The class name is the instance's own, so a subclass is named as such. Callers pass the
    pair, and a message formats it only when it is raised: no string is built for a call
    that passes its checks.

    Examples
    --------
    >>> from mathnn import Linear
    >>> label((Linear(3, 2, rng=0), "forward")), label("fit")
    ('Linear.forward', 'fit')
    """
    if isinstance(where, str):
        return where
    owner, method = where
    name = type(owner).__name__
    return f"{name}.{method}" if method else name


_INTERNAL: ContextVar[bool] = ContextVar("mathnn_internal_arrays", default=False)


class internal_arrays:  # lower case: used like a function, in ``with`` statements
    """Within this block the arrays that modules receive are mathnn's own: already scanned
    for NaN / inf, and written by nobody before the backward calls that use them.

    Two checks are then skipped, every other stays: :func:`as_float_array` does not scan
    an array it does not convert, and :meth:`Sequential.forward <mathnn.Sequential.forward>`
    does not copy its ``X``. :class:`~mathnn.Sequential` enters it after checking its own
    input and the incoming ``delta``: the arrays it then passes between its modules are their
    own outputs. :func:`~mathnn.fit` enters it after scanning the whole training set once;
    its batches are its own, and a loss that turns NaN or infinite stops training with a
    message of its own.

    Speed: the scan is a full pass over each array at every call, about a sixth of a small
    CNN's training step; the copy is about 0.5 % of the MLP's. A class rather than a
    ``@contextmanager`` generator, which costs several times more per ``with``, entered a
    few times per training step.
    """

    def __enter__(self) -> None:
        self._token = _INTERNAL.set(True)

    def __exit__(self, *exc_info: object) -> None:
        _INTERNAL.reset(self._token)


def arrays_are_internal() -> bool:
    """Whether the caller runs inside :class:`internal_arrays`."""
    return _INTERNAL.get()


def as_float_array(
    value: ArrayLike,
    name: str,
    where: Where,
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
    # is skipped inside internal_arrays.
    array = value if type(value) is np.ndarray else np.asarray(value)
    given, found = array, array.dtype
    if found.kind != "f" or (dtype is not None and found is not dtype and found != dtype):
        array = _converted(array, value, name, where, dtype)
    if ndim is not None and array.ndim != ndim:  # one comparison when ndim is an int
        if isinstance(ndim, int) or array.ndim not in ndim:
            _wrong_ndim(array, name, where, ndim, layout)
    # A cast can push finite values out of range, so a converted array is always scanned.
    if array.size and (given is not array or not _INTERNAL.get()):
        check_finite(array, name, where, given)
    return array


def _wrong_ndim(
    array: Array, name: str, where: Where, ndim: int | tuple[int, ...], layout: str
) -> None:
    """Raise the ``ValueError`` of an array with a number of dimensions not in ``ndim``."""
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if len(allowed) > 2 and allowed == tuple(range(allowed[0], allowed[-1] + 1)):
        dims = f"{allowed[0]} to {allowed[-1]}"
    else:
        dims = " or ".join(str(d) for d in allowed)
    raise ValueError(
        f"{label(where)}: expected {name} with {dims} dimensions {layout}".rstrip()
        + f", got shape {array.shape}"
    )


def _converted(
    array: Array, value: object, name: str, where: Where, dtype: DTypeLike | None
) -> Array:
    """``array`` cast to ``dtype`` (float64 when None), or ``TypeError`` if not real numeric."""
    if array.dtype.kind not in "fiu":
        raise TypeError(
            f"{label(where)}: expected {name} to be a real numeric array, "
            f"got dtype {array.dtype} ({_describe(value)})"
        )
    with np.errstate(over="ignore"):  # reported by check_finite as out of range, not warned
        return array.astype(np.float64 if dtype is None else dtype)


def check_finite(array: Array, name: str, where: Where, given: Array | None = None) -> None:
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
            f"{label(where)}: expected {name} within the range of {array.dtype}, got {bad} "
            f"{entries} beyond it (largest {np.abs(given).max():.3g})"
        )
    raise ValueError(
        f"{label(where)}: expected finite values in {name}, got {bad} NaN or infinite "
        f"{entries} in shape {array.shape}"
    )


def check_axis(
    array: Array,
    axis: int,
    expected: int,
    name: str,
    where: Where,
    what: str,
    *,
    at_least: bool = False,
    note: str = "",
) -> None:
    """Raise ``ValueError`` unless ``array.shape[axis]`` equals ``expected`` (or, with
    ``at_least``, is at least ``expected``); ``what`` names the axis (``"features"``)."""
    size = array.shape[axis]
    if size == expected or (at_least and size > expected):
        return
    count = f"at least {expected}" if at_least else str(expected)
    raise ValueError(
        f"{label(where)}: expected {name} with {count} {what} (axis {axis}){note}, "
        f"got {size} in shape {array.shape}"
    )


def check_shape(array: Array, expected: tuple[int, ...], name: str, where: Where) -> None:
    """Raise ``ValueError`` unless ``array.shape == expected``."""
    if array.shape != expected:
        raise ValueError(f"{label(where)}: expected {name} of shape {expected}, got {array.shape}")


def check_same_shape(a: Array, a_name: str, b: Array, b_name: str, where: Where) -> None:
    """Raise ``ValueError`` unless two arrays have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{label(where)}: expected {b_name} with the shape of {a_name} {a.shape}, got {b.shape}"
        )


def check_in_range(
    array: Array, name: str, where: Where, low: float, high: float | None = None, note: str = ""
) -> None:
    """Raise ``ValueError`` unless every entry of ``array`` lies in ``[low, high]``
    (``high=None``: no upper bound); the message gives the range of the values that came."""
    if array.size == 0 or (array.min() >= low and (high is None or array.max() <= high)):
        return
    smallest, largest = array.min(), array.max()
    bounds = f"[{low:g}, {high:g}]" if high is not None else f"[{low:g}, inf)"
    raise ValueError(
        f"{label(where)}: expected {name} in {bounds}{note}, "
        f"got values in [{smallest + 0:.4g}, {largest + 0:.4g}]"  # + 0: no "-0"
    )


def check_scalar(
    value: object,
    name: str,
    where: Where,
    kind: type[int] | type[float] = float,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> Any:
    """Return ``value`` as an ``int`` or a finite ``float`` within the bounds, or raise.

    The one check of every scalar argument (sizes, step sizes, rates, coefficients),
    after scikit-learn's ``check_scalar``. ``TypeError`` for what is not a number of
    ``kind`` (a bool, a string, None, a complex number, a float where an int is
    expected); ``ValueError`` for NaN, infinity, or a value out of bounds. Bounds
    are closed unless ``low_open`` / ``high_open``.

    Examples
    --------
    >>> check_scalar(0.1, "lr", "SGD", float, 0.0, low_open=True)
    0.1
    >>> check_scalar(float("nan"), "lr", "SGD", float, 0.0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: SGD: expected lr to be a finite real number > 0, got nan
    """
    given: Any = value
    if type(given) is int or (kind is float and type(given) is float):  # the common cases, fast
        number = given if kind is int else float(given)
    else:
        if kind is int:
            is_kind = isinstance(given, (int, np.integer))
        else:
            is_kind = isinstance(given, numbers.Real)  # an ABC: float subclasses, NumPy floats
        if isinstance(given, (bool, np.bool_)) or not is_kind:
            message = _scalar_message(value, name, where, kind, low, high, low_open, high_open)
            raise TypeError(message)
        number = int(given) if kind is int else float(given)
    if not (
        math.isfinite(number)
        and (low is None or number > low or (not low_open and number == low))
        and (high is None or number < high or (not high_open and number == high))
    ):
        raise ValueError(_scalar_message(value, name, where, kind, low, high, low_open, high_open))
    return number


def check_step(step: object, where: Where, name: str = "gradient_step") -> float:
    """Return ``step`` as a float if it is a finite real number > 0, or raise.

    The rule of every step size and learning rate: NaN, infinity, None, a string,
    a complex number or a bool would silently spoil every parameter.
    """
    if type(step) is float and 0.0 < step < math.inf:  # the common case, in one test
        return step
    return check_scalar(step, name, where, float, 0.0, low_open=True)


def _scalar_message(
    value: object,
    name: str,
    where: Where,
    kind: type[int] | type[float],
    low: float | None,
    high: float | None,
    low_open: bool,
    high_open: bool,
) -> str:
    """The message of :func:`check_scalar`: what was expected, what came."""
    if kind is int:
        noun = "an int"
    else:
        noun = "a real number" if low is not None and high is not None else "a finite real number"
    if low is not None and high is not None:
        noun += f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    elif low is not None:
        noun += f" {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        noun += f" {'<' if high_open else '<='} {high:g}"
    return f"{label(where)}: expected {name} to be {noun}, got {value!r}"


def check_pair(value: object, name: str, where: Where) -> tuple[Any, Any]:
    """Return ``value`` as a 2-tuple if it is a tuple or list of two items, or raise."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{label(where)}: expected {name} to be a pair (a, b), got {value!r}")
    return value[0], value[1]


def resolve_rng(
    rng: np.random.Generator | int | None,
    where: Where = "resolve_rng",
    *,
    stream: int | None = None,
) -> np.random.Generator:
    """Return a Generator: ``rng`` itself, a new one seeded with it, or an unseeded one.

    With ``stream``, an int or None seeds a stream of the caller's own instead,
    ``default_rng([stream, 1, rng])`` (``[stream, 0]`` for None): reproducible, and apart
    from a Generator the reader seeds with the same int.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"{label(where)}: expected rng to be an int seed >= 0, got {rng!r}")
        if stream is not None:
            return np.random.default_rng([stream, 0] if rng is None else [stream, 1, int(rng)])
        return np.random.default_rng(rng)
    raise TypeError(
        f"{label(where)}: expected rng to be a numpy Generator, an int seed or None, got {rng!r}"
    )


def check_float_dtype(dtype: DTypeLike, where: Where) -> np.dtype[Any]:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, or raise ``TypeError``."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        message = f"{label(where)}: expected dtype float32 or float64, got {dtype!r}"
        raise TypeError(message) from None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{label(where)}: expected dtype float32 or float64, got {resolved}")
    return resolved


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"
