// RUN: dlc-opt %s --dlc-autodiff -split-input-file -verify-diagnostics

// An active float value through an op without a rule names that op.
func.func @loss(%u: tensor<3x2xf32>, %i: tensor<3xi64>) -> tensor<f32> {
  // expected-error @+1 {{'dlc.scatter_add' op has no gradient rule, but a float value that depends on the differentiated arguments flows through it to the result of @loss}}
  %t = dlc.scatter_add %u, %i : (tensor<3x2xf32>, tensor<3xi64>) -> tensor<5x2xf32>
  %s = dlc.reduce_sum %t axes = [0, 1] : tensor<5x2xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @grad(%u: tensor<3x2xf32>, %i: tensor<3xi64>) -> tensor<3x2xf32> {
  // expected-note @+1 {{differentiated for this op}}
  %g = dlc.grad @loss(%u, %i) wrt = [0] : (tensor<3x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>
  return %g : tensor<3x2xf32>
}

// -----

// The same op off the active path is no error: the integer indices carry no
// gradient and %u is not differentiated.
func.func @loss(%u: tensor<3x2xf32>, %i: tensor<3xi64>, %w: tensor<5x2xf32>) -> tensor<f32> {
  %t = dlc.scatter_add %u, %i : (tensor<3x2xf32>, tensor<3xi64>) -> tensor<5x2xf32>
  %m = dlc.mul %t, %w : tensor<5x2xf32>
  %s = dlc.reduce_sum %m axes = [0, 1] : tensor<5x2xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @grad(%u: tensor<3x2xf32>, %i: tensor<3xi64>, %w: tensor<5x2xf32>) -> tensor<5x2xf32> {
  %g = dlc.grad @loss(%u, %i, %w) wrt = [2] : (tensor<3x2xf32>, tensor<3xi64>, tensor<5x2xf32>) -> tensor<5x2xf32>
  return %g : tensor<5x2xf32>
}

// -----

// expected-error @+1 {{cannot differentiate through @external: it has no body}}
func.func private @external(%x: tensor<4xf32>) -> tensor<f32>
func.func @grad(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{while differentiating for this op}}
  %g = dlc.grad @external(%x) wrt = [0] : (tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}

// -----

// expected-error @+1 {{cannot differentiate through the recursive call of @loop}}
func.func @loop(%x: tensor<4xf32>) -> tensor<f32> {
  %r = call @loop(%x) : (tensor<4xf32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @grad(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{while differentiating for this op}}
  %g = dlc.grad @loop(%x) wrt = [0] : (tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}
