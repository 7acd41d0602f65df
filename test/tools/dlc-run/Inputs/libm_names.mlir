// Functions named like the C library functions their lowering calls.
func.func @exp(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = dlc.exp %x : tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
func.func @log(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = dlc.log %x : tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
func.func @tanh(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = call @exp(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  %1 = dlc.tanh %0 : tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}
