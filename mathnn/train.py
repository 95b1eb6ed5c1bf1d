"""Mini-batch training loop, prediction and accuracy."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np
from numpy.typing import ArrayLike

from mathnn._checks import (
    Array,
    as_float_array,
    check_finite,
    check_pair,
    check_scalar,
    internal_arrays,
    resolve_rng,
)
from mathnn.module import Loss, Module
from mathnn.optim import Optimizer


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch.

    Attributes
    ----------
    loss : list[float]
        Mean training loss per sample over the epoch.
    val_accuracy : list[float]
        Accuracy on the validation data after each epoch (empty without it).
    epoch_time : list[float]
        Wall-clock seconds of each epoch's training, validation excluded.
    """

    loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)


class ProgressBar:
    """A one-line progress bar on a terminal; silent elsewhere (doctests, CI, files).

    Parameters
    ----------
    total : int
        Number of steps.
    enabled : bool or None
        ``None`` shows the bar only when ``stream`` is a terminal.
    stream : file, default sys.stderr
        Where to draw.
    """

    def __init__(self, total: int, enabled: bool | None = None, stream: TextIO | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.total = total
        self.enabled = self.stream.isatty() if enabled is None else enabled

    def update(self, step: int, message: str = "") -> None:
        """Draw the bar at ``step`` of ``total`` with a message after it."""
        if not self.enabled:
            return
        width = 24
        filled = width * step // max(self.total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {step}/{self.total} {message}")
        if step >= self.total:
            self.stream.write("\n")
        self.stream.flush()


def minibatches(n: int, batch_size: int, rng: np.random.Generator | None) -> Iterator[Array]:
    """Yield index arrays covering ``range(n)`` in batches, shuffled when ``rng`` is given.

    Examples
    --------
    >>> [b.tolist() for b in minibatches(5, 2, None)]
    [[0, 1], [2, 3], [4]]
    """
    order = np.arange(n) if rng is None else rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def fit(
    model: Module,
    loss: Loss,
    optimizer: Optimizer,
    X: ArrayLike,
    y: ArrayLike,
    *,
    epochs: int = 10,
    batch_size: int = 64,
    rng: np.random.Generator | int | None = 0,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    progress: bool | None = None,
) -> History:
    r"""Train ``model`` by mini-batch gradient descent on the mean loss of each batch.

    Each step runs ``forward``, then ``delta = loss.backward(y, yhat) / B``
    (the gradient of the batch's mean loss, :math:`B` its size; taken with the
    loss values from one call of ``loss.value_and_gradient``),
    ``optimizer.zero_grad()``, ``model.backward_update_gradient(X, delta)``
    and ``optimizer.step()``.

    Parameters
    ----------
    model : Module
        The network, often a :class:`~mathnn.Sequential`.
    loss : Loss
        The loss, called as ``loss.value_and_gradient(y_batch, model.forward(X_batch))``.
    optimizer : Optimizer
        Built on ``model``, e.g. ``SGD(model, lr=0.1)``.
    X : array_like, shape (n, ...)
        Training inputs.
    y : array_like, shape (n, ...)
        Training targets, in the form ``loss`` expects.
    epochs : int, default 10
        Passes over the data.
    batch_size : int, default 64
        Samples per step; the last batch of an epoch may be smaller.
    rng : numpy.random.Generator or int or None, default 0
        Seed of the shuffling; the same seed gives the same run.
    validation_data : (X_val, labels_val), optional
        Evaluated with :func:`accuracy` after each epoch.
    progress : bool or None
        Show a progress bar; ``None`` shows it only on a terminal.

    Returns
    -------
    History
        Per-epoch mean training loss, validation accuracy and time.

    Raises
    ------
    TypeError, ValueError
        Before any training, if an argument is not of its kind or range, ``X`` has
        no sample, ``optimizer`` holds parameters that ``model`` does not have, or
        ``X`` or ``y`` hold NaN or infinity (scanned once); nothing is then changed.
    ValueError
        If a module or the loss rejects a batch.
    FloatingPointError
        If the loss of a batch becomes NaN or infinite: training diverged.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import CrossEntropyLoss, Linear, SGD, Sequential, TanH, accuracy, fit
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> labels = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> net = Sequential(Linear(2, 16, rng=rng), TanH(), Linear(16, 2, rng=rng))
    >>> history = fit(net, CrossEntropyLoss(), SGD(net, lr=0.2, momentum=0.9), X, labels,
    ...               epochs=30, batch_size=20, validation_data=(X, labels))
    >>> len(history.loss), bool(history.loss[-1] < history.loss[0])
    (30, True)
    >>> bool(accuracy(net, X, labels) > 0.9)
    True
    """
    where = "fit"
    _check_training_objects(model, loss, optimizer, where)
    epochs = check_scalar(epochs, "epochs", where, int, 1)
    batch_size = check_scalar(batch_size, "batch_size", where, int, 1)
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"{where}: expected progress to be True, False or None, got {progress!r}")
    X, y = _samples(X, y, where)
    if X.shape[0] == 0:
        raise ValueError(
            f"{where}: expected at least one training sample, got X of shape {X.shape}"
        )
    for name, array in (("X", X), ("y", y)):
        if array.dtype.kind == "f" and array.size:
            check_finite(array, name, where)
    if validation_data is not None:
        X_val, y_val = check_pair(validation_data, "validation_data", where)
        validation_data = _samples(X_val, y_val, where, ("X_val", "y_val"))
    generator = resolve_rng(rng, where)
    history = History()
    n_batches = -(-X.shape[0] // batch_size)
    bar = ProgressBar(epochs * n_batches, progress)
    for epoch in range(epochs):
        start = time.perf_counter()
        total = 0.0
        # Speed: the data were scanned for NaN / inf above, so the modules and the loss skip
        # that scan on every batch; a loss that turns NaN or inf is caught below instead.
        with internal_arrays():
            for step, index in enumerate(minibatches(X.shape[0], batch_size, generator)):
                X_batch, y_batch = X[index], y[index]
                yhat = model.forward(X_batch)
                values, delta = loss.value_and_gradient(y_batch, yhat)
                batch_loss = float(values.sum())
                if not math.isfinite(batch_loss):
                    raise FloatingPointError(
                        f"fit: the loss became {batch_loss} at epoch {epoch + 1}, step "
                        f"{step + 1} of {n_batches}: training diverged; a smaller lr may help"
                    )
                total += batch_loss
                delta /= len(index)
                optimizer.zero_grad()
                model.backward_update_gradient(X_batch, delta)
                optimizer.step()
                bar.update(epoch * n_batches + step + 1, f"epoch {epoch + 1}/{epochs}")
        history.epoch_time.append(time.perf_counter() - start)
        history.loss.append(total / X.shape[0])
        if validation_data is not None:
            history.val_accuracy.append(accuracy(model, *validation_data))
    return history


def _check_training_objects(model: Module, loss: Loss, optimizer: Optimizer, where: str) -> None:
    """Raise ``TypeError`` unless model, loss and optimizer are of their kinds, and
    ``ValueError`` unless the optimizer updates parameters of the model (and some)."""
    for name, value, kind in (("model", model, Module), ("loss", loss, Loss)):
        if not isinstance(value, kind):
            raise TypeError(f"{where}: expected {name} to be a {kind.__name__}, got {value!r}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: expected optimizer to be an Optimizer, got {optimizer!r}")
    own = {id(parameter) for _, parameter, _ in model.named_parameters()}
    held = {id(parameter) for _, parameter, _ in optimizer.params}
    if not held <= own or (own and not held):
        raise ValueError(
            f"{where}: expected an optimizer built on model (or on one of its modules), "
            f"got one holding {len(held - own)} of {len(held)} parameters that model does not have"
        )


def _samples(
    X: ArrayLike, y: ArrayLike, where: str, names: tuple[str, str] = ("X", "y")
) -> tuple[Array, Array]:
    """``X`` and ``y`` as arrays with a batch axis and as many targets as inputs."""
    X, y = np.asarray(X), np.asarray(y)
    for name, array in zip(names, (X, y), strict=True):
        if array.ndim == 0:
            raise ValueError(f"{where}: expected {name} with a batch axis, got a scalar")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{where}: expected as many targets in {names[1]} as inputs in {names[0]} "
            f"({X.shape[0]}), got {y.shape[0]}"
        )
    return X, y


def predict(model: Module, X: ArrayLike, batch_size: int = 1024) -> Array:
    """Return the predicted class of each sample: the arg-max of the model's last axis.

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Linear, predict
    >>> layer = Linear(2, 3, rng=0)
    >>> layer.parameters["W"][...] = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    >>> predict(layer, np.array([[2.0, 1.0], [0.0, 3.0]])).tolist()
    [0, 2]
    """
    X = np.asarray(X)
    if X.ndim == 0:
        raise ValueError("predict: expected X with a batch axis, got a scalar")
    batch_size = check_scalar(batch_size, "batch_size", "predict", int, 1)
    parts = [
        model.forward(X[start : start + batch_size]).argmax(axis=-1)
        for start in range(0, len(X), batch_size)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def accuracy(model: Module, X: ArrayLike, y: ArrayLike) -> float:
    """Fraction of samples whose predicted class equals the label (integers or one-hot).

    Examples
    --------
    >>> import numpy as np
    >>> from mathnn import Linear, accuracy
    >>> layer = Linear(2, 3, rng=0)
    >>> layer.parameters["W"][...] = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    >>> accuracy(layer, np.array([[2.0, 1.0], [0.0, 3.0]]), np.array([0, 1]))
    0.5
    """
    labels = np.asarray(y)
    if labels.ndim == 2:
        labels = as_float_array(labels, "y", "accuracy").argmax(axis=1)
    if labels.ndim == 0 or labels.shape[0] == 0:
        raise ValueError(f"accuracy: expected at least one label, got y of shape {labels.shape}")
    predicted = predict(model, X)
    if labels.shape != predicted.shape:
        raise ValueError(
            f"accuracy: expected {predicted.shape[0]} labels, got y of shape {labels.shape}"
        )
    return float(np.mean(predicted == labels))
