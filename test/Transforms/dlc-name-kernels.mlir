// RUN: dlc-opt %s --dlc-name-kernels | FileCheck %s

// Outlining named both kernels @step_kernel; each takes its module's name
// (unique), and the launches follow. A module of two kernels, or one whose
// name another of its symbols takes, is left alone.
// CHECK-LABEL: gpu.module @step_kernel_0
// CHECK: gpu.func @step_kernel_0(
// CHECK-LABEL: gpu.module @step_kernel
// CHECK: gpu.func @step_kernel(
// CHECK-LABEL: gpu.module @two
// CHECK: gpu.func @a(
// CHECK: gpu.func @b(
// CHECK-LABEL: gpu.module @taken
// CHECK: memref.global "private" @taken
// CHECK: gpu.func @step_kernel(
// CHECK-LABEL: func.func @step
// CHECK: gpu.launch_func @step_kernel_0::@step_kernel_0
// CHECK: gpu.launch_func @step_kernel::@step_kernel
// CHECK: gpu.launch_func @two::@a
// CHECK: gpu.launch_func @taken::@step_kernel
module attributes {gpu.container_module} {
  gpu.module @step_kernel_0 {
    gpu.func @step_kernel(%a: memref<4xf32>) kernel { gpu.return }
  }
  gpu.module @step_kernel {
    gpu.func @step_kernel(%a: memref<4xf32>) kernel { gpu.return }
  }
  gpu.module @two {
    gpu.func @a(%a: memref<4xf32>) kernel { gpu.return }
    gpu.func @b(%a: memref<4xf32>) kernel { gpu.return }
  }
  gpu.module @taken {
    memref.global "private" @taken : memref<4xf32, #gpu.address_space<workgroup>>
    gpu.func @step_kernel(%a: memref<4xf32>) kernel { gpu.return }
  }
  func.func @step(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @step_kernel_0::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @two::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @taken::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
}
