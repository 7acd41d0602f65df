// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s --mlir-print-op-generic | dlc-opt | FileCheck %s

// Round trip of every dlc op through the custom and the generic syntax.

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<2x3xf32>, %i: tensor<4xi32>) -> tensor<2x3xf32> {
  // CHECK: dlc.neg %{{.*}} : tensor<2x3xf32>
  %0 = dlc.neg %x : tensor<2x3xf32>
  // CHECK: dlc.neg %{{.*}} : tensor<4xi32>
  %1 = dlc.neg %i : tensor<4xi32>
  // CHECK: dlc.abs %{{.*}} : tensor<4xi32>
  %2 = dlc.abs %i : tensor<4xi32>
  // CHECK: dlc.exp
  %3 = dlc.exp %x : tensor<2x3xf32>
  // CHECK: dlc.log
  %4 = dlc.log %3 : tensor<2x3xf32>
  // CHECK: dlc.sqrt
  %5 = dlc.sqrt %4 : tensor<2x3xf32>
  // CHECK: dlc.rsqrt
  %6 = dlc.rsqrt %5 : tensor<2x3xf32>
  // CHECK: dlc.tanh
  %7 = dlc.tanh %6 : tensor<2x3xf32>
  // CHECK: dlc.sigmoid
  %8 = dlc.sigmoid %7 : tensor<2x3xf32>
  // CHECK: dlc.relu %{{.*}} : tensor<4xi32>
  %9 = dlc.relu %2 : tensor<4xi32>
  // CHECK: dlc.relu %{{.*}} : tensor<2x3xf32>
  %10 = dlc.relu %8 : tensor<2x3xf32>
  // CHECK: dlc.gelu %{{.*}} : tensor<2x3xf32>
  %11 = dlc.gelu %10 : tensor<2x3xf32>
  // CHECK: dlc.gelu %{{.*}} approximate = <tanh> : tensor<2x3xf32>
  %12 = dlc.gelu %11 approximate = <tanh> : tensor<2x3xf32>
  // CHECK: dlc.sin
  %13 = dlc.sin %12 : tensor<2x3xf32>
  // CHECK: dlc.cos
  %14 = dlc.cos %13 : tensor<2x3xf32>
  // CHECK: dlc.abs %{{.*}} : tensor<2x3xf32>
  %15 = dlc.abs %14 : tensor<2x3xf32>
  return %15 : tensor<2x3xf32>
}

// CHECK-LABEL: func @binary
func.func @binary(%x: tensor<2x3xbf16>, %y: tensor<2x3xbf16>, %i: tensor<5xi64>) -> tensor<2x3xbf16> {
  // CHECK: dlc.add %{{.*}}, %{{.*}} : tensor<2x3xbf16>
  %0 = dlc.add %x, %y : tensor<2x3xbf16>
  // CHECK: dlc.sub
  %1 = dlc.sub %0, %y : tensor<2x3xbf16>
  // CHECK: dlc.mul
  %2 = dlc.mul %1, %y : tensor<2x3xbf16>
  // CHECK: dlc.div
  %3 = dlc.div %2, %y : tensor<2x3xbf16>
  // CHECK: dlc.pow
  %4 = dlc.pow %3, %y : tensor<2x3xbf16>
  // CHECK: dlc.max
  %5 = dlc.max %4, %y : tensor<2x3xbf16>
  // CHECK: dlc.min
  %6 = dlc.min %5, %y : tensor<2x3xbf16>
  // CHECK: dlc.add %{{.*}}, %{{.*}} : tensor<5xi64>
  %7 = dlc.add %i, %i : tensor<5xi64>
  // CHECK: %[[M:.+]] = dlc.compare <ge>, %{{.*}}, %{{.*}} : tensor<2x3xbf16>
  %m = dlc.compare <ge>, %6, %x : tensor<2x3xbf16>
  // CHECK: dlc.select %[[M]], %{{.*}}, %{{.*}} : tensor<2x3xi1>, tensor<2x3xbf16>
  %s = dlc.select %m, %6, %x : tensor<2x3xi1>, tensor<2x3xbf16>
  return %s : tensor<2x3xbf16>
}

// CHECK-LABEL: func @cast_constant
func.func @cast_constant(%x: tensor<4xf32>) -> tensor<4xi1> {
  // CHECK: dlc.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %c = dlc.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  // CHECK: dlc.cast %{{.*}} : tensor<4xf32> -> tensor<4xi32>
  %0 = dlc.cast %x : tensor<4xf32> -> tensor<4xi32>
  %1 = dlc.add %0, %c : tensor<4xi32>
  // CHECK: dlc.cast %{{.*}} : tensor<4xi32> -> tensor<4xi1>
  %2 = dlc.cast %1 : tensor<4xi32> -> tensor<4xi1>
  return %2 : tensor<4xi1>
}

// CHECK-LABEL: func @shape
func.func @shape(%x: tensor<3xf32>, %y: tensor<2x3xf32>, %t: tensor<10x4xf16>, %ids: tensor<2x5xi32>)
    -> (tensor<2x6xf32>, tensor<2x5x4xf16>) {
  // CHECK: dlc.broadcast_to %{{.*}} : tensor<3xf32> -> tensor<2x3xf32>
  %0 = dlc.broadcast_to %x : tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: dlc.reshape %{{.*}} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = dlc.reshape %0 : tensor<2x3xf32> -> tensor<3x2xf32>
  // CHECK: dlc.transpose %{{.*}} permutation = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  %2 = dlc.transpose %1 permutation = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  // CHECK: dlc.slice %{{.*}} start = [0, 1] limit = [2, 3] strides = [1, 2] : tensor<2x3xf32> -> tensor<2x1xf32>
  %3 = dlc.slice %2 start = [0, 1] limit = [2, 3] strides = [1, 2] : tensor<2x3xf32> -> tensor<2x1xf32>
  // CHECK: dlc.concat %{{.*}}, %{{.*}} axis = 1 : (tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x4xf32>
  %4 = dlc.concat %3, %y axis = 1 : (tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x4xf32>
  // CHECK: dlc.pad %{{.*}} low = [0, 1] high = [0, 1] value = -1.000000e+00 : f32 : tensor<2x4xf32> -> tensor<2x6xf32>
  %5 = dlc.pad %4 low = [0, 1] high = [0, 1] value = -1.0 : f32 : tensor<2x4xf32> -> tensor<2x6xf32>
  // CHECK: dlc.gather %{{.*}}, %{{.*}} : (tensor<10x4xf16>, tensor<2x5xi32>) -> tensor<2x5x4xf16>
  %6 = dlc.gather %t, %ids : (tensor<10x4xf16>, tensor<2x5xi32>) -> tensor<2x5x4xf16>
  return %5, %6 : tensor<2x6xf32>, tensor<2x5x4xf16>
}

// CHECK-LABEL: func @contractions
func.func @contractions(%a: tensor<2x4x8xf32>, %b: tensor<2x8x3xf32>, %x: tensor<1x4x9x9xf64>,
                        %w: tensor<6x2x3x3xf64>) -> (tensor<2x4x3xf32>, tensor<1x6x5x5xf64>, tensor<1x6x2x2xf64>, tensor<1x6x3x3xf64>) {
  // CHECK: dlc.matmul %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<2x8x3xf32>) -> tensor<2x4x3xf32>
  %0 = dlc.matmul %a, %b : (tensor<2x4x8xf32>, tensor<2x8x3xf32>) -> tensor<2x4x3xf32>
  // CHECK: dlc.conv2d %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 2 : (tensor<1x4x9x9xf64>, tensor<6x2x3x3xf64>) -> tensor<1x6x5x5xf64>
  %1 = dlc.conv2d %x, %w strides = [2, 2] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 2
      : (tensor<1x4x9x9xf64>, tensor<6x2x3x3xf64>) -> tensor<1x6x5x5xf64>
  // CHECK: dlc.max_pool2d %{{.*}} kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x6x5x5xf64> -> tensor<1x6x2x2xf64>
  %2 = dlc.max_pool2d %1 kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x6x5x5xf64> -> tensor<1x6x2x2xf64>
  // CHECK: dlc.avg_pool2d %{{.*}} kernel = [3, 3] strides = [2, 2] padding = [1, 1, 1, 1] : tensor<1x6x5x5xf64> -> tensor<1x6x3x3xf64>
  %3 = dlc.avg_pool2d %1 kernel = [3, 3] strides = [2, 2] padding = [1, 1, 1, 1] : tensor<1x6x5x5xf64> -> tensor<1x6x3x3xf64>
  // Padding up to kernel - 1 (as ONNX exporters produce): every window still
  // sees a real element.
  // CHECK: dlc.max_pool2d %{{.*}} kernel = [3, 3] strides = [1, 1] padding = [2, 2, 2, 0] : tensor<1x6x5x5xf64> -> tensor<1x6x7x5xf64>
  %pad2 = dlc.max_pool2d %1 kernel = [3, 3] strides = [1, 1] padding = [2, 2, 2, 0] : tensor<1x6x5x5xf64> -> tensor<1x6x7x5xf64>
  return %0, %1, %2, %3 : tensor<2x4x3xf32>, tensor<1x6x5x5xf64>, tensor<1x6x2x2xf64>, tensor<1x6x3x3xf64>
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<4x5x6xf32>, %i: tensor<4x5xi64>)
    -> (tensor<4xf32>, tensor<1x5x1xf32>, tensor<4x6xf32>, tensor<5xi64>, tensor<4x1xi64>) {
  // CHECK: dlc.reduce_sum %{{.*}} axes = [1, 2] : tensor<4x5x6xf32> -> tensor<4xf32>
  %0 = dlc.reduce_sum %x axes = [1, 2] : tensor<4x5x6xf32> -> tensor<4xf32>
  // CHECK: dlc.reduce_mean %{{.*}} axes = [0, 2] keepdims : tensor<4x5x6xf32> -> tensor<1x5x1xf32>
  %1 = dlc.reduce_mean %x axes = [0, 2] keepdims : tensor<4x5x6xf32> -> tensor<1x5x1xf32>
  // CHECK: dlc.reduce_max %{{.*}} axes = [1] : tensor<4x5x6xf32> -> tensor<4x6xf32>
  %2 = dlc.reduce_max %x axes = [1] : tensor<4x5x6xf32> -> tensor<4x6xf32>
  // CHECK: dlc.reduce_min %{{.*}} axes = [0] : tensor<4x5xi64> -> tensor<5xi64>
  %3 = dlc.reduce_min %i axes = [0] : tensor<4x5xi64> -> tensor<5xi64>
  // CHECK: dlc.argmax %{{.*}} axis = 1 keepdims : tensor<4x5xi64> -> tensor<4x1xi64>
  %4 = dlc.argmax %i axis = 1 keepdims : tensor<4x5xi64> -> tensor<4x1xi64>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<1x5x1xf32>, tensor<4x6xf32>, tensor<5xi64>, tensor<4x1xi64>
}

// CHECK-LABEL: func @composites
func.func @composites(%x: tensor<8x10xf32>, %labels: tensor<8xi64>, %g: tensor<10xf32>, %b: tensor<10xf32>)
    -> (tensor<8x10xf32>, tensor<8x10xf32>, tensor<8x10xf32>, tensor<8x10xf32>, tensor<f32>, tensor<f32>) {
  // CHECK: dlc.softmax %{{.*}} axis = 1 : tensor<8x10xf32>
  %0 = dlc.softmax %x axis = 1 : tensor<8x10xf32>
  // CHECK: dlc.log_softmax %{{.*}} axis = 0 : tensor<8x10xf32>
  %1 = dlc.log_softmax %x axis = 0 : tensor<8x10xf32>
  // CHECK: dlc.layer_norm %{{.*}} scale %{{.*}} bias %{{.*}} epsilon = 1.000000e-05 : (tensor<8x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %2 = dlc.layer_norm %x scale %g bias %b epsilon = 1.0e-05 : (tensor<8x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  // CHECK: dlc.layer_norm %{{.*}} bias %{{.*}} epsilon = 1.000000e-03 : (tensor<8x10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %3 = dlc.layer_norm %x bias %b epsilon = 1.0e-03 : (tensor<8x10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  // CHECK: dlc.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  %4 = dlc.softmax_cross_entropy %x, %labels : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  // CHECK: dlc.mse_loss %{{.*}}, %{{.*}} : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
  %5 = dlc.mse_loss %0, %x : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
  return %0, %1, %2, %3, %4, %5 : tensor<8x10xf32>, tensor<8x10xf32>, tensor<8x10xf32>, tensor<8x10xf32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func @erf_scatter_add
func.func @erf_scatter_add(%x: tensor<2x3xf32>, %u: tensor<4x2x3xf32>, %i: tensor<4xi64>)
    -> (tensor<2x3xf32>, tensor<7x2x3xf32>) {
  // CHECK: dlc.erf %{{.*}} : tensor<2x3xf32>
  %0 = dlc.erf %x : tensor<2x3xf32>
  // CHECK: dlc.scatter_add %{{.*}}, %{{.*}} : (tensor<4x2x3xf32>, tensor<4xi64>) -> tensor<7x2x3xf32>
  %1 = dlc.scatter_add %u, %i : (tensor<4x2x3xf32>, tensor<4xi64>) -> tensor<7x2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<7x2x3xf32>
}

func.func @loss(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<f32> {
  %0 = dlc.reduce_sum %w axes = [0, 1] : tensor<6x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func @gradients
func.func @gradients(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>)
    -> (tensor<6x4xf32>, tensor<4x3xf32>, tensor<f32>, tensor<6x4xf32>) {
  // CHECK: dlc.grad @loss(%{{.*}}, %{{.*}}, %{{.*}}) wrt = [0, 1] : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> (tensor<6x4xf32>, tensor<4x3xf32>)
  %g0, %g1 = dlc.grad @loss(%w, %x, %l) wrt = [0, 1]
      : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> (tensor<6x4xf32>, tensor<4x3xf32>)
  // CHECK: dlc.value_and_grad @loss(%{{.*}}, %{{.*}}, %{{.*}}) wrt = [0] : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> (tensor<f32>, tensor<6x4xf32>)
  %v, %g2 = "dlc.value_and_grad"(%w, %x, %l) {callee = @loss, wrt = array<i64: 0>}
      : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> (tensor<f32>, tensor<6x4xf32>)
  return %g0, %g1, %v, %g2 : tensor<6x4xf32>, tensor<4x3xf32>, tensor<f32>, tensor<6x4xf32>
}

// CHECK-LABEL: func @adjoints
func.func @adjoints(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %g: tensor<2x4x4x4xf32>, %p: tensor<2x3x4x4xf32>)
    -> (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<2x3x8x8xf32>, tensor<2x3x8x8xf32>) {
  // CHECK: dlc.conv2d_input_grad %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1 : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32>
  %0 = dlc.conv2d_input_grad %g, %w strides = [2, 2] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1
      : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32>
  // CHECK: dlc.conv2d_filter_grad %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1 : (tensor<2x3x8x8xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  %1 = dlc.conv2d_filter_grad %x, %g strides = [2, 2] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1
      : (tensor<2x3x8x8xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  // CHECK: dlc.max_pool2d_grad %{{.*}}, %{{.*}} kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : (tensor<2x3x8x8xf32>, tensor<2x3x4x4xf32>) -> tensor<2x3x8x8xf32>
  %2 = dlc.max_pool2d_grad %x, %p kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
      : (tensor<2x3x8x8xf32>, tensor<2x3x4x4xf32>) -> tensor<2x3x8x8xf32>
  // CHECK: dlc.avg_pool2d_grad %{{.*}} kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<2x3x4x4xf32> -> tensor<2x3x8x8xf32>
  %3 = dlc.avg_pool2d_grad %p kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<2x3x4x4xf32> -> tensor<2x3x8x8xf32>
  return %0, %1, %2, %3 : tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<2x3x8x8xf32>, tensor<2x3x8x8xf32>
}
