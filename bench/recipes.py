"""Training recipes behind the results page and the accuracy figures of ``bench.json``.

Every recipe is seeded (weights, shuffling); the same seed gives the same run. The
figure reported for a recipe is the test accuracy after the last epoch, averaged
over the seeds (test accuracy swings by about 2 points from one epoch to the next,
so the best epoch would flatter it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import mathnn as nn

F32 = np.float32
SEEDS = (0, 1, 2)
WEIGHT_DECAY = 3e-3


@dataclass
class Run:
    """One seeded training run: the model, its history and its final test accuracy."""

    name: str
    seed: int
    model: nn.Sequential
    history: nn.History
    test_accuracy: float


class AdamL2(nn.Adam):
    """Adam on the loss plus an L2 penalty (weight_decay / 2) * ||W||^2 on the weight matrices.

    The penalty's gradient, ``weight_decay * W``, is added to each weight gradient
    before the Adam step (biases are not penalised).
    """

    def __init__(self, module: nn.Module, lr: float, weight_decay: float) -> None:
        super().__init__(module, lr=lr)
        self.weight_decay = float(weight_decay)

    def step(self) -> None:
        for name, parameter, gradient in self.params:
            if name.endswith("W"):
                gradient += self.weight_decay * parameter
        super().step()


def _fit_with_decay(
    model: nn.Sequential,
    optimizer: nn.Optimizer,
    data: nn.data.Split,
    epochs: int,
    decay_at: int,
    batch_size: int,
    seed: int,
    X: np.ndarray | None = None,
    X_test: np.ndarray | None = None,
) -> nn.History:
    """Train ``epochs`` epochs; the learning rate drops tenfold after ``decay_at`` of them."""
    X = data.X if X is None else X
    X_test = data.X_test if X_test is None else X_test
    rng = np.random.default_rng(seed)
    loss = nn.CrossEntropyLoss()
    history = nn.History()
    for phase_epochs in (decay_at, epochs - decay_at):
        part = nn.fit(
            model,
            loss,
            optimizer,
            X,
            data.y,
            epochs=phase_epochs,
            batch_size=batch_size,
            rng=rng,
            validation_data=(X_test, data.y_test),
        )
        for key in ("loss", "val_accuracy", "epoch_time"):
            getattr(history, key).extend(getattr(part, key))
        optimizer.lr /= 10
    return history


def digits_mlp(seed: int = 0, data: nn.data.Split | None = None) -> Run:
    """64-128-10 TanH MLP on scikit-learn's digits; SGD 0.1, momentum 0.9, batch 32, 40 epochs."""
    data = nn.load_digits() if data is None else data
    rng = np.random.default_rng(seed)
    model = nn.Sequential(
        nn.Linear(64, 128, rng=rng, dtype=F32), nn.TanH(), nn.Linear(128, 10, rng=rng, dtype=F32)
    )
    history = _fit_with_decay(
        model,
        nn.SGD(model, lr=0.1, momentum=0.9),
        data,
        epochs=40,
        decay_at=30,
        batch_size=32,
        seed=seed,
    )
    return Run("digits_mlp", seed, model, history, history.val_accuracy[-1])


def mnist1d_mlp(seed: int = 0, data: nn.data.Split | None = None) -> Run:
    """40-512-512-10 ReLU MLP on MNIST-1D; Adam 2e-3 with L2 3e-3, batch 100, 40 epochs."""
    data = nn.load_mnist1d() if data is None else data
    rng = np.random.default_rng(seed)
    model = nn.Sequential(
        nn.Linear(40, 512, rng=rng, init="he", dtype=F32), nn.ReLU(),
        nn.Linear(512, 512, rng=rng, init="he", dtype=F32), nn.ReLU(),
        nn.Linear(512, 10, rng=rng, dtype=F32),
    )  # fmt: skip
    optimizer = AdamL2(model, lr=2e-3, weight_decay=WEIGHT_DECAY)
    history = _fit_with_decay(
        model, optimizer, data, epochs=40, decay_at=30, batch_size=100, seed=seed
    )
    return Run("mnist1d_mlp", seed, model, history, history.val_accuracy[-1])


def mnist1d_cnn_model(seed: int = 0) -> nn.Sequential:
    """Conv1D(k3, 1-32) ReLU MaxPool1D(2,2), Conv1D(k3, 32-64) ReLU MaxPool1D(2,2),
    Conv1D(k3, 64-64) ReLU, Flatten, Linear(384-10): lengths 40-38-19-17-8-6."""
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Conv1D(3, 1, 32, rng=rng, init="he", dtype=F32), nn.ReLU(), nn.MaxPool1D(2, 2),
        nn.Conv1D(3, 32, 64, rng=rng, init="he", dtype=F32), nn.ReLU(), nn.MaxPool1D(2, 2),
        nn.Conv1D(3, 64, 64, rng=rng, init="he", dtype=F32), nn.ReLU(),
        nn.Flatten(), nn.Linear(6 * 64, 10, rng=rng, dtype=F32),
    )  # fmt: skip


def mnist1d_cnn(seed: int = 0, data: nn.data.Split | None = None) -> Run:
    """The CNN above on MNIST-1D (N, 40, 1); SGD 0.05, momentum 0.9, batch 64, 15 epochs."""
    data = nn.load_mnist1d() if data is None else data
    model = mnist1d_cnn_model(seed)
    history = _fit_with_decay(
        model,
        nn.SGD(model, lr=0.05, momentum=0.9),
        data,
        epochs=15,
        decay_at=11,
        batch_size=64,
        seed=seed,
        X=data.X[..., None],
        X_test=data.X_test[..., None],
    )
    return Run("mnist1d_cnn", seed, model, history, history.val_accuracy[-1])


RECIPES = {"digits_mlp": digits_mlp, "mnist1d_mlp": mnist1d_mlp, "mnist1d_cnn": mnist1d_cnn}


def usps_sized_digits(n: int = 7291, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Digits at the size of USPS (7291 x 256): 8 x 8 images up-sampled to 16 x 16, drawn with
    replacement. Only the benchmark uses them: the timing needs the shape, not new images."""
    data = nn.load_digits(test_fraction=0.25)
    images = data.X.reshape(-1, 8, 8)
    big = np.kron(images, np.ones((1, 2, 2), dtype=F32)).reshape(-1, 256)
    index = np.random.default_rng(seed).integers(0, len(big), size=n)
    return np.ascontiguousarray(big[index]), data.y[index]


def accuracies(verbose: bool = False) -> dict[str, Any]:
    """Seed-averaged final test accuracy of every recipe, and the per-seed values."""
    out: dict[str, Any] = {"seeds": list(SEEDS)}
    for name, recipe in RECIPES.items():
        values = [recipe(seed).test_accuracy for seed in SEEDS]
        out[name] = float(np.mean(values))
        out[name + "_per_seed"] = values
        if verbose:
            print(f"  {name}: {out[name]:.4f} (seeds {values})", flush=True)
    return out
