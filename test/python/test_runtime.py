"""dlc.export and dlc.runtime: artifacts written from Python, reloaded."""

from pathlib import Path

import numpy as np
import pytest

import dlc
from dlc.nn import functional as F


class OnlyDLPack:
    """An array-like that offers nothing but the DLPack protocol."""

    def __init__(self, array):
        self._array = array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


def test_export_and_load_a_model(tmp_path, rng):
    dlc.random.seed(0)
    model = dlc.nn.Sequential(dlc.nn.Linear(5, 7), dlc.nn.GELU(), dlc.nn.Linear(7, 2))
    x = rng.standard_normal((3, 5)).astype(np.float32)
    path = dlc.export(model, (x,), tmp_path / "model.dlc")
    m = dlc.runtime.load(path)
    assert [e.name for e in m.entry_points] == ["predict"]
    (entry,) = m.entry_points
    assert entry.inputs[0].shape == (3, 5) and entry.inputs[0].dtype == "f32"
    assert entry.outputs[0].shape == (3, 2)
    np.testing.assert_allclose(m["predict"](x), dlc.jit(model)(x), rtol=1e-6)
    np.testing.assert_allclose(m["predict"](OnlyDLPack(x)), dlc.jit(model)(x), rtol=1e-6)
    assert m.manifest["functions"][0]["name"] == "predict" and "device" not in m.manifest
    m.set_num_threads(1)
    with pytest.raises(ValueError, match="threads >= 1"):
        m.set_num_threads(0)
    from_bytes = dlc.runtime.from_bytes(Path(path).read_bytes())
    np.testing.assert_allclose(from_bytes["predict"](x), m["predict"](x))
    with pytest.raises(KeyError, match="no entry point 'train'"):
        m["train"]
    with pytest.raises(ValueError, match="expected f32\\[3, 5\\], found f64\\[3, 5\\]"):
        m["predict"](x.astype(np.float64))
    with pytest.raises(TypeError, match="takes 1 arguments \\(2 given\\)"):
        m["predict"](x, x)


def test_export_with_train_step(tmp_path, rng):
    dlc.random.seed(0)
    model = dlc.nn.Sequential(dlc.nn.Linear(4, 3))
    x = rng.standard_normal((6, 4)).astype(np.float32)
    y = rng.integers(0, 3, 6)
    path = dlc.export(model, (x, y), tmp_path / "train.dlc",
                      train_step=(F.cross_entropy, dlc.optim.SGD(0.1, momentum=0.9)))
    m = dlc.runtime.load(path)
    assert sorted(e.name for e in m.entry_points) == ["loss", "predict", "train_step"]
    params = [p.copy() for p in model.parameters().values()]
    state = [np.zeros_like(p) for p in params]
    losses = [m["train_step"](*params, *state, np.asarray(0.1, np.float32), x, y) for _ in range(20)]
    assert losses[-1] < losses[0]
    names = [s.name for s in m["train_step"].inputs]
    assert names[:2] == ["0.weight", "0.bias"] and names[2].endswith("momentum")
    np.testing.assert_allclose(m["predict"](*params, x), x @ params[0].T + params[1], rtol=1e-5)


def test_corrupt_artifact_is_an_error(tmp_path):
    path = tmp_path / "bad.dlc"
    path.write_bytes(b"not an artifact at all")
    with pytest.raises(dlc.DlcRuntimeError):
        dlc.runtime.load(path)


def test_export_unknown_target(tmp_path):
    with pytest.raises(ValueError, match="unknown target 'tpu'"):
        dlc.export(lambda x: x * 2, (np.ones(2),), tmp_path / "x.dlc", target="tpu")


def _has_cuda_driver():
    import ctypes
    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


@pytest.mark.skipif(_has_cuda_driver(), reason="an NVIDIA driver is present")
def test_cuda_artifact_without_driver_is_an_error(tmp_path):
    import os
    import subprocess
    from pathlib import Path
    build = Path(os.environ.get("DLC_BUILD", Path(__file__).resolve().parents[2] / "build"))
    source = tmp_path / "m.mlir"
    source.write_text("func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
                      "  %0 = dlc.exp %x : tensor<4xf32>\n  return %0 : tensor<4xf32>\n}\n")
    artifact = tmp_path / "m.dlc"
    subprocess.run([str(build / "bin" / "dlc-compile"), str(source), "--target=cuda",
                    "--gpu-arch=sm_90", "-o", str(artifact)], check=True)
    with pytest.raises(dlc.DlcRuntimeError, match=r"runs on an NVIDIA GPU \(sm_90\), but "
                       r"the NVIDIA driver library libcuda.so.1 could not be loaded"):
        dlc.runtime.load(artifact)
    # The same from Python's export.
    exported = dlc.export(lambda x: dlc.exp(x), (np.ones(4, np.float32),),
                          tmp_path / "e.dlc", target="cuda", gpu_arch="sm_80")
    with pytest.raises(dlc.DlcRuntimeError, match=r"NVIDIA GPU \(sm_80\)"):
        dlc.runtime.load(exported)
