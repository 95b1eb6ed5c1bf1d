"""mathnn against PyTorch 2.13 in float64: same weights, same data, same results.

Each quantity is compared under its own label (forward, dL/dX, dL/d<param>,
per-sample loss, dL/dyhat, parameters after optimiser step t) at rtol 1e-7.
The layout conventions are mapped once, in ``torch_reference``.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    LOSS_CASES,
    MODULE_CASES,
    LossCase,
    ModuleCase,
    loss_examples,
    module_examples,
    seeds,
)
from torch_reference import assert_close, assert_trains_as_torch, loss_and_gradient, twin

from mathnn import (
    SGD,
    Adam,
    Conv1D,
    Flatten,
    Linear,
    MaxPool1D,
    Module,
    Optimizer,
    ReLU,
    Sequential,
    Sigmoid,
    TanH,
)


def compare_with_torch(module: Module, X: np.ndarray, delta_seed: int) -> None:
    """Forward, input gradient and every parameter gradient of ``module`` against its twin."""
    torch_module, params = twin(module)
    X_t = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    out_t = torch_module(X_t)
    delta = np.random.default_rng(delta_seed).normal(size=tuple(out_t.shape))
    out_t.backward(torch.from_numpy(delta))

    assert_close(module.forward(X), out_t.detach().numpy(), "forward")
    assert X_t.grad is not None
    assert_close(module.backward_delta(X, delta), X_t.grad.numpy(), "dL/dX")
    module.zero_grad()
    module.backward_update_gradient(X, delta)
    names = [name for name, _, _ in module.named_parameters()]
    assert sorted(names) == sorted(params), "parameter names"
    for name, _, gradient in module.named_parameters():
        torch_parameter, to_mathnn = params[name]
        assert torch_parameter.grad is not None, name
        assert_close(gradient, to_mathnn(torch_parameter.grad.numpy()), f"dL/d{name}")


@pytest.mark.parametrize("case", MODULE_CASES, ids=repr)
@given(data=st.data(), seed=seeds)
def test_module_matches_torch(case: ModuleCase, data: st.DataObject, seed: int) -> None:
    module, X = data.draw(module_examples(case))
    compare_with_torch(module, X, seed)


# (N, d, hidden widths..., d'): never square, depth 1 to 3 hidden layers.
MLP_SHAPES = [(7, 5, (9,), 3), (2, 11, (6, 4), 8), (13, 3, (10, 7, 5), 2)]


@pytest.mark.parametrize("shape", MLP_SHAPES, ids=str)
@pytest.mark.parametrize("activation", [TanH, Sigmoid, ReLU], ids=lambda a: a.__name__)
def test_mlp_matches_torch(shape: tuple[int, int, tuple[int, ...], int], activation: type) -> None:
    n, d, hidden, d_out = shape
    rng = np.random.default_rng(sum(hidden))
    widths = [d, *hidden, d_out]
    layers: list[Module] = []
    for width_in, width_out in pairwise(widths):
        layer = Linear(width_in, width_out, rng=rng)
        layer.parameters["b"][...] = rng.normal(size=width_out)
        layers += [layer, activation()]
    net = Sequential(*layers[:-1])
    compare_with_torch(net, rng.normal(size=(n, d)), delta_seed=1)


# (N, T, C, C', k, stride, pool k, pool stride, d'): lengths T -> T' -> T'' all different.
CONVNET_SHAPES = [
    (5, 17, 2, 4, 3, 1, 2, 2, 3),
    (3, 23, 1, 6, 5, 2, 3, 2, 7),
    (4, 30, 3, 5, 2, 3, 2, 1, 2),
    (2, 40, 1, 8, 3, 1, 3, 3, 10),
]


@pytest.mark.parametrize("shape", CONVNET_SHAPES, ids=str)
def test_convnet_matches_torch(shape: tuple[int, ...]) -> None:
    n, length, chan_in, chan_out, k_size, stride, pool_k, pool_s, d_out = shape
    rng = np.random.default_rng(length)
    conv = Conv1D(k_size, chan_in, chan_out, stride, init="he", rng=rng)
    conv.parameters["b"][...] = rng.normal(scale=0.1, size=chan_out)
    t_conv = (length - k_size) // stride + 1
    t_pool = (t_conv - pool_k) // pool_s + 1
    net = Sequential(
        conv,
        ReLU(),
        MaxPool1D(pool_k, pool_s),
        Flatten(),
        Linear(t_pool * chan_out, d_out, rng=rng),
    )
    assert net.forward(np.zeros((n, length, chan_in))).shape == (n, d_out)
    compare_with_torch(net, rng.normal(size=(n, length, chan_in)), delta_seed=2)


# (N, T, C, C', k, stride, padding), N T C C' k all different: lengths shorter and longer
# than k; padding as large as k (the end windows then hold only zeros, as torch allows).
PADDED_CONV_SHAPES = [
    (3, 2, 4, 5, 6, 1, 2),
    (2, 5, 3, 6, 4, 2, 1),
    (4, 11, 1, 7, 3, 1, 1),
    (5, 9, 2, 4, 3, 3, 3),
    (2, 13, 6, 1, 4, 2, 2),
]


@pytest.mark.parametrize("shape", PADDED_CONV_SHAPES, ids=str)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_padded_conv_matches_torch(shape: tuple[int, ...], bias: bool) -> None:
    n, length, chan_in, chan_out, k_size, stride, padding = shape
    rng = np.random.default_rng(length * 10 + padding)
    conv = Conv1D(k_size, chan_in, chan_out, stride, padding, bias=bias, rng=rng)
    if bias:
        conv.parameters["b"][...] = rng.normal(size=chan_out)
    t_out = (length + 2 * padding - k_size) // stride + 1
    assert conv.forward(np.zeros((n, length, chan_in))).shape == (n, t_out, chan_out)
    compare_with_torch(conv, rng.normal(size=(n, length, chan_in)), delta_seed=3)


@pytest.mark.parametrize("case", LOSS_CASES, ids=repr)
@given(data=st.data())
def test_loss_matches_torch(case: LossCase, data: st.DataObject) -> None:
    loss, y, yhat = data.draw(loss_examples(case))
    values, gradient = loss_and_gradient(loss, y, yhat)
    assert_close(loss.forward(y, yhat), values, "per-sample loss")
    assert_close(loss.backward(y, yhat), gradient, "dL/dyhat")


# ---------------------------------------------------------------------------- optimisers

OPTIMIZERS: dict[
    str, tuple[Callable[[Module], Optimizer], Callable[..., torch.optim.Optimizer]]
] = {
    "sgd": (lambda m: SGD(m, lr=0.3), lambda p: torch.optim.SGD(p, lr=0.3)),
    "sgd_momentum": (
        lambda m: SGD(m, lr=0.1, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    ),
    "adam": (lambda m: Adam(m, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    "adam_betas_eps": (
        lambda m: Adam(m, lr=0.05, betas=(0.8, 0.99), eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    ),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_steps_match_torch_optim(name: str) -> None:
    make_ours, make_theirs = OPTIMIZERS[name]
    rng = np.random.default_rng(7)
    net = Sequential(Linear(5, 9, rng=rng), TanH(), Linear(9, 3, rng=rng))
    assert_trains_as_torch(net, make_ours(net), make_theirs, rng, steps=5, batch=11, classes=3)
