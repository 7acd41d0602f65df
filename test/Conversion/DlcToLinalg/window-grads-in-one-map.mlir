// RUN: dlc-opt %s --convert-dlc-to-linalg="window-grads-in-one-map" --canonicalize --cse --split-input-file | FileCheck %s

// Windows that tile the input, with window-grads-in-one-map (the GPU
// pipeline's): the first maximum as without it (one map over the window
// grid reading the 4 strided slices), then one map over the image reshaped
// to [N, C, OH, KH, OW, KW], each element the cotangent of its window where
// its offset kh * KW + kw is the window's first maximum, written in order
// (no strided slices); then the zero row and column no window covers.
// CHECK-DAG: #[[$GRID:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[$ALL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func @max_pool2d_grad_one_map
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>, %[[G:.+]]: tensor<1x2x2x2xf32>)
// CHECK: %[[FIRST:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<1x2x2x2xi32>)
// CHECK: %[[WINDOWS:.+]] = linalg.generic {indexing_maps = [#[[$GRID]], #[[$GRID]], #[[$ALL]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[FIRST]], %[[G]] : tensor<1x2x2x2xi32>, tensor<1x2x2x2xf32>) outs(%{{.+}} : tensor<1x2x2x2x2x2xf32>)
// CHECK-DAG:   %[[KH:.+]] = linalg.index 3
// CHECK-DAG:   %[[KW:.+]] = linalg.index 5
// CHECK:   %[[ROW:.+]] = arith.muli %[[KH]], %c2
// CHECK:   arith.addi %[[ROW]], %[[KW]]
// CHECK:   arith.cmpi eq
// CHECK:   arith.select
// CHECK: %[[IMAGE:.+]] = tensor.collapse_shape %[[WINDOWS]] {{\[}}[0], [1], [2, 3], [4, 5]] : tensor<1x2x2x2x2x2xf32> into tensor<1x2x4x4xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: tensor.pad %[[IMAGE]] low[0, 0, 0, 0] high[0, 0, 1, 1]
func.func @max_pool2d_grad_one_map(%x: tensor<1x2x5x5xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x2x5x5xf32> {
  %0 = dlc.max_pool2d_grad %x, %g kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
      : (tensor<1x2x5x5xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

// avg_pool2d_grad the same way: each element its window's share, 3 x 3
// windows of a 6 x 6 image.
// CHECK-LABEL: func @avg_pool2d_grad_one_map
// CHECK: %[[SHARE:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<1x1x2x2xf32>)
// CHECK:   arith.divf
// CHECK: %[[WINDOWS:.+]] = linalg.generic {{.*}} ins(%[[SHARE]] : tensor<1x1x2x2xf32>) outs(%{{.+}} : tensor<1x1x2x3x2x3xf32>)
// CHECK: %[[IMAGE:.+]] = tensor.collapse_shape %[[WINDOWS]] {{\[}}[0], [1], [2, 3], [4, 5]] : tensor<1x1x2x3x2x3xf32> into tensor<1x1x6x6xf32>
// CHECK: return %[[IMAGE]]
func.func @avg_pool2d_grad_one_map(%g: tensor<1x1x2x2xf32>) -> tensor<1x1x6x6xf32> {
  %0 = dlc.avg_pool2d_grad %g kernel = [3, 3] strides = [3, 3] padding = [0, 0, 0, 0]
      : tensor<1x1x2x2xf32> -> tensor<1x1x6x6xf32>
  return %0 : tensor<1x1x6x6xf32>
}
