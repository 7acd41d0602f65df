// A softmax: its exp is libdevice's __nv_expf on the GPU.
func.func @softmax(%x: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %0 = dlc.softmax %x axis = 1 : tensor<8x32xf32>
  return %0 : tensor<8x32xf32>
}
