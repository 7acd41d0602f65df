// RUN: dlc-opt %s --dlc-cpu-pipeline=vector-width=512 | FileCheck %s
// RUN: dlc-opt %s --dlc-cpu-pipeline=vector-width=256 | FileCheck %s --check-prefix=AVX2

// The gradient of a conv goes through the same tiling and vectorization as
// the forward: the input gradient (a stride-1 conv) and the filter gradient
// (a batched matmul) both become vector FMAs, not scalar loops.

func.func private @loss(%x: tensor<8x16x28x28xf32>, %w: tensor<32x16x3x3xf32>, %c: tensor<8x32x28x28xf32>) -> tensor<f32> {
  %y = dlc.conv2d %x, %w strides = [1, 1] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1
      : (tensor<8x16x28x28xf32>, tensor<32x16x3x3xf32>) -> tensor<8x32x28x28xf32>
  %p = dlc.mul %y, %c : tensor<8x32x28x28xf32>
  %s = dlc.reduce_sum %p axes = [0, 1, 2, 3] : tensor<8x32x28x28xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// CHECK-LABEL: llvm.func @input_grad
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX2-LABEL: llvm.func @input_grad
// AVX2: llvm.intr.fmuladd({{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>)
func.func @input_grad(%x: tensor<8x16x28x28xf32>, %w: tensor<32x16x3x3xf32>, %c: tensor<8x32x28x28xf32>) -> tensor<8x16x28x28xf32> {
  %g = dlc.grad @loss(%x, %w, %c) wrt = [0]
      : (tensor<8x16x28x28xf32>, tensor<32x16x3x3xf32>, tensor<8x32x28x28xf32>) -> tensor<8x16x28x28xf32>
  return %g : tensor<8x16x28x28xf32>
}

// CHECK-LABEL: llvm.func @filter_grad
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>)
// AVX2-LABEL: llvm.func @filter_grad
// AVX2: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>)
func.func @filter_grad(%x: tensor<8x16x28x28xf32>, %w: tensor<32x16x3x3xf32>, %c: tensor<8x32x28x28xf32>) -> tensor<32x16x3x3xf32> {
  %g = dlc.grad @loss(%x, %w, %c) wrt = [1]
      : (tensor<8x16x28x28xf32>, tensor<32x16x3x3xf32>, tensor<8x32x28x28xf32>) -> tensor<32x16x3x3xf32>
  return %g : tensor<32x16x3x3xf32>
}
