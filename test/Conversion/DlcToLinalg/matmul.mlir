// RUN: dlc-opt %s --convert-dlc-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func @matmul_2d
// CHECK-SAME: (%[[A:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<8x16xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.+]] = tensor.empty() {{.*}}: tensor<4x16xf32>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<4x16xf32>)
// CHECK: %[[R:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[ACC]] : tensor<4x16xf32>)
// CHECK: return %[[R]]
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = dlc.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func @matmul_batched_i32
// CHECK: linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<3x4x5xi32>, tensor<3x5x6xi32>) outs(%{{.+}} : tensor<3x4x6xi32>)
func.func @matmul_batched_i32(%a: tensor<3x4x5xi32>, %b: tensor<3x5x6xi32>) -> tensor<3x4x6xi32> {
  %0 = dlc.matmul %a, %b : (tensor<3x4x5xi32>, tensor<3x5x6xi32>) -> tensor<3x4x6xi32>
  return %0 : tensor<3x4x6xi32>
}

// -----

// Several batch dims are merged around one batch_matmul; f16 accumulates in
// an f32 tensor and is truncated once at the end.
// CHECK-LABEL: func @matmul_rank4_f16
// CHECK-SAME: (%[[A:.+]]: tensor<2x3x4x5xf16>, %[[B:.+]]: tensor<2x3x5x6xf16>)
// CHECK: %[[CA:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2], [3]] : tensor<2x3x4x5xf16> into tensor<6x4x5xf16>
// CHECK: %[[CB:.+]] = tensor.collapse_shape %[[B]] {{\[}}[0, 1], [2], [3]] : tensor<2x3x5x6xf16> into tensor<6x5x6xf16>
// CHECK: %[[P:.+]] = linalg.batch_matmul ins(%[[CA]], %[[CB]] : tensor<6x4x5xf16>, tensor<6x5x6xf16>) outs(%{{.+}} : tensor<6x4x6xf32>)
// CHECK: %[[T:.+]] = linalg.generic
// CHECK-SAME: ins(%[[P]] : tensor<6x4x6xf32>)
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: tensor.expand_shape %[[T]] {{\[}}[0, 1], [2], [3]] output_shape [2, 3, 4, 6] : tensor<6x4x6xf16> into tensor<2x3x4x6xf16>
func.func @matmul_rank4_f16(%a: tensor<2x3x4x5xf16>, %b: tensor<2x3x5x6xf16>) -> tensor<2x3x4x6xf16> {
  %0 = dlc.matmul %a, %b : (tensor<2x3x4x5xf16>, tensor<2x3x5x6xf16>) -> tensor<2x3x4x6xf16>
  return %0 : tensor<2x3x4x6xf16>
}

// -----

// A^T x B where A^T is a dlc.transpose (matmul's rule for dB = A^T g): the
// matmul reads A through transposed indexing, A^T is not materialized.
// CHECK-DAG: #[[$AT:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$B:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @matmul_transposed_lhs
// CHECK-SAME: (%[[A:.+]]: tensor<6x4xf32>, %[[G:.+]]: tensor<6x5xf32>)
// CHECK: linalg.matmul indexing_maps = [#[[$AT]], #[[$B]], #[[$C]]] ins(%[[A]], %[[G]] : tensor<6x4xf32>, tensor<6x5xf32>) outs(%{{.+}} : tensor<4x5xf32>)
func.func @matmul_transposed_lhs(%a: tensor<6x4xf32>, %g: tensor<6x5xf32>) -> tensor<4x5xf32> {
  %t = dlc.transpose %a permutation = [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
  %0 = dlc.matmul %t, %g : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
