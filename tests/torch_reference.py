"""PyTorch twins of mathnn modules and losses: the layout conventions, mapped once.

* ``Linear``: torch computes ``x @ weight.T + bias``, so ``weight = W.T``.
* ``Conv1D``: torch's ``Conv1d`` is channels first, ``(N, C, T)``, with weight
  ``(C', C, k)``; mathnn is channels last, ``(N, T, C)``, with ``W`` of shape
  ``(k, C, C')``, so ``weight = W.transpose(2, 1, 0)`` and the input and output
  are transposed around the layer. ``MaxPool1D`` is wrapped the same way.
* ``Flatten`` of a channels-last ``(N, T, C)`` array is a row-major reshape in
  both libraries.
* Losses: torch with ``reduction="none"`` returns one value per entry (per
  sample for ``cross_entropy``); mathnn sums each sample's entries.

Everything is float64.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

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
    Optimizer,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    TanH,
)

Array = np.ndarray[Any, Any]
# mathnn parameter name -> (torch parameter, map of its gradient back to mathnn's layout)
ParameterMap = dict[str, tuple[torch.Tensor, Callable[[Array], Array]]]


class ChannelsLast(torch.nn.Module):
    """Run a channels-first torch layer on mathnn's channels-last ``(N, T, C)`` tensors."""

    def __init__(self, inner: torch.nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x.transpose(1, 2)).transpose(1, 2)


def _copy(parameter: torch.Tensor, value: Array) -> None:
    with torch.no_grad():
        parameter.copy_(torch.from_numpy(np.ascontiguousarray(value)))


def _same(gradient: Array) -> Array:
    return gradient


def twin(module: Module, prefix: str = "") -> tuple[torch.nn.Module, ParameterMap]:
    """A float64 torch module computing the same function, and its parameter map."""
    params: ParameterMap = {}
    if isinstance(module, Linear):
        W = module.parameters["W"]
        d_in, d_out = W.shape
        layer = torch.nn.Linear(d_in, d_out, bias="b" in module.parameters, dtype=torch.float64)
        _copy(layer.weight, W.T)  # torch: x @ weight.T
        params[prefix + "W"] = (layer.weight, lambda g: g.T)
        if layer.bias is not None:
            _copy(layer.bias, module.parameters["b"])
            params[prefix + "b"] = (layer.bias, _same)
        return layer, params
    if isinstance(module, Conv1D):
        W = module.parameters["W"]
        conv = torch.nn.Conv1d(
            module.chan_in,
            module.chan_out,
            module.k_size,
            stride=module.stride,
            padding=module.padding,  # zeros at both ends in both libraries
            bias="b" in module.parameters,
            dtype=torch.float64,
        )
        _copy(conv.weight, W.transpose(2, 1, 0))  # (k, C, C') -> (C', C, k)
        params[prefix + "W"] = (conv.weight, lambda g: g.transpose(2, 1, 0))
        if conv.bias is not None:
            _copy(conv.bias, module.parameters["b"])
            params[prefix + "b"] = (conv.bias, _same)
        return ChannelsLast(conv), params
    if isinstance(module, MaxPool1D):
        return ChannelsLast(torch.nn.MaxPool1d(module.k_size, module.stride)), params
    if isinstance(module, Sequential):
        layers: list[torch.nn.Module] = []
        for index, inner in enumerate(module):
            child, inner_params = twin(inner, f"{prefix}{index}.")
            layers.append(child)
            params.update(inner_params)
        return torch.nn.Sequential(*layers), params
    simple: dict[type, Callable[[], torch.nn.Module]] = {
        TanH: torch.nn.Tanh,
        Sigmoid: torch.nn.Sigmoid,
        ReLU: torch.nn.ReLU,
        Softmax: lambda: torch.nn.Softmax(dim=-1),
        LogSoftmax: lambda: torch.nn.LogSoftmax(dim=-1),
        Flatten: torch.nn.Flatten,
    }
    return simple[type(module)](), params


def per_sample_loss(loss: Loss, y: Array, yhat: torch.Tensor) -> torch.Tensor:
    """Torch's per-sample values of a mathnn loss, shape ``(N,)``."""
    n = yhat.shape[0]
    if isinstance(loss, CrossEntropyLoss):
        if y.ndim == 1:  # integer labels
            return F.cross_entropy(yhat, torch.from_numpy(y).long(), reduction="none")
        return F.cross_entropy(yhat, torch.from_numpy(y), reduction="none")  # probabilities
    target = torch.from_numpy(np.ascontiguousarray(y))
    if isinstance(loss, MSELoss):
        entries = F.mse_loss(yhat, target, reduction="none")
    elif isinstance(loss, BCELoss):
        entries = F.binary_cross_entropy(yhat, target, reduction="none")
    else:
        raise AssertionError(f"no torch twin for {loss!r}")
    return entries.reshape(n, -1).sum(dim=1)


def loss_and_gradient(loss: Loss, y: Array, yhat: Array) -> tuple[Array, Array]:
    """Torch's per-sample losses and the gradient of their sum with respect to ``yhat``."""
    yhat_t = torch.tensor(yhat, dtype=torch.float64, requires_grad=True)
    values = per_sample_loss(loss, y, yhat_t)
    values.sum().backward()
    assert yhat_t.grad is not None
    return values.detach().numpy(), yhat_t.grad.numpy()


def assert_close(actual: Array, expected: Array, label: str, atol: float = 1e-12) -> None:
    """Compare one quantity at rtol 1e-7; the message names it and shows both arrays."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"{label}: shape {actual.shape} != torch {expected.shape}"
    )
    np.testing.assert_allclose(
        actual, expected, rtol=1e-7, atol=atol, err_msg=f"{label} (mathnn vs torch)"
    )


def assert_trains_as_torch(
    net: Sequential,
    optimizer: Optimizer,
    torch_optimizer: Callable[..., torch.optim.Optimizer],
    rng: np.random.Generator,
    *,
    steps: int,
    batch: int,
    classes: int,
) -> None:
    """Train ``net`` with ``optimizer`` and its twin with ``torch_optimizer(parameters)`` on the
    same random batches (cross-entropy summed over the batch, integer labels drawn from
    ``rng``), and compare every parameter after every step."""
    torch_net, params = twin(net)
    theirs = torch_optimizer(torch_net.parameters())
    loss = CrossEntropyLoss()
    features = net.modules[0].parameters["W"].shape[0]
    for step in range(1, steps + 1):
        X, labels = rng.normal(size=(batch, features)), rng.integers(0, classes, size=batch)

        yhat = net.forward(X)
        optimizer.zero_grad()
        net.backward_update_gradient(X, loss.backward(labels, yhat))
        optimizer.step()

        theirs.zero_grad()
        logits = torch_net(torch.from_numpy(X))
        F.cross_entropy(logits, torch.from_numpy(labels), reduction="sum").backward()
        theirs.step()

        for key, parameter, _ in net.named_parameters():
            torch_parameter, to_mathnn = params[key]
            expected = to_mathnn(torch_parameter.detach().numpy())
            assert_close(parameter, expected, f"{key} after step {step}")
