"""BCEWithLogitsLoss: binary cross-entropy on logits, stable for any logit.

Per sample, ``forward(y, a)`` is ``sum_j max(a, 0) - a y + log(1 + exp(-|a|))`` and
``backward(y, a)`` is ``sigmoid(a) - y``. Checked against central differences in
float64, against BCELoss after a Sigmoid where both are exact, against PyTorch's
``BCEWithLogitsLoss(reduction="sum")``, on huge logits, and on bad input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import distinct_sizes, finite_arrays

from mathnn import BCELoss, BCEWithLogitsLoss, Loss, Sigmoid, gradcheck

Array = np.ndarray[Any, Any]
TOLERANCE = 1e-7


def sigmoid(a: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-a))


@st.composite
def logits_and_targets(
    draw: st.DrawFn, bound: float = 6.0, hard: bool | None = None
) -> tuple[Array, Array]:
    """Logits of shape (N, w) or (N, w1, w2), all sizes different, and targets in [0, 1].

    Every target is at least 0.05 away from sigmoid(a): where the gradient is 0, a
    relative error would measure rounding only.
    """
    shape = draw(distinct_sizes(draw(st.sampled_from([2, 3]))))
    a = draw(finite_arrays(shape, bound=bound))
    hard = draw(st.booleans()) if hard is None else hard
    if hard:
        y = draw(hnp.arrays(np.bool_, shape)).astype(np.float64)
    else:
        y = 0.5 + draw(finite_arrays(shape, bound=0.5))
    p = sigmoid(a)
    y = np.where(np.abs(y - p) < 0.05, np.where(p > 0.5, 0.0, 1.0), y)
    return a, y


def torch_per_sample_and_gradient(y: Array, a: Array) -> tuple[Array, Array]:
    """PyTorch's BCEWithLogitsLoss(reduction="sum") of each sample, and its batch gradient."""
    criterion = torch.nn.BCEWithLogitsLoss(reduction="sum")
    a_t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    y_t = torch.tensor(y, dtype=torch.float64)
    per_sample = torch.stack([criterion(a_t[n], y_t[n]) for n in range(a.shape[0])])
    criterion(a_t, y_t).backward()
    assert a_t.grad is not None
    return per_sample.detach().numpy(), a_t.grad.numpy()


# ---------------------------------------------------------------------------- gradients


@given(example=logits_and_targets())
def test_bce_logits_gradcheck_float64(example: tuple[Array, Array]) -> None:
    a, y = example
    error = gradcheck(BCEWithLogitsLoss(), a, y=y)["yhat"]
    assert error < TOLERANCE, error


@given(example=logits_and_targets())
def test_bce_logits_backward_is_sigmoid_minus_target(example: tuple[Array, Array]) -> None:
    a, y = example
    gradient = BCEWithLogitsLoss().backward(y, a)
    assert gradient.shape == a.shape
    np.testing.assert_allclose(gradient, sigmoid(a) - y, rtol=1e-12, atol=1e-15)
    assert np.all(np.abs(gradient) <= 1.0)


# ---------------------------------------------------------------------------- properties


@given(example=logits_and_targets(bound=20.0))
def test_bce_logits_equals_bce_after_sigmoid(example: tuple[Array, Array]) -> None:
    """Where the sigmoid does not saturate, the fused loss is BCELoss of sigmoid(a)."""
    a, y = example
    fused = BCEWithLogitsLoss()
    chained = BCELoss()
    p = Sigmoid().forward(a)
    np.testing.assert_allclose(fused.forward(y, a), chained.forward(y, p), rtol=1e-9, atol=1e-12)
    chained_gradient = Sigmoid().backward_delta(a, chained.backward(y, p))
    np.testing.assert_allclose(fused.backward(y, a), chained_gradient, rtol=1e-6, atol=1e-12)


@given(example=logits_and_targets())
def test_bce_logits_per_sample_sum_and_lower_bound(example: tuple[Array, Array]) -> None:
    """One value per sample, the sum of its entries, never below the entropy of y."""
    a, y = example
    loss = BCEWithLogitsLoss()
    values = loss.forward(y, a)
    assert values.shape == (a.shape[0],)
    rows = np.array([loss.forward(y[n : n + 1], a[n : n + 1])[0] for n in range(a.shape[0])])
    np.testing.assert_allclose(values, rows, rtol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * np.log(y), 0.0) + np.where(y < 1, (1 - y) * np.log1p(-y), 0.0)
    entropy = -terms
    assert np.all(values >= entropy.reshape(len(y), -1).sum(axis=1) - 1e-12)


@given(example=logits_and_targets())
def test_bce_logits_symmetry(example: tuple[Array, Array]) -> None:
    """Swapping the two classes, a -> -a and y -> 1 - y, changes neither the loss nor |gradient|."""
    a, y = example
    loss = BCEWithLogitsLoss()
    np.testing.assert_allclose(loss.forward(1 - y, -a), loss.forward(y, a), rtol=1e-12)
    np.testing.assert_allclose(loss.backward(1 - y, -a), -loss.backward(y, a), atol=1e-15)


def test_bce_logits_value_and_gradient_match_forward_and_backward(rng: np.random.Generator) -> None:
    a, y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))
    loss = BCEWithLogitsLoss()
    values, gradient = loss.value_and_gradient(y, a)
    np.testing.assert_array_equal(values, loss.forward(y, a))
    np.testing.assert_array_equal(gradient, loss.backward(y, a))
    assert isinstance(loss, Loss) and repr(loss) == "BCEWithLogitsLoss()"


def test_bce_logits_float32_stays_float32(rng: np.random.Generator) -> None:
    a = rng.normal(size=(5, 2)).astype(np.float32)
    y = rng.uniform(size=(5, 2)).astype(np.float32)
    loss = BCEWithLogitsLoss()
    assert loss.forward(y, a).dtype == np.float32
    assert loss.backward(y, a).dtype == np.float32


# ---------------------------------------------------------------------------- huge logits

HUGE = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e300, -1e300, 30.0], [-50.0, 50.0, 800.0]])
HUGE_TARGETS = np.array([[1.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.25]])


def test_bce_logits_huge_logits_finite_and_exact() -> None:
    """No overflow (warnings are errors in this suite), and the limits |a| of a wrong sign."""
    loss = BCEWithLogitsLoss()
    values, gradient = loss.forward(HUGE_TARGETS, HUGE), loss.backward(HUGE_TARGETS, HUGE)
    assert np.isfinite(values).all() and np.isfinite(gradient).all()
    # Row 0: a = -1e4 with y = 1 costs 1e4; a = 0 costs log 2.
    assert values[0] == pytest.approx(1e4 + np.log(2.0), rel=1e-15)
    # Row 1: y = 1 at a = -1e4, y = 0 at a = +1e4: 2e4; y = 1 at a = 1e4 costs 0.
    assert values[1] == pytest.approx(2e4, rel=1e-15)
    np.testing.assert_array_equal(gradient[1], [-1.0, 1.0, 0.0])
    np.testing.assert_array_equal(gradient[2, :2], [1.0, -1.0])


def test_bce_logits_huge_logits_match_torch() -> None:
    finite = HUGE[:2]  # torch works in float64 too; 1e300 would make it return inf
    values, gradient = torch_per_sample_and_gradient(HUGE_TARGETS[:2], finite)
    loss = BCEWithLogitsLoss()
    np.testing.assert_allclose(loss.forward(HUGE_TARGETS[:2], finite), values, rtol=1e-12)
    np.testing.assert_allclose(loss.backward(HUGE_TARGETS[:2], finite), gradient, atol=1e-15)


def test_bce_after_sigmoid_loses_the_gradient_where_the_fused_loss_keeps_it() -> None:
    """At a = +-40 with the wrong target, the chained gradient is ~0, the fused one +-1."""
    a, y = np.array([[-40.0, 40.0]]), np.array([[1.0, 0.0]])
    chained = Sigmoid().backward_delta(a, BCELoss().backward(y, Sigmoid().forward(a)))
    fused = BCEWithLogitsLoss().backward(y, a)
    assert np.abs(chained).max() < 1e-5
    np.testing.assert_allclose(fused, [[-1.0, 1.0]], atol=1e-15)


# ---------------------------------------------------------------------------- PyTorch oracle


@given(example=logits_and_targets(bound=30.0))
def test_bce_logits_matches_torch(example: tuple[Array, Array]) -> None:
    a, y = example
    values, gradient = torch_per_sample_and_gradient(y, a)
    loss = BCEWithLogitsLoss()
    np.testing.assert_allclose(loss.forward(y, a), values, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss.backward(y, a), gradient, rtol=1e-10, atol=1e-15)


# ---------------------------------------------------------------------------- bad input

BAD_CALLS = [
    ("shape", np.zeros((4, 3)), np.zeros((4, 2)), ValueError, r"\(4, 2\).*\(4, 3\)"),
    ("target above 1", np.full((2, 3), 1.5), np.zeros((2, 3)), ValueError, r"\[0, 1\].*1\.5"),
    ("target below 0", np.full((2, 3), -0.5), np.zeros((2, 3)), ValueError, r"\[0, 1\].*-0\.5"),
    ("nan logit", np.zeros((2, 3)), np.array([[0.0, np.nan, 0.0]] * 2), ValueError, "NaN"),
    ("inf target", np.array([[np.inf, 0.0, 0.0]] * 2), np.zeros((2, 3)), ValueError, "infinite"),
    ("no batch axis", np.array(0.5), np.array(0.0), ValueError, r"dimensions.*got shape \(\)"),
    ("strings", np.array([["a", "b"]]), np.zeros((1, 2)), TypeError, "real numeric"),
]


@pytest.mark.parametrize("method", ["forward", "backward", "value_and_gradient"])
@pytest.mark.parametrize(
    ("case", "y", "yhat", "error", "match"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS]
)
def test_bce_logits_bad_input_raises_naming_expected_and_received(
    method: str, case: str, y: Array, yhat: Array, error: type[Exception], match: str
) -> None:
    y_before, yhat_before = y.copy(), yhat.copy()
    with pytest.raises(error, match=match):
        getattr(BCEWithLogitsLoss(), method)(y, yhat)
    # nothing changed
    assert np.array_equal(y, y_before, equal_nan=y.dtype.kind == "f")
    assert np.array_equal(yhat, yhat_before, equal_nan=True)


def test_bce_logits_error_names_the_method() -> None:
    with pytest.raises(ValueError, match=r"^BCEWithLogitsLoss\.backward: "):
        BCEWithLogitsLoss().backward(np.zeros((3, 2)), np.zeros((2, 3)))
