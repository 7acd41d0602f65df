"""`dlc.compile_train_step`: forward, backward and optimizer update of a
model as one compiled call, parameters updated in place."""

from __future__ import annotations

import numpy as np

from . import _dlc
from ._core import _NUMPY, Trace, Tracer, element_type, is_float, tensor_type, tracing
from ._jit import (_leaf_array, check_target, config, load_module, resolve_gpu_arch,
                   signature, target_kind)


def trace_loss(model, loss_fn, batch):
    """A module with `loss(params..., batch...)`: the parameters are marked
    `dlc.param` and named after the model's parameters."""
    params = model.parameters()
    names = list(params)
    arrays = list(params.values()) + [_leaf_array(b, i) for i, b in enumerate(batch)]
    types = [tensor_type(a.shape, element_type(a.dtype)) for a in arrays]
    trace = Trace()
    with tracing(trace):
        func, tracers = trace.begin("loss", types, public=True)
        for i, name in enumerate(names):
            trace.builder.set_arg_attr(i, "dlc.name", f'"{name}"')
            trace.builder.set_arg_attr(i, "dlc.param", "unit")
        with model.bind(dict(zip(names, tracers))):
            loss = loss_fn(model(tracers[len(names)]), *tracers[len(names) + 1:])
        if not isinstance(loss, Tracer) or loss.shape != () or \
                not is_float(loss.dtype):
            raise ValueError(
                f"the loss must be a scalar float computed from the model's "
                f"output, got {loss!r}")
        trace.end([loss])
    return trace, arrays


class TrainStep:
    """`loss = step(x, y)`: one compiled training step (compiled once per
    batch signature; the optimizer's state is shared by all of them).

    With target="cuda" the step runs on the GPU, and the parameters and the
    optimizer's state live in its memory from the first step on: each step
    sends only the batch and reads back only the loss. `sync()` copies them
    back into the model's and the optimizer's arrays (after training, before
    evaluating or saving on the host); host arrays changed meanwhile
    (`load_state_dict`) are sent again by `reload()`."""

    def __init__(self, model, loss_fn, optimizer, cpu=None, target=None, gpu_arch=None):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.cpu = cpu
        self.target = check_target(target or config.target)
        self.gpu_arch = gpu_arch or config.gpu_arch
        self.allow_tf32 = config.allow_tf32
        self._compiled: dict = {}
        self.artifacts: dict = {}
        # target="cuda": name -> (host array, DeviceArray) of each parameter
        # and state array, shared by the compiled steps of all signatures.
        self._device: dict = {}

    def _compile(self, batch):
        trace, _ = trace_loss(self.model, self.loss_fn, batch)
        options = f"loss=loss lr-input=true {self.optimizer.pass_options()}"
        artifact = trace.builder.compile(self.cpu or config.cpu, train_step=options,
                                         target=target_kind(self.target),
                                         gpu_arch=resolve_gpu_arch(self.target,
                                                                   self.gpu_arch),
                                         allow_tf32=self.allow_tf32)
        module = load_module(artifact, self.target)
        entry = module.function("train_step")
        nparams = len(self.model.parameters())
        inputs = entry.inputs
        state = []
        for shape, dtype, name in inputs[nparams:len(inputs) - 1 - len(batch)]:
            dtype = _NUMPY[dtype]
            array = self.optimizer.state.get(name)
            # (State of another shape or dtype: the model changed, by
            # `to(dtype)` say; the state starts again.)
            if array is None or array.shape != tuple(shape) or array.dtype != dtype:
                array = self.optimizer.state[name] = np.zeros(shape, dtype)
            state.append(name)
        return module, entry, state, artifact

    def __call__(self, *batch):
        arrays = [_leaf_array(b, i) for i, b in enumerate(batch)]
        arrays = [a if a.flags.c_contiguous else np.ascontiguousarray(a) for a in arrays]
        # (The parameters' signatures too: `model.half()` compiles again.)
        key = tuple(signature(a) for a in list(self.model.parameters().values()) + arrays)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(batch)
            self.artifacts[key] = compiled[3]
        module, entry, state, _ = compiled
        tensors = list(self.model.parameters().items()) + \
            [(s, self.optimizer.state[s]) for s in state]
        if target_kind(self.target) == "cuda":
            tensors = [(name, self._on_device(module, name, array))
                       for name, array in tensors]
        (loss,) = entry([a for _, a in tensors] +
                        [np.asarray(self.optimizer.lr, np.float32)] + arrays)
        return loss[()]

    def _on_device(self, module, name, array):
        held = self._device.get(name)
        if held is None or held[0] is not array:
            held = self._device[name] = (array, module.to_device(array))
        return held[1]

    def sync(self) -> None:
        """target="cuda": copies the parameters and the optimizer's state
        from the GPU into the model's and the optimizer's arrays."""
        for array, device in self._device.values():
            array[...] = device.numpy()

    def reload(self) -> None:
        """target="cuda": sends the host arrays to the GPU again (after
        changing them on the host, e.g. with load_state_dict)."""
        for array, device in self._device.values():
            device.copy_from(np.ascontiguousarray(array))


def compile_train_step(model, loss_fn, optimizer, cpu=None, target=None,
                       gpu_arch=None) -> TrainStep:
    """`step = compile_train_step(model, loss_fn, optimizer)`;
    `loss = step(x, y)` computes `loss_fn(model(x), y)`, its gradient and the
    optimizer's update in one compiled call; the model's parameter arrays and
    the optimizer's state are updated in place. target="cuda" (default:
    dlc.config.target) trains on the GPU with the state kept there (see
    TrainStep.sync)."""
    return TrainStep(model, loss_fn, optimizer, cpu, target, gpu_arch)
