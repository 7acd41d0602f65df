// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @add_zero
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @add_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = dlc.constant dense<0.0> : tensor<4xf32>
  %0 = dlc.add %zero, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @identities
// CHECK-SAME: (%[[X:.+]]: tensor<4xi32>, %[[Y:.+]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[Y]], %[[Y]], %[[Y]]
func.func @identities(%x: tensor<4xi32>, %y: tensor<4xf32>)
    -> (tensor<4xi32>, tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %izero = dlc.constant dense<0> : tensor<4xi32>
  %ione = dlc.constant dense<1> : tensor<4xi32>
  %fone = dlc.constant dense<1.0> : tensor<4xf32>
  %fzero = dlc.constant dense<0.0> : tensor<4xf32>
  %0 = dlc.sub %x, %izero : tensor<4xi32>
  %1 = dlc.mul %ione, %x : tensor<4xi32>
  %2 = dlc.div %y, %fone : tensor<4xf32>
  %3 = dlc.sub %y, %fzero : tensor<4xf32>
  %4 = dlc.max %y, %y : tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xi32>, tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Multiplying by zero is not folded: NaN * 0 and inf * 0 are NaN.
// CHECK-LABEL: func @mul_zero_kept
// CHECK: dlc.mul
func.func @mul_zero_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = dlc.constant dense<0.0> : tensor<4xf32>
  %0 = dlc.mul %x, %zero : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @constant_fold
// CHECK-DAG: %[[A:.+]] = dlc.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[B:.+]] = dlc.constant dense<[-3, 7]> : tensor<2xi64>
// CHECK-DAG: %[[C:.+]] = dlc.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[D:.+]] = dlc.constant dense<0x7FC00000> : tensor<2xf32>
// CHECK-NOT: dlc.add
// CHECK-NOT: dlc.max
// CHECK: return %[[A]], %[[B]], %[[C]], %[[D]]
func.func @constant_fold() -> (tensor<2xf32>, tensor<2xi64>, tensor<2xf32>, tensor<2xf32>) {
  %a = dlc.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = dlc.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %0 = dlc.add %a, %b : tensor<2xf32>
  %i = dlc.constant dense<[3, -7]> : tensor<2xi64>
  %1 = dlc.neg %i : tensor<2xi64>
  %2 = dlc.abs %a : tensor<2xf32>
  // max propagates NaN when folding too.
  %nan = dlc.constant dense<0x7FC00000> : tensor<2xf32>
  %3 = dlc.max %a, %nan : tensor<2xf32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xi64>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func @transpose_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.+]] = dlc.transpose %[[X]] permutation = [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
// CHECK-NEXT: return %[[X]], %[[T]]
func.func @transpose_transpose(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<3x2x4xf32>) {
  %0 = dlc.transpose %x permutation = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = dlc.transpose %0 permutation = [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  %2 = dlc.transpose %0 permutation = [0, 2, 1] : tensor<3x4x2xf32> -> tensor<3x2x4xf32>
  return %1, %2 : tensor<2x3x4xf32>, tensor<3x2x4xf32>
}

// -----

// CHECK-LABEL: func @identity_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_transpose(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dlc.transpose %x permutation = [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reshape_reshape
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.+]] = dlc.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]], %[[X]]
func.func @reshape_reshape(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<2x3x4xf32>) {
  %0 = dlc.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = dlc.reshape %0 : tensor<24xf32> -> tensor<4x6xf32>
  %2 = dlc.reshape %1 : tensor<4x6xf32> -> tensor<2x3x4xf32>
  return %1, %2 : tensor<4x6xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func @reshape_constant
// CHECK-NEXT: %[[C:.+]] = dlc.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<2x2xi32> {
  %c = dlc.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %0 = dlc.reshape %c : tensor<4xi32> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func @broadcast_same_shape
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[S:.+]] = dlc.constant dense<5.000000e-01> : tensor<4x3xf32>
// CHECK-NEXT: return %[[X]], %[[S]]
func.func @broadcast_same_shape(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<4x3xf32>) {
  %0 = dlc.broadcast_to %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %c = dlc.constant dense<0.5> : tensor<3xf32>
  %1 = dlc.broadcast_to %c : tensor<3xf32> -> tensor<4x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @neg_neg_abs_abs
// CHECK-SAME: (%[[X:.+]]: tensor<3xf32>)
// CHECK-NEXT: %[[A:.+]] = dlc.abs %[[X]]
// CHECK-NEXT: return %[[X]], %[[A]]
func.func @neg_neg_abs_abs(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = dlc.neg %x : tensor<3xf32>
  %1 = dlc.neg %0 : tensor<3xf32>
  %2 = dlc.abs %x : tensor<3xf32>
  %3 = dlc.abs %2 : tensor<3xf32>
  return %1, %3 : tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func @select_cast_slice_concat
// CHECK-SAME: (%[[X:.+]]: tensor<3xf32>, %[[Y:.+]]: tensor<3xf32>)
// CHECK-NEXT: return %[[Y]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @select_cast_slice_concat(%x: tensor<3xf32>, %y: tensor<3xf32>)
    -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %false = dlc.constant dense<false> : tensor<3xi1>
  %c = dlc.compare <lt>, %x, %y : tensor<3xf32>
  %0 = dlc.select %false, %x, %y : tensor<3xi1>, tensor<3xf32>
  %1 = dlc.select %c, %x, %x : tensor<3xi1>, tensor<3xf32>
  %2 = dlc.cast %x : tensor<3xf32> -> tensor<3xf32>
  %3 = dlc.slice %x start = [0] limit = [3] strides = [1] : tensor<3xf32> -> tensor<3xf32>
  %4 = dlc.concat %x axis = 0 : (tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// The relu mask of a max-pool's input gradient moves to the pooled grid.
// CHECK-LABEL: func @relu_mask_of_pool_gradient
// CHECK-SAME: (%[[Y:.+]]: tensor<1x2x4x4xf32>, %[[G:.+]]: tensor<1x2x2x2xf32>)
// CHECK-DAG: %[[Z:.+]] = dlc.constant dense<0.000000e+00> : tensor<1x2x2x2xf32>
// CHECK-DAG: %[[P:.+]] = dlc.max_pool2d %[[Y]] kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
// CHECK: %[[C:.+]] = dlc.compare <gt>, %[[P]], %[[Z]] : tensor<1x2x2x2xf32>
// CHECK: %[[M:.+]] = dlc.select %[[C]], %[[G]], %[[Z]]
// CHECK: %[[R:.+]] = dlc.max_pool2d_grad %[[Y]], %[[M]] kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
// CHECK: return %[[R]]
func.func @relu_mask_of_pool_gradient(%y: tensor<1x2x4x4xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32> {
  %zero = dlc.constant dense<0.0> : tensor<1x2x4x4xf32>
  %d = dlc.max_pool2d_grad %y, %g kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
      : (tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32>
  %m = dlc.compare <gt>, %y, %zero : tensor<1x2x4x4xf32>
  %r = dlc.select %m, %d, %zero : tensor<1x2x4x4xi1>, tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Not when the mask tests another tensor than the pool's input.
// CHECK-LABEL: func @mask_of_another_tensor
// CHECK: %[[D:.+]] = dlc.max_pool2d_grad
// CHECK: dlc.select %{{.+}}, %[[D]], %{{.+}}
func.func @mask_of_another_tensor(%y: tensor<1x2x4x4xf32>, %x: tensor<1x2x4x4xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32> {
  %zero = dlc.constant dense<0.0> : tensor<1x2x4x4xf32>
  %d = dlc.max_pool2d_grad %y, %g kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
      : (tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32>
  %m = dlc.compare <gt>, %x, %zero : tensor<1x2x4x4xf32>
  %r = dlc.select %m, %d, %zero : tensor<1x2x4x4xi1>, tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}
