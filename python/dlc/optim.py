"""Optimizers for `dlc.compile_train_step`: PyTorch's update rules, written
as dlc ops by the `dlc-make-train-step` pass, so forward, backward and update
compile into one function. The optimizer holds its state (momentum buffers,
Adam's moments and step count) as NumPy arrays, updated in place by each
step; `lr` may be changed between steps (a schedule)."""

from __future__ import annotations


class Optimizer:
    def __init__(self, lr):
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = lr
        self.state: dict = {}  # state name ("fc1.weight.momentum") -> array

    def pass_options(self) -> str:
        raise NotImplementedError


class SGD(Optimizer):
    def __init__(self, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(lr)
        if momentum < 0 or weight_decay < 0:
            raise ValueError("momentum and weight_decay must be non-negative")
        if nesterov and momentum <= 0:
            raise ValueError("Nesterov momentum requires a momentum")
        self.momentum, self.weight_decay, self.nesterov = momentum, weight_decay, nesterov

    def pass_options(self):
        return (f"optimizer=sgd momentum={self.momentum!r} "
                f"nesterov={str(bool(self.nesterov)).lower()} "
                f"weight-decay={self.weight_decay!r}")


class Adam(Optimizer):
    _name = "adam"

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(lr)
        self.betas, self.eps, self.weight_decay = tuple(betas), eps, weight_decay
        if not (0 <= self.betas[0] < 1 and 0 <= self.betas[1] < 1):
            raise ValueError(f"betas must be in [0, 1), got {betas}")

    def pass_options(self):
        return (f"optimizer={self._name} beta1={self.betas[0]!r} "
                f"beta2={self.betas[1]!r} eps={self.eps!r} "
                f"weight-decay={self.weight_decay!r}")


class AdamW(Adam):
    _name = "adamw"

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(lr, betas, eps, weight_decay)
