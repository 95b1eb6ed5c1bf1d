r"""Training recipes of the results page: seeded networks, optimisers and schedules.

Each recipe builds a network with the modules of :mod:`mathnn`, trains it on a data
set that is made locally (:func:`~mathnn.load_digits`, :func:`~mathnn.load_mnist1d`)
and returns a :class:`Run`. Every recipe is seeded (weights and shuffling): the same
seed gives the same run. The figure reported for a recipe is the test accuracy after
the last epoch, averaged over :data:`SEEDS`; test accuracy swings by about 2 points
from one epoch to the next, so the best epoch would flatter it.

Derivation: :ref:`page-results`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mathnn.activations import ReLU, TanH
from mathnn.conv import Conv1D, Flatten, MaxPool1D
from mathnn.data import Split, load_digits, load_mnist1d
from mathnn.linear import Linear
from mathnn.losses import CrossEntropyLoss
from mathnn.module import Module
from mathnn.optim import SGD, Adam, Optimizer
from mathnn.sequential import Sequential
from mathnn.train import History, fit

__all__ = [
    "RECIPES",
    "SEEDS",
    "WEIGHT_DECAY",
    "AdamL2",
    "Run",
    "digits_mlp",
    "mnist1d_cnn",
    "mnist1d_cnn_model",
    "mnist1d_mlp",
]

F32 = np.float32
#: The seeds of every reported figure.
SEEDS = (0, 1, 2)
#: The L2 penalty of :func:`mnist1d_mlp`.
WEIGHT_DECAY = 3e-3


@dataclass
class Run:
    r"""One seeded training run: the model, its history and its final test accuracy.

    Attributes
    ----------
    name : str
        The recipe's name, a key of :data:`RECIPES`.
    seed : int
        Seed of the weights and of the shuffling.
    model : Sequential
        The trained network.
    history : History
        Mean training loss, test accuracy and time of each epoch.
    test_accuracy : float
        Test accuracy after the last epoch, ``history.val_accuracy[-1]``.

    Examples
    --------
    >>> run = digits_mlp(seed=1, epochs=2, decay_at=1)
    >>> print(run.name, run.seed, len(run.history.loss))
    digits_mlp 1 2
    >>> bool(run.test_accuracy == run.history.val_accuracy[-1])
    True
    """

    name: str
    seed: int
    model: Sequential
    history: History
    test_accuracy: float


class AdamL2(Adam):
    r"""Adam on the loss plus an L2 penalty on the weight matrices.

    The penalty is :math:`\tfrac{\lambda}{2} \lVert W \rVert^2` for every parameter
    whose name ends in ``W``; its gradient :math:`\lambda W` (same shape as ``W``) is
    added to the accumulated gradient before the Adam step. Biases are not penalised.

    Parameters
    ----------
    module : Module
        The module whose parameters are trained.
    lr : float
        Learning rate :math:`\eta` of Adam.
    weight_decay : float
        :math:`\lambda \ge 0`.

    Raises
    ------
    ValueError
        When ``weight_decay`` is negative or not finite (and as :class:`~mathnn.Adam`).

    Examples
    --------
    With a zero loss gradient, the first step moves every weight by :math:`\eta` against
    the sign of the penalty's gradient, and leaves the bias alone:

    >>> import numpy as np
    >>> from mathnn import Linear
    >>> layer = Linear(2, 3, rng=0)
    >>> W0 = layer.parameters["W"].copy()
    >>> AdamL2(layer, lr=0.01, weight_decay=0.1).step()
    >>> bool(np.allclose(layer.parameters["W"], W0 - 0.01 * np.sign(W0)))
    True
    >>> print(layer.parameters["b"])
    [0. 0. 0.]
    """

    def __init__(self, module: Module, lr: float, weight_decay: float) -> None:
        decay = float(weight_decay)
        if not 0.0 <= decay < float("inf"):
            raise ValueError(f"AdamL2: expected a finite weight_decay >= 0, got {weight_decay!r}")
        super().__init__(module, lr=lr)
        self.weight_decay = decay

    def step(self) -> None:
        """Add ``weight_decay * W`` to each weight gradient, then take one Adam step."""
        for name, parameter, gradient in self.params:
            if name.endswith("W"):
                gradient += self.weight_decay * parameter
        super().step()


def _fit_with_decay(
    model: Sequential,
    optimizer: Optimizer,
    data: Split,
    epochs: int,
    decay_at: int,
    batch_size: int,
    seed: int,
    X: np.ndarray | None = None,
    X_test: np.ndarray | None = None,
) -> History:
    """Train ``epochs`` epochs; the learning rate drops tenfold after ``decay_at`` of them."""
    if not (isinstance(epochs, int) and isinstance(decay_at, int) and 0 < decay_at < epochs):
        raise ValueError(
            f"expected integers 0 < decay_at < epochs, got decay_at={decay_at!r}, epochs={epochs!r}"
        )
    X = data.X if X is None else X
    X_test = data.X_test if X_test is None else X_test
    rng = np.random.default_rng(seed)
    loss = CrossEntropyLoss()
    history = History()
    for phase_epochs in (decay_at, epochs - decay_at):
        part = fit(
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


def digits_mlp(
    seed: int = 0, data: Split | None = None, *, epochs: int = 40, decay_at: int = 30
) -> Run:
    r"""64-128-10 TanH MLP on scikit-learn's digits; SGD 0.1, momentum 0.9, batch 32.

    Parameters
    ----------
    seed : int
        Seed of the weights and of the shuffling.
    data : Split, optional
        Default :func:`~mathnn.load_digits`: ``X`` (N, 64), ``y`` (N,) and the test split.
    epochs, decay_at : int
        Training length; the learning rate drops tenfold after ``decay_at`` epochs.

    Returns
    -------
    Run
        Its model maps (N, 64) to logits (N, 10).

    Raises
    ------
    ValueError
        Unless ``0 < decay_at < epochs``.

    Examples
    --------
    >>> run = digits_mlp(seed=0, epochs=3, decay_at=2)
    >>> import numpy as np
    >>> print(run.model.forward(np.zeros((5, 64), dtype=np.float32)).shape)
    (5, 10)
    >>> bool(run.test_accuracy > 0.8)
    True
    """
    data = load_digits() if data is None else data
    rng = np.random.default_rng(seed)
    model = Sequential(
        Linear(64, 128, rng=rng, dtype=F32), TanH(), Linear(128, 10, rng=rng, dtype=F32)
    )
    history = _fit_with_decay(
        model,
        SGD(model, lr=0.1, momentum=0.9),
        data,
        epochs=epochs,
        decay_at=decay_at,
        batch_size=32,
        seed=seed,
    )
    return Run("digits_mlp", seed, model, history, history.val_accuracy[-1])


def mnist1d_mlp(
    seed: int = 0, data: Split | None = None, *, epochs: int = 40, decay_at: int = 30
) -> Run:
    r"""40-512-512-10 ReLU MLP on MNIST-1D; Adam 2e-3 with L2 3e-3, batch 100.

    Parameters
    ----------
    seed : int
        Seed of the weights and of the shuffling.
    data : Split, optional
        Default :func:`~mathnn.load_mnist1d`: ``X`` (4000, 40), ``y`` (4000,) and the test
        split (1000 signals).
    epochs, decay_at : int
        Training length; the learning rate drops tenfold after ``decay_at`` epochs.

    Returns
    -------
    Run
        Its model maps (N, 40) to logits (N, 10).

    Raises
    ------
    ValueError
        Unless ``0 < decay_at < epochs``.

    Examples
    --------
    >>> run = mnist1d_mlp(seed=0, epochs=2, decay_at=1)
    >>> print([p.shape for p in (run.model[0].parameters["W"], run.model[4].parameters["W"])])
    [(40, 512), (512, 10)]
    >>> bool(0.1 < run.test_accuracy < 1.0)
    True
    """
    data = load_mnist1d() if data is None else data
    rng = np.random.default_rng(seed)
    model = Sequential(
        Linear(40, 512, rng=rng, init="he", dtype=F32), ReLU(),
        Linear(512, 512, rng=rng, init="he", dtype=F32), ReLU(),
        Linear(512, 10, rng=rng, dtype=F32),
    )  # fmt: skip
    optimizer = AdamL2(model, lr=2e-3, weight_decay=WEIGHT_DECAY)
    history = _fit_with_decay(
        model, optimizer, data, epochs=epochs, decay_at=decay_at, batch_size=100, seed=seed
    )
    return Run("mnist1d_mlp", seed, model, history, history.val_accuracy[-1])


def mnist1d_cnn_model(seed: int = 0) -> Sequential:
    r"""The MNIST-1D CNN, built from the modules of the library only.

    Conv1D(k3, 1-32) ReLU MaxPool1D(2,2), Conv1D(k3, 32-64) ReLU MaxPool1D(2,2),
    Conv1D(k3, 64-64) ReLU, Flatten, Linear(384-10): lengths 40-38-19-17-8-6.

    Parameters
    ----------
    seed : int
        Seed of the weights.

    Returns
    -------
    Sequential
        Maps X (N, 40, 1) to logits (N, 10); float32 parameters.

    Examples
    --------
    >>> import numpy as np
    >>> model = mnist1d_cnn_model(seed=0)
    >>> print(model.forward(np.zeros((5, 40, 1), dtype=np.float32)).shape)
    (5, 10)
    """
    rng = np.random.default_rng(seed)
    return Sequential(
        Conv1D(3, 1, 32, rng=rng, init="he", dtype=F32), ReLU(), MaxPool1D(2, 2),
        Conv1D(3, 32, 64, rng=rng, init="he", dtype=F32), ReLU(), MaxPool1D(2, 2),
        Conv1D(3, 64, 64, rng=rng, init="he", dtype=F32), ReLU(),
        Flatten(), Linear(6 * 64, 10, rng=rng, dtype=F32),
    )  # fmt: skip


def mnist1d_cnn(
    seed: int = 0, data: Split | None = None, *, epochs: int = 15, decay_at: int = 11
) -> Run:
    r"""The CNN of :func:`mnist1d_cnn_model` on MNIST-1D; SGD 0.05, momentum 0.9, batch 64.

    Parameters
    ----------
    seed : int
        Seed of the weights and of the shuffling.
    data : Split, optional
        Default :func:`~mathnn.load_mnist1d`; ``X`` (N, 40) is fed as (N, 40, 1).
    epochs, decay_at : int
        Training length; the learning rate drops tenfold after ``decay_at`` epochs.

    Returns
    -------
    Run
        Its model maps (N, 40, 1) to logits (N, 10).

    Raises
    ------
    ValueError
        Unless ``0 < decay_at < epochs``.

    Examples
    --------
    >>> run = mnist1d_cnn(seed=0, epochs=2, decay_at=1)
    >>> print(len(run.history.val_accuracy), bool(run.test_accuracy > 0.3))
    2 True
    """
    data = load_mnist1d() if data is None else data
    model = mnist1d_cnn_model(seed)
    history = _fit_with_decay(
        model,
        SGD(model, lr=0.05, momentum=0.9),
        data,
        epochs=epochs,
        decay_at=decay_at,
        batch_size=64,
        seed=seed,
        X=data.X[..., None],
        X_test=data.X_test[..., None],
    )
    return Run("mnist1d_cnn", seed, model, history, history.val_accuracy[-1])


#: Every recipe of the results page, by name.
RECIPES: dict[str, Callable[..., Run]] = {
    "digits_mlp": digits_mlp,
    "mnist1d_mlp": mnist1d_mlp,
    "mnist1d_cnn": mnist1d_cnn,
}
