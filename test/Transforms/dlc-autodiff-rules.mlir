// RUN: dlc-opt %s --dlc-autodiff | FileCheck %s

// More rule families (see dlc-autodiff.mlir for elementwise, broadcast,
// matmul, reductions, gather and the softmax family).

func.func @conv_loss(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<f32> {
  %y = dlc.conv2d %x, %w strides = [2, 1] padding = [1, 1, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  %p = dlc.max_pool2d %y kernel = [2, 2] strides = [1, 1] padding = [0, 0, 0, 0] : tensor<1x3x3x3xf32> -> tensor<1x3x2x2xf32>
  %a = dlc.avg_pool2d %p kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x3x2x2xf32> -> tensor<1x3x1x1xf32>
  %s = dlc.reduce_mean %a axes = [0, 1, 2, 3] : tensor<1x3x1x1xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @conv_grad(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) {
  %g:2 = dlc.grad @conv_loss(%x, %w) wrt = [0, 1] : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>)
  return %g#0, %g#1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>
}
func.func @shape_loss(%x: tensor<6x4xf32>, %y: tensor<6x2xf32>) -> tensor<f32> {
  %s = dlc.slice %x start = [1, 0] limit = [6, 4] strides = [2, 1] : tensor<6x4xf32> -> tensor<3x4xf32>
  %c = dlc.concat %s, %s axis = 1 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x8xf32>
  %p = dlc.pad %y low = [0, 1] high = [0, 1] value = 0.0 : f32 : tensor<6x2xf32> -> tensor<6x4xf32>
  %t = dlc.transpose %p permutation = [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
  %r = dlc.reshape %t : tensor<4x6xf32> -> tensor<3x8xf32>
  %m = dlc.mul %c, %r : tensor<3x8xf32>
  %l = dlc.reduce_sum %m axes = [0, 1] : tensor<3x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @shape_grad(%x: tensor<6x4xf32>, %y: tensor<6x2xf32>) -> (tensor<6x4xf32>, tensor<6x2xf32>) {
  %g:2 = dlc.grad @shape_loss(%x, %y) wrt = [0, 1] : (tensor<6x4xf32>, tensor<6x2xf32>) -> (tensor<6x4xf32>, tensor<6x2xf32>)
  return %g#0, %g#1 : tensor<6x4xf32>, tensor<6x2xf32>
}
func.func @norm_loss(%x: tensor<2x8xf16>, %s: tensor<8xf16>, %t: tensor<2x8xf16>, %m: tensor<2x8xi1>) -> tensor<f16> {
  %n = dlc.layer_norm %x scale %s epsilon = 1.0e-05 : (tensor<2x8xf16>, tensor<8xf16>) -> tensor<2x8xf16>
  %k = dlc.select %m, %n, %t : tensor<2x8xi1>, tensor<2x8xf16>
  %l = dlc.mse_loss %k, %t : (tensor<2x8xf16>, tensor<2x8xf16>) -> tensor<f16>
  return %l : tensor<f16>
}
func.func @norm_grad(%x: tensor<2x8xf16>, %s: tensor<8xf16>, %t: tensor<2x8xf16>, %m: tensor<2x8xi1>) -> (tensor<2x8xf16>, tensor<8xf16>) {
  %g:2 = dlc.grad @norm_loss(%x, %s, %t, %m) wrt = [0, 1] : (tensor<2x8xf16>, tensor<8xf16>, tensor<2x8xf16>, tensor<2x8xi1>) -> (tensor<2x8xf16>, tensor<8xf16>)
  return %g#0, %g#1 : tensor<2x8xf16>, tensor<8xf16>
}

// reduce_mean: the cotangent broadcast back and divided by the count (3);
// avg_pool2d, max_pool2d: their adjoint ops, the max-pool's reading the
// pool's input; conv2d: the input and filter gradients with the conv's
// attributes.
// CHECK-LABEL: func.func private @conv_loss_grad_0_1
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>, %[[W:.+]]: tensor<3x2x3x3xf32>)
// CHECK: %[[Y:.+]] = dlc.conv2d %[[X]], %[[W]]
// CHECK: %[[THIRD:.+]] = dlc.constant dense<0.333333343> : tensor<1x3x1x1xf32>
// CHECK: %[[GA:.+]] = dlc.mul %{{.+}}, %[[THIRD]]
// CHECK: %[[GP:.+]] = dlc.avg_pool2d_grad %[[GA]] kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x3x1x1xf32> -> tensor<1x3x2x2xf32>
// CHECK: %[[GY:.+]] = dlc.max_pool2d_grad %[[Y]], %[[GP]] kernel = [2, 2] strides = [1, 1] padding = [0, 0, 0, 0]
// CHECK: %[[GX:.+]] = dlc.conv2d_input_grad %[[GY]], %[[W]] strides = [2, 1] padding = [1, 1, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32>
// CHECK: %[[GW:.+]] = dlc.conv2d_filter_grad %[[X]], %[[GY]] strides = [2, 1] padding = [1, 1, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x2x5x5xf32>, tensor<1x3x3x3xf32>) -> tensor<3x2x3x3xf32>
// CHECK: return %{{.+}}, %[[GX]], %[[GW]]

// Shape ops: reshape and transpose invert, pad slices, concat slices per
// input (the two uses of %s summed), and a strided slice spreads its
// cotangent ([3, 4] -> [3, 1, 4] -> padded [3, 2, 4] -> [6, 4] -> first 5
// rows) and pads it to its start.
// CHECK-LABEL: func.func private @shape_loss_grad_0_1
// CHECK: %[[GR:.+]] = dlc.reshape %{{.+}} : tensor<3x8xf32> -> tensor<4x6xf32>
// CHECK: %[[GT:.+]] = dlc.transpose %[[GR]] permutation = [1, 0] : tensor<4x6xf32> -> tensor<6x4xf32>
// CHECK: %[[GY:.+]] = dlc.slice %[[GT]] start = [0, 1] limit = [6, 3] strides = [1, 1] : tensor<6x4xf32> -> tensor<6x2xf32>
// CHECK: %[[C0:.+]] = dlc.slice %{{.+}} start = [0, 0] limit = [3, 4] strides = [1, 1] : tensor<3x8xf32> -> tensor<3x4xf32>
// CHECK: %[[C1:.+]] = dlc.slice %{{.+}} start = [0, 4] limit = [3, 8] strides = [1, 1] : tensor<3x8xf32> -> tensor<3x4xf32>
// CHECK: %[[GS:.+]] = dlc.add %[[C0]], %[[C1]]
// CHECK: %[[E:.+]] = dlc.reshape %[[GS]] : tensor<3x4xf32> -> tensor<3x1x4xf32>
// CHECK: %[[P:.+]] = dlc.pad %[[E]] low = [0, 0, 0] high = [0, 1, 0]
// CHECK: %[[F:.+]] = dlc.reshape %[[P]] : tensor<3x2x4xf32> -> tensor<6x4xf32>
// CHECK: %[[T:.+]] = dlc.slice %[[F]] start = [0, 0] limit = [5, 4] strides = [1, 1]
// CHECK: %[[GX:.+]] = dlc.pad %[[T]] low = [1, 0] high = [0, 0]
// CHECK: return %{{.+}}, %[[GX]], %[[GY]]

// mse_loss: (x - t) 2/count; select: the cotangent where the condition holds;
// layer_norm in f32 for f16: statistics recomputed from the input, then
// rstd (g s - mean(g s) - xhat mean(g s xhat)) and the scale's sum(g xhat).
// CHECK-LABEL: func.func private @norm_loss_grad_0_1
// CHECK-SAME: (%[[X:.+]]: tensor<2x8xf16>, %[[S:.+]]: tensor<8xf16>, %[[T:.+]]: tensor<2x8xf16>, %[[M:.+]]: tensor<2x8xi1>)
// CHECK: %[[K:.+]] = dlc.select %[[M]], %{{.+}}, %[[T]]
// CHECK: %[[TWO_N:.+]] = dlc.constant dense<1.250000e-01> : tensor<f16>
// CHECK: %[[D:.+]] = dlc.sub %[[K]], %[[T]]
// CHECK: %[[GK:.+]] = dlc.mul %[[D]], %{{.+}}
// CHECK: %[[GN:.+]] = dlc.select %[[M]], %[[GK]], %{{.+}}
// CHECK: %[[X32:.+]] = dlc.cast %[[X]] : tensor<2x8xf16> -> tensor<2x8xf32>
// CHECK: %[[G32:.+]] = dlc.cast %[[GN]] : tensor<2x8xf16> -> tensor<2x8xf32>
// CHECK: dlc.reduce_sum %[[X32]] axes = [1] keepdims
// CHECK: %[[RSTD:.+]] = dlc.rsqrt %{{.+}} : tensor<2x8xf32>
// CHECK: %[[XHAT:.+]] = dlc.mul %{{.+}}, %[[RSTD]]
// CHECK: %[[GS:.+]] = dlc.mul %[[G32]], %{{.+}} : tensor<2x8xf32>
// CHECK: %[[DX:.+]] = dlc.mul %[[RSTD]], %{{.+}} : tensor<2x8xf32>
// CHECK: %[[DX16:.+]] = dlc.cast %[[DX]] : tensor<2x8xf32> -> tensor<2x8xf16>
// CHECK: %[[GXH:.+]] = dlc.mul %[[G32]], %[[XHAT]]
// CHECK: %[[DS:.+]] = dlc.reduce_sum %[[GXH]] axes = [0] : tensor<2x8xf32> -> tensor<8xf32>
// CHECK: %[[DS16:.+]] = dlc.cast %[[DS]] : tensor<8xf32> -> tensor<8xf16>
// CHECK: return %{{.+}}, %[[DX16]], %[[DS16]]
