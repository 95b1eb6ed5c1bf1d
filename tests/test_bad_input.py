"""Bad calls: each raises ValueError or TypeError naming what was expected and what came.

One table row per bad call. The test builds a fresh target, fills its
gradients with non-zero values, snapshots its parameters, gradients (and an
optimiser's state) and every argument array, makes the call, checks the
exception and its message, and then checks that nothing was changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from mathnn import (
    SGD,
    Adam,
    BCELoss,
    Conv1D,
    CrossEntropyLoss,
    Flatten,
    Linear,
    LogSoftmax,
    MaxPool1D,
    Module,
    MSELoss,
    Optimizer,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    TanH,
    accuracy,
    fit,
    gradcheck,
    jacobian,
    numerical_gradient,
    numerical_jacobian,
    predict,
    relative_error,
)


@dataclass
class Call:
    """A bad call: ``function(*args, **kwargs)``; ``target`` is the object whose state must
    survive (a module, or an optimiser and its module), ``None`` for a constructor."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    target: Any = None


def method(target: Any, name: str, *args: Any, **kwargs: Any) -> Call:
    return Call(getattr(target, name), args, kwargs, target)


def call_of(make: Callable[[], Any], name: str, *args: Any) -> Callable[[], Call]:
    """The bad call ``make().name(*args)``, on a fresh target each time."""
    return lambda: method(make(), name, *args)


def normal(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape)


def with_nan(array: np.ndarray, value: float = np.nan) -> np.ndarray:
    array = array.copy()
    array.flat[array.size // 2] = value
    return array


# Targets. Shapes are never square: N = 5 everywhere.
def linear(bias: bool = True) -> Linear:
    return Linear(3, 2, bias=bias, rng=0)  # X (5, 3) -> (5, 2)


def conv() -> Conv1D:
    return Conv1D(3, 2, 6, stride=2, rng=0)  # X (5, 9, 2) -> (5, 4, 6)


def pool() -> MaxPool1D:
    return MaxPool1D(3, 2)  # X (5, 9, 3) -> (5, 4, 3)


def mlp() -> Sequential:
    return Sequential(Linear(4, 3, rng=0), TanH(), Linear(3, 2, rng=1))  # X (5, 4) -> (5, 2)


def empty_after_forward() -> Sequential:
    net = Sequential()
    net.forward(normal(5, 4))
    return net


def mlp_after_forward() -> Sequential:
    net = mlp()
    net.forward(normal(5, 4))
    return net


LABELS = np.array([0, 2, 1, 1, 0])  # N = 5 samples, k = 3 classes
LOGITS = normal(5, 3)
PROBS = np.full((5, 3), 0.4)


def sgd(**kwargs: Any) -> Call:
    return Call(SGD, (mlp(),), kwargs)


def adam(**kwargs: Any) -> Call:
    return Call(Adam, (mlp(),), kwargs)


def fit_call(X: np.ndarray, y: np.ndarray, **kwargs: Any) -> Call:
    net = mlp()
    optimizer = SGD(net, lr=0.1, momentum=0.9)
    return Call(fit, (net, CrossEntropyLoss(), optimizer, X, y), kwargs, optimizer)


def fit_with(**overrides: Any) -> Call:
    """``fit`` on a fresh MLP, with some of its arguments replaced."""
    net = mlp()
    arguments: dict[str, Any] = {
        "model": net,
        "loss": CrossEntropyLoss(),
        "optimizer": SGD(net, lr=0.1, momentum=0.9),
        "X": normal(10, 4),
        "y": LABELS.repeat(2),
    }
    arguments.update(overrides)
    return Call(fit, (), arguments, net)


def row(call: Callable[[], Call], error: type[Exception], match: str, case_id: str) -> Any:
    return pytest.param(call, error, match, id=case_id)


V, T = ValueError, TypeError

STEP = "expected gradient_step to be a finite real number > 0, got"
# Bad step sizes: (value, error, how the message shows it)
BAD_STEPS = [
    (float("nan"), V, "nan"), (float("inf"), V, "inf"), (-float("inf"), V, "-inf"),
    (0.0, V, r"0\.0"), (-0.1, V, r"-0\.1"), (None, T, "None"), ("0.1", T, r"'0\.1'"),
    (1j, T, r"1j"), (True, T, "True"), (np.float64(np.nan), V, r"np\.float64\(nan\)"),
]  # fmt: skip
NOT_REAL = r"expected {} to be a real numeric array, got dtype {}"

# fmt: off
BAD_CALLS = [
    # ---- Linear: rank, width, dtype, finiteness
    row(lambda: method(linear(), "forward", normal(3)), V,
        r"Linear\.forward: expected X with 2 dimensions \(batch, features\), got shape \(3,\)",
        "linear_forward_rank1"),
    row(lambda: method(linear(), "forward", normal(5, 3, 1)), V,
        r"expected X with 2 dimensions.*got shape \(5, 3, 1\)", "linear_forward_rank3"),
    row(lambda: method(linear(), "forward", np.float64(2.0)), V,
        r"expected X with 2 dimensions.*got shape \(\)", "linear_forward_scalar"),
    row(lambda: method(linear(), "forward", normal(5, 4)), V,
        r"expected X with 3 features \(axis 1\), got 4 in shape \(5, 4\)",
        "linear_forward_wrong_features"),
    row(lambda: method(linear(), "forward", np.full((5, 3), "a")), T,
        NOT_REAL.format("X", "<U1"), "linear_forward_strings"),
    row(lambda: method(linear(), "forward", np.ones((5, 3), dtype=object)), T,
        NOT_REAL.format("X", "object"), "linear_forward_object_array"),
    row(lambda: method(linear(), "forward", np.ones((5, 3), dtype=complex)), T,
        NOT_REAL.format("X", "complex128"), "linear_forward_complex"),
    row(lambda: method(linear(), "forward", np.ones((5, 3), dtype=bool)), T,
        NOT_REAL.format("X", "bool"), "linear_forward_bool"),
    row(lambda: method(linear(), "forward", with_nan(normal(5, 3))), V,
        r"expected finite values in X, got 1 NaN or infinite entry in shape \(5, 3\)",
        "linear_forward_nan"),
    row(lambda: method(linear(), "forward", with_nan(normal(5, 3), np.inf)), V,
        r"expected finite values in X, got 1 NaN or infinite entry", "linear_forward_inf"),
    row(lambda: method(linear(), "backward_delta", normal(5, 3), normal(5, 3)), V,
        r"Linear\.backward_delta: expected delta of shape \(5, 2\), got \(5, 3\)",
        "linear_backward_delta_wrong_width"),
    row(lambda: method(linear(), "backward_delta", normal(5, 3), normal(4, 2)), V,
        r"expected delta of shape \(5, 2\), got \(4, 2\)", "linear_backward_delta_wrong_batch"),
    row(lambda: method(linear(), "backward_delta", normal(5, 3), normal(10)), V,
        r"expected delta with 2 dimensions, got shape \(10,\)", "linear_backward_delta_rank1"),
    row(lambda: method(linear(), "backward_delta", normal(5, 4), normal(5, 2)), V,
        r"expected X with 3 features \(axis 1\), got 4", "linear_backward_delta_wrong_X"),
    row(lambda: method(linear(), "backward_update_gradient", normal(5, 3), normal(5, 3)), V,
        r"Linear\.backward_update_gradient: expected delta of shape \(5, 2\), got \(5, 3\)",
        "linear_update_gradient_wrong_delta"),
    row(lambda: method(linear(False), "backward_update_gradient", normal(5, 3), normal(2, 5)), V,
        r"expected delta of shape \(5, 2\), got \(2, 5\)",
        "linear_no_bias_update_gradient_transposed_delta"),
    row(lambda: method(linear(), "backward_update_gradient", normal(5, 3),
                       with_nan(normal(5, 2))), V,
        r"expected finite values in delta, got 1 NaN", "linear_update_gradient_nan_delta"),
    row(lambda: method(linear(), "backward_update_gradient", normal(5, 2), normal(5, 2)), V,
        r"expected X with 3 features \(axis 1\), got 2", "linear_update_gradient_wrong_X"),
    row(lambda: method(linear(), "backward_update_gradient", normal(5, 3),
                       np.full((5, 2), "x")), T,
        NOT_REAL.format("delta", "<U1"), "linear_update_gradient_string_delta"),
    row(lambda: method(Linear(3, 2, dtype=np.float32), "forward", np.full((5, 3), 1e300)), V,
        r"Linear\.forward: expected X within the range of float32, got 15 entries beyond it "
        r"\(largest 1e\+300\)", "linear_float32_forward_overflow"),
    row(lambda: method(Conv1D(3, 2, 6, stride=2, dtype=np.float32), "backward_update_gradient",
                       normal(5, 9, 2), np.full((5, 4, 6), -1e39)), V,
        r"expected delta within the range of float32, got 120 entries beyond it",
        "conv_float32_update_gradient_overflow"),
    # ---- constructors
    row(lambda: Call(Linear, (0, 2)), V, r"Linear: expected input_dim to be an int >= 1, got 0",
        "linear_zero_input_dim"),
    row(lambda: Call(Linear, (3, -1)), V, r"expected output_dim to be an int >= 1, got -1",
        "linear_negative_output_dim"),
    row(lambda: Call(Linear, (3.0, 2)), T, r"expected input_dim to be an int >= 1, got 3\.0",
        "linear_float_input_dim"),
    row(lambda: Call(Linear, ("3", 2)), T, r"expected input_dim to be an int >= 1, got '3'",
        "linear_string_input_dim"),
    row(lambda: Call(Linear, (3, 2), {"dtype": np.int32}), T,
        r"Linear: expected dtype float32 or float64, got int32", "linear_int_dtype"),
    row(lambda: Call(Linear, (3, 2), {"dtype": np.float16}), T,
        r"expected dtype float32 or float64, got float16", "linear_float16_dtype"),
    row(lambda: Call(Linear, (3, 2), {"dtype": "banana"}), T,
        r"Linear: expected dtype float32 or float64, got 'banana'", "linear_unknown_dtype"),
    row(lambda: Call(Linear, (3, 2), {"init": "glorot"}), V,
        r"expected init to be one of \('xavier', 'he'\), got 'glorot'", "linear_bad_init"),
    row(lambda: Call(Linear, (3, 2), {"rng": "seed"}), T,
        r"expected rng to be a numpy Generator, an int seed or None, got 'seed'",
        "linear_bad_rng"),
    row(lambda: Call(Conv1D, (0, 2, 3)), V, r"Conv1D: expected k_size to be an int >= 1, got 0",
        "conv_zero_k_size"),
    row(lambda: Call(Conv1D, (3, 2, 3), {"stride": 0}), V,
        r"expected stride to be an int >= 1, got 0", "conv_zero_stride"),
    row(lambda: Call(Conv1D, (3, 2, 3), {"stride": 1.5}), T,
        r"expected stride to be an int >= 1, got 1\.5", "conv_float_stride"),
    row(lambda: Call(Conv1D, (True, 2, 3)), T, r"expected k_size to be an int >= 1, got True",
        "conv_bool_k_size"),
    row(lambda: Call(Conv1D, (3, 0, 3)), V, r"expected chan_in to be an int >= 1, got 0",
        "conv_zero_chan_in"),
    row(lambda: Call(Conv1D, (3, 2, -4)), V, r"expected chan_out to be an int >= 1, got -4",
        "conv_negative_chan_out"),
    row(lambda: Call(Conv1D, (3, 2, 4), {"dtype": np.int64}), T,
        r"Conv1D: expected dtype float32 or float64, got int64", "conv_int_dtype"),
    row(lambda: Call(Conv1D, (3, 2, 4), {"init": "normal"}), V,
        r"expected init to be one of \('xavier', 'he'\), got 'normal'", "conv_bad_init"),
    row(lambda: Call(MaxPool1D, (0, 2)), V,
        r"MaxPool1D: expected k_size to be an int >= 1, got 0", "maxpool_zero_k_size"),
    row(lambda: Call(MaxPool1D, (2, -1)), V, r"expected stride to be an int >= 1, got -1",
        "maxpool_negative_stride"),
    row(lambda: Call(MaxPool1D, (2.0, 2)), T, r"expected k_size to be an int >= 1, got 2\.0",
        "maxpool_float_k_size"),
    row(lambda: Call(MaxPool1D, (2,)), T, r"missing 1 required positional argument: 'stride'",
        "maxpool_missing_stride"),
    row(lambda: Call(Sequential, (Linear(3, 2), "tanh")), T,
        r"Sequential: expected Module instances, got str at position 1",
        "sequential_non_module"),
    # ---- Conv1D calls
    row(lambda: method(conv(), "forward", normal(5, 9)), V,
        r"Conv1D\.forward: expected X with 3 dimensions \(batch, length, channels\), "
        r"got shape \(5, 9\)", "conv_forward_rank2"),
    row(lambda: method(conv(), "forward", normal(5, 9, 3)), V,
        r"expected X with 2 channels \(axis 2\), got 3 in shape \(5, 9, 3\)",
        "conv_forward_wrong_channels"),
    row(lambda: method(conv(), "forward", normal(5, 2, 2)), V,
        r"Conv1D\.forward: expected X with at least 3 positions \(axis 1\) for k_size = 3, "
        r"got 2 in shape \(5, 2, 2\)", "conv_forward_too_short"),
    row(lambda: method(conv(), "forward", np.ones((5, 9, 2), dtype=complex)), T,
        NOT_REAL.format("X", "complex128"), "conv_forward_complex"),
    row(lambda: method(conv(), "backward_delta", normal(5, 9, 2), normal(5, 3, 6)), V,
        r"Conv1D\.backward_delta: expected delta of shape \(5, 4, 6\), got \(5, 3, 6\)",
        "conv_backward_delta_wrong_length"),
    row(lambda: method(conv(), "backward_update_gradient", normal(5, 9, 2), normal(5, 4, 2)), V,
        r"expected delta of shape \(5, 4, 6\), got \(5, 4, 2\)",
        "conv_update_gradient_wrong_channels"),
    row(lambda: method(conv(), "backward_update_gradient", normal(5, 9, 2),
                       with_nan(normal(5, 4, 6), np.inf)), V,
        r"expected finite values in delta, got 1 NaN or infinite entry",
        "conv_update_gradient_inf_delta"),
    row(lambda: method(conv(), "backward_update_gradient", normal(5, 9, 2), normal(5, 24)), V,
        r"expected delta with 3 dimensions, got shape \(5, 24\)",
        "conv_update_gradient_flat_delta"),
    row(lambda: method(conv(), "backward_update_gradient", with_nan(normal(5, 9, 2)),
                       normal(5, 4, 6)), V,
        r"expected finite values in X", "conv_update_gradient_nan_X"),
    # ---- MaxPool1D and Flatten calls
    row(lambda: method(pool(), "forward", normal(5, 2, 3)), V,
        r"MaxPool1D\.forward: expected X with at least 3 positions \(axis 1\) for k_size = 3, "
        r"got 2",
        "maxpool_forward_too_short"),
    row(lambda: method(pool(), "forward", normal(5, 9)), V,
        r"expected X with 3 dimensions \(batch, length, channels\), got shape \(5, 9\)",
        "maxpool_forward_rank2"),
    row(lambda: method(pool(), "backward_delta", normal(5, 9, 3), normal(5, 4, 2)), V,
        r"MaxPool1D\.backward_delta: expected delta of shape \(5, 4, 3\), got \(5, 4, 2\)",
        "maxpool_backward_delta_wrong_shape"),
    row(lambda: method(pool(), "backward_delta", with_nan(normal(5, 9, 3)), normal(5, 4, 3)), V,
        r"expected finite values in X", "maxpool_backward_nan_X"),
    row(lambda: method(Flatten(), "forward", normal(5)), V,
        r"Flatten\.forward: expected X with 3 dimensions \(batch, length, channels\), "
        r"got shape \(5,\)",
        "flatten_forward_rank1"),
    row(lambda: method(Flatten(), "backward_delta", normal(5, 4, 3), normal(5, 11)), V,
        r"Flatten\.backward_delta: expected delta of shape \(5, 12\), got \(5, 11\)",
        "flatten_backward_delta_wrong_width"),
    row(lambda: method(Flatten(), "forward", np.full((5, 4, 3), "x")), T,
        NOT_REAL.format("X", "<U1"), "flatten_forward_strings"),
    # ---- activations
    *[
        row(lambda m=m: method(m(), "backward_delta", normal(5, 3), normal(5, 4)), V,  # type: ignore[misc]
            rf"{m.__name__}\.backward_delta: expected delta with the shape of X \(5, 3\), "
            r"got \(5, 4\)", f"{m.__name__.lower()}_backward_delta_wrong_shape")
        for m in (TanH, Sigmoid, ReLU, Softmax, LogSoftmax)
    ],
    *[
        row(lambda m=m: method(m(), "backward_delta_from_output", normal(5, 3), normal(5, 2),  # type: ignore[misc]
                               normal(5, 3)), V,
            rf"{m.__name__}\.backward_delta_from_output: expected Z with the shape of X "
            r"\(5, 3\), got \(5, 2\)", f"{m.__name__.lower()}_from_output_wrong_output_shape")
        for m in (TanH, Sigmoid, Softmax, LogSoftmax)
    ],
    row(lambda: method(TanH(), "backward_delta_from_output", normal(5, 3), normal(5, 3),
                       normal(5, 4)), V,
        r"TanH\.backward_delta_from_output: expected delta with the shape of X \(5, 3\), "
        r"got \(5, 4\)", "tanh_from_output_wrong_delta_shape"),
    row(lambda: method(Sigmoid(), "backward_delta_from_output", normal(5, 3),
                       with_nan(normal(5, 3)), normal(5, 3)), V,
        r"Sigmoid\.backward_delta_from_output: expected finite values in Z, got 1 NaN",
        "sigmoid_from_output_nan_output"),
    row(lambda: method(TanH(), "forward", with_nan(normal(5, 3))), V,
        r"TanH\.forward: expected finite values in X, got 1 NaN", "tanh_forward_nan"),
    row(lambda: method(ReLU(), "backward_delta", normal(5, 3), with_nan(normal(5, 3))), V,
        r"ReLU\.backward_delta: expected finite values in delta", "relu_backward_nan_delta"),
    row(lambda: method(Sigmoid(), "forward", np.ones((5, 3), dtype=object)), T,
        NOT_REAL.format("X", "object"), "sigmoid_forward_object_array"),
    row(lambda: method(TanH(), "forward", np.float64(1.0)), V,
        r"TanH\.forward: expected X with 1 to 7 dimensions \(batch, \.\.\.\), got shape \(\)",
        "tanh_forward_scalar"),
    row(lambda: method(Softmax(), "forward", normal(5)), V,
        r"Softmax\.forward: expected X with 2 to 7 dimensions \(batch, \.\.\., classes\), "
        r"got shape \(5,\)", "softmax_forward_rank1"),
    row(lambda: method(LogSoftmax(), "forward", normal(5)), V,
        r"expected X with 2 to 7 dimensions.*got shape \(5,\)", "logsoftmax_forward_rank1"),
    # ---- Sequential
    row(lambda: method(mlp(), "backward_delta", normal(5, 4), normal(5, 2)), V,
        r"Sequential\.backward_delta: expected a call to forward\(X\) first, got none",
        "sequential_backward_delta_before_forward"),
    row(lambda: method(mlp(), "backward_update_gradient", normal(5, 4), normal(5, 2)), V,
        r"Sequential\.backward_update_gradient: expected a call to forward\(X\) first, got none",
        "sequential_update_gradient_before_forward"),
    row(lambda: method(mlp_after_forward(), "backward_update_gradient", normal(5, 4, seed=1),
                       normal(5, 2)), V,
        r"expected the X of the last forward \(shape \(5, 4\)\), got a different array",
        "sequential_update_gradient_other_X"),
    row(lambda: method(mlp_after_forward(), "backward_update_gradient", normal(5, 4),
                       normal(5, 3)), V,
        r"expected delta of shape \(5, 2\), got \(5, 3\)",
        "sequential_update_gradient_wrong_delta"),
    row(lambda: method(mlp_after_forward(), "backward_update_gradient", normal(5, 4),
                       with_nan(normal(5, 2))), V,
        r"expected finite values in delta", "sequential_update_gradient_nan_delta"),
    row(lambda: method(mlp_after_forward(), "backward_delta", normal(5, 4), normal(2, 5)), V,
        r"expected delta of shape \(5, 2\), got \(2, 5\)", "sequential_backward_delta_transposed"),
    row(lambda: method(mlp(), "forward", normal(5, 3)), V,
        r"Linear\.forward: expected X with 4 features \(axis 1\), got 3",
        "sequential_forward_wrong_features"),
    # ---- MSELoss and BCELoss
    row(lambda: method(MSELoss(), "forward", normal(5, 3), normal(5, 2)), V,
        r"MSELoss\.forward: expected y with the shape of yhat \(5, 2\), got \(5, 3\)",
        "mse_forward_shape_mismatch"),
    row(lambda: method(MSELoss(), "backward", normal(5), normal(5, 1)), V,
        r"MSELoss\.backward: expected y with the shape of yhat \(5, 1\), got \(5,\)",
        "mse_backward_no_broadcast"),
    row(lambda: method(MSELoss(), "forward", with_nan(normal(5, 2)), normal(5, 2)), V,
        r"expected finite values in y, got 1 NaN", "mse_y_nan"),
    row(lambda: method(MSELoss(), "backward", normal(5, 2), with_nan(normal(5, 2), -np.inf)), V,
        r"expected finite values in yhat, got 1 NaN or infinite entry", "mse_yhat_inf"),
    row(lambda: method(MSELoss(), "forward", normal(5, 2), np.full((5, 2), "0.5")), T,
        NOT_REAL.format("yhat", "<U3"), "mse_yhat_strings"),
    row(lambda: method(MSELoss(), "forward", np.float64(1.0), np.float64(1.0)), V,
        r"expected yhat with 1 to 7 dimensions.*got shape \(\)", "mse_scalar"),
    row(lambda: method(BCELoss(), "forward", PROBS, np.full((5, 3), 1.2)), V,
        r"BCELoss\.forward: expected yhat in \[0, 1\], got values in \[1\.2, 1\.2\]",
        "bce_yhat_above_one"),
    row(lambda: method(BCELoss(), "backward", PROBS, PROBS - 0.5), V,
        r"BCELoss\.backward: expected yhat in \[0, 1\], got values in \[-0\.1, -0\.1\]",
        "bce_yhat_negative"),
    row(lambda: method(BCELoss(), "forward", PROBS + 1.0, PROBS), V,
        r"expected y in \[0, 1\], got values in \[1\.4, 1\.4\]", "bce_y_above_one"),
    row(lambda: method(BCELoss(), "forward", PROBS[:, :2], PROBS), V,
        r"expected y with the shape of yhat \(5, 3\), got \(5, 2\)", "bce_shape_mismatch"),
    row(lambda: method(BCELoss(), "forward", PROBS, with_nan(PROBS)), V,
        r"expected finite values in yhat, got 1 NaN", "bce_yhat_nan"),
    # ---- CrossEntropyLoss
    row(lambda: method(CrossEntropyLoss(), "forward", np.array([0, 3, 1, 1, 0]), LOGITS), V,
        r"CrossEntropyLoss\.forward: expected integer labels in \[0, 2\] \(3 classes, from "
        r"yhat\.shape\[1\]\), got values in \[0, 3\]",
        "cross_entropy_label_out_of_range"),
    row(lambda: method(CrossEntropyLoss(), "backward", np.array([0, -1, 1, 1, 0]), LOGITS), V,
        r"CrossEntropyLoss\.backward: expected integer labels in \[0, 2\] \(3 classes, from "
        r"yhat\.shape\[1\]\), got values in \[-1, 1\]", "cross_entropy_negative_label"),
    row(lambda: method(CrossEntropyLoss(), "value_and_gradient", np.array([0, 3, 1, 1, 0]),
                       LOGITS), V,
        r"CrossEntropyLoss\.value_and_gradient: expected integer labels in \[0, 2\] "
        r"\(3 classes, from yhat\.shape\[1\]\), got values in \[0, 3\]",
        "cross_entropy_value_and_gradient_label_out_of_range"),
    row(lambda: method(MSELoss(), "value_and_gradient", PROBS[:, :2], PROBS), V,
        r"MSELoss\.value_and_gradient: expected y with the shape of yhat \(5, 3\), got \(5, 2\)",
        "mse_value_and_gradient_shape_mismatch"),
    row(lambda: method(CrossEntropyLoss(), "forward", LABELS.astype(float), LOGITS), T,
        r"expected y as integer class labels of shape \(5,\) or one-hot of shape \(5, 3\), "
        r"got dtype float64 with shape \(5,\)", "cross_entropy_float_labels"),
    row(lambda: method(CrossEntropyLoss(), "forward", LABELS.astype(bool), LOGITS), T,
        r"expected y as integer class labels.*got dtype bool", "cross_entropy_bool_labels"),
    row(lambda: method(CrossEntropyLoss(), "forward", LABELS[:4], LOGITS), V,
        r"expected y with 5 labels \(axis 0\), got 4", "cross_entropy_too_few_labels"),
    row(lambda: method(CrossEntropyLoss(), "forward", np.eye(4)[LABELS], LOGITS), V,
        r"expected y \(one-hot\) with the shape of yhat \(logits\) \(5, 3\), got \(5, 4\)",
        "cross_entropy_one_hot_wrong_width"),
    row(lambda: method(CrossEntropyLoss(), "backward", np.eye(3)[LABELS][:4], LOGITS), V,
        r"expected y \(one-hot\) with the shape of yhat \(logits\) \(5, 3\), got \(4, 3\)",
        "cross_entropy_one_hot_wrong_batch"),
    row(lambda: method(CrossEntropyLoss(), "forward", LABELS, LOGITS[0]), V,
        r"expected yhat \(logits\) with 2 dimensions \(batch, classes\), got shape \(3,\)",
        "cross_entropy_logits_rank1"),
    row(lambda: method(CrossEntropyLoss(), "forward", LABELS, with_nan(LOGITS)), V,
        r"expected finite values in yhat \(logits\), got 1 NaN", "cross_entropy_logits_nan"),
    row(lambda: method(CrossEntropyLoss(), "forward", with_nan(np.eye(3)[LABELS]), LOGITS), V,
        r"expected finite values in y, got 1 NaN", "cross_entropy_one_hot_nan"),
    row(lambda: method(CrossEntropyLoss(), "forward", -np.eye(3)[LABELS], LOGITS), V,
        r"expected y \(one-hot or class probabilities\) in \[0, inf\), got values in \[-1, 0\]",
        "cross_entropy_negative_one_hot"),
    row(lambda: method(CrossEntropyLoss(), "forward", LABELS.reshape(5, 1, 1), LOGITS), V,
        r"expected y with 2 dimensions \(batch, classes\), got shape \(5, 1, 1\)",
        "cross_entropy_labels_rank3"),
    # ---- optimisers
    row(lambda: sgd(lr=0), V, r"SGD: expected lr to be a finite real number > 0, got 0",
        "sgd_zero_lr"),
    row(lambda: sgd(lr=-0.1), V, r"SGD: expected lr to be a finite real number > 0, got -0\.1",
        "sgd_negative_lr"),
    row(lambda: sgd(lr=float("nan")), V, r"expected lr to be a finite real number > 0, got nan",
        "sgd_nan_lr"),
    row(lambda: sgd(lr=float("inf")), V, r"expected lr to be a finite real number > 0, got inf",
        "sgd_inf_lr"),
    row(lambda: sgd(lr="0.1"), T, r"expected lr to be a finite real number > 0, got '0\.1'",
        "sgd_string_lr"),
    row(lambda: sgd(momentum=1.0), V,
        r"SGD: expected momentum to be a real number in \[0, 1\), got 1\.0",
        "sgd_momentum_one"),
    row(lambda: sgd(momentum=-0.5), V,
        r"expected momentum to be a real number in \[0, 1\), got -0\.5",
        "sgd_negative_momentum"),
    row(lambda: sgd(momentum="0.9"), T,
        r"expected momentum to be a real number in \[0, 1\), got '0\.9'",
        "sgd_string_momentum"),
    row(lambda: Call(SGD, ("net",)), T, r"SGD: expected a Module, got str", "sgd_not_a_module"),
    row(lambda: adam(lr=0.0), V, r"Adam: expected lr to be a finite real number > 0, got 0\.0",
        "adam_zero_lr"),
    row(lambda: adam(betas=(0.9, 1.0)), V,
        r"Adam: expected betas\[1\] to be a real number in \[0, 1\), got 1\.0",
        "adam_beta2_one"),
    row(lambda: adam(betas=(-0.1, 0.999)), V,
        r"expected betas\[0\] to be a real number in \[0, 1\), got -0\.1",
        "adam_negative_beta1"),
    row(lambda: adam(betas=(0.9,)), T, r"expected betas to be a pair \(a, b\), got \(0\.9,\)",
        "adam_one_beta"),
    row(lambda: adam(betas=0.9), T, r"expected betas to be a pair \(a, b\), got 0\.9",
        "adam_betas_not_a_pair"),
    row(lambda: adam(eps=float("inf")), V, r"expected eps to be a finite real number >= 0, got inf",
        "adam_inf_eps"),
    row(lambda: adam(eps=-1e-8), V,
        r"Adam: expected eps to be a finite real number >= 0, got -1e-08",
        "adam_negative_eps"),
    # ---- training helpers
    row(lambda: fit_call(normal(10, 4), LABELS[:4].repeat(2)), V,
        r"fit: expected as many targets in y as inputs in X \(10\), got 8", "fit_length_mismatch"),
    row(lambda: fit_call(normal(10, 4), LABELS.repeat(2), epochs=0), V,
        r"fit: expected epochs to be an int >= 1, got 0", "fit_zero_epochs"),
    row(lambda: fit_call(normal(10, 4), LABELS.repeat(2), batch_size=2.5), T,
        r"fit: expected batch_size to be an int >= 1, got 2\.5", "fit_float_batch_size"),
    row(lambda: fit_call(normal(10, 3), LABELS.repeat(2)), V,
        r"Linear\.forward: expected X with 4 features \(axis 1\), got 3", "fit_wrong_features"),
    row(lambda: fit_call(with_nan(normal(10, 4)), LABELS.repeat(2)), V,
        r"fit: expected finite values in X, got 1 NaN or infinite entry in shape \(10, 4\)",
        "fit_nan_in_X"),
    row(lambda: fit_call(normal(10, 4), with_nan(np.eye(3)[LABELS.repeat(2)])), V,
        r"fit: expected finite values in y, got 1 NaN or infinite entry in shape \(10, 3\)",
        "fit_nan_in_one_hot_y"),
    row(lambda: Call(predict, (mlp(), normal(5, 4)), {"batch_size": 0}), V,
        r"predict: expected batch_size to be an int >= 1, got 0", "predict_zero_batch_size"),
    row(lambda: Call(accuracy, (mlp(), normal(5, 4), LABELS[:3])), V,
        r"accuracy: expected 5 labels, got y of shape \(3,\)", "accuracy_label_count"),
    # ---- gradient checking
    row(lambda: Call(jacobian, (linear(), normal(5, 3)), {"wrt": "Q"}), V,
        r"jacobian: expected wrt to be 'X' or one of \['W', 'b'\], got 'Q'", "jacobian_bad_wrt"),
    row(lambda: Call(gradcheck, (MSELoss(), normal(5, 2))), V,
        r"gradcheck: expected the target y for a Loss, got None", "gradcheck_loss_without_y"),
    row(lambda: Call(gradcheck, (Linear(3, 2, dtype=np.float32), normal(5, 3))), T,
        r"gradcheck: expected float64 parameters, got float32 for 'W'", "gradcheck_float32"),
    row(lambda: Call(relative_error, (normal(5, 2), normal(2, 5))), V,
        r"relative_error: expected equal shapes, got \(5, 2\) and \(2, 5\)",
        "relative_error_shapes"),
    # ---- step sizes: every module and Sequential, each bad value
    *[
        row(call_of(make, "update_parameters", value), error,
            rf"{name}\.update_parameters: {STEP} {shown}$",
            f"{name.lower()}_update_parameters_{case}")
        for name, make in (("Linear", linear), ("Conv1D", conv), ("Sequential", mlp),
                           ("MaxPool1D", pool))
        for case, (value, error, shown) in zip(
            ("nan", "inf", "minus_inf", "zero", "negative", "none", "string", "complex", "bool",
             "numpy_nan"), BAD_STEPS, strict=True)
    ],
    row(lambda: method(mlp(), "update_parameters", [0.1]), T,
        rf"Sequential\.update_parameters: {STEP} \[0\.1\]", "sequential_update_parameters_list"),
    # ---- optimisers: rates and coefficients of every type
    row(lambda: sgd(lr=None), T, r"SGD: expected lr to be a finite real number > 0, got None",
        "sgd_none_lr"),
    row(lambda: sgd(lr=0.1j), T, r"expected lr to be a finite real number > 0, got 0\.1j",
        "sgd_complex_lr"),
    row(lambda: sgd(lr=True), T, r"expected lr to be a finite real number > 0, got True",
        "sgd_bool_lr"),
    row(lambda: sgd(lr=-float("inf")), V, r"expected lr to be a finite real number > 0, got -inf",
        "sgd_minus_inf_lr"),
    row(lambda: sgd(momentum=float("nan")), V,
        r"SGD: expected momentum to be a real number in \[0, 1\), got nan", "sgd_nan_momentum"),
    row(lambda: sgd(momentum=True), T, r"expected momentum to be a real number in \[0, 1\), "
        r"got True", "sgd_bool_momentum"),
    row(lambda: sgd(momentum=None), T, r"expected momentum to be a real number in \[0, 1\), "
        r"got None", "sgd_none_momentum"),
    row(lambda: adam(lr=float("nan")), V, r"Adam: expected lr to be a finite real number > 0, "
        r"got nan", "adam_nan_lr"),
    row(lambda: adam(lr="1e-3"), T, r"Adam: expected lr to be a finite real number > 0, "
        r"got '1e-3'", "adam_string_lr"),
    row(lambda: adam(betas=(float("nan"), 0.999)), V,
        r"Adam: expected betas\[0\] to be a real number in \[0, 1\), got nan", "adam_nan_beta1"),
    row(lambda: adam(betas=(0.9, "0.999")), T,
        r"Adam: expected betas\[1\] to be a real number in \[0, 1\), got '0\.999'",
        "adam_string_beta2"),
    row(lambda: adam(betas=(0.9, 0.99, 0.9)), T, r"expected betas to be a pair \(a, b\)",
        "adam_three_betas"),
    row(lambda: adam(eps=float("nan")), V, r"Adam: expected eps to be a finite real number >= 0, "
        r"got nan", "adam_nan_eps"),
    row(lambda: adam(eps=None), T, r"expected eps to be a finite real number >= 0, got None",
        "adam_none_eps"),
    row(lambda: adam(eps=1e-8j), T, r"expected eps to be a finite real number >= 0, got 1e-08j",
        "adam_complex_eps"),
    # ---- fit: every argument
    row(lambda: fit_with(epochs=True), T, r"fit: expected epochs to be an int >= 1, got True",
        "fit_bool_epochs"),
    row(lambda: fit_with(epochs=float("inf")), T, r"fit: expected epochs to be an int >= 1, "
        r"got inf", "fit_inf_epochs"),
    row(lambda: fit_with(batch_size=None), T, r"fit: expected batch_size to be an int >= 1, "
        r"got None", "fit_none_batch_size"),
    row(lambda: fit_with(batch_size=-3), V, r"fit: expected batch_size to be an int >= 1, got -3",
        "fit_negative_batch_size"),
    row(lambda: fit_with(rng="seed"), T, r"fit: expected rng to be a numpy Generator, an int "
        r"seed or None, got 'seed'", "fit_string_rng"),
    row(lambda: fit_with(rng=-1), V, r"fit: expected rng to be an int seed >= 0, got -1",
        "fit_negative_seed"),
    row(lambda: fit_with(progress="yes"), T, r"fit: expected progress to be True, False or "
        r"None, got 'yes'", "fit_string_progress"),
    row(lambda: fit_with(validation_data=(normal(4, 4),)), T,
        r"fit: expected validation_data to be a pair \(a, b\)", "fit_validation_not_a_pair"),
    row(lambda: fit_with(validation_data=(normal(4, 4), LABELS)), V,
        r"fit: expected as many targets in y_val as inputs in X_val \(4\), got 5",
        "fit_validation_length_mismatch"),
    row(lambda: fit_with(loss="cross-entropy"), T,
        r"fit: expected loss to be a Loss, got 'cross-entropy'", "fit_loss_not_a_loss"),
    row(lambda: fit_with(model=TanH()), V, r"fit: expected an optimizer built on model \(or on "
        r"one of its modules\), got one holding 4 of 4 parameters that model does not have",
        "fit_optimizer_of_another_model"),
    row(lambda: fit_with(optimizer=SGD(mlp(), lr=0.1)), V,
        r"fit: expected an optimizer built on model", "fit_optimizer_of_a_twin_model"),
    row(lambda: fit_with(optimizer="sgd"), T, r"fit: expected optimizer to be an Optimizer, "
        r"got 'sgd'", "fit_optimizer_not_an_optimizer"),
    row(lambda: fit_with(X=normal(0, 4), y=LABELS[:0]), V,
        r"fit: expected at least one training sample, got X of shape \(0, 4\)", "fit_empty_data"),
    row(lambda: fit_with(X=np.float64(1.0)), V, r"fit: expected X with a batch axis, got a scalar",
        "fit_scalar_X"),
    row(lambda: Call(predict, (mlp(), np.float64(1.0))), V,
        r"predict: expected X with a batch axis, got a scalar", "predict_scalar"),
    row(lambda: Call(accuracy, (mlp(), normal(0, 4), LABELS[:0])), V,
        r"accuracy: expected at least one label, got y of shape \(0,\)", "accuracy_empty"),
    # ---- gradient checking: step and wrt
    row(lambda: Call(gradcheck, (linear(), normal(5, 3)), {"eps": 0.0}), V,
        r"gradcheck: expected eps to be a finite real number > 0, got 0\.0", "gradcheck_zero_eps"),
    row(lambda: Call(gradcheck, (linear(), normal(5, 3)), {"eps": float("nan")}), V,
        r"gradcheck: expected eps to be a finite real number > 0, got nan", "gradcheck_nan_eps"),
    row(lambda: Call(gradcheck, (MSELoss(), normal(5, 2), normal(5, 2)), {"eps": "1e-6"}), T,
        r"gradcheck: expected eps to be a finite real number > 0, got '1e-6'",
        "gradcheck_loss_string_eps"),
    row(lambda: Call(numerical_gradient, (lambda: 0.0, normal(5, 2), -1e-6)), V,
        r"numerical_gradient: expected eps to be a finite real number > 0, got -1e-06",
        "numerical_gradient_negative_eps"),
    row(lambda: Call(numerical_jacobian, (linear(), normal(5, 3)), {"wrt": "Q"}), V,
        r"numerical_jacobian: expected wrt to be 'X' or one of \['W', 'b'\], got 'Q'",
        "numerical_jacobian_bad_wrt"),
    row(lambda: Call(jacobian, (linear(), normal(5, 3)), {"wrt": 0}), V,
        r"jacobian: expected wrt to be 'X' or one of \['W', 'b'\], got 0", "jacobian_int_wrt"),
    row(lambda: Call(numerical_jacobian, (MSELoss(), normal(5, 3))), T,
        r"numerical_jacobian: expected a Module, got MSELoss; use gradcheck for losses",
        "numerical_jacobian_of_a_loss"),
    # ---- zero classes
    *[
        row(call_of(m, "forward", np.zeros((3, 0))), V,
            rf"{m.__name__}\.forward: expected X with at least 1 class \(axis 1\), "
            r"got 0 in shape \(3, 0\)", f"{m.__name__.lower()}_forward_zero_classes")
        for m in (Softmax, LogSoftmax)
    ],
    *[
        row(call_of(m, "backward_delta", np.zeros((3, 0)), np.zeros((3, 0))), V,
            rf"{m.__name__}\.backward_delta: expected X with at least 1 class \(axis 1\)",
            f"{m.__name__.lower()}_backward_delta_zero_classes")
        for m in (Softmax, LogSoftmax)
    ],
    row(lambda: method(Softmax(), "backward_delta_from_output", np.zeros((3, 2, 0)),
                       np.zeros((3, 2, 0)), np.zeros((3, 2, 0))), V,
        r"Softmax\.backward_delta_from_output: expected X with at least 1 class \(axis 2\)",
        "softmax_from_output_zero_classes"),
    *[
        row(call_of(CrossEntropyLoss, name, np.zeros(3, dtype=int), np.zeros((3, 0))), V,
            rf"CrossEntropyLoss\.{name}: expected yhat \(logits\) with at least 1 class "
            r"\(axis 1\), got 0 in shape \(3, 0\)", f"cross_entropy_{name}_zero_classes")
        for name in ("forward", "backward", "value_and_gradient")
    ],
    row(lambda: method(CrossEntropyLoss(), "forward", np.array([0, 7, 1, 1, 0]), normal(5, 4)), V,
        r"expected integer labels in \[0, 3\] \(4 classes, from yhat\.shape\[1\]\), got values "
        r"in \[0, 7\]", "cross_entropy_label_7_of_4_classes"),
    row(lambda: method(BCELoss(), "value_and_gradient", PROBS, PROBS + 0.7), V,
        r"BCELoss\.value_and_gradient: expected yhat in \[0, 1\], got values in \[1\.1, 1\.1\]",
        "bce_value_and_gradient_yhat_above_one"),
    # ---- Flatten: the contract's (batch, length, channels)
    row(lambda: method(Flatten(), "forward", normal(2, 6)), V,
        r"Flatten\.forward: expected X with 3 dimensions \(batch, length, channels\), "
        r"got shape \(2, 6\)", "flatten_forward_rank2"),
    row(lambda: method(Flatten(), "backward_delta", normal(2, 6), normal(2, 6)), V,
        r"Flatten\.backward_delta: expected X with 3 dimensions", "flatten_backward_rank2"),
    # ---- Sequential without modules
    row(lambda: method(empty_after_forward(), "backward_delta", normal(5, 4, seed=1),
                       normal(5, 4)), V,
        r"Sequential\.backward_delta: expected the X of the last forward \(shape \(5, 4\)\), "
        r"got a different array", "empty_sequential_backward_delta_other_X"),
    row(lambda: method(empty_after_forward(), "backward_update_gradient", normal(3, 4),
                       normal(3, 4)), V,
        r"Sequential\.backward_update_gradient: expected the X of the last forward",
        "empty_sequential_update_gradient_other_shape"),
    row(lambda: method(empty_after_forward(), "backward_delta", normal(5, 4), normal(5, 3)), V,
        r"Sequential\.backward_delta: expected delta of shape \(5, 4\), got \(5, 3\)",
        "empty_sequential_backward_delta_wrong_delta"),
    row(lambda: method(Sequential(), "backward_delta", normal(5, 4), normal(5, 4)), V,
        r"Sequential\.backward_delta: expected a call to forward\(X\) first, got none",
        "empty_sequential_backward_before_forward"),
    row(lambda: method(Sequential(), "forward", np.full((5, 4), "x")), T,
        NOT_REAL.format("X", "<U1"), "empty_sequential_forward_strings"),
    # ---- Conv1D padding and the other constructor arguments
    row(lambda: Call(Conv1D, (3, 2, 4), {"padding": -1}), V,
        r"Conv1D: expected padding to be an int >= 0, got -1", "conv_negative_padding"),
    row(lambda: Call(Conv1D, (3, 2, 4), {"padding": 1.5}), T,
        r"Conv1D: expected padding to be an int >= 0, got 1\.5", "conv_float_padding"),
    row(lambda: Call(Conv1D, (3, 2, 4), {"padding": "same"}), T,
        r"Conv1D: expected padding to be an int >= 0, got 'same'", "conv_string_padding"),
    row(lambda: Call(Conv1D, (3, 2, 4, 1, False)), T,
        r"Conv1D: expected padding to be an int >= 0, got False", "conv_bias_given_as_padding"),
    row(lambda: Call(Conv1D, (3, 2, 4), {"bias": "no"}), T,
        r"Conv1D: expected bias to be True or False, got 'no'", "conv_string_bias"),
    row(lambda: Call(Linear, (3, 2), {"bias": None}), T,
        r"Linear: expected bias to be True or False, got None", "linear_none_bias"),
    row(lambda: Call(Linear, (3, 2), {"rng": -1}), V,
        r"Linear: expected rng to be an int seed >= 0, got -1", "linear_negative_seed"),
    row(lambda: Call(MaxPool1D, (2, 2.5)), T, r"MaxPool1D: expected stride to be an int >= 1, "
        r"got 2\.5", "maxpool_float_stride"),
    row(lambda: method(Conv1D(5, 2, 3, padding=1), "forward", normal(5, 2, 2)), V,
        r"Conv1D\.forward: expected X with at least 3 positions \(axis 1\) for k_size = 5 and "
        r"padding = 1, got 2 in shape \(5, 2, 2\)", "conv_padded_forward_too_short"),
    row(lambda: method(Conv1D(3, 2, 6, padding=1, rng=0), "backward_delta", normal(5, 9, 2),
                       normal(5, 7, 6)), V,
        r"Conv1D\.backward_delta: expected delta of shape \(5, 9, 6\), got \(5, 7, 6\)",
        "conv_padded_backward_delta_unpadded_delta"),
    row(lambda: method(Conv1D(3, 2, 6, padding=2, rng=0), "backward_update_gradient",
                       normal(5, 9, 2), normal(5, 7, 6)), V,
        r"Conv1D\.backward_update_gradient: expected delta of shape \(5, 11, 6\), "
        r"got \(5, 7, 6\)", "conv_padded_update_gradient_unpadded_delta"),
]
# fmt: on


def module_state(target: Any) -> dict[str, np.ndarray]:
    """Copies of everything a rejected call must leave alone."""
    if isinstance(target, Optimizer):
        state = module_state(target.module)
        for attribute in ("velocity", "m", "v"):
            for index, array in enumerate(getattr(target, attribute, [])):
                state[f"{attribute}[{index}]"] = array.copy()
        state["t"] = np.array(getattr(target, "t", 0))
        return state
    if isinstance(target, Module):
        state = {}
        for name, parameter, gradient in target.named_parameters():
            state[f"parameter {name}"] = parameter.copy()
            state[f"gradient {name}"] = gradient.copy()
        return state
    return {}


def arrays_in(call: Call) -> list[np.ndarray]:
    return [a for a in (*call.args, *call.kwargs.values()) if isinstance(a, np.ndarray)]


def assert_same(before: np.ndarray, after: np.ndarray, label: str) -> None:
    assert before.dtype == after.dtype and before.shape == after.shape, label
    equal_nan = before.dtype.kind in "fc"
    assert np.array_equal(before, after, equal_nan=equal_nan), f"{label} was changed"


def test_table_has_at_least_60_bad_calls() -> None:
    assert len(BAD_CALLS) >= 60


@pytest.mark.parametrize(("make_call", "error", "match"), BAD_CALLS)
def test_bad_call_raises_naming_expected_and_received(
    make_call: Callable[[], Call], error: type[Exception], match: str
) -> None:
    call = make_call()
    target = call.target.module if isinstance(call.target, Optimizer) else call.target
    if isinstance(target, Module):  # non-zero gradients, so that a reset would show
        for _, _, gradient in target.named_parameters():
            gradient[...] = 0.5
    state = module_state(call.target)
    arrays = [(array, array.copy()) for array in arrays_in(call)]

    with pytest.raises(error, match=match) as caught:
        call.function(*call.args, **call.kwargs)

    assert type(caught.value) in (ValueError, TypeError), repr(caught.value)
    for name, after in module_state(call.target).items():
        assert_same(state[name], after, name)
    for index, (array, copy) in enumerate(arrays):
        assert_same(copy, array, f"argument array {index}")
