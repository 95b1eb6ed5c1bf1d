"""Every backward against central differences, in float64, below 1e-7.

``gradcheck`` compares the module's own backward (input and every parameter)
with a numerical gradient; ``jacobian`` builds the full Jacobian from the
backward and must agree with ``numerical_jacobian``, which needs no backward.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    LOSS_CASES,
    MODULE_CASES,
    LossCase,
    ModuleCase,
    distinct_sizes,
    expected_output_shape,
    finite_arrays,
    loss_examples,
    module_examples,
    seeds,
)

from mathnn import (
    Linear,
    LogSoftmax,
    MaxPool1D,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    TanH,
    gradcheck,
    jacobian,
    numerical_gradient,
    numerical_jacobian,
    relative_error,
)

TOLERANCE = 1e-7

modules = pytest.mark.parametrize("case", MODULE_CASES, ids=repr)
losses = pytest.mark.parametrize("case", LOSS_CASES, ids=repr)


@modules
@given(data=st.data(), seed=seeds)
def test_module_gradcheck_input_and_every_parameter(
    case: ModuleCase, data: st.DataObject, seed: int
) -> None:
    module, X = data.draw(module_examples(case))
    errors = gradcheck(module, X, rng=seed)
    assert set(errors) == {"X", *case.param_names}
    failing = {name: error for name, error in errors.items() if not error < TOLERANCE}
    assert not failing, f"relative errors above {TOLERANCE}: {failing}"


@losses
@given(data=st.data())
def test_loss_gradcheck(case: LossCase, data: st.DataObject) -> None:
    loss, y, yhat = data.draw(loss_examples(case))
    errors = gradcheck(loss, yhat, y=y)
    assert set(errors) == {"yhat"}
    assert errors["yhat"] < TOLERANCE, errors


@modules
@given(data=st.data(), seed=seeds)
def test_gradcheck_leaves_parameters_and_gradients_unchanged(
    case: ModuleCase, data: st.DataObject, seed: int
) -> None:
    module, X = data.draw(module_examples(case))
    rng = np.random.default_rng(seed)
    for _, _, gradient in module.named_parameters():
        gradient[...] = rng.normal(size=gradient.shape)
    before = {name: (p.copy(), g.copy()) for name, p, g in module.named_parameters()}
    X_before = X.copy()
    gradcheck(module, X)
    jacobian(module, X)
    for name, parameter, gradient in module.named_parameters():
        np.testing.assert_array_equal(parameter, before[name][0], err_msg=f"parameter {name}")
        np.testing.assert_array_equal(gradient, before[name][1], err_msg=f"gradient {name}")
    np.testing.assert_array_equal(X, X_before)


@modules
@given(data=st.data())
def test_jacobian_matches_numerical_jacobian(case: ModuleCase, data: st.DataObject) -> None:
    module, X = data.draw(module_examples(case))
    out_shape = expected_output_shape(module, X.shape)
    J = jacobian(module, X)
    assert J.shape == (*out_shape, *X.shape)
    error = relative_error(J, numerical_jacobian(module, X))
    assert error < TOLERANCE, f"wrt X: {error:.2e}"
    for name, parameter, _ in module.named_parameters():
        J = jacobian(module, X, wrt=name)
        assert J.shape == (*out_shape, *parameter.shape), name
        error = relative_error(J, numerical_jacobian(module, X, wrt=name))
        assert error < TOLERANCE, f"wrt {name}: {error:.2e}"


@given(sizes=distinct_sizes(3), seed=seeds, data=st.data())
def test_linear_jacobian_is_w_transposed_on_batch_diagonal_and_zero_off_it(
    sizes: tuple[int, int, int], seed: int, data: st.DataObject
) -> None:
    n, d, d_out = sizes
    layer = Linear(d, d_out, rng=seed)
    X = data.draw(finite_arrays((n, d)))
    J = jacobian(layer, X)
    assert J.shape == (n, d_out, n, d)
    for i in range(n):
        for m in range(n):
            if i == m:
                np.testing.assert_array_equal(J[i, :, m, :], layer.parameters["W"].T)
            else:
                assert not J[i, :, m, :].any(), (i, m)


@given(sizes=distinct_sizes(3), seed=seeds, data=st.data())
def test_linear_weight_jacobian_is_input_times_identity(
    sizes: tuple[int, int, int], seed: int, data: st.DataObject
) -> None:
    """dZ[n, o] / dW[i, p] = X[n, i] if p == o else 0."""
    n, d, d_out = sizes
    layer = Linear(d, d_out, rng=seed)
    X = data.draw(finite_arrays((n, d)))
    expected = np.einsum("ni,op->noip", X, np.eye(d_out))
    np.testing.assert_array_equal(jacobian(layer, X, wrt="W"), expected)


@pytest.mark.parametrize("activation", [TanH, Sigmoid, Softmax, LogSoftmax], ids=repr)
def test_sequential_through_activations_that_reuse_their_output(activation: type) -> None:
    """Sequential hands each activation its output (backward_delta_from_output)."""
    rng = np.random.default_rng(7)
    net = Sequential(Linear(4, 5, rng=rng), activation(), Linear(5, 3, rng=rng), activation())
    errors = gradcheck(net, rng.normal(size=(6, 4)), rng=1)
    assert max(errors.values()) < TOLERANCE, errors


def test_relu_gradient_at_zero_is_zero() -> None:
    X = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    dX = ReLU().backward_delta(X, np.full(X.shape, 7.0))
    np.testing.assert_array_equal(dX, [[0.0, 0.0, 7.0], [0.0, 7.0, 0.0]])


def test_maxpool_tie_routes_gradient_to_first_maximum() -> None:
    X = np.array([2.0, 2.0, 1.0, 4.0, 4.0]).reshape(1, 5, 1)
    dX = MaxPool1D(2, 2).backward_delta(X, np.array([10.0, 20.0]).reshape(1, 2, 1))
    np.testing.assert_array_equal(dX[0, :, 0], [10.0, 0.0, 0.0, 20.0, 0.0])


def test_maxpool_overlapping_windows_add_at_shared_winner() -> None:
    X = np.array([0.0, 5.0, 1.0, 2.0, 3.0, 0.5]).reshape(1, 6, 1)
    pool = MaxPool1D(3, 1)
    np.testing.assert_array_equal(pool.forward(X)[0, :, 0], [5.0, 5.0, 3.0, 3.0])
    dX = pool.backward_delta(X, np.array([1.0, 2.0, 4.0, 8.0]).reshape(1, 4, 1))
    np.testing.assert_array_equal(dX[0, :, 0], [0.0, 3.0, 0.0, 0.0, 12.0, 0.0])


def test_numerical_gradient_evaluates_f_twice_per_entry() -> None:
    """The cost of central differences is exactly two evaluations per entry (the
    gradient-checking page counts them)."""
    x = np.arange(6.0).reshape(2, 3)
    calls = []

    def f() -> float:
        calls.append(1)
        return float((x**2).sum())

    gradient = numerical_gradient(f, x)
    assert len(calls) == 2 * x.size
    np.testing.assert_allclose(gradient, 2 * x, rtol=1e-8, atol=1e-8)
