func.func @dense(%x: tensor<7x13xf32> {dlc.name = "x"}, %w: tensor<13x10xf32> {dlc.name = "w"},
                 %b: tensor<10xf32> {dlc.name = "b"}) -> (tensor<7x10xf32>, tensor<7xi64>) {
  %0 = dlc.matmul %x, %w : (tensor<7x13xf32>, tensor<13x10xf32>) -> tensor<7x10xf32>
  %1 = dlc.broadcast_to %b : tensor<10xf32> -> tensor<7x10xf32>
  %2 = dlc.add %0, %1 : tensor<7x10xf32>
  %3 = dlc.relu %2 : tensor<7x10xf32>
  %4 = dlc.argmax %3 axis = 1 : tensor<7x10xf32> -> tensor<7xi64>
  return %3, %4 : tensor<7x10xf32>, tensor<7xi64>
}
