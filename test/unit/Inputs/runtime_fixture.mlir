// Artifact used by the runtime unit tests (compiled by the build).
func.func @axpy(%a: tensor<f32> {dlc.name = "alpha"}, %x: tensor<5xf32> {dlc.name = "x"},
                %y: tensor<5xf32> {dlc.name = "y"}) -> tensor<5xf32> {
  %b = dlc.broadcast_to %a : tensor<f32> -> tensor<5xf32>
  %0 = dlc.mul %b, %x : tensor<5xf32>
  %1 = dlc.add %0, %y : tensor<5xf32>
  return %1 : tensor<5xf32>
}

func.func @count(%m: tensor<2x3xi1>) -> (tensor<i64>, tensor<2x3xi1>) {
  %i = dlc.cast %m : tensor<2x3xi1> -> tensor<2x3xi64>
  %n = dlc.reduce_sum %i axes = [0, 1] : tensor<2x3xi64> -> tensor<i64>
  %not = dlc.compare <eq>, %i, %i : tensor<2x3xi64>
  return %n, %not : tensor<i64>, tensor<2x3xi1>
}

// An in-out parameter: result 1 is w's update, written into w's buffer.
func.func @sgd(%w: tensor<4xf32> {dlc.name = "w", dlc.inout = 1 : i64},
               %g: tensor<4xf32> {dlc.name = "g"}) -> (tensor<f32>, tensor<4xf32>) {
  %lr = dlc.constant dense<0.5> : tensor<4xf32>
  %d = dlc.mul %g, %lr : tensor<4xf32>
  %n = dlc.sub %w, %d : tensor<4xf32>
  %s = dlc.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %s, %n : tensor<f32>, tensor<4xf32>
}
