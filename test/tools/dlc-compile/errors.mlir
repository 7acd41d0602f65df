// dlc-compile reports bad input and bad options with a message and exit 1.
// RUN: split-file %s %t
// RUN: not dlc-compile %t/shape.mlir -o %t/x.dlc 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not dlc-compile %t/dynamic.mlir -o %t/x.dlc 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not dlc-compile %t/empty.mlir -o %t/x.dlc 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not dlc-compile %t/ok.mlir -o %t/x.dlc --cpu=pentium9 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not dlc-compile %t/ok.mlir -o %t/x.dlc --target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not dlc-compile %t/missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dlc-compile %t/ok.mlir -o /nonexistent/dir/x.dlc 2>&1 | FileCheck %s --check-prefix=OUTPUT
// RUN: not dlc-compile %t/ok.mlir -o %t/x.dlc --allow-tf32 2>&1 | FileCheck %s --check-prefix=TF32
// RUN: not dlc-compile %t/ok.mlir -o %t/x.dlc --emulate-gpu-kernels --target=cuda 2>&1 | FileCheck %s --check-prefix=EMULATE
// RUN: not dlc-compile %t/ok.mlir -o %t/x.dlc --emulate-gpu-kernels --gpu-arch=sm_12 2>&1 | FileCheck %s --check-prefix=EMULATE-ARCH

// SHAPE: shape.mlir:2:8: error: 'dlc.add' op expects operands of the same type
// DYNAMIC: error: entry point argument 0 of @f must be a statically shaped tensor of a dlc element type, but found 'tensor<?xf32>'
// EMPTY: error: nothing to compile: the module has no public function with a body
// CPU-NOT: not a recognized processor
// CPU: dlc-compile: unknown CPU 'pentium9' for x86_64{{.*}} (try native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4, znver3, znver4, skylake-avx512)
// CPU-NOT: func.func
// TARGET: dlc-compile: unknown --target=tpu (expected cpu or cuda)
// MISSING: dlc-compile: cannot open input file '{{.*}}missing.mlir'
// OUTPUT: dlc-compile: cannot open output file '/nonexistent/dir/x.dlc'
// TF32: dlc-compile: --allow-tf32 needs --target=cuda, --emulate-gpu-schedule or --emulate-gpu-kernels (the CPU computes f32 exactly)
// EMULATE: dlc-compile: --emulate-gpu-kernels compiles for the CPU (--target=cpu), without --emulate-gpu-schedule
// EMULATE-ARCH: ok.mlir: error: unknown GPU architecture 'sm_12' to emulate

//--- shape.mlir
func.func @f(%x: tensor<4xf32>, %y: tensor<5xf32>) -> tensor<4xf32> {
  %0 = dlc.add %x, %y : tensor<4xf32>, tensor<5xf32>
  return %0 : tensor<4xf32>
}
//--- dynamic.mlir
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
//--- empty.mlir
func.func private @g(%x: tensor<4xf32>) -> tensor<4xf32>
//--- ok.mlir
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dlc.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
