"""Shared hypothesis strategies and the registry of module and loss examples.

Every test file draws its examples from here, so that a new module is tested
everywhere by adding one entry to :data:`MODULE_CASES` (or :data:`LOSS_CASES`).

Shapes are small and never square: the batch size ``N`` (1-5) and the widths
(1-6) of one example are pairwise different, so a missing transpose cannot
pass by accident. Values are finite float64 in a moderate range; the inputs of
ReLU are kept away from its kink at 0 and the inputs of MaxPool1D have
distinct values in every window, so that central differences stay valid
without loosening any tolerance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathnn import (
    BCELoss,
    Conv1D,
    CrossEntropyLoss,
    Flatten,
    Linear,
    LogSoftmax,
    Loss,
    MaxPool1D,
    Module,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    TanH,
)

Array = np.ndarray[Any, Any]
DrawFn = Callable[[st.SearchStrategy[Any]], Any]

# ---------------------------------------------------------------------------- basics

batch_sizes = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)


PATTERNS = ("random", "sparse", "zeros", "extremes")


@st.composite
def finite_arrays(draw: DrawFn, shape: tuple[int, ...], bound: float = 1.0) -> Array:
    """Finite float64 arrays of ``shape``: each entry 0 or of magnitude in ``[bound / 10, bound]``.

    No tiny magnitudes: the gradient of a weight is proportional to its input,
    and a gradient many orders below the rest of the output is lost in the
    rounding of a central difference, whatever the backward does.

    Hypothesis draws the pattern and a seed; NumPy draws the entries (drawing
    each entry through hypothesis is about 50 times slower). Patterns:
    ``random`` (magnitudes uniform in ``[bound / 10, bound]``, random signs),
    ``sparse`` (the same with about half the entries 0), ``zeros``, and
    ``extremes`` (every entry ``-bound`` or ``bound``).
    """
    pattern = draw(st.sampled_from(PATTERNS))
    rng = np.random.default_rng(draw(seeds))
    signs = rng.choice([-1.0, 1.0], size=shape)
    if pattern == "zeros":
        return np.zeros(shape)
    if pattern == "extremes":
        return bound * signs
    X = signs * rng.uniform(bound / 10, bound, size=shape)
    if pattern == "sparse":
        X[rng.random(size=shape) < 0.5] = 0.0
    return X


@st.composite
def distinct_sizes(draw: DrawFn, count: int) -> tuple[int, ...]:
    """``(N, w_1, ..., w_{count-1})``: a batch size in 1-5 and widths in 1-6, all different."""
    n = draw(batch_sizes)
    others = [w for w in range(1, 7) if w != n]
    rest = draw(
        st.lists(st.sampled_from(others), min_size=count - 1, max_size=count - 1, unique=True)
    )
    return (n, *rest)


def away_from_zero(X: Array, gap: float = 1e-3) -> Array:
    """Push every entry at least ``gap`` away from 0 (the kink of ReLU), keeping its sign."""
    return np.where(X >= 0, X + gap, X - gap)


def distinct_along_length(X: Array, gap: float = 1e-2) -> Array:
    """Make the entries of each ``X[n, :, c]`` pairwise at least ``gap`` apart (no ties)."""
    ranks = np.argsort(np.argsort(X, axis=1, kind="stable"), axis=1, kind="stable")
    return X + gap * ranks


def length_for(k_size: int, stride: int, t_out: int, extra: int) -> int:
    """A sequence length whose valid sweep gives ``t_out`` windows (``extra < stride``)."""
    return k_size + stride * (t_out - 1) + extra


def expected_output_shape(module: Module, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape the design table promises for an input of ``shape``."""
    if isinstance(module, Sequential):
        for inner in module:
            shape = expected_output_shape(inner, shape)
        return shape
    if isinstance(module, Linear):
        return (shape[0], module.output_dim)
    if isinstance(module, Conv1D):
        length = shape[1] + 2 * module.padding
        return (shape[0], (length - module.k_size) // module.stride + 1, module.chan_out)
    if isinstance(module, MaxPool1D):
        return (shape[0], (shape[1] - module.k_size) // module.stride + 1, shape[2])
    if isinstance(module, Flatten):
        return (shape[0], int(np.prod(shape[1:])))
    if isinstance(module, (TanH, Sigmoid, ReLU, Softmax, LogSoftmax)):
        return shape
    raise AssertionError(f"no shape rule for {module!r}")


# ---------------------------------------------------------------------------- modules


@dataclass(frozen=True)
class ModuleCase:
    """One registry entry: a name and a builder of ``(module, X)`` examples.

    ``build(draw, dtype)`` returns a module whose parameters (if any) have
    ``dtype`` and an input ``X`` of that dtype. ``param_names`` are the names
    ``named_parameters()`` yields.
    """

    id: str
    build: Callable[[DrawFn, Any], tuple[Module, Array]]
    param_names: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return self.id


@st.composite
def module_examples(
    draw: DrawFn, case: ModuleCase, dtype: Any = np.float64
) -> tuple[Module, Array]:
    """Draw one ``(module, X)`` example of a registry case."""
    return case.build(draw, dtype)


def _random_bias(draw: DrawFn, module: Module, dtype: Any) -> None:
    """Give the bias non-zero values (it starts at 0), so that a lost bias shows."""
    if "b" in module.parameters:
        b = module.parameters["b"]
        b[...] = draw(finite_arrays(b.shape, bound=0.5)).astype(dtype)


def _linear(bias: bool) -> Callable[[DrawFn, Any], tuple[Module, Array]]:
    def build(draw: DrawFn, dtype: Any) -> tuple[Module, Array]:
        n, d, d_out = draw(distinct_sizes(3))
        module = Linear(d, d_out, bias=bias, rng=draw(seeds), dtype=dtype)
        _random_bias(draw, module, dtype)
        return module, draw(finite_arrays((n, d))).astype(dtype)

    return build


def _elementwise(
    make: Callable[[], Module], condition: Callable[[Array], Array] | None = None
) -> Callable[[DrawFn, Any], tuple[Module, Array]]:
    def build(draw: DrawFn, dtype: Any) -> tuple[Module, Array]:
        rank = draw(st.sampled_from([2, 3]))
        shape = draw(distinct_sizes(rank))
        X = draw(finite_arrays(shape))
        if condition is not None:
            X = condition(X)
        return make(), X.astype(dtype)

    return build


def _conv(
    stride: int, bias: bool = True, padding: int = 0, chan_in: int | None = None
) -> Callable[[DrawFn, Any], tuple[Module, Array]]:
    """Conv1D cases; with ``padding`` the length may be shorter than the kernel (down to
    ``k - 2p``, at least 1); ``chan_in`` fixes the input channels (1: the first layer)."""

    fixed_in = chan_in
    assert fixed_in in (None, 1)

    def build(draw: DrawFn, dtype: Any) -> tuple[Module, Array]:
        n, chan_in, chan_out = draw(distinct_sizes(3))
        if fixed_in == 1:  # keep N and C' different from C = 1: the spare size replaces a 1
            n, chan_out = (chan_in if n == 1 else n), (chan_in if chan_out == 1 else chan_out)
            chan_in = 1
        k_size = draw(st.integers(1, 4))
        length = length_for(
            k_size, stride, draw(st.integers(1, 4)), draw(st.integers(0, stride - 1))
        )
        if padding:
            length = max(length - draw(st.integers(0, 2 * padding)), 1)
        module = Conv1D(
            k_size, chan_in, chan_out, stride, padding, bias=bias, rng=draw(seeds), dtype=dtype
        )
        _random_bias(draw, module, dtype)
        return module, draw(finite_arrays((n, length, chan_in))).astype(dtype)

    return build


def _maxpool(k_size: int, stride: int) -> Callable[[DrawFn, Any], tuple[Module, Array]]:
    def build(draw: DrawFn, dtype: Any) -> tuple[Module, Array]:
        n, chan = draw(distinct_sizes(2))
        length = length_for(
            k_size, stride, draw(st.integers(1, 4)), draw(st.integers(0, stride - 1))
        )
        X = distinct_along_length(draw(finite_arrays((n, length, chan))))
        return MaxPool1D(k_size, stride), X.astype(dtype)

    return build


def _flatten(draw: DrawFn, dtype: Any) -> tuple[Module, Array]:
    shape = draw(distinct_sizes(3))
    return Flatten(), draw(finite_arrays(shape)).astype(dtype)


def _mlp(draw: DrawFn, dtype: Any) -> tuple[Module, Array]:
    n, d, hidden, d_out = draw(distinct_sizes(4))
    rng = np.random.default_rng(draw(seeds))
    net = Sequential(
        Linear(d, hidden, rng=rng, dtype=dtype), TanH(), Linear(hidden, d_out, rng=rng, dtype=dtype)
    )
    _random_bias(draw, net[0], dtype)
    _random_bias(draw, net[2], dtype)
    return net, draw(finite_arrays((n, d))).astype(dtype)


def _smooth_convnet(draw: DrawFn, dtype: Any) -> tuple[Module, Array]:
    n, chan_in, chan_out, d_out = draw(distinct_sizes(4))
    k_size, stride = draw(st.integers(1, 3)), 2
    t_out = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(seeds))
    net = Sequential(
        Conv1D(k_size, chan_in, chan_out, stride, rng=rng, dtype=dtype),
        TanH(),
        Flatten(),
        Linear(t_out * chan_out, d_out, rng=rng, dtype=dtype),
    )
    _random_bias(draw, net[0], dtype)
    _random_bias(draw, net[3], dtype)
    length = length_for(k_size, stride, t_out, draw(st.integers(0, stride - 1)))
    return net, draw(finite_arrays((n, length, chan_in))).astype(dtype)


MODULE_CASES: list[ModuleCase] = [
    ModuleCase("linear", _linear(bias=True), ("W", "b")),
    ModuleCase("linear_no_bias", _linear(bias=False), ("W",)),
    ModuleCase("tanh", _elementwise(TanH)),
    ModuleCase("sigmoid", _elementwise(Sigmoid)),
    ModuleCase("relu", _elementwise(ReLU, away_from_zero)),
    ModuleCase("softmax", _elementwise(Softmax)),
    ModuleCase("logsoftmax", _elementwise(LogSoftmax)),
    ModuleCase("sequential_mlp", _mlp, ("0.W", "0.b", "2.W", "2.b")),
    ModuleCase("sequential_convnet", _smooth_convnet, ("0.W", "0.b", "3.W", "3.b")),
    ModuleCase("conv1d_stride1", _conv(1), ("W", "b")),
    ModuleCase("conv1d_stride2", _conv(2), ("W", "b")),
    ModuleCase("conv1d_stride3", _conv(3), ("W", "b")),
    ModuleCase("conv1d_stride2_no_bias", _conv(2, bias=False), ("W",)),
    ModuleCase("conv1d_one_channel_stride1", _conv(1, chan_in=1), ("W", "b")),
    ModuleCase("conv1d_one_channel_stride2_padding1", _conv(2, padding=1, chan_in=1), ("W", "b")),
    ModuleCase("conv1d_stride1_padding1", _conv(1, padding=1), ("W", "b")),
    ModuleCase("conv1d_stride2_padding2", _conv(2, padding=2), ("W", "b")),
    ModuleCase("conv1d_stride3_padding1_no_bias", _conv(3, bias=False, padding=1), ("W",)),
    ModuleCase("maxpool_k3_s2_overlap", _maxpool(3, 2)),
    ModuleCase("maxpool_k2_s2", _maxpool(2, 2)),
    ModuleCase("maxpool_k2_s3_gaps", _maxpool(2, 3)),
    ModuleCase("flatten", _flatten),
]
PARAM_CASES = [case for case in MODULE_CASES if case.param_names]
# Modules whose constructor takes dtype= (the others have no parameters of their own).
DTYPE_ARGUMENT = (Linear, Conv1D)

# ---------------------------------------------------------------------------- losses


@dataclass(frozen=True)
class LossCase:
    """One loss entry: ``build(draw, dtype)`` returns ``(loss, y, yhat)``."""

    id: str
    build: Callable[[DrawFn, Any], tuple[Loss, Array, Array]]

    def __repr__(self) -> str:
        return self.id


@st.composite
def loss_examples(
    draw: DrawFn, case: LossCase, dtype: Any = np.float64
) -> tuple[Loss, Array, Array]:
    """Draw one ``(loss, y, yhat)`` example of a loss case."""
    return case.build(draw, dtype)


def _prediction_shape(draw: DrawFn) -> tuple[int, ...]:
    rank = draw(st.sampled_from([1, 2, 3]))
    return draw(distinct_sizes(rank))


def _mse(draw: DrawFn, dtype: Any) -> tuple[Loss, Array, Array]:
    shape = _prediction_shape(draw)
    yhat = draw(finite_arrays(shape, bound=2.0))
    # The target differs from the prediction by at least 0.1 in every entry: at
    # yhat == y the gradient is 0 and a relative error measures rounding only.
    y = yhat - away_from_zero(draw(finite_arrays(shape)), gap=0.1)
    return MSELoss(), y.astype(dtype), yhat.astype(dtype)


def _probabilities(draw: DrawFn, shape: tuple[int, ...]) -> Array:
    """Probabilities in [0.05, 0.95], where the BCE gradient is well conditioned."""
    return 0.5 + 0.9 * draw(finite_arrays(shape, bound=0.5))


def _bce_hard(draw: DrawFn, dtype: Any) -> tuple[Loss, Array, Array]:
    shape = _prediction_shape(draw)
    y = draw(hnp.arrays(np.bool_, shape)).astype(np.float64)
    return BCELoss(), y.astype(dtype), _probabilities(draw, shape).astype(dtype)


def _bce_soft(draw: DrawFn, dtype: Any) -> tuple[Loss, Array, Array]:
    shape = _prediction_shape(draw)
    yhat = _probabilities(draw, shape)
    y = 0.5 + draw(finite_arrays(shape, bound=0.5))
    # Soft targets at least 0.05 away from the prediction (see _mse).
    y = np.where(np.abs(y - yhat) < 0.05, np.where(yhat > 0.5, 0.0, 1.0), y)
    return BCELoss(), y.astype(dtype), yhat.astype(dtype)


def _labels(draw: DrawFn) -> tuple[Array, int]:
    n, k = draw(distinct_sizes(2))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    return labels, k


def _ce_labels(draw: DrawFn, dtype: Any) -> tuple[Loss, Array, Array]:
    labels, k = _labels(draw)
    logits = draw(finite_arrays((labels.size, k), bound=2.0))
    return CrossEntropyLoss(), labels, logits.astype(dtype)


def _ce_one_hot(draw: DrawFn, dtype: Any) -> tuple[Loss, Array, Array]:
    labels, k = _labels(draw)
    logits = draw(finite_arrays((labels.size, k), bound=2.0))
    return CrossEntropyLoss(), np.eye(k)[labels].astype(dtype), logits.astype(dtype)


def _ce_probabilities(draw: DrawFn, dtype: Any) -> tuple[Loss, Array, Array]:
    labels, k = _labels(draw)
    logits = draw(finite_arrays((labels.size, k), bound=2.0))
    weights = 0.5 + draw(finite_arrays((labels.size, k), bound=0.49))
    # Mostly one class, some mass on the others: rows sum to 1 and are never uniform.
    y = 0.75 * np.eye(k)[labels] + 0.25 * weights / weights.sum(axis=1, keepdims=True)
    return CrossEntropyLoss(), y.astype(dtype), logits.astype(dtype)


LOSS_CASES: list[LossCase] = [
    LossCase("mse", _mse),
    LossCase("bce_hard_targets", _bce_hard),
    LossCase("bce_soft_targets", _bce_soft),
    LossCase("cross_entropy_labels", _ce_labels),
    LossCase("cross_entropy_one_hot", _ce_one_hot),
    LossCase("cross_entropy_probabilities", _ce_probabilities),
]
