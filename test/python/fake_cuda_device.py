"""A second GPU chosen with DLC_CUDA_DEVICE, through the stand-in driver
(test/fake-cuda with DLC_FAKE_CUDA_DEVICES=2), run by test_cuda.py. Prints
"done" when every step passed."""
import ctypes
import sys
from pathlib import Path

import numpy as np

import dlc

work = Path(sys.argv[1])
path = dlc.export(lambda x: x * 2, (np.ones((3, 4), np.float32),), work / "m.dlc",
                  target="cuda")
module = dlc.runtime.load(path)
assert module.device == "cuda" and module.device_id == 1, module.device_id
a = np.arange(12, dtype=np.float32).reshape(3, 4)
d = module.to_device(a)
# The device's arrays say so to DLPack consumers, and calls take them.
assert d.__dlpack_device__() == (2, 1), d.__dlpack_device__()
assert "cuda:1" in repr(d), repr(d)
np.testing.assert_array_equal(d.numpy(), a)
assert module["predict"](d).shape == (3, 4)
# Host arrays are staged on it.
assert module["predict"](a).shape == (3, 4)


class OnDevice0:
    """The same memory, claimed by DLPack to be on CUDA device 0."""

    def __init__(self, array):
        self.array = array

    def __dlpack__(self, stream=None):
        capsule = self.array.__dlpack__()
        get = ctypes.pythonapi.PyCapsule_GetPointer
        get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
        tensor = get(capsule, b"dltensor")
        # DLTensor: data (8 bytes), then device {int32 device_type, int32 device_id}.
        ctypes.c_int32.from_address(tensor + 12).value = 0
        return capsule


try:
    module["predict"](OnDevice0(d))
except Exception as e:
    message = str(e)
    assert ("predict: input 0" in message
            and "expected a tensor on CUDA device 1" in message
            and "found one on device 0" in message), message
else:
    raise AssertionError("a tensor of another device was accepted")
print("done")
