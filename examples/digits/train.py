"""Train an MLP and a small CNN on scikit-learn's 8x8 digits with dlc.

    .venv/bin/python examples/digits/train.py [--model mlp|cnn|both] [--epochs N]
                                              [--target cpu|cuda]

Each model is trained by one compiled training step per batch (forward,
backward and optimizer update, parameters updated in place), with a tqdm
progress bar showing the loss; then the test accuracy is printed, the loss
curve saved as a PNG, the model exported as an artifact and reloaded with
`dlc.runtime` to predict the test set again. With --target=cuda the
training steps run on an NVIDIA GPU with the parameters and the optimizer's
state kept there, copied back (`step.sync()`) before evaluating.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from tqdm import tqdm  # noqa: E402

import dlc  # noqa: E402
from dlc import nn  # noqa: E402
from dlc.nn import functional as F  # noqa: E402


def data(image: bool):
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)
    x = x[:, None] if image else x.reshape(len(x), -1)
    return train_test_split(x, digits.target.astype(np.int64), test_size=0.2,
                            random_state=0, stratify=digits.target)


def make_model(kind: str):
    dlc.random.seed(0)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)), \
            dlc.optim.Adam(lr=2e-3)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 16 x 4 x 4
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 32 x 2 x 2
        nn.Flatten(), nn.Linear(128, 10)), dlc.optim.Adam(lr=3e-3)


def train(kind: str, epochs: int, batch: int, out: Path, target: str = "cpu") -> float:
    x_train, x_test, y_train, y_test = data(image=kind == "cnn")
    model, optimizer = make_model(kind)
    step = dlc.compile_train_step(model, F.cross_entropy, optimizer, target=target)
    rng = np.random.default_rng(0)
    batches = len(x_train) // batch  # the last partial batch is dropped
    losses = []
    start = time.perf_counter()
    with tqdm(total=epochs * batches, desc=f"{kind} training", unit="step",
              mininterval=0.5) as bar:
        for epoch in range(epochs):
            order = rng.permutation(len(x_train))
            for b in range(batches):
                i = order[b * batch:(b + 1) * batch]
                losses.append(float(step(x_train[i], y_train[i])))
                bar.set_postfix(epoch=epoch + 1, loss=f"{losses[-1]:.4f}", refresh=False)
                bar.update()
    seconds = time.perf_counter() - start
    step.sync()  # target="cuda": the trained parameters back into the model

    predict = dlc.jit(model)
    accuracy = float((predict(x_test).argmax(axis=1) == y_test).mean())
    print(f"{kind}: test accuracy {accuracy:.2%} ({len(x_test)} images), "
          f"{epochs} epochs in {seconds:.1f} s")

    plt.figure(figsize=(6, 3.5))
    plt.plot(losses, lw=0.8)
    plt.xlabel("step")
    plt.ylabel("cross-entropy")
    plt.yscale("log")
    plt.title(f"digits {kind}: test accuracy {accuracy:.1%}")
    plt.tight_layout()
    plt.savefig(out / f"{kind}_loss.png", dpi=120)
    plt.close()

    artifact = dlc.export(model, (x_test,), out / f"{kind}.dlc")
    module = dlc.runtime.load(artifact)
    reloaded = module["predict"](x_test).argmax(axis=1)
    print(f"{kind}: exported {artifact} ({Path(artifact).stat().st_size // 1024} KB); "
          f"reloaded with dlc.runtime: accuracy {(reloaded == y_test).mean():.2%}; "
          f"loss curve {out / f'{kind}_loss.png'}")
    return accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["mlp", "cnn", "both"], default="both")
    parser.add_argument("--epochs", type=int, default=None,
                        help="default: 30 (MLP), 20 (CNN)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--out", type=Path, default=Path("digits-out"))
    parser.add_argument("--target", choices=["cpu", "cuda"], default="cpu",
                        help="where the training steps run (cuda: an NVIDIA GPU)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in (["mlp", "cnn"] if args.model == "both" else [args.model]):
        train(kind, args.epochs or (30 if kind == "mlp" else 20), args.batch, args.out,
              args.target)


if __name__ == "__main__":
    main()
