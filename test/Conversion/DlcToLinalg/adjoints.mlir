// RUN: dlc-opt %s --convert-dlc-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// The input gradient is a stride-1 conv of the cotangent spread by the stride
// into a frame of H + (KH - 1) = 10 rows and W + (KW - 1) = 8 columns (rows
// 1, 3, 5, 7: the first at KH - 1 - top padding; columns 1, 4, 7), with the
// filter flipped in space and O/C swapped.
// CHECK-DAG: #[[$FLIP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 2, -d4 + 1)>
// CHECK-LABEL: func @conv2d_input_grad
// CHECK-SAME: (%[[G:.+]]: tensor<2x4x4x3xf32>, %[[W:.+]]: tensor<4x3x3x2xf32>)
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<2x4x10x8xf32>
// CHECK: %[[SPREAD:.+]] = tensor.insert_slice %[[G]] into %[[ZERO]][0, 0, 1, 1] [2, 4, 4, 3] [1, 1, 2, 3]
// CHECK: %[[GW:.+]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [1, 4, 3, 3, 2]
// CHECK: %[[F:.+]] = linalg.generic {indexing_maps = [#[[$FLIP]], {{.*}}]{{.*}} ins(%[[GW]] : tensor<1x4x3x3x2xf32>) outs(%{{.+}} : tensor<1x3x4x3x2xf32>)
// (This conv's rows are narrow: im2col of the spread cotangent and a matmul.)
// CHECK: %[[FM:.+]] = tensor.collapse_shape %[[F]] {{.*}} into tensor<3x24xf32>
// CHECK: linalg.generic {{.*}} ins(%[[SPREAD]] : tensor<2x4x10x8xf32>) outs(%{{.+}} : tensor<4x3x2x2x8x7xf32>)
// CHECK: linalg.matmul ins(%[[FM]], %{{.+}} : tensor<3x24xf32>, tensor<24x112xf32>)
func.func @conv2d_input_grad(%g: tensor<2x4x4x3xf32>, %w: tensor<4x3x3x2xf32>) -> tensor<2x3x8x7xf32> {
  %0 = dlc.conv2d_input_grad %g, %w strides = [2, 3] padding = [1, 0, 0, 1] dilation = [1, 1] groups = 1
      : (tensor<2x4x4x3xf32>, tensor<4x3x3x2xf32>) -> tensor<2x3x8x7xf32>
  return %0 : tensor<2x3x8x7xf32>
}

// -----

// Stride 1, the cotangent inside the frame: the frame is the padding of the
// stride-1 conv (KH - 1 - top = 1 row above, 1 below; 0 and 2 columns), which
// each im2col chunk pads for itself; no frame of the whole cotangent.
// CHECK-LABEL: func @conv2d_input_grad_stride1
// CHECK-SAME: (%[[G:.+]]: tensor<2x4x5x5xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>)
// CHECK-NOT: linalg.fill
// CHECK: tensor.pad %[[G]] low[0, 0, 1, 0] high[0, 0, 1, 2]
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<3x36xf32>, tensor<36x50xf32>)
func.func @conv2d_input_grad_stride1(%g: tensor<2x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x3x5x5xf32> {
  %0 = dlc.conv2d_input_grad %g, %w strides = [1, 1] padding = [1, 1, 2, 0] dilation = [1, 1] groups = 1
      : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x5x5xf32>
  return %0 : tensor<2x3x5x5xf32>
}

// -----

// The filter gradient: im2col as a gather (cols[(c, kh, kw), (n, oh, ow)]),
// the transposed cotangent [(n, oh, ow), o], one 2-D matmul reducing over
// the batch and the image, and a final reorder to OIHW.
// CHECK-DAG: #[[$COLS:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d1 + d4, d2 + d5)>
// CHECK-DAG: #[[$ORDER:.+]] = affine_map<(d0, d1, d2, d3) -> (d1 * 9 + d2 * 3 + d3, d0)>
// CHECK-LABEL: func @conv2d_filter_grad
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x6x6xf32>, %[[G:.+]]: tensor<2x4x4x4xf32>)
// CHECK: %[[C6:.+]] = linalg.generic {indexing_maps = [#[[$COLS]], {{.*}}]{{.*}} ins(%[[X]] : tensor<2x3x6x6xf32>) outs(%{{.+}} : tensor<3x3x3x2x4x4xf32>)
// CHECK-DAG: %[[GT:.+]] = linalg.generic {{.*}} ins(%[[G]] : tensor<2x4x4x4xf32>) outs(%{{.+}} : tensor<2x4x4x4xf32>)
// CHECK-DAG: %[[GT2:.+]] = tensor.collapse_shape %[[GT]] {{.*}} into tensor<32x4xf32>
// CHECK-DAG: %[[COLS:.+]] = tensor.collapse_shape %[[C6]] {{.*}} into tensor<27x32xf32>
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[COLS]], %[[GT2]] : tensor<27x32xf32>, tensor<32x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$ORDER]], {{.*}}]{{.*}} ins(%[[P]] : tensor<27x4xf32>) outs(%{{.+}} : tensor<4x3x3x3xf32>)
func.func @conv2d_filter_grad(%x: tensor<2x3x6x6xf32>, %g: tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32> {
  %0 = dlc.conv2d_filter_grad %x, %g strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1
      : (tensor<2x3x6x6xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  return %0 : tensor<4x3x3x3xf32>
}

// -----

// max_pool2d_grad: a reduction computes each window's first-maximum offset
// (value and i32 offset, from -inf and -1), then each of the 4 window offsets
// adds the matching cotangents into a strided slice of the result (windows
// overlap: stride 1).
// CHECK-LABEL: func @max_pool2d_grad
// CHECK: %[[ARG:.+]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi32>)
// CHECK: tensor.extract_slice %{{.+}}[0, 0, 0, 0] [1, 2, 3, 3] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[ARG]]#1, %{{.+}}, %{{.+}} : tensor<1x2x3x3xi32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>)
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0] [1, 2, 3, 3] [1, 1, 1, 1]
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 1] [1, 2, 3, 3] [1, 1, 1, 1]
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 1, 0] [1, 2, 3, 3] [1, 1, 1, 1]
// CHECK: %[[LAST:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 1, 1]
// CHECK: return %[[LAST]]
func.func @max_pool2d_grad(%x: tensor<1x2x4x4xf32>, %g: tensor<1x2x3x3xf32>) -> tensor<1x2x4x4xf32> {
  %0 = dlc.max_pool2d_grad %x, %g kernel = [2, 2] strides = [1, 1] padding = [0, 0, 0, 0]
      : (tensor<1x2x4x4xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Windows that tile the input (stride = kernel, no padding): the first
// maximum by one elementwise map over the window grid reading the 4 strided
// slices of the window offsets; then per offset the matching cotangents fill
// that strided slice of the image, padded with the zero row and column no
// window covers.
// CHECK-LABEL: func @max_pool2d_grad_tiled
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>, %[[G:.+]]: tensor<1x2x2x2xf32>)
// CHECK: %[[S0:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 2, 2] [1, 1, 2, 2]
// CHECK: %[[S3:.+]] = tensor.extract_slice %[[X]][0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 2, 2]
// CHECK: %[[FIRST:.+]] = linalg.generic {{.*}} ins(%[[S0]], %{{.+}}, %{{.+}}, %[[S3]] : {{.*}}) outs(%{{.+}} : tensor<1x2x2x2xi32>)
// CHECK: %[[P0:.+]] = linalg.generic {{.*}} ins(%[[FIRST]], %[[G]] : tensor<1x2x2x2xi32>, tensor<1x2x2x2xf32>)
// CHECK: tensor.insert_slice %[[P0]] into %{{.+}}[0, 0, 0, 0] [1, 2, 2, 2] [1, 1, 2, 2] : tensor<1x2x2x2xf32> into tensor<1x2x4x4xf32>
// CHECK: %[[IMAGE:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 2, 2]
// CHECK: tensor.pad %[[IMAGE]] low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK-NOT: iterator_types = [{{.*}}"reduction"
func.func @max_pool2d_grad_tiled(%x: tensor<1x2x5x5xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x2x5x5xf32> {
  %0 = dlc.max_pool2d_grad %x, %g kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
      : (tensor<1x2x5x5xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}
