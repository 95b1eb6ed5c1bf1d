"""check_module and check_loss: every slip of the catalogue is caught, no right module fails.

The table :data:`MODULE_MUTANTS` (and :data:`LOSS_MUTANTS`) holds deliberately wrong
modules and losses, each with the check that must fail and the slip id it must name.
Every module and loss of the registry, and a Linear written from scratch without
subclassing, pass every check over random shapes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    finite_arrays,
    loss_examples,
    module_examples,
    seeds,
)

from mathnn import (
    SLIPS,
    Conv1D,
    CrossEntropyLoss,
    Linear,
    MSELoss,
    Sequential,
    Softmax,
    TanH,
    check_loss,
    check_module,
)
from mathnn.check import BASE_URL

Array = np.ndarray[Any, Any]
DOCS = Path(__file__).resolve().parent.parent / "docs"

# ---------------------------------------------------------------------------- a Linear from scratch


class ScratchLinear:
    """A right linear layer that keeps the contract without subclassing mathnn.Module."""

    def __init__(self, d: int, d_out: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.parameters = {"W": rng.normal(size=(d, d_out)), "b": rng.normal(size=d_out)}
        self.gradients = {k: np.zeros_like(v) for k, v in self.parameters.items()}

    def forward(self, X: Array) -> Array:
        return X @ self.parameters["W"] + self.parameters["b"]

    def backward_update_gradient(self, X: Array, delta: Array) -> None:
        self.gradients["W"] += X.T @ delta
        self.gradients["b"] += delta.sum(axis=0)

    def backward_delta(self, X: Array, delta: Array) -> Array:
        return delta @ self.parameters["W"].T

    def update_parameters(self, gradient_step: float = 1e-3) -> None:
        for key, parameter in self.parameters.items():
            parameter -= gradient_step * self.gradients[key]

    def zero_grad(self) -> None:
        for gradient in self.gradients.values():
            gradient[...] = 0


class ScratchTanH:
    """A right activation without parameters and without subclassing."""

    def __init__(self) -> None:
        self.parameters: dict[str, Array] = {}
        self.gradients: dict[str, Array] = {}

    def forward(self, X: Array) -> Array:
        return np.tanh(X)

    def backward_update_gradient(self, X: Array, delta: Array) -> None:
        pass

    def backward_delta(self, X: Array, delta: Array) -> Array:
        return delta * (1 - np.tanh(X) ** 2)

    def update_parameters(self, gradient_step: float = 1e-3) -> None:
        pass

    def zero_grad(self) -> None:
        pass


# ---------------------------------------------------------------------------- wrong modules


class WeightTransposed(ScratchLinear):
    def backward_update_gradient(self, X: Array, delta: Array) -> None:
        self.gradients["W"] += delta.T @ X  # the slip: Delta^T X
        self.gradients["b"] += delta.sum(axis=0)


class DeltaW(ScratchLinear):
    def backward_delta(self, X: Array, delta: Array) -> Array:
        return delta @ self.parameters["W"]  # the slip: Delta W


class NegativeInputGradient(ScratchLinear):
    def backward_delta(self, X: Array, delta: Array) -> Array:
        return -(delta @ self.parameters["W"].T)


class MeanWeightGradient(ScratchLinear):
    def backward_update_gradient(self, X: Array, delta: Array) -> None:
        self.gradients["W"] += X.T @ delta / X.shape[0]
        self.gradients["b"] += delta.sum(axis=0)


class BiasWithoutSum(ScratchLinear):
    def backward_update_gradient(self, X: Array, delta: Array) -> None:
        self.gradients["W"] += X.T @ delta
        self.gradients["b"] = self.gradients["b"] + delta  # (N, d') where (d',) is expected


class Overwrites(ScratchLinear):
    def backward_update_gradient(self, X: Array, delta: Array) -> None:
        self.gradients["W"][...] = X.T @ delta
        self.gradients["b"][...] = delta.sum(axis=0)


class KeepsGradients(ScratchLinear):
    def zero_grad(self) -> None:
        pass


class ClimbsUp(ScratchLinear):
    def update_parameters(self, gradient_step: float = 1e-3) -> None:
        for key, parameter in self.parameters.items():
            parameter += gradient_step * self.gradients[key]


class IgnoresStep(ScratchLinear):
    def update_parameters(self, gradient_step: float = 1e-3) -> None:
        for key, parameter in self.parameters.items():
            parameter -= self.gradients[key]


class OutputTransposed(ScratchLinear):
    def forward(self, X: Array) -> Array:
        return (X @ self.parameters["W"] + self.parameters["b"]).T


class TanHTwiceGradient(ScratchTanH):
    def backward_delta(self, X: Array, delta: Array) -> Array:
        return 2 * delta * (1 - np.tanh(X) ** 2)


class TanHNoSquare(ScratchTanH):
    def backward_delta(self, X: Array, delta: Array) -> Array:
        return delta * (1 - np.tanh(X))


class TanHInPlace(ScratchTanH):
    def backward_delta(self, X: Array, delta: Array) -> Array:
        delta *= 1 - np.tanh(X) ** 2  # writes into the caller's delta
        return delta


class SigmoidFloat64Constant(ScratchTanH):
    def forward(self, X: Array) -> Array:
        return np.float64(0.5) * (1 + np.tanh(X / 2))

    def backward_delta(self, X: Array, delta: Array) -> Array:
        s = self.forward(X)
        return delta * s * (1 - s)


class CentresBatch(ScratchTanH):
    def forward(self, X: Array) -> Array:
        return X - X.mean(axis=0)

    def backward_delta(self, X: Array, delta: Array) -> Array:
        return delta - delta.mean(axis=0)


class SoftmaxDiagonal(Softmax):
    def backward_delta(self, X: Any, delta: Any) -> Array:
        s = self.forward(X)
        return delta * s * (1 - s)  # the slip: only ds_i/dz_i


class ConvUnflipped(Conv1D):
    def backward_delta(self, X: Any, delta: Any) -> Array:
        W = self.parameters["W"]
        saved = W.copy()
        W[...] = saved[::-1]  # the slip: the taps in forward order
        try:
            return super().backward_delta(X, delta)
        finally:
            W[...] = saved


class ConvMeanKernelGradient(Conv1D):
    def backward_update_gradient(self, X: Any, delta: Any) -> None:
        before = self.gradients["W"].copy()
        super().backward_update_gradient(X, delta)
        self.gradients["W"][...] = before + (self.gradients["W"] - before) / np.shape(X)[0]


class ConvChannelsTransposed(Conv1D):
    def backward_delta(self, X: Any, delta: Any) -> Array:
        W = self.parameters["W"]
        saved = W.copy()
        W[...] = saved.transpose(0, 2, 1)  # the slip: W[j] instead of W[j]^T, C = C'
        try:
            return super().backward_delta(X, delta)
        finally:
            W[...] = saved


@dataclass(frozen=True)
class Mutant:
    """A wrong module (or loss), the check that must fail, and the slip it must name."""

    id: str
    build: Callable[[], Any]
    data: Callable[[np.random.Generator], tuple[Array, ...]]
    check: str
    slip: str

    def __repr__(self) -> str:
        return self.id


def batch(*shape: int) -> Callable[[np.random.Generator], tuple[Array, ...]]:
    return lambda rng: (rng.normal(size=shape),)


def labels_and_logits(rng: np.random.Generator) -> tuple[Array, ...]:
    return np.array([0, 2, 1, 3, 2]), rng.normal(size=(5, 4))


def targets_and_predictions(rng: np.random.Generator) -> tuple[Array, ...]:
    return rng.normal(size=(5, 3)), rng.normal(size=(5, 3))


MODULE_MUTANTS = [
    Mutant(
        "linear_weight_delta_T_X",
        lambda: WeightTransposed(4, 4),
        batch(3, 4),
        "gradient W",
        "transposed",
    ),
    Mutant(
        "linear_input_delta_W",
        lambda: DeltaW(4, 4),
        batch(3, 4),
        "input gradient",
        "transposed-parameter",
    ),
    Mutant(
        "linear_input_delta_W_not_square",
        lambda: DeltaW(4, 2),
        batch(3, 4),
        "input gradient",
        "raises",
    ),
    Mutant(
        "linear_input_negative",
        lambda: NegativeInputGradient(4, 2),
        batch(3, 4),
        "input gradient",
        "sign",
    ),
    Mutant(
        "linear_weight_batch_mean",
        lambda: MeanWeightGradient(4, 2),
        batch(3, 4),
        "gradient W",
        "batch-mean",
    ),
    Mutant(
        "linear_bias_without_sum",
        lambda: BiasWithoutSum(4, 2),
        batch(3, 4),
        "gradient b",
        "wrong-shape",
    ),
    Mutant(
        "linear_output_transposed",
        lambda: OutputTransposed(4, 2),
        batch(3, 4),
        "output shape",
        "wrong-shape",
    ),
    Mutant(
        "linear_overwrites",
        lambda: Overwrites(4, 2),
        batch(3, 4),
        "accumulation",
        "not-accumulated",
    ),
    Mutant(
        "linear_zero_grad_keeps",
        lambda: KeepsGradients(4, 2),
        batch(3, 4),
        "zero_grad",
        "zero-grad",
    ),
    Mutant("linear_step_up", lambda: ClimbsUp(4, 2), batch(3, 4), "update_parameters", "ascent"),
    Mutant(
        "linear_step_ignores_eta",
        lambda: IgnoresStep(4, 2),
        batch(3, 4),
        "update_parameters",
        "ascent",
    ),
    Mutant("tanh_factor_2", TanHTwiceGradient, batch(3, 4), "input gradient", "factor"),
    Mutant("tanh_no_square", TanHNoSquare, batch(3, 4), "input gradient", "wrong"),
    Mutant("tanh_writes_delta", TanHInPlace, batch(3, 4), "inputs unchanged", "mutates-input"),
    Mutant("sigmoid_float64_constant", SigmoidFloat64Constant, batch(3, 4), "float32", "upcast"),
    Mutant("centres_batch", CentresBatch, batch(3, 4), "per sample", "mixes-samples"),
    Mutant(
        "softmax_diagonal_only", SoftmaxDiagonal, batch(3, 4), "input gradient", "diagonal-only"
    ),
    Mutant(
        "conv_unflipped_kernel",
        lambda: ConvUnflipped(3, 2, 4, rng=0),
        batch(5, 7, 2),
        "input gradient",
        "unflipped-kernel",
    ),
    Mutant(
        "conv_channels_transposed",
        lambda: ConvChannelsTransposed(2, 3, 3, rng=0),
        batch(5, 6, 3),
        "input gradient",
        "transposed-parameter",
    ),
    Mutant(
        "conv_kernel_batch_mean",
        lambda: ConvMeanKernelGradient(3, 2, 4, rng=0),
        batch(5, 7, 2),
        "gradient W",
        "batch-mean",
    ),
]


# ---------------------------------------------------------------------------- wrong losses


class ScratchMSE:
    def forward(self, y: Array, yhat: Array) -> Array:
        return ((yhat - y) ** 2).sum(axis=1)

    def backward(self, y: Array, yhat: Array) -> Array:
        return 2 * (yhat - y)


class MSEFactorOne(ScratchMSE):
    def backward(self, y: Array, yhat: Array) -> Array:
        return yhat - y


class MSEWithRespectToTarget(ScratchMSE):
    def backward(self, y: Array, yhat: Array) -> Array:
        return -2 * (yhat - y)


class MSEMean(ScratchMSE):
    def backward(self, y: Array, yhat: Array) -> Array:
        return 2 * (yhat - y) / yhat.shape[0]


class MSESummed(ScratchMSE):
    def forward(self, y: Array, yhat: Array) -> Array:
        return ((yhat - y) ** 2).sum()


class MSETransposed(ScratchMSE):
    def backward(self, y: Array, yhat: Array) -> Array:
        return 2 * (yhat - y).T


class MSEInPlace(ScratchMSE):
    def backward(self, y: Array, yhat: Array) -> Array:
        yhat -= y
        return 2 * yhat


class MSEFloat64(ScratchMSE):
    def backward(self, y: Array, yhat: Array) -> Array:
        return np.float64(2) * (yhat - y)


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class CrossEntropyWithoutLog:
    def forward(self, y: Array, z: Array) -> Array:
        return -_softmax(z)[np.arange(len(y)), y]

    def backward(self, y: Array, z: Array) -> Array:
        return _softmax(z) - np.eye(z.shape[1])[y]


class CrossEntropyOneHotOnly(CrossEntropyLoss):
    def backward(self, y: Any, yhat: Any) -> Array:
        return _softmax(yhat) - y  # y holds labels: (N,) against (N, k)


class CrossEntropyMean(CrossEntropyLoss):
    def backward(self, y: Any, yhat: Any) -> Array:
        return super().backward(y, yhat) / np.shape(yhat)[0]


LOSS_MUTANTS = [
    Mutant("mse_factor_1", MSEFactorOne, targets_and_predictions, "gradient", "factor"),
    Mutant(
        "mse_with_respect_to_y", MSEWithRespectToTarget, targets_and_predictions, "gradient", "sign"
    ),
    Mutant("mse_mean", MSEMean, targets_and_predictions, "gradient", "batch-mean"),
    Mutant("mse_summed", MSESummed, targets_and_predictions, "values", "wrong-shape"),
    Mutant("mse_transposed", MSETransposed, targets_and_predictions, "gradient", "transposed"),
    Mutant(
        "mse_writes_yhat", MSEInPlace, targets_and_predictions, "inputs unchanged", "mutates-input"
    ),
    Mutant("mse_float64_constant", MSEFloat64, targets_and_predictions, "float32", "upcast"),
    Mutant(
        "cross_entropy_without_log",
        CrossEntropyWithoutLog,
        labels_and_logits,
        "logarithm",
        "missing-log",
    ),
    Mutant(
        "cross_entropy_labels_as_one_hot",
        CrossEntropyOneHotOnly,
        labels_and_logits,
        "gradient",
        "raises",
    ),
    Mutant("cross_entropy_mean", CrossEntropyMean, labels_and_logits, "gradient", "batch-mean"),
]


def run(mutant: Mutant, rng: np.random.Generator) -> Any:
    data = mutant.data(rng)
    if mutant in LOSS_MUTANTS:
        return check_loss(mutant.build(), *data)
    return check_module(mutant.build(), *data)


@pytest.mark.parametrize("mutant", MODULE_MUTANTS + LOSS_MUTANTS, ids=repr)
def test_mutant_is_caught_with_its_slip(mutant: Mutant, rng: np.random.Generator) -> None:
    report = run(mutant, rng)
    assert not report.passed
    findings = {f.check: f for f in report.findings}
    assert mutant.check in findings, [f.check for f in report.findings]
    finding = findings[mutant.check]
    assert not finding.passed
    assert finding.slip == mutant.slip, finding.message
    assert SLIPS[mutant.slip].url in str(report)


def test_every_slip_has_a_mutant() -> None:
    caught = {m.slip for m in MODULE_MUTANTS + LOSS_MUTANTS}
    assert caught == set(SLIPS)


def test_one_slip_fails_its_own_check_only(rng: np.random.Generator) -> None:
    report = check_module(WeightTransposed(4, 4), rng.normal(size=(3, 4)))
    assert [f.check for f in report.findings if not f.passed] == ["gradient W"]


def test_transposed_weight_gradient_of_a_non_square_layer_raises(rng: np.random.Generator) -> None:
    # Delta^T X is (d', d): adding it to the (d, d') gradient fails in every check that calls it.
    report = check_module(WeightTransposed(5, 3), rng.normal(size=(4, 5)))
    failed = [f for f in report.findings if not f.passed]
    assert {f.slip for f in failed} == {"raises"}
    assert [f.check for f in failed] == [
        "gradient W, b",
        "accumulation",
        "inputs unchanged",
        "float32",
    ]
    assert "backward_update_gradient raised ValueError" in failed[0].message


def test_reader_story_transposed_weight_gradient(rng: np.random.Generator) -> None:
    report = check_module(WeightTransposed(4, 4), rng.normal(size=(3, 4)))
    text = str(report)
    assert report.slips == ["transposed"]
    assert "gradient W" in text and "transpose" in text
    assert f"{BASE_URL}linear.html#common-slip" in text


def test_report_table_has_one_line_per_check_then_one_per_failure(
    rng: np.random.Generator,
) -> None:
    report = check_module(ClimbsUp(4, 2), rng.normal(size=(3, 4)))
    lines = str(report).splitlines()
    assert lines[0] == "ClimbsUp: 1 of 10 checks failed"
    assert len(lines) == 1 + len(report.findings) + 2
    assert lines[-2].startswith("update_parameters: with eta = 0.1 the step is theta + eta g")
    assert lines[-1] == f"  slip 'ascent' (wrong update rule): {SLIPS['ascent'].url}"


def test_factor_message_gives_the_factor(rng: np.random.Generator) -> None:
    report = check_module(TanHTwiceGradient(), rng.normal(size=(3, 4)))
    assert "2 times the right one" in report.findings[1].message


def test_wrong_message_gives_worst_entry_and_both_values(rng: np.random.Generator) -> None:
    report = check_module(TanHNoSquare(), rng.normal(size=(3, 4)))
    message = report.findings[1].message
    match = re.search(r"the worst entry is \((\d), (\d)\): (\S+) where (\S+) was expected", message)
    assert match, message
    assert match.group(3) != match.group(4)


@pytest.mark.parametrize("mutant", MODULE_MUTANTS, ids=repr)
def test_checked_module_is_left_unchanged(mutant: Mutant, rng: np.random.Generator) -> None:
    module = mutant.build()
    (X,) = mutant.data(rng)
    before = copy.deepcopy(module)
    X_before = X.copy()
    check_module(module, X)
    np.testing.assert_array_equal(X, X_before)
    for key, parameter in module.parameters.items():
        np.testing.assert_array_equal(parameter, before.parameters[key])
        np.testing.assert_array_equal(module.gradients[key], before.gradients[key])
        assert parameter.dtype == before.parameters[key].dtype


def test_sequential_parameters_are_checked_by_name(rng: np.random.Generator) -> None:
    net = Sequential(Linear(4, 3, rng=0), TanH(), Linear(3, 2, rng=1))
    checks = [f.check for f in check_module(net, rng.normal(size=(5, 4))).findings]
    assert checks[2:6] == ["gradient 0.W", "gradient 0.b", "gradient 2.W", "gradient 2.b"]


def test_sequential_with_a_wrong_module_names_its_parameter(rng: np.random.Generator) -> None:
    class BadLinear(Linear):
        def backward_update_gradient(self, X: Any, delta: Any) -> None:
            super().backward_update_gradient(X, -np.asarray(delta))

    net = Sequential(Linear(4, 3, rng=0), TanH(), BadLinear(3, 2, rng=1))
    report = check_module(net, rng.normal(size=(5, 4)))
    failed = {f.check: f.slip for f in report.findings if not f.passed}
    assert failed == {"gradient 2.W": "sign", "gradient 2.b": "sign"}


def test_per_sample_false_skips_the_check(rng: np.random.Generator) -> None:
    report = check_module(CentresBatch(), rng.normal(size=(3, 4)), per_sample=False)
    assert report.passed
    assert "per sample" not in [f.check for f in report.findings]


def test_float32_module_is_checked_in_float64(rng: np.random.Generator) -> None:
    report = check_module(Linear(4, 3, rng=0, dtype=np.float32), rng.normal(size=(5, 4)))
    assert report.passed, str(report)


def test_same_seed_same_report(rng: np.random.Generator) -> None:
    X = rng.normal(size=(3, 4))
    assert str(check_module(TanHNoSquare(), X, rng=7)) == str(
        check_module(TanHNoSquare(), X, rng=7)
    )


# ---------------------------------------------------------------------------- right modules pass


@pytest.mark.parametrize("case", MODULE_CASES, ids=repr)
@given(data=st.data())
def test_every_mathnn_module_passes(case: ModuleCase, data: st.DataObject) -> None:
    module, X = data.draw(module_examples(case))
    report = check_module(module, X)
    assert report.passed, str(report)


@pytest.mark.parametrize("case", LOSS_CASES, ids=repr)
@given(data=st.data())
def test_every_mathnn_loss_passes(case: LossCase, data: st.DataObject) -> None:
    loss, y, yhat = data.draw(loss_examples(case))
    report = check_loss(loss, y, yhat)
    assert report.passed, str(report)


@given(sizes=distinct_sizes(3), seed=seeds, data=st.data())
def test_linear_from_scratch_passes(
    sizes: tuple[int, int, int], seed: int, data: st.DataObject
) -> None:
    n, d, d_out = sizes
    X = data.draw(finite_arrays((n, d)))
    report = check_module(ScratchLinear(d, d_out, seed), X, rng=seed)
    assert report.passed, str(report)
    assert len(report.findings) == 10 if n > 1 else 9


def test_cross_entropy_of_one_class_is_not_taken_for_a_missing_log() -> None:
    # One class and zero logits: the loss is 0, and so is -<y, yhat>.
    assert check_loss(CrossEntropyLoss(), np.zeros(3, dtype=int), np.zeros((3, 1))).passed


def test_from_scratch_activation_and_loss_pass(rng: np.random.Generator) -> None:
    assert check_module(ScratchTanH(), rng.normal(size=(3, 4, 2))).passed
    assert check_loss(ScratchMSE(), rng.normal(size=(5, 3)), rng.normal(size=(5, 3))).passed
    assert check_loss(MSELoss(), rng.normal(size=(5, 3)), rng.normal(size=(5, 3))).passed


# ---------------------------------------------------------------------------- bad input


def test_check_module_names_the_missing_methods() -> None:
    class Half:
        def __init__(self) -> None:
            self.parameters: dict[str, Array] = {}
            self.gradients: dict[str, Array] = {}

        def forward(self, X: Array) -> Array:
            return X

    with pytest.raises(TypeError, match="Half without backward_update_gradient, backward_delta"):
        check_module(Half(), np.ones((2, 3)))


def test_check_module_rejects_input_without_batch_axis() -> None:
    with pytest.raises(ValueError, match=r"expected X with a batch axis .* got shape \(\)"):
        check_module(TanH(), 1.0)
    with pytest.raises(ValueError, match="X"):
        check_module(TanH(), np.array([[np.nan, 1.0]]))


def test_check_loss_names_the_missing_method() -> None:
    class OnlyForward:
        def forward(self, y: Array, yhat: Array) -> Array:
            return yhat.sum(axis=1)

    with pytest.raises(TypeError, match="OnlyForward without backward"):
        check_loss(OnlyForward(), np.ones((2, 3)), np.ones((2, 3)))


def test_check_module_rejects_bad_rng() -> None:
    with pytest.raises(TypeError, match="check_module: expected rng to be a numpy Generator"):
        check_module(TanH(), np.ones((2, 3)), rng="seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"check_module: expected rng to be an int seed >= 0"):
        check_module(TanH(), np.ones((2, 3)), rng=-1)


# ---------------------------------------------------------------------------- the site's anchors


def test_every_slip_has_a_section_on_the_own_module_page() -> None:
    anchors = _anchors(DOCS / "own_module.md")
    assert {f"slip-{slip}" for slip in SLIPS} <= anchors


def _anchors(page: Path) -> set[str]:
    """The MyST labels and heading slugs (myst_heading_anchors) of a docs page."""
    text = page.read_text(encoding="utf-8")
    labels = set(re.findall(r"^\(([\w-]+)\)=$", text, flags=re.M))
    slugs = set()
    for heading in re.findall(r"^#{1,3} (.+)$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        slugs.add(slug)
    return labels | slugs


@pytest.mark.parametrize("slip", sorted(s for s in SLIPS if SLIPS[s].page != "own_module"), ids=str)
def test_slip_url_points_to_a_section_of_the_site(slip: str) -> None:
    url = SLIPS[slip].url
    assert url.startswith(BASE_URL)
    page, anchor = url[len(BASE_URL) :].split(".html#")
    assert anchor in _anchors(DOCS / f"{page}.md"), url
