// RUN: dlc-opt %s --convert-dlc-to-linalg --split-input-file | FileCheck %s

// f16 sums accumulate in f32 and are truncated once; keepdims is a reshape.
// CHECK-LABEL: func @reduce_sum_f16_keepdims
// CHECK-SAME: (%[[X:.+]]: tensor<3x5x6xf16>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<5xf32>)
// CHECK: %[[R:.+]] = linalg.reduce ins(%[[X]] : tensor<3x5x6xf16>) outs(%[[ACC]] : tensor<5xf32>) dimensions = [0, 2]
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.addf
// CHECK: %[[T:.+]] = linalg.generic
// CHECK-SAME: ins(%[[R]] : tensor<5xf32>)
// CHECK: arith.truncf
// CHECK: tensor.expand_shape %[[T]] {{\[}}[0, 1, 2]] output_shape [1, 5, 1] : tensor<5xf16> into tensor<1x5x1xf16>
func.func @reduce_sum_f16_keepdims(%x: tensor<3x5x6xf16>) -> tensor<1x5x1xf16> {
  %0 = dlc.reduce_sum %x axes = [2, 0] keepdims : tensor<3x5x6xf16> -> tensor<1x5x1xf16>
  return %0 : tensor<1x5x1xf16>
}

// -----

// CHECK-LABEL: func @reduce_mean
// CHECK: linalg.reduce
// CHECK: %[[N:.+]] = arith.constant 2.000000e+01 : f64
// CHECK: linalg.generic
// CHECK: arith.divf %{{.+}}, %[[N]] : f64
func.func @reduce_mean(%x: tensor<4x5x3xf64>) -> tensor<3xf64> {
  %0 = dlc.reduce_mean %x axes = [0, 1] : tensor<4x5x3xf64> -> tensor<3xf64>
  return %0 : tensor<3xf64>
}

// -----

// max/min start from -inf/+inf (INT_MIN/INT_MAX for integers) and propagate NaN.
// CHECK-LABEL: func @reduce_max_min
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.reduce
// CHECK: arith.maximumf
// CHECK: arith.constant 2147483647 : i32
// CHECK: linalg.reduce
// CHECK: arith.minsi
func.func @reduce_max_min(%x: tensor<4x5xf32>, %i: tensor<4x5xi32>) -> (tensor<4xf32>, tensor<5xi32>) {
  %0 = dlc.reduce_max %x axes = [1] : tensor<4x5xf32> -> tensor<4xf32>
  %1 = dlc.reduce_min %i axes = [0] : tensor<4x5xi32> -> tensor<5xi32>
  return %0, %1 : tensor<4xf32>, tensor<5xi32>
}

// -----

// argmax carries (best value, its first index); a NaN beats any number.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$RED:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @argmax
// CHECK: %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[$IN]], #[[$RED]], #[[$RED]]], iterator_types = ["parallel", "reduction"]}
// CHECK: ^bb0(%[[X:.+]]: f32, %[[BEST:.+]]: f32, %[[IDX:.+]]: i64):
// CHECK: %[[I:.+]] = linalg.index 1
// CHECK: %[[GT:.+]] = arith.cmpf ogt, %[[X]], %[[BEST]]
// CHECK: %[[XNAN:.+]] = arith.cmpf uno, %[[X]], %[[X]]
// CHECK: %[[BOK:.+]] = arith.cmpf ord, %[[BEST]], %[[BEST]]
// CHECK: %[[NANWIN:.+]] = arith.andi %[[XNAN]], %[[BOK]]
// CHECK: %[[TAKE:.+]] = arith.ori %[[GT]], %[[NANWIN]]
// CHECK: return %[[R]]#1
func.func @argmax(%x: tensor<4x5xf32>) -> tensor<4xi64> {
  %0 = dlc.argmax %x axis = 1 : tensor<4x5xf32> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}
