# RUN: %PYTHON %s | FileCheck %s
"""Bad calls into compiled code raise clear errors instead of crashing."""

import numpy as np

from dlc.execution import CompileError, Module

module = Module("""
func.func @scale(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dlc.mul %x, %y : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
""")
x = np.ones((2, 3), np.float32)
(out,) = module("scale", x, np.full((2, 3), 2, np.float32))
# CHECK: ok [2.0, 2.0, 2.0]
print("ok", out[0].tolist())


def report(fn):
    try:
        fn()
        print("no error")
    except Exception as e:  # the message is what the test checks
        print(f"{type(e).__name__}: {e}")


# CHECK: TypeError: @scale takes 2 arguments, got 1
report(lambda: module("scale", x))
# CHECK: TypeError: @scale argument 1: expected tensor<2x3xf32> (float32[2, 3]), got float32[3, 2]
report(lambda: module("scale", x, np.ones((3, 2), np.float32)))
# CHECK: TypeError: @scale argument 0: expected tensor<2x3xf32> (float32[2, 3]), got float64[2, 3]
report(lambda: module("scale", np.ones((2, 3)), x))
# CHECK: KeyError: 'no function @nope in the module'
report(lambda: module("nope"))
# Non-contiguous inputs are copied, not misread.
# CHECK: ok transposed True
xt = np.arange(6, dtype=np.float32).reshape(3, 2).T
(out,) = module("scale", xt, x)
print("ok transposed", bool(np.array_equal(out, xt)))

# CHECK: CompileError: dlc-compile --cpu=native failed:
# CHECK: error: 'dlc.add' op expects operands of the same type
report(lambda: Module("""
func.func @bad(%x: tensor<2xf32>, %y: tensor<3xf32>) -> tensor<2xf32> {
  %0 = dlc.add %x, %y : tensor<2xf32>, tensor<3xf32>
  return %0 : tensor<2xf32>
}
"""))
