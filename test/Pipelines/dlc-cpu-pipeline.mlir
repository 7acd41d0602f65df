// RUN: dlc-opt %s --dlc-cpu-pipeline | FileCheck %s
// RUN: dlc-opt %s --dlc-cpu-pipeline | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: dlc-opt %s --dlc-cpu-pipeline="emit-c-interface=false" | FileCheck %s --check-prefix=NOCIFACE

// The pipeline ends in the LLVM dialect only: nothing of dlc, linalg, memref,
// scf, arith or math is left, and the result translates to LLVM IR.
// CHECK-NOT: dlc.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-NOT: arith.
// CHECK-NOT: scf.
// CHECK-NOT: builtin.unrealized_conversion_cast
// CHECK: llvm.func @erff(f32) -> f32
// CHECK: llvm.func @mlp(
// CHECK: llvm.call @_mlir_memref_to_llvm_aligned_alloc
// CHECK: llvm.call @_mlir_memref_to_llvm_free
// CHECK: llvm.func @_mlir_ciface_mlp(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)

// Destination passing: three inputs and one out-param, no return value.
// Vector math (the gelu of the tiled matmul nest) is a polynomial; scalar
// math (the 1-D gelu, left to loops) calls libm.
// LLVMIR: define void @mlp(
// LLVMIR-NOT: call float @erff(
// LLVMIR: define void @_mlir_ciface_mlp(ptr %0, ptr %1, ptr %2, ptr %3)
// LLVMIR: define void @gelu_1d(
// LLVMIR: call float @erff(

// NOCIFACE-NOT: _mlir_ciface_
func.func @mlp(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = dlc.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = dlc.broadcast_to %b : tensor<4xf32> -> tensor<2x4xf32>
  %2 = dlc.add %0, %1 : tensor<2x4xf32>
  %3 = dlc.gelu %2 : tensor<2x4xf32>
  %4 = dlc.softmax %3 axis = 1 : tensor<2x4xf32>
  return %4 : tensor<2x4xf32>
}

func.func @gelu_1d(%x: tensor<5xf32>) -> tensor<5xf32> {
  %0 = dlc.gelu %x : tensor<5xf32>
  return %0 : tensor<5xf32>
}
