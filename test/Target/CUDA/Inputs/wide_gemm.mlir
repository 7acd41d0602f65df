// A 2048 x 2048 f32 product (256 blocks of 128 x 128: dlc-tile-for-gpu's
// wide SIMT blocks) and a 1920 x 2048 one (240 of them, too few: 64 x 64
// blocks of 64 threads), for simt-gemm-ptx.test.
func.func @wide(%a: tensor<2048x64xf32>, %b: tensor<64x2048xf32>) -> tensor<2048x2048xf32> {
  %0 = dlc.matmul %a, %b : (tensor<2048x64xf32>, tensor<64x2048xf32>) -> tensor<2048x2048xf32>
  return %0 : tensor<2048x2048xf32>
}
func.func @narrow(%a: tensor<1920x64xf32>, %b: tensor<64x2048xf32>) -> tensor<1920x2048xf32> {
  %0 = dlc.matmul %a, %b : (tensor<1920x64xf32>, tensor<64x2048xf32>) -> tensor<1920x2048xf32>
  return %0 : tensor<1920x2048xf32>
}
