// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_90" | FileCheck %s

// A dense layer with a softmax: each linalg op one kernel (a one-thread
// kernel for the scalar loss), intermediates in device memory, launches on
// one stream per call, kernels embedded as PTX for sm_90 (PTX ISA 7.8).
// CHECK-LABEL: llvm.func @model
// CHECK: llvm.call @mgpuStreamCreate
// CHECK: llvm.call @mgpuMemAlloc
// CHECK: gpu.launch_func <%{{.+}} : !llvm.ptr> @model_kernel::@model_kernel
// CHECK: llvm.call @mgpuMemFree
// CHECK: llvm.call @mgpuStreamSynchronize
// CHECK: llvm.call @mgpuStreamDestroy
// CHECK: llvm.func @_mlir_ciface_model
// CHECK: gpu.binary @model_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx78">, properties = {{.*}}, assembly = "
// CHECK-SAME: .target sm_90
// CHECK-NOT: memref.alloc
func.func @model(%x: tensor<16x32xf32>, %w: tensor<32x10xf32>, %labels: tensor<16xi64>) -> (tensor<16x10xf32>, tensor<f32>) {
  %0 = dlc.matmul %x, %w : (tensor<16x32xf32>, tensor<32x10xf32>) -> tensor<16x10xf32>
  %1 = dlc.softmax %0 axis = 1 : tensor<16x10xf32>
  %2 = dlc.softmax_cross_entropy %0, %labels : (tensor<16x10xf32>, tensor<16xi64>) -> tensor<f32>
  return %1, %2 : tensor<16x10xf32>, tensor<f32>
}
