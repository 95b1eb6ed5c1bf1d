"""The two benchmark networks, built the same way in mathnn and in PyTorch.

Both sides get the same architecture, batch size, learning rate, dtype (float32)
and thread count; each reads the data in its own native layout (mathnn channels
last, PyTorch channels first), converted once before any timing.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import mathnn as nn
from bench.plain import PlainCrossEntropy, PlainMLP
from mathnn.recipes import mnist1d_cnn_model

F32 = np.float32


def mathnn_mlp(seed: int = 0, d_in: int = 256, hidden: int = 100) -> nn.Sequential:
    """256-100-10 TanH MLP (the size of the USPS digits)."""
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Linear(d_in, hidden, rng=rng, dtype=F32),
        nn.TanH(),
        nn.Linear(hidden, 10, rng=rng, dtype=F32),
    )


def mathnn_cnn(seed: int = 0) -> nn.Sequential:
    """The MNIST-1D CNN of the results page (:func:`mathnn.recipes.mnist1d_cnn_model`)."""
    return mnist1d_cnn_model(seed)


def torch_mlp(seed: int = 0, d_in: int = 256, hidden: int = 100) -> Any:
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(d_in, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 10)
    )


def torch_cnn(seed: int = 0, length: int = 40) -> Any:
    import torch
    from torch import nn as tnn

    torch.manual_seed(seed)
    t = ((length - 2) // 2 - 2) // 2 - 2
    return tnn.Sequential(
        tnn.Conv1d(1, 32, 3), tnn.ReLU(), tnn.MaxPool1d(2, 2),
        tnn.Conv1d(32, 64, 3), tnn.ReLU(), tnn.MaxPool1d(2, 2),
        tnn.Conv1d(64, 64, 3), tnn.ReLU(),
        tnn.Flatten(), tnn.Linear(t * 64, 10),
    )  # fmt: skip


def mathnn_epoch(
    model: nn.Sequential,
    X: np.ndarray,
    y: np.ndarray,
    optimizer: nn.Optimizer,
    batch_size: int,
    rng: np.random.Generator,
) -> float:
    """One epoch with mathnn.fit (shuffle, forward, loss, backward, step); returns seconds.

    The time is the epoch's, as ``fit`` reports it in ``History.epoch_time``: it leaves out
    what ``fit`` does once per call, before its first epoch (argument checks, a NaN / inf
    scan of the whole training set).
    """
    history = nn.fit(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        X,
        y,
        epochs=1,
        batch_size=batch_size,
        rng=rng,
        progress=False,
    )
    return history.epoch_time[-1]


def torch_epoch(
    model: Any, X: Any, y: Any, optimizer: Any, batch_size: int, generator: Any
) -> float:
    """The same epoch in idiomatic PyTorch eager: randperm, index, forward, loss, backward, step."""
    import torch
    import torch.nn.functional as F

    start = time.perf_counter()
    total = 0.0
    order = torch.randperm(X.shape[0], generator=generator)
    for begin in range(0, X.shape[0], batch_size):
        index = order[begin : begin + batch_size]
        X_batch, y_batch = X[index], y[index]
        loss = F.cross_entropy(model(X_batch), y_batch)
        total += loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """Float32 one-hot rows of integer labels, as the course's loop feeds its loss."""
    Y = np.zeros((labels.shape[0], classes), dtype=F32)
    Y[np.arange(labels.shape[0]), labels] = 1.0
    return Y


def course_epoch(
    model: nn.Sequential | PlainMLP,
    X: np.ndarray,
    Y: np.ndarray,
    lr: float,
    batch_size: int,
    rng: np.random.Generator,
    loss: nn.Loss | PlainCrossEntropy | None = None,
) -> float:
    """One epoch of the course's own loop, with the contract's calls only; returns seconds.

    Per mini-batch: ``forward``, ``loss.forward`` and ``loss.backward`` on one-hot
    targets ``Y``, ``zero_grad``, ``backward_update_gradient`` and
    ``update_parameters`` (plain SGD on the batch's mean loss). The loss is mathnn's
    cross-entropy unless given (the unchecked one of :mod:`bench.plain`, with its MLP).
    """
    loss = nn.CrossEntropyLoss() if loss is None else loss
    start = time.perf_counter()
    total = 0.0
    order = rng.permutation(X.shape[0])
    for begin in range(0, X.shape[0], batch_size):
        index = order[begin : begin + batch_size]
        X_batch, Y_batch = X[index], Y[index]
        yhat = model.forward(X_batch)
        total += float(loss.forward(Y_batch, yhat).mean())
        delta = loss.backward(Y_batch, yhat) / index.shape[0]
        model.zero_grad()
        model.backward_update_gradient(X_batch, delta)
        model.update_parameters(lr)
    return time.perf_counter() - start
