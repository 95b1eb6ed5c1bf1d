"""mathnn.Adam against torch.optim.Adam, step by step, in float64.

The update, with step count t, decay rates beta1 and beta2 and guard eps:
    m <- beta1 m + (1 - beta1) g,   v <- beta2 v + (1 - beta2) g^2,
    theta <- theta - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps).
Three kinds of check: the same gradient sequence fed to both optimisers (hypothesis),
a network trained by both from the same weights, and the bias correction in closed form.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import distinct_sizes, finite_arrays
from torch_reference import assert_close, assert_trains_as_torch

from mathnn import Adam, Linear, Module, Sequential, TanH

Array = np.ndarray[Any, Any]

SETTINGS = [
    {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8},
    {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.3, "betas": (0.0, 0.9), "eps": 1e-8},
    {"lr": 0.01, "betas": (0.95, 0.0), "eps": 1e-3},
]
IDS = ["defaults", "betas_eps", "beta1_zero", "beta2_zero"]


class Holder(Module):
    """A module whose only parameter is a given array; its gradient is set by the test."""

    def __init__(self, theta: Array) -> None:
        super().__init__()
        self.parameters["theta"] = theta.copy()
        self.gradients["theta"] = np.zeros_like(theta)


def reference_adam(
    theta: Array, gradients: list[Array], lr: float, betas: tuple[float, float], eps: float
) -> list[Array]:
    """The recurrence written out in NumPy: the parameter after each step."""
    beta1, beta2 = betas
    m, v, out = np.zeros_like(theta), np.zeros_like(theta), []
    for t, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        out.append(theta)
    return out


@st.composite
def gradient_sequences(draw: st.DrawFn) -> tuple[Array, list[Array]]:
    """A parameter of shape (w1, w2), all sizes different, and 2 to 12 gradients of its shape."""
    _, w1, w2 = draw(distinct_sizes(3))
    theta = draw(finite_arrays((w1, w2), bound=2.0))
    steps = draw(st.integers(2, 12))
    scale = draw(st.sampled_from([1e-4, 1.0, 1e3]))
    return theta, [draw(finite_arrays((w1, w2), bound=scale)) for _ in range(steps)]


@pytest.mark.parametrize("settings", SETTINGS, ids=IDS)
@given(example=gradient_sequences())
def test_adam_matches_torch_on_the_same_gradients(
    settings: dict[str, Any], example: tuple[Array, list[Array]]
) -> None:
    theta, gradients = example
    holder = Holder(theta)
    ours = Adam(holder, **settings)
    parameter = torch.nn.Parameter(torch.tensor(theta, dtype=torch.float64))
    theirs = torch.optim.Adam([parameter], **settings)
    expected = reference_adam(theta, gradients, **settings)
    for t, g in enumerate(gradients, start=1):
        holder.gradients["theta"][...] = g
        ours.step()
        parameter.grad = torch.tensor(g, dtype=torch.float64)
        theirs.step()
        label = f"theta after step {t}"
        assert_close(holder.parameters["theta"], parameter.detach().numpy(), label)
        assert_close(holder.parameters["theta"], expected[t - 1], label + " (NumPy recurrence)")
        state = theirs.state[parameter]
        assert_close(ours.m[0], state["exp_avg"].numpy(), f"m after step {t}")
        assert_close(ours.v[0], state["exp_avg_sq"].numpy(), f"v after step {t}")
    assert ours.t == len(gradients)


# beta2 = 0 divides by |g| itself: over a training run, rounding differences of a tiny gradient
# are amplified by the network, so that setting is checked on fixed gradients only (above).
@pytest.mark.parametrize("settings", SETTINGS[:3], ids=IDS[:3])
def test_adam_trains_a_network_as_torch_does(settings: dict[str, Any]) -> None:
    """Twenty steps of a TanH network on cross-entropy: every parameter after every step."""
    rng = np.random.default_rng(13)
    net = Sequential(Linear(6, 8, rng=rng), TanH(), Linear(8, 4, rng=rng))
    assert_trains_as_torch(
        net,
        Adam(net, **settings),
        lambda parameters: torch.optim.Adam(parameters, **settings),
        rng,
        steps=20,
        batch=9,
        classes=4,
    )


@given(example=gradient_sequences())
def test_adam_first_step_is_lr_times_sign_thanks_to_bias_correction(
    example: tuple[Array, list[Array]],
) -> None:
    """At t = 1 the corrected moments are g and g^2: the step is lr g / (|g| + eps)."""
    theta, gradients = example
    holder = Holder(theta)
    optimizer = Adam(holder, lr=0.01)
    holder.gradients["theta"][...] = gradients[0]
    optimizer.step()
    g = gradients[0]
    np.testing.assert_allclose(
        theta - holder.parameters["theta"], 0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12, atol=1e-18
    )


def test_adam_constant_gradient_steps_stay_lr() -> None:
    """With a constant gradient, the corrected moments stay g and g^2 at every step."""
    theta, g = np.zeros((3, 2)), np.array([[2.0, -0.5], [1e-3, 4.0], [-7.0, 0.25]])
    holder = Holder(theta)
    optimizer = Adam(holder, lr=0.1, betas=(0.9, 0.999), eps=0.0)
    for t in range(1, 31):
        holder.gradients["theta"][...] = g
        optimizer.step()
        np.testing.assert_allclose(holder.parameters["theta"], -0.1 * t * np.sign(g), rtol=1e-12)


def test_adam_float32_matches_torch_float32(rng: np.random.Generator) -> None:
    theta = rng.normal(size=(4, 3)).astype(np.float32)
    holder = Holder(theta)
    ours = Adam(holder, lr=0.01)
    parameter = torch.nn.Parameter(torch.tensor(theta))
    theirs = torch.optim.Adam([parameter], lr=0.01)
    for t in range(1, 9):
        g = rng.normal(size=(4, 3)).astype(np.float32)
        holder.gradients["theta"][...] = g
        ours.step()
        parameter.grad = torch.tensor(g)
        theirs.step()
        assert holder.parameters["theta"].dtype == np.float32
        np.testing.assert_allclose(
            holder.parameters["theta"],
            parameter.detach().numpy(),
            rtol=1e-5,
            atol=1e-6,
            err_msg=f"theta after step {t}",
        )
