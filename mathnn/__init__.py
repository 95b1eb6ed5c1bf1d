"""mathnn: the mathematics of neural networks as a small NumPy reference library.

Every module keeps one contract (:class:`Module`): ``forward(X)``,
``backward_update_gradient(X, delta)`` that accumulates parameter gradients,
``backward_delta(X, delta)`` that returns the input gradient,
``update_parameters(gradient_step)`` and ``zero_grad()``. Losses
(:class:`Loss`) return one value per sample and the gradient of their sum.
"""

from importlib.metadata import version as _distribution_version

from mathnn.activations import LogSoftmax, ReLU, Sigmoid, Softmax, TanH
from mathnn.check import SLIPS, Finding, Report, Slip, check_loss, check_module
from mathnn.conv import Conv1D, Flatten, MaxPool1D
from mathnn.data import load_digits, load_mnist1d
from mathnn.gradcheck import (
    gradcheck,
    jacobian,
    numerical_gradient,
    numerical_jacobian,
    relative_error,
)
from mathnn.linear import Linear
from mathnn.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from mathnn.module import Loss, Module
from mathnn.optim import SGD, Adam, Optimizer
from mathnn.sequential import Sequential
from mathnn.train import History, accuracy, fit, predict

__version__ = _distribution_version("mathnn")  # stated once: pyproject.toml

__all__ = [
    "SGD",
    "SLIPS",
    "Adam",
    "BCELoss",
    "BCEWithLogitsLoss",
    "Conv1D",
    "CrossEntropyLoss",
    "Finding",
    "Flatten",
    "History",
    "Linear",
    "LogSoftmax",
    "Loss",
    "MSELoss",
    "MaxPool1D",
    "Module",
    "Optimizer",
    "ReLU",
    "Report",
    "Sequential",
    "Sigmoid",
    "Slip",
    "Softmax",
    "TanH",
    "accuracy",
    "check_loss",
    "check_module",
    "fit",
    "gradcheck",
    "jacobian",
    "load_digits",
    "load_mnist1d",
    "numerical_gradient",
    "numerical_jacobian",
    "predict",
    "relative_error",
]
