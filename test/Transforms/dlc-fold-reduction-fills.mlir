// RUN: dlc-opt %s --dlc-fold-reduction-fills | FileCheck %s

// A row sum: the fill goes; the first step of the reduction loop starts
// from its value, on the fill's own init.
// CHECK-LABEL: func.func @row_sum
// CHECK-SAME: %[[X:.+]]: tensor<4x8xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4xf32>
// CHECK-NOT: linalg.fill
// CHECK: linalg.generic {{.+}} ins(%[[X]] : tensor<4x8xf32>) outs(%[[EMPTY]] : tensor<4xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   %[[K:.+]] = linalg.index 1 : index
// CHECK:   %[[FIRST:.+]] = arith.cmpi eq, %[[K]], %{{.+}} : index
// CHECK:   %[[START:.+]] = arith.select %[[FIRST]], %[[ZERO]], %[[ACC]] : f32
// CHECK:   arith.addf %[[IN]], %[[START]] : f32
func.func @row_sum(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.reduce ins(%x : tensor<4x8xf32>) outs(%f : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<4xf32>
}

// A matmul (generalized): the first step of its K loop.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.fill
// CHECK: linalg.index 2 : index
// CHECK: arith.select
func.func @matmul(%a: tensor<3x5xf32>, %b: tensor<5x2xf32>) -> tensor<3x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %m = linalg.matmul ins(%a, %b : tensor<3x5xf32>, tensor<5x2xf32>) outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %m : tensor<3x2xf32>
}

// Left alone: an empty reduction (the output would stay unwritten), a fill
// with another user, and an elementwise op.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: linalg.fill
// CHECK-NOT: linalg.index
func.func @left_alone(%x: tensor<4x0xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.reduce ins(%x : tensor<4x0xf32>) outs(%f : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %e2 = tensor.empty() : tensor<4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4xf32>) -> tensor<4xf32>
  %e3 = tensor.empty() : tensor<4xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<4xf32>) -> tensor<4xf32>
  %a = linalg.add ins(%y, %f3 : tensor<4xf32>, tensor<4xf32>) outs(%f2 : tensor<4xf32>) -> tensor<4xf32>
  return %r, %a, %f2, %f3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
