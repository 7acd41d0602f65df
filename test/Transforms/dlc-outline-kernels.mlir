// RUN: dlc-opt %s --dlc-outline-kernels | FileCheck %s

// Upstream's outlining, and each launch's dlc.min_blocks_per_sm on its
// kernel as nvvm.minctasm (PTX .minnctapersm), whatever launches were
// outlined before (the gpu.launch_func of @given) and between them.
// CHECK-LABEL: gpu.module @given
// CHECK-LABEL: func.func @f
// CHECK: gpu.launch_func @given::@k
// CHECK: gpu.launch_func @f_kernel::@f_kernel
// CHECK: gpu.launch_func @f_kernel_0::@f_kernel
// CHECK: gpu.launch_func @f_kernel_1::@f_kernel
// CHECK-NOT: dlc.min_blocks_per_sm
// CHECK-LABEL: gpu.module @f_kernel
// CHECK: gpu.func @f_kernel({{.*}}) kernel attributes {{{.*}}nvvm.minctasm = 2 : i32
// CHECK-LABEL: gpu.module @f_kernel_0
// CHECK-NOT: nvvm.minctasm
// CHECK-LABEL: gpu.module @f_kernel_1
// CHECK: gpu.func @f_kernel({{.*}}) kernel attributes {{{.*}}nvvm.minctasm = 3 : i32
module attributes {gpu.container_module} {
  gpu.module @given {
    gpu.func @k(%a: memref<4xf32>) kernel { gpu.return }
  }
  func.func @f(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    gpu.launch_func @given::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      memref.store %zero, %a[%tx] : memref<4xf32>
      gpu.terminator
    } {dlc.min_blocks_per_sm = 2 : i64}
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      memref.store %zero, %a[%tx] : memref<4xf32>
      gpu.terminator
    }
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      memref.store %zero, %a[%tx] : memref<4xf32>
      gpu.terminator
    } {dlc.min_blocks_per_sm = 3 : i64}
    return
  }
}
