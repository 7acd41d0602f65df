// RUN: dlc-opt %s --dlc-autodiff | FileCheck %s

// The gradient functions dlc-autodiff generates: the forward, a seed of 1,
// then each active op's rule in reverse order.

func.func @tanh_loss(%x: tensor<4xf32>) -> tensor<f32> {
  %y = dlc.tanh %x : tensor<4xf32>
  %s = dlc.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @use_twice(%x: tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>, tensor<4xf32>) {
  %v, %g = dlc.value_and_grad @tanh_loss(%x) wrt = [0] : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %g2 = dlc.grad @tanh_loss(%x) wrt = [0] : (tensor<4xf32>) -> tensor<4xf32>
  return %v, %g, %g2 : tensor<f32>, tensor<4xf32>, tensor<4xf32>
}
func.func @bias_loss(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<f32> {
  %bb = dlc.broadcast_to %b : tensor<3xf32> -> tensor<2x3xf32>
  %y = dlc.mul %x, %bb : tensor<2x3xf32>
  %z = dlc.add %y, %x : tensor<2x3xf32>
  %s = dlc.reduce_sum %z axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @bias_grad(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>) {
  %g:2 = dlc.grad @bias_loss(%x, %b) wrt = [0, 1] : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>)
  return %g#0, %g#1 : tensor<2x3xf32>, tensor<3xf32>
}

func.func @mm_loss(%a: tensor<5x4xf32>, %b: tensor<4x3xf32>) -> tensor<f32> {
  %y = dlc.matmul %a, %b : (tensor<5x4xf32>, tensor<4x3xf32>) -> tensor<5x3xf32>
  %m = dlc.reduce_max %y axes = [1] : tensor<5x3xf32> -> tensor<5xf32>
  %s = dlc.reduce_sum %m axes = [0] : tensor<5xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @mm_grad(%a: tensor<5x4xf32>, %b: tensor<4x3xf32>) -> (tensor<5x4xf32>, tensor<4x3xf32>) {
  %g:2 = dlc.grad @mm_loss(%a, %b) wrt = [0, 1] : (tensor<5x4xf32>, tensor<4x3xf32>) -> (tensor<5x4xf32>, tensor<4x3xf32>)
  return %g#0, %g#1 : tensor<5x4xf32>, tensor<4x3xf32>
}
func.func @embed_loss(%t: tensor<10x4xf32>, %x: tensor<3x10xf32>) -> tensor<f32> {
  %i = dlc.argmax %x axis = 1 : tensor<3x10xf32> -> tensor<3xi64>
  %e = dlc.gather %t, %i : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  %s = dlc.reduce_sum %e axes = [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @embed_grad(%t: tensor<10x4xf32>, %x: tensor<3x10xf32>) -> (tensor<10x4xf32>, tensor<3x10xf32>) {
  %g:2 = dlc.grad @embed_loss(%t, %x) wrt = [0, 1] : (tensor<10x4xf32>, tensor<3x10xf32>) -> (tensor<10x4xf32>, tensor<3x10xf32>)
  return %g#0, %g#1 : tensor<10x4xf32>, tensor<3x10xf32>
}
func.func private @helper(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %y = dlc.softmax %x axis = 1 : tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}
func.func @call_loss(%x: tensor<4x6xf32>, %l: tensor<4xi32>) -> tensor<f32> {
  %y = call @helper(%x) : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %c = dlc.softmax_cross_entropy %y, %l : (tensor<4x6xf32>, tensor<4xi32>) -> tensor<f32>
  return %c : tensor<f32>
}
func.func @call_grad(%x: tensor<4x6xf32>, %l: tensor<4xi32>) -> tensor<4x6xf32> {
  %g = dlc.grad @call_loss(%x, %l) wrt = [0] : (tensor<4x6xf32>, tensor<4xi32>) -> tensor<4x6xf32>
  return %g : tensor<4x6xf32>
}

// The two ops on @tanh_loss share one gradient function; dlc.grad drops the
// value.
// CHECK-LABEL: func.func @use_twice
// CHECK:   %[[A:.*]]:2 = call @tanh_loss_grad_0(%arg0)
// CHECK:   %[[B:.*]]:2 = call @tanh_loss_grad_0(%arg0)
// CHECK:   return %[[A]]#0, %[[A]]#1, %[[B]]#1

// CHECK-LABEL: func.func @bias_grad
// CHECK:   %[[G:.*]]:3 = call @bias_loss_grad_0_1(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<3xf32>)
// CHECK:   return %[[G]]#1, %[[G]]#2

// Elementwise: tanh' = 1 - y^2, from the forward's y.
// CHECK-LABEL: func.func private @tanh_loss_grad_0
// CHECK:   %[[Y:.*]] = dlc.tanh %arg0
// CHECK:   %[[L:.*]] = dlc.reduce_sum %[[Y]]
// CHECK:   %[[SEED:.*]] = dlc.constant dense<1.000000e+00> : tensor<f32>
// CHECK:   %[[R:.*]] = dlc.reshape %[[SEED]] : tensor<f32> -> tensor<1xf32>
// CHECK:   %[[G:.*]] = dlc.broadcast_to %[[R]] : tensor<1xf32> -> tensor<4xf32>
// CHECK:   %[[Y2:.*]] = dlc.mul %[[Y]], %[[Y]]
// CHECK:   %[[ONE:.*]] = dlc.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK:   %[[D:.*]] = dlc.sub %[[ONE]], %[[Y2]]
// CHECK:   %[[DX:.*]] = dlc.mul %[[G]], %[[D]]
// CHECK:   return %[[L]], %[[DX]]

// Fan-out (x feeds mul and add: cotangents summed); broadcast_to's rule sums
// over the broadcast dim.
// CHECK-LABEL: func.func private @bias_loss_grad_0_1
// CHECK:   %[[BB:.*]] = dlc.broadcast_to %arg1 : tensor<3xf32> -> tensor<2x3xf32>
// CHECK:   %[[G:.*]] = dlc.broadcast_to %{{.*}} : tensor<1x1xf32> -> tensor<2x3xf32>
// CHECK:   %[[DXM:.*]] = dlc.mul %[[G]], %[[BB]]
// CHECK:   %[[DBB:.*]] = dlc.mul %[[G]], %arg0
// CHECK:   %[[DX:.*]] = dlc.add %[[G]], %[[DXM]]
// CHECK:   %[[DB:.*]] = dlc.reduce_sum %[[DBB]] axes = [0] : tensor<2x3xf32> -> tensor<3xf32>
// CHECK:   return %{{.*}}, %[[DX]], %[[DB]]

// reduce_max routes the cotangent to the first maximum (argmax one-hot);
// matmul's rule multiplies by the transposed other operand.
// CHECK-LABEL: func.func private @mm_loss_grad_0_1
// CHECK:   %[[Y:.*]] = dlc.matmul %arg0, %arg1
// CHECK:   %[[FIRST:.*]] = dlc.argmax %[[Y]] axis = 1 keepdims : tensor<5x3xf32> -> tensor<5x1xi64>
// CHECK:   %[[IOTA:.*]] = dlc.constant dense<[0, 1, 2]> : tensor<3xi64>
// CHECK:   %[[HOT:.*]] = dlc.compare <eq>
// CHECK:   %[[DY:.*]] = dlc.select %[[HOT]]
// CHECK:   %[[BT:.*]] = dlc.transpose %arg1 permutation = [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
// CHECK:   %[[DA:.*]] = dlc.matmul %[[DY]], %[[BT]] : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
// CHECK:   %[[AT:.*]] = dlc.transpose %arg0 permutation = [1, 0] : tensor<5x4xf32> -> tensor<4x5xf32>
// CHECK:   %[[DB:.*]] = dlc.matmul %[[AT]], %[[DY]] : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
// CHECK:   return %{{.*}}, %[[DA]], %[[DB]]

// gather's rule is a scatter_add into the table; x reaches the loss only
// through an integer (argmax), so its gradient is a zero constant.
// CHECK-LABEL: func.func private @embed_loss_grad_0_1
// CHECK:   %[[I:.*]] = dlc.argmax %arg1
// CHECK:   %[[DT:.*]] = dlc.scatter_add %{{.*}}, %[[I]] : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<10x4xf32>
// CHECK:   %[[DX:.*]] = dlc.constant dense<0.000000e+00> : tensor<3x10xf32>
// CHECK:   return %{{.*}}, %[[DT]], %[[DX]]

// The call to @helper is differentiated through (inlined); cross-entropy's
// rule is (softmax - onehot) / N, softmax's is y (g - sum(g y)).
// CHECK-LABEL: func.func private @call_loss_grad_0
// CHECK-NOT:   call
// CHECK:   %[[Y:.*]] = dlc.softmax %arg0 axis = 1
// CHECK:   %[[P:.*]] = dlc.softmax %[[Y]] axis = 1
// CHECK:   %[[HOT:.*]] = dlc.compare <eq>, %{{.*}}, %{{.*}} : tensor<4x6xi32>
// CHECK:   %[[T:.*]] = dlc.select %[[HOT]]
// CHECK:   %[[N:.*]] = dlc.constant dense<2.500000e-01> : tensor<f32>
// CHECK:   %[[DIFF:.*]] = dlc.sub %[[P]], %[[T]]
// CHECK:   %[[DZ:.*]] = dlc.mul %[[DIFF]], %{{.*}}
// CHECK:   %[[GY:.*]] = dlc.mul %[[DZ]], %[[Y]]
// CHECK:   %[[S:.*]] = dlc.reduce_sum %[[GY]] axes = [1] keepdims
// CHECK:   %[[SB:.*]] = dlc.broadcast_to %[[S]]
// CHECK:   %[[C:.*]] = dlc.sub %[[DZ]], %[[SB]]
// CHECK:   %[[DX:.*]] = dlc.mul %[[Y]], %[[C]]
// CHECK:   return %{{.*}}, %[[DX]]
