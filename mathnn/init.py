r"""Weight initialisation schemes.

Both draw from a uniform law whose variance depends on the fan-in :math:`n_{in}`
and fan-out :math:`n_{out}` of the layer:

* ``"xavier"`` (Glorot and Bengio, 2010), suited to TanH and Sigmoid:
  :math:`U(-a, a)` with :math:`a = \sqrt{6 / (n_{in} + n_{out})}`;
* ``"he"`` (He et al., 2015), suited to ReLU:
  :math:`U(-a, a)` with :math:`a = \sqrt{6 / n_{in}}`.

Biases start at zero.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from mathnn._checks import Array, Where, label, resolve_rng

SCHEMES = ("xavier", "he")


def init_weights(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    scheme: str,
    rng: np.random.Generator,
    dtype: DTypeLike,
    where: Where = "init_weights",
) -> Array:
    """Draw a weight array of ``shape`` with the named scheme.

    Parameters
    ----------
    shape : tuple of int
        Shape of the weight array.
    fan_in, fan_out : int
        Number of inputs and outputs that each weight connects.
    scheme : {"xavier", "he"}
        The initialisation law (see the module docstring).
    rng : numpy.random.Generator
        Source of randomness.
    dtype : float32 or float64
        dtype of the returned array.
    where : str
        The caller, named in the error message.

    Examples
    --------
    >>> import numpy as np
    >>> W = init_weights((300, 200), 300, 200, "xavier", np.random.default_rng(0), np.float64)
    >>> bool(np.abs(W).max() <= np.sqrt(6 / 500))
    True
    """
    if scheme == "xavier":
        bound = np.sqrt(6.0 / (fan_in + fan_out))
    elif scheme == "he":
        bound = np.sqrt(6.0 / fan_in)
    else:
        raise ValueError(f"{label(where)}: expected init to be one of {SCHEMES}, got {scheme!r}")
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def init_parameters(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    *,
    bias: bool,
    init: str,
    rng: np.random.Generator | int | None,
    dtype: DTypeLike,
    where: Where,
) -> tuple[dict[str, Array], dict[str, Array]]:
    """``parameters`` and ``gradients`` of a layer: weights ``W`` of ``shape`` drawn with
    the scheme ``init``, a zero bias ``b`` of the last dimension (if ``bias``), and zero
    gradients of the same shapes and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> parameters, gradients = init_parameters(
    ...     (3, 2), 3, 2, bias=True, init="he", rng=0, dtype=np.float32, where="Linear")
    >>> [(k, v.shape, str(v.dtype)) for k, v in gradients.items()]
    [('W', (3, 2), 'float32'), ('b', (2,), 'float32')]
    """
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"{label(where)}: expected bias to be True or False, got {bias!r}")
    parameters = {
        "W": init_weights(shape, fan_in, fan_out, init, resolve_rng(rng, where), dtype, where)
    }
    if bias:
        parameters["b"] = np.zeros(shape[-1], dtype=dtype)
    return parameters, {key: np.zeros_like(value) for key, value in parameters.items()}
