"""The module contract of design.md, checked on every module of the registry.

Shapes of the forward and backward passes, the gradient bookkeeping
(accumulate, reset, update rule, aliasing), dtype preservation in float32, and
the losses' shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    DTYPE_ARGUMENT,
    LOSS_CASES,
    MODULE_CASES,
    PARAM_CASES,
    LossCase,
    ModuleCase,
    expected_output_shape,
    loss_examples,
    module_examples,
    seeds,
)

from mathnn import (
    SGD,
    Adam,
    Conv1D,
    Linear,
    Module,
    Sequential,
    TanH,
)

modules = pytest.mark.parametrize("case", MODULE_CASES, ids=repr)
modules_with_parameters = pytest.mark.parametrize("case", PARAM_CASES, ids=repr)
losses = pytest.mark.parametrize("case", LOSS_CASES, ids=repr)


def random_delta(seed: int, shape: tuple[int, ...], dtype: Any = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


def reference_forward(module: Module, X: np.ndarray) -> np.ndarray:
    """The forward pass written from the design table, reading the module's parameters."""
    if isinstance(module, Sequential):
        for inner in module:
            X = reference_forward(inner, X)
        return X
    if isinstance(module, Linear):
        Z = X @ module.parameters["W"]
        return Z + module.parameters["b"] if "b" in module.parameters else Z
    if isinstance(module, Conv1D):
        W, s, p = module.parameters["W"], module.stride, module.padding
        pad = np.zeros((X.shape[0], p, X.shape[2]), dtype=X.dtype)
        X = np.concatenate([pad, X, pad], axis=1)  # p zeros at each end
        n, length, _ = X.shape
        t_out = (length - module.k_size) // s + 1
        Z = np.zeros((n, t_out, module.chan_out), dtype=X.dtype)
        for t in range(t_out):
            for j in range(module.k_size):
                Z[:, t] += X[:, t * s + j] @ W[j]
        return Z + module.parameters["b"] if "b" in module.parameters else Z
    return module.forward(X)  # no parameters: nothing to alias


def parameter_snapshot(module: Module) -> dict[str, np.ndarray]:
    return {name: p.copy() for name, p, _ in module.named_parameters()}


# ---------------------------------------------------------------------------- shapes


@modules
@given(data=st.data())
def test_forward_output_shape_and_dtype(case: ModuleCase, data: st.DataObject) -> None:
    module, X = data.draw(module_examples(case))
    Z = module.forward(X)
    assert Z.shape == expected_output_shape(module, X.shape)
    assert Z.dtype == np.float64


@modules
@given(data=st.data(), seed=seeds)
def test_backward_delta_shape_is_input_shape(
    case: ModuleCase, data: st.DataObject, seed: int
) -> None:
    module, X = data.draw(module_examples(case))
    delta = random_delta(seed, module.forward(X).shape)
    dX = module.backward_delta(X, delta)
    assert dX.shape == X.shape
    assert dX.dtype == np.float64


@modules
@given(data=st.data(), seed=seeds)
def test_backward_delta_from_output_equals_backward_delta(
    case: ModuleCase, data: st.DataObject, seed: int
) -> None:
    module, X = data.draw(module_examples(case))
    Z = module.forward(X)
    Z_before = Z.copy()
    delta = random_delta(seed, Z.shape)
    from_output = module.backward_delta_from_output(X, Z, delta)
    np.testing.assert_allclose(from_output, module.backward_delta(X, delta), rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(Z, Z_before, err_msg="the output Z was written to")


@modules
@given(data=st.data())
def test_gradients_have_keys_shapes_dtypes_of_parameters(
    case: ModuleCase, data: st.DataObject
) -> None:
    module, _ = data.draw(module_examples(case))
    assert module.gradients.keys() == module.parameters.keys()
    for key, parameter in module.parameters.items():
        assert module.gradients[key].shape == parameter.shape, key
        assert module.gradients[key].dtype == parameter.dtype, key
    names = [name for name, _, _ in module.named_parameters()]
    assert tuple(names) == case.param_names
    for name, parameter, gradient in module.named_parameters():
        assert gradient.shape == parameter.shape, name
        assert gradient.dtype == parameter.dtype, name
        assert not np.shares_memory(gradient, parameter), name


@modules
@given(data=st.data())
def test_forward_leaves_input_unchanged(case: ModuleCase, data: st.DataObject) -> None:
    module, X = data.draw(module_examples(case))
    before = X.copy()
    module.forward(X)
    module.backward_delta(X, np.ones(module.forward(X).shape))
    np.testing.assert_array_equal(X, before)


@modules_with_parameters
@given(data=st.data())
def test_wrong_input_width_raises_naming_expected_and_received(
    case: ModuleCase, data: st.DataObject
) -> None:
    module, X = data.draw(module_examples(case))
    first = module[0] if isinstance(module, Sequential) else module
    if isinstance(first, Linear):
        width, what = first.input_dim, "features"
    else:
        assert isinstance(first, Conv1D)
        width, what = first.chan_in, "channels"
    wider = np.concatenate([X, X[..., :1]], axis=-1)
    pattern = rf"expected X with {width} {what} \(axis {X.ndim - 1}\), got {width + 1} in shape"
    with pytest.raises(ValueError, match=pattern):
        module.forward(wider)


@modules
@given(data=st.data())
def test_empty_batch_gives_empty_results_of_the_right_shape(
    case: ModuleCase, data: st.DataObject
) -> None:
    module, X = data.draw(module_examples(case))
    empty = X[:0]
    Z = module.forward(empty)
    assert Z.shape == expected_output_shape(module, empty.shape), "forward"
    delta = np.zeros(Z.shape)
    assert module.backward_delta(empty, delta).shape == empty.shape, "backward_delta"
    assert module.backward_delta_from_output(empty, Z, delta).shape == empty.shape
    for _, _, gradient in module.named_parameters():
        gradient[...] = 0.5
    module.backward_update_gradient(empty, delta)
    for name, _, gradient in module.named_parameters():
        assert np.all(gradient == 0.5), f"an empty batch changed the gradient of {name}"


# ---------------------------------------------------------------------------- gradient bookkeeping


@modules_with_parameters
@given(data=st.data(), seed=seeds)
def test_backward_update_gradient_accumulates(
    case: ModuleCase, data: st.DataObject, seed: int
) -> None:
    module, X = data.draw(module_examples(case))
    delta = random_delta(seed, module.forward(X).shape)
    module.zero_grad()
    module.backward_update_gradient(X, delta)
    once = {name: g.copy() for name, _, g in module.named_parameters()}
    module.backward_update_gradient(X, delta)
    for name, _, gradient in module.named_parameters():
        np.testing.assert_array_equal(gradient, 2 * once[name], err_msg=name)


@modules_with_parameters
@given(data=st.data(), seed=seeds)
def test_backward_update_gradient_adds_in_place(
    case: ModuleCase, data: st.DataObject, seed: int
) -> None:
    """Optimisers hold the gradient arrays: backward must write into them, not replace them."""
    module, X = data.draw(module_examples(case))
    arrays = {name: g for name, _, g in module.named_parameters()}
    module.backward_update_gradient(X, random_delta(seed, module.forward(X).shape))
    for name, _, gradient in module.named_parameters():
        assert gradient is arrays[name], name


@modules_with_parameters
@given(data=st.data(), seed=seeds)
def test_zero_grad_resets_in_place(case: ModuleCase, data: st.DataObject, seed: int) -> None:
    module, X = data.draw(module_examples(case))
    delta = random_delta(seed, module.forward(X).shape) + 1.0
    module.backward_update_gradient(X, delta)
    arrays = {name: g for name, _, g in module.named_parameters()}
    module.zero_grad()
    for name, _, gradient in module.named_parameters():
        assert gradient is arrays[name], name
        assert not gradient.any(), name


@modules_with_parameters
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(data=st.data(), seed=seeds, step=st.floats(1e-4, 2.0))
def test_update_parameters_subtracts_step_times_gradient(
    case: ModuleCase, dtype: Any, data: st.DataObject, seed: int, step: float
) -> None:
    module, _ = data.draw(module_examples(case, dtype))
    rng = np.random.default_rng(seed)
    for _, _, gradient in module.named_parameters():
        gradient[...] = rng.normal(size=gradient.shape)
    before = parameter_snapshot(module)
    arrays = {name: p for name, p, _ in module.named_parameters()}
    module.update_parameters(step)
    for name, parameter, gradient in module.named_parameters():
        assert parameter is arrays[name], name
        assert parameter.dtype == dtype, name
        np.testing.assert_array_equal(parameter, before[name] - step * gradient, err_msg=name)


@modules_with_parameters
@given(data=st.data(), seed=seeds)
def test_writing_into_parameters_changes_forward(
    case: ModuleCase, data: st.DataObject, seed: int
) -> None:
    module, X = data.draw(module_examples(case))
    rng = np.random.default_rng(seed)
    for name, parameter, _ in module.named_parameters():
        parameter[...] = rng.normal(size=parameter.shape)
        np.testing.assert_allclose(
            module.forward(X),
            reference_forward(module, X),
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"after writing into {name}",
        )


def test_sequential_named_parameters_are_the_modules_arrays() -> None:
    first, second = Linear(4, 3, rng=0), Linear(3, 2, rng=1)
    net = Sequential(first, TanH(), second)
    triples = {name: (p, g) for name, p, g in net.named_parameters()}
    assert triples["0.W"][0] is first.parameters["W"]
    assert triples["0.b"][1] is first.gradients["b"]
    assert triples["2.W"][0] is second.parameters["W"]
    assert net.parameters == {}
    assert net.gradients == {}


def test_linear_forward_is_x_at_w_plus_b() -> None:
    layer = Linear(3, 2, rng=0)
    layer.parameters["W"][...] = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    layer.parameters["b"][...] = [0.5, -0.5]
    X = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    expected = np.array([[-3.5, -4.5], [5.5, 7.5], [5.5, 5.5], [9.5, 11.5]])
    np.testing.assert_array_equal(layer.forward(X), expected)


# ---------------------------------------------------------------------------- float32


@modules
@given(data=st.data(), seed=seeds)
def test_float32_stays_float32_forward_backward_update(
    case: ModuleCase, data: st.DataObject, seed: int
) -> None:
    module, X = data.draw(module_examples(case, np.float32))
    assert X.dtype == np.float32
    for name, parameter, gradient in module.named_parameters():
        assert parameter.dtype == np.float32, name
        assert gradient.dtype == np.float32, name
    Z = module.forward(X)
    assert Z.dtype == np.float32, "forward"
    # A float64 delta must not up-cast a float32 module either.
    delta = random_delta(seed, Z.shape, np.float64)
    assert module.backward_delta(X, delta).dtype == np.float32, "backward_delta"
    module.backward_update_gradient(X, delta)
    module.update_parameters(0.1)
    for name, parameter, gradient in module.named_parameters():
        assert gradient.dtype == np.float32, f"gradient {name}"
        assert parameter.dtype == np.float32, f"parameter {name}"


@pytest.mark.parametrize("module_type", DTYPE_ARGUMENT, ids=lambda t: t.__name__)
def test_float32_module_converts_float64_input(module_type: type, rng: np.random.Generator) -> None:
    module = (
        Linear(3, 2, dtype=np.float32)
        if module_type is Linear
        else Conv1D(2, 3, 4, dtype=np.float32)
    )
    X = rng.normal(size=(5, 6, 3) if module_type is Conv1D else (5, 3))
    assert module.forward(X).dtype == np.float32


@pytest.mark.parametrize("optimizer", ["sgd", "sgd_momentum", "adam"])
def test_float32_optimizer_steps_keep_float32(optimizer: str, rng: np.random.Generator) -> None:
    net = Sequential(
        Linear(4, 3, rng=0, dtype=np.float32), TanH(), Linear(3, 2, rng=1, dtype=np.float32)
    )
    opt = {
        "sgd": lambda: SGD(net, lr=0.1),
        "sgd_momentum": lambda: SGD(net, lr=0.1, momentum=0.9),
        "adam": lambda: Adam(net, lr=0.01),
    }[optimizer]()
    X = rng.normal(size=(5, 4)).astype(np.float32)
    for _ in range(2):
        net.forward(X)
        opt.zero_grad()
        net.backward_update_gradient(X, np.ones((5, 2), np.float32))
        opt.step()
    for name, parameter, gradient in net.named_parameters():
        assert parameter.dtype == np.float32, name
        assert gradient.dtype == np.float32, name
    assert net.forward(X).dtype == np.float32


@losses
@given(data=st.data())
def test_float32_losses_stay_float32(case: LossCase, data: st.DataObject) -> None:
    loss, y, yhat = data.draw(loss_examples(case, np.float32))
    assert yhat.dtype == np.float32
    assert loss.forward(y, yhat).dtype == np.float32, "forward"
    assert loss.backward(y, yhat).dtype == np.float32, "backward"
    values, gradient = loss.value_and_gradient(y, yhat)
    assert values.dtype == np.float32, "value_and_gradient values"
    assert gradient.dtype == np.float32, "value_and_gradient gradient"


# ---------------------------------------------------------------------------- losses


@losses
@given(data=st.data())
def test_loss_forward_is_per_sample_and_backward_has_shape_of_yhat(
    case: LossCase, data: st.DataObject
) -> None:
    loss, y, yhat = data.draw(loss_examples(case))
    per_sample = loss.forward(y, yhat)
    assert per_sample.shape == (yhat.shape[0],)
    gradient = loss.backward(y, yhat)
    assert gradient.shape == yhat.shape
    assert gradient.dtype == np.float64


@losses
@given(data=st.data())
def test_loss_value_and_gradient_equal_forward_and_backward(
    case: LossCase, data: st.DataObject
) -> None:
    loss, y, yhat = data.draw(loss_examples(case))
    values, gradient = loss.value_and_gradient(y, yhat)
    np.testing.assert_allclose(values, loss.forward(y, yhat), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gradient, loss.backward(y, yhat), rtol=1e-12, atol=1e-15)


@losses
@given(data=st.data())
def test_loss_forward_of_sample_depends_on_that_sample_only(
    case: LossCase, data: st.DataObject
) -> None:
    loss, y, yhat = data.draw(loss_examples(case))
    per_sample = loss.forward(y, yhat)
    for n in range(yhat.shape[0]):
        alone = loss.forward(y[n : n + 1], yhat[n : n + 1])
        np.testing.assert_allclose(alone, per_sample[n : n + 1], rtol=1e-14, atol=0)


@losses
@given(data=st.data())
def test_loss_empty_batch_gives_empty_results(case: LossCase, data: st.DataObject) -> None:
    loss, y, yhat = data.draw(loss_examples(case))
    y, yhat = y[:0], yhat[:0]
    assert loss.forward(y, yhat).shape == (0,)
    assert loss.backward(y, yhat).shape == yhat.shape
    values, gradient = loss.value_and_gradient(y, yhat)
    assert (values.shape, gradient.shape) == ((0,), yhat.shape)


# ---------------------------------------------------------------------------- Sequential


@pytest.mark.parametrize("method", ["backward_delta", "backward_update_gradient"])
def test_sequential_backward_before_forward_raises(method: str) -> None:
    net = Sequential(Linear(4, 3, rng=0), TanH(), Linear(3, 2, rng=1))
    X, delta = np.zeros((5, 4)), np.ones((5, 2))
    with pytest.raises(ValueError, match=r"expected a call to forward\(X\) first, got none"):
        getattr(net, method)(X, delta)


def test_sequential_backward_equals_manual_chain(rng: np.random.Generator) -> None:
    first, second = Linear(4, 3, rng=rng), Linear(3, 2, rng=rng)
    net = Sequential(first, TanH(), second)
    X, delta = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    net.forward(X)
    net.backward_update_gradient(X, delta)
    H = np.tanh(X @ first.parameters["W"] + first.parameters["b"])
    delta_h = (delta @ second.parameters["W"].T) * (1 - H**2)
    np.testing.assert_allclose(second.gradients["W"], H.T @ delta, rtol=1e-12)
    np.testing.assert_allclose(first.gradients["W"], X.T @ delta_h, rtol=1e-12)
    np.testing.assert_allclose(
        net.backward_delta(X, delta), delta_h @ first.parameters["W"].T, rtol=1e-12
    )


def _mlp_and_data(rng: np.random.Generator) -> tuple[Sequential, np.ndarray, np.ndarray]:
    net = Sequential(Linear(4, 3, rng=rng), TanH(), Linear(3, 2, rng=rng), TanH())
    return net, rng.normal(size=(5, 4)), rng.normal(size=(5, 2))


@pytest.mark.parametrize("method", ["backward_delta", "backward_update_gradient"])
def test_sequential_input_written_after_forward_changes_no_gradient(
    method: str, rng: np.random.Generator
) -> None:
    """The backward differentiates the forward that ran: X is copied by forward."""
    net, X, delta = _mlp_and_data(rng)
    net.forward(X)
    expected = net.backward_delta(X, delta)
    net.backward_update_gradient(X, delta)
    expected_grads = {name: g.copy() for name, _, g in net.named_parameters()}
    net.zero_grad()
    X[...] = rng.normal(size=X.shape)  # the caller reuses its buffer for the next batch
    if method == "backward_delta":
        np.testing.assert_array_equal(net.backward_delta(X, delta), expected)
    else:
        net.backward_update_gradient(X, delta)
        for name, _, gradient in net.named_parameters():
            np.testing.assert_array_equal(gradient, expected_grads[name], err_msg=name)


def test_sequential_output_written_by_the_caller_changes_no_gradient(
    rng: np.random.Generator,
) -> None:
    """The output is the caller's own array: writing into it (here the MSE gradient,
    computed in place) leaves the TanH at the end differentiated at its true output."""
    net, X, y = _mlp_and_data(rng)
    expected = net.forward(X)
    net.backward_update_gradient(X, 2 * (expected - y))
    expected_grads = {name: g.copy() for name, _, g in net.named_parameters()}
    net.zero_grad()
    yhat = net.forward(X)
    yhat -= y
    yhat *= 2
    net.backward_update_gradient(X, yhat)
    for name, _, gradient in net.named_parameters():
        np.testing.assert_array_equal(gradient, expected_grads[name], err_msg=name)


def test_sequential_accepts_an_equal_copy_of_X(rng: np.random.Generator) -> None:
    net, X, delta = _mlp_and_data(rng)
    net.forward(X)
    np.testing.assert_array_equal(net.backward_delta(X.copy(), delta), net.backward_delta(X, delta))


def test_empty_sequential_is_the_identity(rng: np.random.Generator) -> None:
    net, X, delta = Sequential(), rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    np.testing.assert_array_equal(net.forward(X), X)
    np.testing.assert_array_equal(net.backward_delta(X, delta), delta)
    net.backward_update_gradient(X, delta)
    with pytest.raises(ValueError, match=r"expected the X of the last forward"):
        net.backward_delta(X + 1.0, delta)
