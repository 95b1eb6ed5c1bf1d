"""Training end to end: a real data set, reproducibility, prediction and the progress bar."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from mathnn import (
    SGD,
    CrossEntropyLoss,
    History,
    Linear,
    MSELoss,
    Sequential,
    TanH,
    accuracy,
    fit,
    predict,
)
from mathnn.train import ProgressBar


def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    digits = load_digits()
    X = digits.data / 16.0
    return train_test_split(
        X, digits.target, test_size=0.25, stratify=digits.target, random_state=0
    )


def mlp(d: int, hidden: int, classes: int, seed: int) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(Linear(d, hidden, rng=rng), TanH(), Linear(hidden, classes, rng=rng))


def test_digits_tanh_mlp_reaches_95_percent(capsys: pytest.CaptureFixture[str]) -> None:
    X, X_test, labels, labels_test = digits_split()
    net = mlp(64, 100, 10, seed=0)
    start = time.perf_counter()
    history = fit(
        net,
        CrossEntropyLoss(),
        SGD(net, lr=0.1, momentum=0.9),
        X,
        labels,
        epochs=20,
        batch_size=32,
        rng=0,
        validation_data=(X_test, labels_test),
    )
    seconds = time.perf_counter() - start
    test_accuracy = accuracy(net, X_test, labels_test)
    with capsys.disabled():
        print(
            f"\ndigits 64-100-10 TanH, SGD(0.1, momentum 0.9), 20 epochs of {len(X)} samples: "
            f"test accuracy {test_accuracy:.4f}, training {seconds:.3f} s "
            f"(epochs {sum(history.epoch_time):.3f} s)"
        )
    assert test_accuracy >= 0.95
    assert history.val_accuracy[-1] == test_accuracy
    assert len(history.loss) == len(history.val_accuracy) == len(history.epoch_time) == 20
    assert history.loss[-1] < 0.1 * history.loss[0]
    assert all(t > 0 for t in history.epoch_time)


def run_fit(seed: int, shuffle_seed: int) -> tuple[History, Sequential]:
    rng = np.random.default_rng(1)
    X, labels = rng.normal(size=(90, 7)), rng.integers(0, 4, size=90)
    net = mlp(7, 11, 4, seed)
    history = fit(
        net, CrossEntropyLoss(), SGD(net, lr=0.05, momentum=0.5), X, labels,
        epochs=4, batch_size=16, rng=shuffle_seed,
    )  # fmt: skip
    return history, net


def test_fit_same_seeds_give_identical_history_and_weights() -> None:
    first, first_net = run_fit(seed=3, shuffle_seed=5)
    second, second_net = run_fit(seed=3, shuffle_seed=5)
    assert first.loss == second.loss
    assert first.val_accuracy == second.val_accuracy == []
    for (name, a, _), (_, b, _) in zip(
        first_net.named_parameters(), second_net.named_parameters(), strict=True
    ):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_fit_shuffle_seed_changes_history() -> None:
    assert run_fit(seed=3, shuffle_seed=5)[0].loss != run_fit(seed=3, shuffle_seed=6)[0].loss


def test_fit_loss_is_mean_per_sample_before_any_step() -> None:
    """With lr ~ 0 the first epoch's loss is the mean loss of the initial network."""
    rng = np.random.default_rng(2)
    X, labels = rng.normal(size=(40, 5)), rng.integers(0, 3, size=40)
    net = mlp(5, 8, 3, seed=4)
    expected = float(CrossEntropyLoss().forward(labels, net.forward(X)).mean())
    history = fit(net, CrossEntropyLoss(), SGD(net, lr=1e-300), X, labels, epochs=1, batch_size=7)
    assert history.loss[0] == pytest.approx(expected, rel=1e-12)


def test_fit_stops_with_a_clear_error_when_training_diverges() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    layer = Linear(3, 1, rng=0)
    with (
        np.errstate(all="ignore"),
        pytest.raises(
            FloatingPointError,
            match=r"fit: the loss became (inf|nan) at epoch \d+, "
            r"step \d+ of 4: training diverged; a smaller lr may help",
        ),
    ):
        fit(layer, MSELoss(), SGD(layer, lr=1e3), X, y, epochs=100, batch_size=16)


def test_fit_reports_data_beyond_the_model_dtype_not_a_divergence() -> None:
    X = np.ones((8, 3))
    X[2, 1] = 1e300  # finite in float64, beyond float32
    layer = Linear(3, 2, rng=0, dtype=np.float32)
    with pytest.raises(
        ValueError,
        match=r"Linear\.forward: expected X within the range of "
        r"float32, got 1 entry beyond it",
    ):
        fit(layer, CrossEntropyLoss(), SGD(layer, lr=0.1), X, np.zeros(8, dtype=int))


def hand_made_classifier() -> Linear:
    """Class 0 when x0 is largest, 1 for x1, 2 for -x0."""
    layer = Linear(2, 3, rng=0)
    layer.parameters["W"][...] = [[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]
    return layer


POINTS = np.array([[2.0, 1.0], [0.0, 3.0], [-2.0, 0.5], [1.0, 0.0], [-1.0, -3.0]])
CLASSES = [0, 1, 2, 0, 2]


def test_predict_is_argmax_of_forward() -> None:
    predicted = predict(hand_made_classifier(), POINTS)
    assert predicted.tolist() == CLASSES
    assert predicted.shape == (5,)
    assert predicted.dtype.kind == "i"


def test_predict_batches_give_the_same_answer() -> None:
    net = mlp(4, 6, 3, seed=0)
    X = np.random.default_rng(0).normal(size=(17, 4))
    np.testing.assert_array_equal(predict(net, X, batch_size=5), predict(net, X))


def test_predict_of_no_sample_is_empty() -> None:
    assert predict(hand_made_classifier(), np.zeros((0, 2))).shape == (0,)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (np.array(CLASSES), 1.0),
        (np.array([0, 1, 2, 1, 0]), 0.6),
        (np.eye(3)[[0, 0, 0, 0, 2]], 0.6),  # one-hot
    ],
    ids=["all_right", "three_of_five", "one_hot"],
)
def test_accuracy_fraction_of_right_predictions(labels: np.ndarray, expected: float) -> None:
    assert accuracy(hand_made_classifier(), POINTS, labels) == pytest.approx(expected)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressBar(3, stream=stream)
    for step in range(1, 4):
        bar.update(step, "epoch 1/1")
    assert stream.getvalue() == ""


@pytest.mark.parametrize("stream_type", [io.StringIO, FakeTerminal], ids=["forced", "terminal"])
def test_progress_bar_draws_when_enabled_or_on_a_terminal(stream_type: type[io.StringIO]) -> None:
    stream = stream_type()
    bar = ProgressBar(4, enabled=True if stream_type is io.StringIO else None, stream=stream)
    for step in range(1, 5):
        bar.update(step, "epoch 2/2")
    text = stream.getvalue()
    assert text.count("\r") == 4
    assert "2/4" in text and "4/4 epoch 2/2" in text
    assert "[" + "#" * 24 + "]" in text
    assert text.endswith("\n")


@pytest.mark.parametrize(("progress", "drawn"), [(None, False), (False, False), (True, True)])
def test_fit_progress_goes_to_stderr_only_when_asked_or_on_a_terminal(
    capsys: pytest.CaptureFixture[str], progress: bool | None, drawn: bool
) -> None:
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(12, 3)), rng.integers(0, 2, size=12)
    net = mlp(3, 4, 2, seed=0)
    fit(net, CrossEntropyLoss(), SGD(net), X, labels, epochs=2, batch_size=5, progress=progress)
    captured = capsys.readouterr()  # pytest's captured stderr is not a terminal
    assert captured.out == ""
    assert ("6/6 epoch 2/2" in captured.err) is drawn
    if not drawn:
        assert captured.err == ""
