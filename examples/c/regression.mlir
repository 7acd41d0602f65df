// Linear regression for examples/c/train_model.c: predict, and a loss whose
// parameters are marked for dlc-compile --train-step.
func.func @predict(%w: tensor<3x1xf32> {dlc.name = "w"}, %b: tensor<1xf32> {dlc.name = "b"},
                   %x: tensor<16x3xf32> {dlc.name = "x"}) -> tensor<16x1xf32> {
  %y = dlc.matmul %x, %w : (tensor<16x3xf32>, tensor<3x1xf32>) -> tensor<16x1xf32>
  %bb = dlc.broadcast_to %b : tensor<1xf32> -> tensor<16x1xf32>
  %p = dlc.add %y, %bb : tensor<16x1xf32>
  return %p : tensor<16x1xf32>
}
func.func private @loss(%w: tensor<3x1xf32> {dlc.name = "w", dlc.param}, %b: tensor<1xf32> {dlc.name = "b", dlc.param},
                        %x: tensor<16x3xf32> {dlc.name = "x"}, %t: tensor<16x1xf32> {dlc.name = "target"}) -> tensor<f32> {
  %p = call @predict(%w, %b, %x) : (tensor<3x1xf32>, tensor<1xf32>, tensor<16x3xf32>) -> tensor<16x1xf32>
  %l = dlc.mse_loss %p, %t : (tensor<16x1xf32>, tensor<16x1xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
