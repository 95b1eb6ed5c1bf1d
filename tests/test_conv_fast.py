"""Every fast kernel of ``mathnn._conv_fast`` against the plain path of ``mathnn.conv``.

For each entry of the dispatch table, layers that qualify for it are run twice on the
same input: once as they are (the dispatch picks the fast kernel, which the test checks),
once with the dispatch switched off (the plain path the Notes describe). Outputs, input
gradients and accumulated parameter gradients must agree, in float64 and in float32.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from mathnn import Conv1D, MaxPool1D, Module, _conv_fast

# method of the dispatch table -> layers that qualify, each with an input shape
# (N, T, C); sizes all different; paddings, strides and odd lengths included.
QUALIFYING: dict[str, list[tuple[Callable[[Any], Module], tuple[int, int, int]]]] = {
    "Conv1D.forward": [
        (lambda dtype: Conv1D(3, 1, 4, rng=0, dtype=dtype), (5, 11, 1)),
        (lambda dtype: Conv1D(2, 1, 6, stride=3, rng=0, dtype=dtype), (4, 13, 1)),
        (lambda dtype: Conv1D(5, 1, 3, padding=2, rng=0, dtype=dtype), (2, 7, 1)),
    ],
    "Conv1D.backward_delta": [
        (lambda dtype: Conv1D(3, 2, 4, rng=0, dtype=dtype), (5, 11, 2)),
        (lambda dtype: Conv1D(4, 1, 3, rng=0, dtype=dtype), (2, 9, 1)),
        (lambda dtype: Conv1D(3, 5, 2, padding=1, bias=False, rng=0, dtype=dtype), (3, 7, 5)),
        (lambda dtype: Conv1D(1, 3, 6, rng=0, dtype=dtype), (4, 5, 3)),
    ],
    "MaxPool1D.backward_delta": [
        (lambda dtype: MaxPool1D(2, 2), (5, 11, 3)),
        (lambda dtype: MaxPool1D(2, 2), (3, 8, 4)),
    ],
}
QUALIFYING["Conv1D.backward_update_gradient"] = QUALIFYING["Conv1D.forward"]

CASES = [
    pytest.param(method, make, shape, id=f"{method}-{index}")
    for method, layers in QUALIFYING.items()
    for index, (make, shape) in enumerate(layers)
]


def test_every_fast_kernel_is_tested() -> None:
    assert set(QUALIFYING) == set(_conv_fast.FAST)


def results(module: Module, X: np.ndarray, delta: np.ndarray) -> dict[str, np.ndarray]:
    """Forward, input gradient and parameter gradients (added onto non-zero values)."""
    for gradient in module.gradients.values():
        gradient[...] = 0.25
    module.backward_update_gradient(X, delta)
    out = {"forward": module.forward(X), "backward_delta": module.backward_delta(X, delta)}
    out.update({f"gradient {k}": g.copy() for k, g in module.gradients.items()})
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("method", "make", "shape"), CASES)
def test_fast_kernel_equals_plain_path(
    method: str,
    make: Callable[[Any], Module],
    shape: tuple[int, int, int],
    dtype: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = make(dtype)
    assert _conv_fast.kernel(method, module) is not None, "the case does not reach the kernel"
    rng = np.random.default_rng(sum(shape))
    for parameter in module.parameters.values():
        parameter[...] = rng.normal(size=parameter.shape)
    X = rng.normal(size=shape).astype(dtype)
    delta = rng.normal(size=module.forward(X).shape).astype(dtype)

    fast = results(module, X, delta)
    monkeypatch.setattr(_conv_fast, "kernel", lambda method, layer: None)
    plain = results(module, X, delta)

    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    for name, value in plain.items():
        assert fast[name].dtype == value.dtype == dtype, name
        np.testing.assert_allclose(fast[name], value, rtol=tolerance, atol=tolerance, err_msg=name)


def test_maxpool_pairs_kernel_routes_ties_to_the_first_entry() -> None:
    X = np.array([[1.0, 1.0, 2.0, 3.0, 5.0]]).reshape(1, 5, 1)
    dX = MaxPool1D(2, 2).backward_delta(X, np.array([10.0, 20.0]).reshape(1, 2, 1))
    np.testing.assert_array_equal(dX[0, :, 0], [10.0, 0.0, 0.0, 20.0, 0.0])
