// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-bufferize --split-input-file | FileCheck %s

// Tensor results become trailing out-params written in place (the result
// allocation is hoisted to the caller); the function returns nothing.
// CHECK-LABEL: func @matmul_relu
// CHECK-SAME: (%[[X:.+]]: memref<2x3xf32>, %[[W:.+]]: memref<3x4xf32>, %[[OUT:.+]]: memref<2x4xf32>)
// CHECK-NOT: -> memref
// CHECK: linalg.matmul ins(%[[X]], %[[W]] : memref<2x3xf32>, memref<3x4xf32>) outs(%[[TMP:.+]] : memref<2x4xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[TMP]] : memref<2x4xf32>) outs(%[[OUT]] : memref<2x4xf32>)
// CHECK: return
// CHECK-NOT: memref.copy
func.func @matmul_relu(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = dlc.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = dlc.relu %0 : tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// A strided view returned as a result is copied with linalg.copy, which lowers
// to loops, never with memref.copy (a call into a runtime library).
// CHECK-LABEL: func @slice
// CHECK-SAME: (%[[X:.+]]: memref<7x9xf32>, %[[OUT:.+]]: memref<3x3xf32>)
// CHECK: %[[VIEW:.+]] = memref.subview %[[X]][1, 2] [3, 3] [2, 3]
// CHECK: linalg.copy ins(%[[VIEW]] : {{.+}}) outs(%[[OUT]] : memref<3x3xf32>)
// CHECK-NOT: memref.copy
func.func @slice(%x: tensor<7x9xf32>) -> tensor<3x3xf32> {
  %0 = dlc.slice %x start = [1, 2] limit = [6, 9] strides = [2, 3] : tensor<7x9xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Two results become two out-params, in order.
// CHECK-LABEL: func @two_results
// CHECK-SAME: (%{{.+}}: memref<4xf32>, %[[O0:.+]]: memref<4xf32>, %[[O1:.+]]: memref<4xf32>)
func.func @two_results(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = dlc.exp %x : tensor<4xf32>
  %1 = dlc.neg %x : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A value returned twice becomes two out-params: the second receives a copy.
// CHECK-LABEL: func @repeated_result
// CHECK-SAME: (%[[X:.+]]: memref<2x3xf32>, %[[O1:.+]]: memref<3x2xf32>, %[[O2:.+]]: memref<3x2xf32>)
// CHECK: linalg.transpose ins(%[[X]] : memref<2x3xf32>) outs(%[[O1]] : memref<3x2xf32>)
// CHECK: linalg.copy ins(%[[O1]] : memref<3x2xf32>) outs(%[[O2]] : memref<3x2xf32>)
// CHECK: return
func.func @repeated_result(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%x : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t, %t : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// A result computed in another shape and returned reshaped (a row nest over
// [rows, cols] returned as [batch, tokens, cols]) is computed in the
// caller's buffer through a collapsed view, not copied into it.
// CHECK-LABEL: func.func @reshaped_result
// CHECK-SAME: %[[X:.+]]: memref<8x32xf32>, %[[OUT:.+]]: memref<2x4x32xf32>
// CHECK: %[[VIEW:.+]] = memref.collapse_shape %[[OUT]] {{\[\[}}0, 1], [2]] : memref<2x4x32xf32> into memref<8x32xf32>
// CHECK: linalg.generic {{.+}} ins(%[[X]] : memref<8x32xf32>) outs(%[[VIEW]] : memref<8x32xf32>)
// CHECK-NOT: linalg.copy
// CHECK-NOT: memref.alloc
// CHECK: return
func.func @reshaped_result(%x: tensor<8x32xf32>) -> tensor<2x4x32xf32> {
  %e = tensor.empty() : tensor<8x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x32xf32>) outs(%e : tensor<8x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<8x32xf32>
  %r = tensor.expand_shape %y [[0, 1], [2]] output_shape [2, 4, 32] : tensor<8x32xf32> into tensor<2x4x32xf32>
  return %r : tensor<2x4x32xf32>
}
