// RUN: dlc-opt %s --convert-dlc-to-linalg --split-input-file | FileCheck %s
// RUN: dlc-opt %s --convert-dlc-to-linalg=im2col-max-width=1000000 --split-input-file | FileCheck %s --check-prefix=WIDE

// CHECK-LABEL: func @conv2d
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x9x17xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>)
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 0, 1, 2] high[0, 0, 0, 1]
// CHECK: } : tensor<2x3x9x17xf32> to tensor<2x3x10x20xf32>
// CHECK: %[[ACC:.+]] = linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[W]] : tensor<2x3x10x20xf32>, tensor<4x3x3x3xf32>) outs(%[[ACC]] : tensor<2x4x4x16xf32>)
// With a larger im2col-max-width (the GPU pipeline's: its matmuls are
// tiled, its convs are not), the 16-wide rows take im2col and a matmul too.
// WIDE-LABEL: func @conv2d
// WIDE-NOT: linalg.conv_2d_nchw_fchw
// WIDE: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x27xf32>, tensor<27x128xf32>)
// WIDE-NOT: linalg.conv_2d_nchw_fchw
func.func @conv2d(%x: tensor<2x3x9x17xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x4x16xf32> {
  %0 = dlc.conv2d %x, %w strides = [2, 1] padding = [1, 0, 2, 1] dilation = [1, 2] groups = 1
      : (tensor<2x3x9x17xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x4x16xf32>
  return %0 : tensor<2x4x4x16xf32>
}

// -----

// Output rows narrower than 16: im2col (a gather [(c, kh, kw), (n, oh, ow)]),
// one matmul with the filter as [O, C*KH*KW], and the product read back as
// NCHW.
// CHECK-DAG: #[[$COLS:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d4 * 2 + d1, d5 * 2 + d2 * 2)>
// CHECK-DAG: #[[$BACK:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0 * 12 + d2 * 3 + d3)>
// CHECK-LABEL: func @conv2d_narrow
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x9x9xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>)
// CHECK: %[[WM:.+]] = tensor.collapse_shape %[[W]] {{.*}} into tensor<4x27xf32>
// CHECK: %[[P:.+]] = tensor.pad %[[X]]
// CHECK: %[[C6:.+]] = linalg.generic {indexing_maps = [#[[$COLS]], {{.*}}]{{.*}} ins(%[[P]] : tensor<2x3x10x10xf32>) outs(%{{.+}} : tensor<3x3x3x2x4x3xf32>)
// CHECK: %[[COLS:.+]] = tensor.collapse_shape %[[C6]] {{.*}} into tensor<27x24xf32>
// CHECK: %[[M:.+]] = linalg.matmul ins(%[[WM]], %[[COLS]] : tensor<4x27xf32>, tensor<27x24xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$BACK]], {{.*}}]{{.*}} ins(%[[M]] : tensor<4x24xf32>) outs(%{{.+}} : tensor<2x4x4x3xf32>)
func.func @conv2d_narrow(%x: tensor<2x3x9x9xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x4x3xf32> {
  %0 = dlc.conv2d %x, %w strides = [2, 2] padding = [1, 0, 1, 0] dilation = [1, 2] groups = 1
      : (tensor<2x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x4x3xf32>
  return %0 : tensor<2x4x4x3xf32>
}

// -----

// Grouped: channels split into [G, C/G] and filters into [G, O/G].
// CHECK-LABEL: func @conv2d_groups
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x9x9xf32>, %[[W:.+]]: tensor<6x2x3x3xf32>)
// CHECK: %[[GX:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 11, 11]
// CHECK: %[[GW:.+]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[C:.+]] = linalg.conv_2d_ngchw_gfchw
// CHECK-SAME: ins(%[[GX]], %[[GW]] : tensor<1x2x2x11x11xf32>, tensor<2x3x2x3x3xf32>) outs(%{{.+}} : tensor<1x2x3x5x5xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x5x5xf32> into tensor<1x6x5x5xf32>
func.func @conv2d_groups(%x: tensor<1x4x9x9xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x5x5xf32> {
  %0 = dlc.conv2d %x, %w strides = [2, 2] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 2
      : (tensor<1x4x9x9xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x5x5xf32>
  return %0 : tensor<1x6x5x5xf32>
}

// -----

// Max pooling pads with -inf so padding never wins.
// CHECK-LABEL: func @max_pool2d
// CHECK: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NINF]]
// CHECK: %[[WIN:.+]] = tensor.empty() {{.*}}: tensor<3x3xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%{{.+}}, %[[WIN]] : tensor<2x3x9x11xf32>, tensor<3x3xf32>)
func.func @max_pool2d(%x: tensor<2x3x7x9xf32>) -> tensor<2x3x4x5xf32> {
  %0 = dlc.max_pool2d %x kernel = [3, 3] strides = [2, 2] padding = [1, 1, 1, 1] : tensor<2x3x7x9xf32> -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Average pooling sums (zero padding) in f32 and divides by the kernel area.
// CHECK-LABEL: func @avg_pool2d_f16
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum
// CHECK-SAME: outs(%{{.+}} : tensor<1x2x4x4xf32>)
// CHECK: %[[AREA:.+]] = arith.constant 4.000000e+00 : f32
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<1x2x4x4xf32>)
// CHECK: arith.divf %{{.+}}, %[[AREA]] : f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @avg_pool2d_f16(%x: tensor<1x2x8x8xf16>) -> tensor<1x2x4x4xf16> {
  %0 = dlc.avg_pool2d %x kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x2x8x8xf16> -> tensor<1x2x4x4xf16>
  return %0 : tensor<1x2x4x4xf16>
}

// -----

// im2col in chunks of images (the column matrix of one chunk stays under
// 2 MiB: 8 images of 32 * 3 * 3 x 14 * 14 floats here), each chunk padded on
// its own: no padded copy of the whole input.
// CHECK-LABEL: func @conv2d_chunks
// CHECK-SAME: (%[[X:.+]]: tensor<64x32x14x14xf32>, %[[W:.+]]: tensor<64x32x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: %[[CHUNK:.+]] = tensor.extract_slice %[[X]][%[[I]], 0, 0, 0] [8, 32, 14, 14] [1, 1, 1, 1]
// CHECK: tensor.pad %[[CHUNK]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<8x32x14x14xf32> to tensor<8x32x16x16xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<64x288xf32>, tensor<288x1568xf32>)
func.func @conv2d_chunks(%x: tensor<64x32x14x14xf32>, %w: tensor<64x32x3x3xf32>) -> tensor<64x64x14x14xf32> {
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1
      : (tensor<64x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<64x64x14x14xf32>
  return %0 : tensor<64x64x14x14xf32>
}
