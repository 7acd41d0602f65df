func.func @mlp(%x: tensor<4x24xf32>, %w1: tensor<24x16xf32>, %w2: tensor<16x3xf32>) -> tensor<4x3xf32> {
  %0 = dlc.matmul %x, %w1 : (tensor<4x24xf32>, tensor<24x16xf32>) -> tensor<4x16xf32>
  %1 = dlc.tanh %0 : tensor<4x16xf32>
  %2 = dlc.matmul %1, %w2 : (tensor<4x16xf32>, tensor<16x3xf32>) -> tensor<4x3xf32>
  %3 = dlc.softmax %2 axis = 1 : tensor<4x3xf32>
  return %3 : tensor<4x3xf32>
}
