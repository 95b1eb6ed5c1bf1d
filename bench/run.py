"""mathnn against PyTorch eager on the CPU: the same networks, data, batch, dtype and threads.

Run with ``make bench`` (or ``python -m bench.run`` from the repository root). Every
comparison alternates the two libraries inside one process (mathnn, torch, torch,
mathnn, ...); each turn starts after a short rest, so that the other library's threads
are idle, and one untimed run. It reports the median of the timed runs. Writes
``docs/_static/bench.json`` and prints a table. ``--quick`` uses fewer repeats;
``--no-accuracy`` skips the training runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import threadpoolctl
import torch

import mathnn as nn
from bench import models, recipes
from bench.plain import PlainCrossEntropy, PlainMLP

ROOT = Path(__file__).resolve().parent.parent

BATCH = 64
LR, MOMENTUM = 0.05, 0.9


# Seconds of rest before each turn of a library. After its last task, a worker thread of
# OpenBLAS (NumPy's BLAS) spins for about 2**28 cycles (~0.1 s) before it sleeps, and
# PyTorch's OpenMP workers spin too: without the rest, each library would run while the
# other's threads still compete for the cores (measured here: both slower, PyTorch more,
# the MLP ratio lowered by about 0.1). The rest leaves the cores cold, so each turn then
# runs once untimed.
SETTLE_S = 0.2


def interleaved(callables: Sequence[Callable[[], float]], repeats: int) -> list[float]:
    """Median seconds of each callable over ``repeats`` turns, in ABBA order (for three:
    ABC CBA ABC ...), so that no callable always runs first or last.

    Each turn rests ``SETTLE_S`` seconds, runs the callable once untimed (caches, thread
    pool and clock back to speed), then keeps the time of a second run.
    """
    times: list[list[float]] = [[] for _ in callables]

    def turn(fn: Callable[[], float]) -> float:
        time.sleep(SETTLE_S)
        fn()
        return fn()

    for r in range(repeats):
        order = range(len(callables)) if r % 2 == 0 else reversed(range(len(callables)))
        for i in order:
            times[i].append(turn(callables[i]))
    return [statistics.median(t) for t in times]


def _setup(kind: str) -> tuple[Any, ...]:
    """Data in both layouts and a fresh network in both libraries, for "mlp" or "conv"."""
    if kind == "mlp":
        X, y = recipes.usps_sized_digits()
        ours, theirs = models.mathnn_mlp(), models.torch_mlp()
        X_t = torch.from_numpy(X)
    else:
        data = nn.load_mnist1d()
        X, y = data.X[..., None], data.y
        ours, theirs = models.mathnn_cnn(), models.torch_cnn()
        X_t = torch.from_numpy(np.ascontiguousarray(data.X[:, None, :]))  # (N, C, T) for torch
    return X, y, ours, X_t, torch.from_numpy(y), theirs


def _pair(mathnn_s: float, torch_s: float, samples: int) -> dict[str, float]:
    return {
        "mathnn_s": mathnn_s,
        "torch_s": torch_s,
        "ratio": mathnn_s / torch_s,
        "samples": samples,
        "batch_size": BATCH,
    }


def epoch_pair(kind: str, repeats: int) -> dict[str, float]:
    """Median epoch time of the MLP ("mlp") or CNN ("conv") in both libraries, through fit."""
    rng = np.random.default_rng(0)
    X, y, ours, X_t, y_t, theirs = _setup(kind)
    opt_ours = nn.SGD(ours, lr=LR, momentum=MOMENTUM)
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=LR, momentum=MOMENTUM)
    generator = torch.Generator().manual_seed(0)
    times = interleaved(
        [
            lambda: models.mathnn_epoch(ours, X, y, opt_ours, BATCH, rng),
            lambda: models.torch_epoch(theirs, X_t, y_t, opt_theirs, BATCH, generator),
        ],
        repeats,
    )
    return _pair(times[0], times[1], int(X.shape[0]))


def course_pair(kind: str, repeats: int) -> dict[str, float]:
    """Median epoch time of the course's own loop (contract calls, one-hot targets, plain
    SGD) in mathnn against PyTorch's idiomatic loop with plain SGD (no momentum), for the
    MLP ("mlp") or CNN ("conv").

    For the MLP the same turns also time that loop in plain NumPy without any check
    (:mod:`bench.plain`, from the same initial weights): ``plain_s`` and ``plain_ratio``.
    """
    rng = np.random.default_rng(0)
    X, y, ours, X_t, y_t, theirs = _setup(kind)
    Y = models.one_hot(y)
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=LR)
    generator = torch.Generator().manual_seed(0)
    sides = [
        lambda: models.course_epoch(ours, X, Y, LR, BATCH, rng),
        lambda: models.torch_epoch(theirs, X_t, y_t, opt_theirs, BATCH, generator),
    ]
    with_plain = kind == "mlp"
    if with_plain:
        plain, plain_loss, plain_rng = PlainMLP(ours), PlainCrossEntropy(), np.random.default_rng(0)
        sides.append(lambda: models.course_epoch(plain, X, Y, LR, BATCH, plain_rng, plain_loss))
    times = interleaved(sides, repeats)
    result = _pair(times[0], times[1], int(X.shape[0]))
    if with_plain:
        result.update(plain_s=times[2], plain_ratio=times[2] / times[1])
    return result


def time_to_accuracy(
    target: float = 0.94, seeds: tuple[int, ...] = (0, 1, 2), max_epochs: int = 20
) -> dict[str, Any]:
    """Training wall-clock until the MNIST-1D CNN first reaches ``target`` test accuracy.

    Same network, initial recipe (SGD 0.05, momentum 0.9, batch 64) and data in both
    libraries; the test accuracy is measured after every epoch, outside the timed part.
    Per seed, mathnn then PyTorch, with a rest before each. Returns seconds and epochs per
    seed (``None`` if ``max_epochs`` did not reach the target).
    """
    data = nn.load_mnist1d()
    X, X_test = data.X[..., None], data.X_test[..., None]
    X_t = torch.from_numpy(np.ascontiguousarray(data.X[:, None, :]))
    X_test_t = torch.from_numpy(np.ascontiguousarray(data.X_test[:, None, :]))
    y_t = torch.from_numpy(data.y)
    out: dict[str, Any] = {"target": target, "seeds": list(seeds), "mathnn": [], "torch": []}
    for seed in seeds:
        time.sleep(SETTLE_S)
        ours = models.mathnn_cnn(seed)
        optimizer = nn.SGD(ours, lr=LR, momentum=MOMENTUM)
        rng = np.random.default_rng(seed)
        seconds, reached = 0.0, None
        for epoch in range(1, max_epochs + 1):
            seconds += models.mathnn_epoch(ours, X, data.y, optimizer, BATCH, rng)
            if nn.accuracy(ours, X_test, data.y_test) >= target:
                reached = epoch
                break
        out["mathnn"].append({"seconds": seconds, "epochs": reached})
        time.sleep(SETTLE_S)
        theirs = models.torch_cnn(seed)
        opt_theirs = torch.optim.SGD(theirs.parameters(), lr=LR, momentum=MOMENTUM)
        generator = torch.Generator().manual_seed(seed)
        seconds, reached = 0.0, None
        for epoch in range(1, max_epochs + 1):
            seconds += models.torch_epoch(theirs, X_t, y_t, opt_theirs, BATCH, generator)
            with torch.no_grad():
                predicted = theirs(X_test_t).argmax(dim=1).numpy()
            if float(np.mean(predicted == data.y_test)) >= target:
                reached = epoch
                break
        out["torch"].append({"seconds": seconds, "epochs": reached})
        print(f"  seed {seed}: mathnn {out['mathnn'][-1]}  torch {out['torch'][-1]}", flush=True)
    return out


def module_cases() -> list[tuple[str, Any, Any, tuple[int, ...]]]:
    """(label, mathnn module, torch module, mathnn input shape) at two sizes each."""
    f32 = np.float32
    tn = torch.nn
    cases: list[tuple[str, Any, Any, tuple[int, ...]]] = []
    shape: tuple[int, ...]
    for n, d, d2 in ((64, 256, 100), (512, 512, 256)):
        cases.append(
            (
                f"Linear {d}-{d2}, N={n}",
                nn.Linear(d, d2, rng=0, dtype=f32),
                tn.Linear(d, d2),
                (n, d),
            )
        )
    for shape in ((64, 100), (512, 256)):
        cases.append((f"TanH {shape}", nn.TanH(), tn.Tanh(), shape))
    for shape in ((64, 38, 32), (64, 254, 32)):
        cases.append((f"ReLU {shape}", nn.ReLU(), tn.ReLU(), shape))
    for n, t, c, c2 in ((64, 256, 1, 32), (64, 19, 32, 64)):
        cases.append(
            (
                f"Conv1D k3 {c}-{c2}, (N,T)=({n},{t})",
                nn.Conv1D(3, c, c2, rng=0, dtype=f32),
                tn.Conv1d(c, c2, 3),
                (n, t, c),
            )
        )
    for shape in ((64, 38, 32), (64, 254, 32)):
        cases.append((f"MaxPool1D(2,2) {shape}", nn.MaxPool1D(2, 2), tn.MaxPool1d(2, 2), shape))
    return cases  # fmt: skip


def module_pair(
    module: Any, torch_module: Any, shape: tuple[int, ...], repeats: int
) -> tuple[float, float]:
    """Median time of forward + both backward passes (mathnn, given the output as in
    Sequential) vs forward + autograd (torch)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=shape).astype(np.float32)
    out_shape = module.forward(X).shape
    delta = rng.normal(size=out_shape).astype(np.float32)
    channels_first = len(shape) == 3  # torch's Conv1d and MaxPool1d read (N, C, T)
    X_t = torch.from_numpy(np.ascontiguousarray(X.transpose(0, 2, 1) if channels_first else X))
    X_t.requires_grad_(True)
    delta_t = torch.from_numpy(
        np.ascontiguousarray(delta.transpose(0, 2, 1) if channels_first else delta)
    )
    has_params = bool(module.parameters)

    def ours_once() -> None:  # as Sequential runs a module: the output goes to the backward
        Z = module.forward(X)
        if has_params:
            module.backward_update_gradient(X, delta)
        module.backward_delta_from_output(X, Z, delta)

    def theirs_once() -> None:
        torch_module(X_t).backward(delta_t)

    loops = 1
    while True:  # enough calls for about 20 ms per measurement
        start = time.perf_counter()
        for _ in range(loops):
            ours_once()
        if time.perf_counter() - start > 0.02 or loops > 10_000:
            break
        loops *= 2

    def timed(fn: Callable[[], None]) -> Callable[[], float]:
        def run() -> float:
            start = time.perf_counter()
            for _ in range(loops):
                fn()
            return (time.perf_counter() - start) / loops

        return run

    ours_s, theirs_s = interleaved([timed(ours_once), timed(theirs_once)], repeats)
    return ours_s, theirs_s


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = [
        f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')})"
        for i in threadpoolctl.threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "blas": ", ".join(sorted(set(blas))),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="3 repeats, no module table")
    parser.add_argument("--no-accuracy", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "docs" / "_static" / "bench.json"))
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats

    torch.set_num_threads(args.threads)
    threadpoolctl.threadpool_limits(args.threads)
    result: dict[str, Any] = {"machine": machine()}
    print(
        f"mathnn vs PyTorch eager, float32, {args.threads} threads, batch {BATCH}, "
        f"median of {repeats} interleaved repeats",
        flush=True,
    )
    print(f"{result['machine']['cpu']}; {result['machine']['blas']}\n")
    rows: list[tuple[str, float, float]] = []
    for key, label, measure, kind in (
        ("mlp_epoch", "MLP 256-100-10 epoch, 7291 x 256", epoch_pair, "mlp"),
        ("conv_epoch", "MNIST-1D CNN epoch, 4000 x 40", epoch_pair, "conv"),
        ("mlp_course", "MLP epoch, the course's loop", course_pair, "mlp"),
        ("conv_course", "CNN epoch, the course's loop", course_pair, "conv"),
    ):
        result[key] = measure(kind, repeats)
        rows.append((label, result[key]["mathnn_s"], result[key]["torch_s"]))
        print(
            f"  {label}: {result[key]['mathnn_s']:.4f} s vs {result[key]['torch_s']:.4f} s",
            flush=True,
        )
        if "plain_s" in result[key]:  # the same loop in plain NumPy, no check (bench/plain.py)
            rows.append((label + ", plain NumPy", result[key]["plain_s"], result[key]["torch_s"]))
            print(f"  {label} in plain NumPy, no check: {result[key]['plain_s']:.4f} s", flush=True)
    if not args.quick:
        result["modules"] = []
        for label, ours, theirs, shape in module_cases():
            a, b = module_pair(ours, theirs, shape, repeats)
            result["modules"].append({"case": label, "mathnn_s": a, "torch_s": b, "ratio": a / b})
            rows.append((label + " fwd+bwd", a, b))
    if not args.no_accuracy:
        print("time to 94 % test accuracy, MNIST-1D CNN:", flush=True)
        result["time_to_94"] = time_to_accuracy()
        result["accuracy"] = recipes.accuracies(verbose=True)
    print()
    print(f"{'case':<48} {'mathnn':>10} {'torch':>10} {'ratio':>7}")
    for label, a, b in rows:
        unit, scale = ("ms", 1e3) if b < 0.1 else ("s", 1.0)
        print(f"{label:<48} {a * scale:>8.3f}{unit} {b * scale:>8.3f}{unit} {a / b:>7.2f}")
    if "accuracy" in result:
        print(
            "\ntest accuracy (mean over seeds):",
            ", ".join(
                f"{k} {v:.4f}" for k, v in result["accuracy"].items() if isinstance(v, float)
            ),
        )
    if not args.quick:
        Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
        print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
