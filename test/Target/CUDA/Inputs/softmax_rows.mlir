// A softmax over rows of 4096 f32 (one row a block of 256 threads, 16
// columns a thread), for row-nest-ptx.test.
func.func @softmax(%x: tensor<16384x4096xf32>) -> tensor<16384x4096xf32> {
  %0 = dlc.softmax %x axis = 1 : tensor<16384x4096xf32>
  return %0 : tensor<16384x4096xf32>
}
