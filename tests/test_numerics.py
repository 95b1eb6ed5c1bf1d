"""Extreme inputs: huge logits, probabilities of exactly 0 and 1, saturated sigmoids.

Results must be finite, equal to PyTorch's (float64), and produce no warning:
the suite turns every warning into an error (``filterwarnings = error``), so
an overflow inside a naive ``exp`` fails these tests.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch_reference import assert_close, loss_and_gradient, twin

from mathnn import BCELoss, CrossEntropyLoss, LogSoftmax, Module, Sigmoid, Softmax, TanH

# Logits of +-1e4, and rows whose entries are 1e4 apart or almost equal at 1e4.
HUGE_LOGITS = np.array(
    [
        [1e4, -1e4, 0.0],
        [-1e4, 1e4, 1e4],
        [0.0, 0.0, 1e4],
        [1e4, 1e4 - 1.0, 1e4 - 2.0],
        [-1e4, -1e4, -1e4],
    ]
)
HUGE_LABELS = np.array([1, 0, 2, 2, 1])  # includes the -1e4 logit as the true class


def test_warnings_are_errors_in_this_suite() -> None:
    with pytest.raises(RuntimeWarning):
        warnings.warn("any warning fails the suite", RuntimeWarning, stacklevel=1)
    with pytest.raises(RuntimeWarning, match="overflow"):
        np.exp(np.array([1e4]))  # what a naive softmax would do


@pytest.mark.parametrize(
    "target",
    [HUGE_LABELS, np.eye(3)[HUGE_LABELS]],
    ids=["integer_labels", "one_hot"],
)
def test_cross_entropy_huge_logits_finite_and_equal_to_torch(target: np.ndarray) -> None:
    loss = CrossEntropyLoss()
    values, gradient = loss.forward(target, HUGE_LOGITS), loss.backward(target, HUGE_LOGITS)
    assert np.isfinite(values).all(), values
    assert np.isfinite(gradient).all(), gradient
    torch_values, torch_gradient = loss_and_gradient(loss, target, HUGE_LOGITS)
    assert_close(values, torch_values, "per-sample loss")
    assert_close(gradient, torch_gradient, "dL/dlogits")
    # The true class at -1e4 against a best logit at +1e4 costs 2e4.
    assert values[0] == pytest.approx(2e4, rel=1e-12)


@pytest.mark.parametrize("module_type", [Softmax, LogSoftmax])
def test_softmax_huge_logits_finite_and_equal_to_torch(module_type: type[Module]) -> None:
    module = module_type()
    delta = np.random.default_rng(0).normal(size=HUGE_LOGITS.shape)
    out, dX = module.forward(HUGE_LOGITS), module.backward_delta(HUGE_LOGITS, delta)
    assert np.isfinite(out).all(), out
    assert np.isfinite(dX).all(), dX
    torch_module, _ = twin(module)
    X_t = torch.tensor(HUGE_LOGITS, requires_grad=True)
    out_t = torch_module(X_t)
    out_t.backward(torch.from_numpy(delta))
    assert X_t.grad is not None
    assert_close(out, out_t.detach().numpy(), "forward")
    assert_close(dX, X_t.grad.numpy(), "dL/dX")


def test_softmax_rows_of_huge_logits_sum_to_one() -> None:
    S = Softmax().forward(HUGE_LOGITS)
    np.testing.assert_allclose(S.sum(axis=1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("module_type", [Softmax, LogSoftmax])
def test_softmax_huge_logits_finite_in_float32(module_type: type[Module]) -> None:
    X = HUGE_LOGITS.astype(np.float32)
    module = module_type()
    out = module.forward(X)
    dX = module.backward_delta(X, np.ones_like(X))
    assert out.dtype == dX.dtype == np.float32
    assert np.isfinite(out).all() and np.isfinite(dX).all()


def test_cross_entropy_huge_logits_finite_in_float32() -> None:
    X = HUGE_LOGITS.astype(np.float32)
    loss = CrossEntropyLoss()
    assert np.isfinite(loss.forward(HUGE_LABELS, X)).all()
    assert np.isfinite(loss.backward(HUGE_LABELS, X)).all()


def test_bce_clamps_log_at_minus_100_like_torch() -> None:
    y = np.array([[1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.5, 0.5]])
    yhat = np.array([[0.0, 1.0, 1.0, 0.0], [1e-60, 1.0 - 1e-16, 0.0, 1.0]])
    loss = BCELoss()
    values, gradient = loss.forward(y, yhat), loss.backward(y, yhat)
    assert np.isfinite(values).all() and np.isfinite(gradient).all()
    # Row 0: two certain mistakes cost 100 each (log 0 clamped at -100), two certain hits 0.
    assert values[0] == 200.0
    torch_values, torch_gradient = loss_and_gradient(loss, y, yhat)
    assert_close(values, torch_values, "per-sample loss")
    assert_close(gradient, torch_gradient, "dL/dyhat")


@pytest.mark.parametrize("module_type", [Sigmoid, TanH])
def test_saturated_activation_finite_and_equal_to_torch(module_type: type[Module]) -> None:
    X = np.array([[-800.0, -40.0, 0.0, 40.0, 800.0], [800.0, 1e4, -1e4, 20.0, -20.0]])
    module = module_type()
    out, dX = module.forward(X), module.backward_delta(X, np.ones_like(X))
    assert np.isfinite(out).all() and np.isfinite(dX).all()
    assert out.min() >= -1.0 and out.max() <= 1.0
    torch_module, _ = twin(module)
    X_t = torch.tensor(X, requires_grad=True)
    torch_module(X_t).sum().backward()
    assert X_t.grad is not None
    assert_close(out, torch_module(torch.from_numpy(X)).numpy(), "forward")
    assert_close(dX, X_t.grad.numpy(), "dL/dX")


def test_sigmoid_of_800_is_exactly_saturated() -> None:
    np.testing.assert_array_equal(Sigmoid().forward(np.array([[-800.0, 800.0]])), [[0.0, 1.0]])
