"""`dlc.export`: ahead-of-time compilation to an artifact file."""

from __future__ import annotations

import os

import numpy as np

from ._core import Trace, Tracer, element_type, tensor_type, tracing, tree_flatten
from ._jit import _leaf_array, check_target, config, resolve_gpu_arch, target_kind
from ._train import trace_loss
from .nn.modules import Module


def _trace_predict(trace, model, params_as_inputs, args):
    arrays = [_leaf_array(a, i) for i, a in enumerate(args)]
    params = model.parameters() if isinstance(model, Module) else {}
    names = list(params) if params_as_inputs else []
    inputs = [params[n] for n in names] + arrays
    types = [tensor_type(a.shape, element_type(a.dtype)) for a in inputs]
    func, tracers = trace.begin("predict", types, public=True)
    for i, name in enumerate(names):
        trace.builder.set_arg_attr(i, "dlc.name", f'"{name}"')
    if names:
        with model.bind(dict(zip(names, tracers))):
            out = model(*tracers[len(names):])
    else:
        out = model(*tracers)
    leaves, _ = tree_flatten(out)
    trace.end(leaves)


def export(fn_or_model, example_args, path, target="cpu", train_step=None, cpu=None,
           gpu_arch=None):
    """Compiles `fn_or_model` for arguments like `example_args` (a tuple) into
    the artifact `path`, with one entry point `predict`, for the CPU or, with
    target="cuda", an NVIDIA GPU of architecture `gpu_arch` (the host code
    for this CPU, the kernels as cubin and PTX; by default
    `dlc.config.gpu_arch`, "native": this machine's GPU; name one, e.g.
    "sm_80" or "sm_90a", to export for another).

    A model's parameters are constants of `predict`; with
    `train_step=(loss_fn, optimizer)` they are inputs instead (named after
    the parameters), and the artifact also holds `train_step(params...,
    optimizer_state..., lr, x, y) -> loss`, which updates parameters and
    state in place (the `dlc-make-train-step` pass)."""
    try:
        check_target(target)
    except ValueError as e:
        raise ValueError(f"dlc.export: {e}") from None
    if not isinstance(example_args, (tuple, list)):
        example_args = (example_args,)
    options = None
    if train_step is None:
        trace = Trace()
        with tracing(trace):
            _trace_predict(trace, fn_or_model, False, example_args)
    else:
        if not isinstance(fn_or_model, Module):
            raise TypeError("dlc.export: train_step needs an nn.Module")
        loss_fn, optimizer = train_step
        x, *rest = example_args
        if not rest:
            raise ValueError("dlc.export: with train_step, example_args are "
                             "(x, target)")
        trace, _ = trace_loss(fn_or_model, loss_fn, example_args)
        with tracing(trace):
            _trace_predict(trace, fn_or_model, True, (x,))
        options = f"loss=loss lr-input=true {optimizer.pass_options()}"
    artifact = trace.builder.compile(cpu or config.cpu, train_step=options,
                                     target=target_kind(target),
                                     gpu_arch=resolve_gpu_arch(target,
                                                               gpu_arch or config.gpu_arch),
                                     allow_tf32=config.allow_tf32)
    with open(os.fspath(path), "wb") as f:
        f.write(artifact)
    return path
