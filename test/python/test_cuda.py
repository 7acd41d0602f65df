"""target="cuda" from Python: jit, grad, training steps with their state on
the GPU, and device arrays. The tests marked `cuda` run where an NVIDIA GPU
and driver are present and are reported as skipped elsewhere; the others
check what must happen without one."""

from pathlib import Path

import numpy as np
import pytest

import dlc
import dlc.nn.functional as F
from test_nn import _NumpyMLP, _model

from conftest import HAS_CUDA_DRIVER


def _cnn():
    dlc.random.seed(2)
    return dlc.nn.Sequential(
        dlc.nn.Conv2d(1, 4, 3, padding=1), dlc.nn.ReLU(), dlc.nn.MaxPool2d(2),
        dlc.nn.Flatten(), dlc.nn.Linear(4 * 4 * 4, 3))


# --- without a GPU ---------------------------------------------------------

@pytest.mark.skipif(HAS_CUDA_DRIVER, reason="an NVIDIA driver is present")
def test_cuda_jit_and_train_step_without_driver_are_errors(rng):
    x = rng.standard_normal((4, 8)).astype(np.float32)
    f = dlc.jit(lambda x: dlc.nn.softmax(x, axis=-1))
    dlc.config.target = "cuda"
    # The default architecture, "native", is the GPU's: none to ask.
    assert dlc.config.gpu_arch == "native"
    with pytest.raises(dlc.DlcRuntimeError, match=r"GPU architecture 'native': no NVIDIA "
                       r"GPU: the NVIDIA driver library libcuda.so.1 could not be loaded "
                       r"\(.*\); name one instead \(sm_80, sm_90a, ...\)"):
        f(x)
    with pytest.raises(dlc.DlcRuntimeError, match="libcuda.so.1 could not be loaded"):
        dlc.runtime.cuda_device()
    with pytest.raises(dlc.DlcRuntimeError, match="libcuda.so.1 could not be loaded"):
        dlc.runtime.native_gpu_arch()
    with pytest.raises(dlc.DlcRuntimeError, match="no NVIDIA GPU"):
        dlc.export(lambda x: x * 2, (x,), "never-written.dlc", target="cuda")
    # Named, it compiles; loading the artifact is the error.
    dlc.config.gpu_arch = "sm_80"
    with pytest.raises(dlc.DlcRuntimeError, match=r"runs on an NVIDIA GPU \(sm_80\), but the "
                       r"NVIDIA driver library libcuda.so.1 could not be loaded"):
        f(x)
    dlc.config.target = "cpu"
    np.testing.assert_allclose(f(x).sum(-1), 1, rtol=1e-6)  # cached per target
    model = _model()
    before = {k: v.copy() for k, v in model.parameters().items()}
    step = dlc.compile_train_step(model, F.cross_entropy, dlc.optim.Adam(0.1),
                                  target="cuda", gpu_arch="sm_90")
    with pytest.raises(dlc.DlcRuntimeError, match=r"NVIDIA GPU \(sm_90\)"):
        step(x, np.zeros(4, np.int64))
    for k, v in model.parameters().items():  # nothing was updated
        np.testing.assert_array_equal(v, before[k])


def test_unknown_target_is_an_error():
    with pytest.raises(ValueError, match="unknown target 'gpu' \\(expected 'cpu', 'cuda' or 'cuda:N'\\)"):
        dlc.compile_train_step(_model(), F.cross_entropy, dlc.optim.SGD(0.1), target="gpu")
    dlc.config.target = "tpu"
    with pytest.raises(ValueError, match="unknown target 'tpu'"):
        dlc.jit(lambda x: x + 1)(np.ones(3, np.float32))


def test_device_arrays_need_a_cuda_module(tmp_path):
    path = dlc.export(lambda x: x * 2, (np.ones(3, np.float32),), tmp_path / "m.dlc")
    module = dlc.runtime.load(path)
    assert module.device == "cpu"
    with pytest.raises(ValueError, match="this module runs on the CPU"):
        module.to_device(np.ones(3, np.float32))


def test_allow_tf32_reaches_the_gpu_compiler(tmp_path):
    # Off by default (exact f32, as PyTorch's allow_tf32=False); when set,
    # an f32 matmul's kernels change (tensor cores in TF32), the same
    # settings giving the same bytes. CPU artifacts are not affected.
    assert dlc.config.allow_tf32 is False
    x, w = np.ones((64, 32), np.float32), np.ones((32, 64), np.float32)

    def artifact(name, target):
        path = dlc.export(lambda x, w: x @ w, (x, w), tmp_path / name, target=target,
                          gpu_arch="sm_80")
        return path.read_bytes()

    exact = artifact("exact.dlc", "cuda")
    assert artifact("again.dlc", "cuda") == exact
    cpu = artifact("cpu.dlc", "cpu")
    dlc.config.allow_tf32 = True
    assert artifact("tf32.dlc", "cuda") != exact
    assert artifact("cpu_tf32.dlc", "cpu") == cpu


def test_chip_unknown_to_ptxas_warns_and_embeds_ptx(tmp_path, monkeypatch):
    # A stand-in toolkit whose ptxas lacks sm_70 (as CUDA 13's): the export
    # succeeds with a Python warning, the kernels as PTX for the driver.
    bin_dir = tmp_path / "toolkit" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "ptxas").write_text("#!/bin/sh\necho \"'sm_80','sm_90'\"\n")
    (bin_dir / "fatbinary").write_text("#!/bin/sh\nexit 1\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    monkeypatch.setenv("CUDA_ROOT", str(tmp_path / "toolkit"))
    x = np.ones((4, 32), np.float32)
    with pytest.warns(UserWarning, match="ptxas does not know sm_70: the kernels are "
                      "embedded as PTX only"):
        path = dlc.export(lambda x: x * 2, (x,), tmp_path / "old.dlc",
                          target="cuda", gpu_arch="sm_70")
    data = path.read_bytes()
    assert b'"arch":"sm_70"' in data and b".target sm_70" in data


# --- on the GPU --------------------------------------------------------------

@pytest.mark.cuda
def test_op_families_on_gpu_match_numpy(rng):
    dlc.config.target = "cuda"
    x = rng.standard_normal((6, 40)).astype(np.float32)
    w = rng.standard_normal((40, 24)).astype(np.float32)
    img = rng.standard_normal((2, 3, 9, 9)).astype(np.float32)
    k = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)

    def families(x, w, img, k):
        return (dlc.tanh(x) * dlc.exp(-x * x),            # elementwise
                x.sum(axis=0), x.max(axis=1),               # reductions
                dlc.nn.softmax(x, axis=-1),                 # row reduction + broadcast
                x @ w,                                      # matmul
                dlc.nn.conv2d(img, k, stride=2, padding=1),  # convolution
                x.T[::2, 1:5].reshape(20, 4))               # shape ops

    got = dlc.jit(families)(x, w, img, k)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    e = np.exp(x64 - x64.max(1, keepdims=True))
    pad = np.pad(img.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((2, 5, 5, 5))
    for i in range(5):
        for j in range(5):
            patch = pad[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
            conv[:, :, i, j] = np.einsum("nchw,ochw->no", patch, k.astype(np.float64))
    want = (np.tanh(x64) * np.exp(-x64 * x64), x64.sum(0), x64.max(1),
            e / e.sum(1, keepdims=True), x64 @ w64, conv, x64.T[::2, 1:5].reshape(20, 4))
    for i, (g, r) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, r, rtol=2e-5, atol=2e-5, err_msg=f"output {i}")


@pytest.mark.cuda
def test_tensor_core_matmuls_match_numpy(rng):
    # f16 (mma.sync m16n8k16, f32 sums rounded once to f16), its transposed
    # operands (a backward's x^T dy), and f32 in TF32 (10-bit mantissas,
    # f32 sums: about 1e-3 relative per product) against float64.
    dlc.config.target = "cuda"
    a = rng.uniform(-1, 1, (128, 64)).astype(np.float16)
    b = rng.uniform(-1, 1, (64, 96)).astype(np.float16)
    got = dlc.jit(lambda a, b: (a @ b, a.T @ a))(a, b)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    for g, r in zip(got, (a64 @ b64, a64.T @ a64)):
        assert g.dtype == np.float16
        np.testing.assert_allclose(g.astype(np.float64), r, rtol=5e-3, atol=5e-3)
    x = rng.uniform(-1, 1, (64, 256)).astype(np.float32)
    w = rng.uniform(-1, 1, (256, 64)).astype(np.float32)
    want = x.astype(np.float64) @ w.astype(np.float64)
    f = dlc.jit(lambda x, w: x @ w)
    exact = f(x, w)
    dlc.config.allow_tf32 = True
    tf32 = f(x, w)  # (compiled again: the setting is part of the cache key)
    # f32 sums of 256 products are off by ~1e-5; TF32's by ~1e-3.
    assert np.abs(exact - want).max() < 1e-4
    assert 2e-4 < np.abs(tf32 - want).max() < 256 * 2e-3


@pytest.mark.cuda
def test_grad_on_gpu_matches_cpu(rng):
    x = rng.standard_normal((16, 8)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    model = _model()
    params = model.parameters()
    ref = _NumpyMLP(params)
    ref_loss, ref_grads = ref.grads(x.astype(np.float64), y)
    dlc.config.target = "cuda"

    def loss(p):
        with model.bind(p):
            return F.cross_entropy(model(x), y)
    value, grads = dlc.jit(dlc.value_and_grad(loss))(params)
    np.testing.assert_allclose(value, ref_loss, rtol=1e-5)
    for name, g in grads.items():
        np.testing.assert_allclose(g, ref_grads[name], rtol=1e-4, atol=1e-6, err_msg=name)


@pytest.mark.cuda
@pytest.mark.parametrize("make", [_model, _cnn], ids=["mlp", "cnn"])
def test_train_step_on_gpu_matches_cpu(make, rng):
    shape = (32, 8) if make is _model else (32, 1, 8, 8)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, 3, 32)
    cpu_model, gpu_model = make(), make()
    cpu_opt = dlc.optim.Adam(0.01)
    cpu_step = dlc.compile_train_step(cpu_model, F.cross_entropy, cpu_opt)
    gpu_opt = dlc.optim.Adam(0.01)
    gpu_step = dlc.compile_train_step(gpu_model, F.cross_entropy, gpu_opt, target="cuda")
    for _ in range(5):
        np.testing.assert_allclose(gpu_step(x, y), cpu_step(x, y), rtol=1e-4)
    # The state lives on the GPU: the host arrays are stale until sync().
    before = {k: v.copy() for k, v in gpu_model.parameters().items()}
    gpu_step(x, y)
    cpu_step(x, y)
    for k, v in gpu_model.parameters().items():
        np.testing.assert_array_equal(v, before[k])
    gpu_step.sync()
    for k, v in gpu_model.parameters().items():
        np.testing.assert_allclose(v, cpu_model.parameters()[k], rtol=1e-4, atol=1e-5,
                                   err_msg=k)
    assert sorted(gpu_opt.state) == sorted(cpu_opt.state)
    for k, v in gpu_opt.state.items():
        np.testing.assert_allclose(v, cpu_opt.state[k], rtol=1e-4, atol=1e-6, err_msg=k)


@pytest.mark.cuda
def test_device_array_round_trip_and_dlpack(tmp_path, rng):
    path = dlc.export(lambda x: x * 2, (np.ones((3, 4), np.float32),), tmp_path / "m.dlc",
                      target="cuda")
    module = dlc.runtime.load(path)
    assert module.device == "cuda"
    a = rng.standard_normal((3, 4)).astype(np.float32)
    d = module.to_device(a)
    assert d.shape == (3, 4) and d.dtype == np.float32
    assert d.__dlpack_device__() == (2, 0)  # kDLCUDA, device 0
    np.testing.assert_array_equal(d.numpy(), a)
    np.testing.assert_array_equal(module["predict"](d), 2 * a)  # used in place
    # jit takes device arrays as inputs (no copy in; the result comes back).
    dlc.config.target = "cuda"
    np.testing.assert_allclose(dlc.jit(lambda x: dlc.exp(x))(d), np.exp(a), rtol=1e-6)
    d.copy_from(a + 1)
    np.testing.assert_array_equal(d.numpy(), a + 1)
    with pytest.raises(ValueError, match=r"expected a float32\[3, 4\] array"):
        d.copy_from(np.ones(3, np.float32))
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():  # zero-copy into PyTorch, and its stream
        t = torch.from_dlpack(d)
        assert t.is_cuda
        np.testing.assert_array_equal(t.cpu().numpy(), a + 1)
        t.mul_(3)  # queued on PyTorch's stream, before dlc's call on it
        out = module["predict"](d, stream=torch.cuda.current_stream())
        np.testing.assert_array_equal(out, 6 * (a + 1))


@pytest.mark.cuda
def test_gemm_on_misaligned_device_tensors(tmp_path, rng):
    """The tiled GEMM stages its tiles with 16-byte loads only where the rows
    are 16-byte aligned (tested in the kernel): a caller's CUDA tensor 4
    bytes off its allocation takes the scalar loads, with the same result."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch without CUDA")
    n = 64
    path = dlc.export(lambda a, b: a @ b, (np.ones((n, n), np.float32),) * 2,
                      tmp_path / "gemm.dlc", target="cuda")
    gemm = dlc.runtime.load(path)["predict"]
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    expected = a.astype(np.float64) @ b
    for offset in (0, 1):  # elements past a (256-byte aligned) allocation
        views = []
        for x in (a, b):
            flat = torch.zeros(n * n + offset, device="cuda")
            view = flat[offset:].view(n, n)
            view.copy_(torch.from_numpy(x))
            assert view.data_ptr() % 16 == 4 * offset
            views.append(view)
        np.testing.assert_allclose(gemm(*views), expected, rtol=1e-4, atol=1e-4,
                                   err_msg=f"offset {offset}")


def test_stream_argument(tmp_path):
    path = dlc.export(lambda x: x * 2, (np.ones(3, np.float32),), tmp_path / "m.dlc")
    predict = dlc.runtime.load(path)["predict"]
    np.testing.assert_array_equal(predict(np.ones(3, np.float32), stream=None), 2)
    with pytest.raises(ValueError, match="runs on the CPU; a CUDA stream was given"):
        predict(np.ones(3, np.float32), stream=1234)
    with pytest.raises(TypeError, match="stream: expected an int or a CUDA stream object"):
        predict(np.ones(3, np.float32), stream="s")


def test_cuda_calls_through_the_fake_driver(tmp_path):
    """Device arrays, jit and a training step with target="cuda" through the
    stand-in driver of test/fake-cuda (fake_cuda_session.py, in a process
    that opens it as libcuda.so.1): every driver call passes the fake's
    checks and nothing of the calls is left allocated."""
    import os
    import subprocess
    import sys
    from dlc.execution import _build_dir
    fake = _build_dir() / "test" / "fake-cuda" / "pools"
    if not (fake / "libcuda.so.1").exists():
        pytest.fail(f"{fake}/libcuda.so.1 is missing: build the fake-cuda-pools target")
    log = tmp_path / "fake.log"
    env = dict(os.environ, LD_LIBRARY_PATH=str(fake), DLC_FAKE_CUDA_LOG=str(log))
    run = subprocess.run([sys.executable, str(Path(__file__).with_name("fake_cuda_session.py")),
                          str(tmp_path)], env=env, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "done", run.stdout + run.stderr
    summary = log.read_text()
    assert "errors 0" in summary and ", kernel launches 0 " not in summary, summary


def test_native_gpu_arch_through_the_fake_driver(tmp_path):
    """gpu_arch="native" on (stand-in) GPUs of other compute capabilities:
    an A100's sm_80, an RTX 3090's sm_86; an artifact for another GPU is
    refused at load, naming both; a GPU older than 7.0 is an error."""
    import os
    import subprocess
    import sys
    from dlc.execution import _build_dir
    fake = _build_dir() / "test" / "fake-cuda" / "pools"
    if not (fake / "libcuda.so.1").exists():
        pytest.fail(f"{fake}/libcuda.so.1 is missing: build the fake-cuda-pools target")
    script = (
        "import sys, numpy as np, dlc\n"
        "x = np.ones((4, 8), np.float32)\n"
        "print(dlc.runtime.native_gpu_arch())\n"
        "dlc.config.target = 'cuda'\n"
        "print(dlc.jit(lambda x: x * 2)(x).shape)\n"
        "try:\n"
        "    dlc.runtime.load(dlc.export(lambda x: x * 2, (x,), sys.argv[1], target='cuda',\n"
        "                                gpu_arch='sm_90a'))\n"
        "except dlc.DlcRuntimeError as e:\n"
        "    print(e)\n")
    path = str(tmp_path / "h100.dlc")

    def run(capability):
        env = dict(os.environ, LD_LIBRARY_PATH=str(fake), DLC_FAKE_CUDA_CC=capability)
        return subprocess.run([sys.executable, "-c", script, path], env=env,
                              capture_output=True, text=True)

    for capability, arch in (("8.0", "sm_80"), ("8.6", "sm_86")):
        done = run(capability)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[:2] == [arch, "(4, 8)"], done.stdout
        assert lines[2] == (
            f"{path}: compiled for sm_90a, which runs on GPUs of compute capability 9.0 "
            f"only, but CUDA device 0 (dlc stand-in GPU 0) is of compute capability "
            f"{capability}: recompile for it (--gpu-arch=native, or gpu_arch=\"native\" "
            "from Python)"), done.stdout
    done = run("6.1")
    assert done.returncode != 0
    assert ("DlcRuntimeError: GPU architecture 'native': dlc stand-in GPU 0 is of compute "
            "capability 6.1; dlc compiles for 7.0 and later") in done.stderr, done.stderr


def test_second_gpu_through_the_fake_driver(tmp_path):
    """DLC_CUDA_DEVICE=1 on a (stand-in) machine of two GPUs: the module
    computes on device 1, its arrays are DLPack device 1, tensors claiming
    device 0 are refused by name (fake_cuda_device.py); an ordinal the
    machine lacks is a load error naming the devices there are."""
    import os
    import subprocess
    import sys
    from dlc.execution import _build_dir
    fake = _build_dir() / "test" / "fake-cuda" / "pools"
    if not (fake / "libcuda.so.1").exists():
        pytest.fail(f"{fake}/libcuda.so.1 is missing: build the fake-cuda-pools target")
    log = tmp_path / "fake.log"
    env = dict(os.environ, LD_LIBRARY_PATH=str(fake), DLC_FAKE_CUDA_LOG=str(log),
               DLC_FAKE_CUDA_DEVICES="2", DLC_CUDA_DEVICE="1")
    script = str(Path(__file__).with_name("fake_cuda_device.py"))
    run = subprocess.run([sys.executable, script, str(tmp_path)], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "done", run.stdout + run.stderr
    summary = log.read_text()
    assert "errors 0" in summary and summary.rstrip().endswith("device 1"), summary
    # target="cuda:1" chooses the GPU where no DLC_CUDA_DEVICE does.
    del env["DLC_CUDA_DEVICE"]
    run = subprocess.run([sys.executable, str(Path(__file__).with_name("fake_cuda_target.py"))],
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "done", run.stdout + run.stderr
    for chosen in ("2", "one"):
        env["DLC_CUDA_DEVICE"] = chosen
        run = subprocess.run([sys.executable, script, str(tmp_path)], env=env,
                             capture_output=True, text=True)
        assert run.returncode != 0
        assert (f"DLC_CUDA_DEVICE={chosen} is not a device of this machine "
                "(2 CUDA devices, 0 to 1)") in run.stderr, run.stderr


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_train_step_takes_wgmma_through_the_fake_driver(dtype):
    """model.half() (or bfloat16()) from Python on a (stand-in) H100: the step compiles for
    sm_90a, and each step's five products (two forward; in the backward the
    two weight gradients, x^T dy, and the hidden layer's input gradient,
    dy W^T) are wgmma kernels of 384 threads. (They have 48 KiB of dynamic
    shared memory next to static mbarriers, which failed to launch on an
    H200 until the runtime raised the limit for them.)"""
    import os
    import subprocess
    import sys
    from dlc.execution import _build_dir
    fake = _build_dir() / "test" / "fake-cuda" / "pools"
    if not (fake / "libcuda.so.1").exists():
        pytest.fail(f"{fake}/libcuda.so.1 is missing: build the fake-cuda-pools target")
    env = dict(os.environ, LD_LIBRARY_PATH=str(fake), DLC_FAKE_CUDA_TRACE="1")
    run = subprocess.run([sys.executable, str(Path(__file__).with_name("fake_cuda_half_step.py")),
                          dtype], env=env, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "done", run.stdout + run.stderr
    launches = [line for line in run.stderr.splitlines() if "fake libcuda: launch " in line]
    wgmma = [line for line in launches if ", 384 x 1 x 1," in line]
    assert len(wgmma) == 2 * 5, "\n".join(launches)
