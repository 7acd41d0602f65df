// RUN: dlc-opt %s --convert-dlc-to-linalg --split-input-file | FileCheck %s

// Size-1 dims that stretch are read at index 0; new leading dims are dropped.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @broadcast_to
// CHECK-SAME: (%[[X:.+]]: tensor<4x1xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<4x1xf32>)
// CHECK: linalg.yield
func.func @broadcast_to(%x: tensor<4x1xf32>) -> tensor<2x4x5xf32> {
  %0 = dlc.broadcast_to %x : tensor<4x1xf32> -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// CHECK-LABEL: func @reshape
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>, %[[S:.+]]: tensor<f32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// Rank 0 goes through tensor<1xf32> with empty reassociations.
// CHECK: %[[ONE:.+]] = tensor.expand_shape %[[S]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: tensor.expand_shape %[[ONE]] {{\[}}[0, 1]] output_shape [1, 1] : tensor<1xf32> into tensor<1x1xf32>
func.func @reshape(%x: tensor<2x3xf32>, %s: tensor<f32>) -> (tensor<3x2xf32>, tensor<1x1xf32>) {
  %0 = dlc.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = dlc.reshape %s : tensor<f32> -> tensor<1x1xf32>
  return %0, %1 : tensor<3x2xf32>, tensor<1x1xf32>
}

// -----

// CHECK-LABEL: func @transpose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[INIT:.+]] = tensor.empty() {{.*}}: tensor<4x2x3xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = dlc.transpose %x permutation = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func @slice
// CHECK: tensor.extract_slice %{{.+}}[1, 2] [3, 3] [2, 3] : tensor<7x9xf32> to tensor<3x3xf32>
func.func @slice(%x: tensor<7x9xf32>) -> tensor<3x3xf32> {
  %0 = dlc.slice %x start = [1, 2] limit = [6, 9] strides = [2, 3] : tensor<7x9xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Zero-size results are empty tensors, whatever the op: no slice one past the
// end, no loops. Empty concat operands are skipped.
// CHECK-LABEL: func @zero_size
// CHECK-SAME: (%[[X:.+]]: tensor<4x3xf32>)
// CHECK-NOT: extract_slice
// CHECK-NOT: linalg.generic
// CHECK: tensor.empty() {{.*}}: tensor<0x3xf32>
// CHECK: %[[E:.+]] = tensor.empty() {{.*}}: tensor<0x3xf32>
// CHECK: %[[C:.+]] = tensor.empty() {{.*}}: tensor<4x3xf32>
// CHECK: %[[I:.+]] = tensor.insert_slice %[[X]] into %[[C]][0, 0] [4, 3] [1, 1]
// CHECK-NOT: insert_slice
// CHECK: return %[[I]], %[[E]]
func.func @zero_size(%x: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<0x3xf32>) {
  %0 = dlc.slice %x start = [4, 0] limit = [4, 3] strides = [1, 1] : tensor<4x3xf32> -> tensor<0x3xf32>
  %1 = dlc.exp %0 : tensor<0x3xf32>
  %2 = dlc.concat %x, %1 axis = 0 : (tensor<4x3xf32>, tensor<0x3xf32>) -> tensor<4x3xf32>
  return %2, %1 : tensor<4x3xf32>, tensor<0x3xf32>
}

// -----

// CHECK-LABEL: func @concat
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<2x5xf32>)
// CHECK: %[[E:.+]] = tensor.empty() {{.*}}: tensor<2x8xf32>
// CHECK: %[[I:.+]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %[[B]] into %[[I]][0, 3] [2, 5] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = dlc.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func @pad
// CHECK: %[[V:.+]] = arith.constant -7 : i32
// CHECK: tensor.pad %{{.+}} low[2] high[1]
// CHECK: tensor.yield %[[V]] : i32
func.func @pad(%x: tensor<3xi32>) -> tensor<6xi32> {
  %0 = dlc.pad %x low = [2] high = [1] value = -7 : i32 : tensor<3xi32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

// The row index is bounds-checked; an out-of-range row reads row 0 and is
// replaced by NaN.
// CHECK-LABEL: func @gather
// CHECK-SAME: (%[[T:.+]]: tensor<10x4xf32>, %[[I:.+]]: tensor<3xi64>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[I]] : tensor<3xi64>)
// CHECK: %[[ROW:.+]] = arith.index_cast
// CHECK-DAG: %[[LT:.+]] = arith.cmpi slt, %[[ROW]], %c10
// CHECK-DAG: %[[GE:.+]] = arith.cmpi sge, %[[ROW]], %c0
// CHECK: %[[OK:.+]] = arith.andi %[[GE]], %[[LT]]
// CHECK: %[[SAFE:.+]] = arith.select %[[OK]], %[[ROW]], %c0
// CHECK: %[[COL:.+]] = linalg.index 1
// CHECK: %[[V:.+]] = tensor.extract %[[T]][%[[SAFE]], %[[COL]]]
// CHECK: %[[NAN:.+]] = arith.constant 0x7FC00000 : f32
// CHECK: arith.select %[[OK]], %[[V]], %[[NAN]]
func.func @gather(%t: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  %0 = dlc.gather %t, %i : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A single (rank-0) index: the generic reads it through a map with no results.
// CHECK-DAG: #[[$SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @gather_scalar_index
// CHECK: linalg.generic {indexing_maps = [#[[$SCALAR]], {{.*}}]{{.*}} ins(%{{.+}} : tensor<i64>)
// CHECK: tensor.extract
func.func @gather_scalar_index(%t: tensor<10x4xf32>, %i: tensor<i64>) -> tensor<4xf32> {
  %0 = dlc.gather %t, %i : (tensor<10x4xf32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
