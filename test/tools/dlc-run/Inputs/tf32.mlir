// An f32 GEMM compiled with --allow-tf32 (tensor cores in TF32) for the GPU
// check (tools/gpu-check.sh, checked by tf32.py); its PTX is checked here
// without a GPU by test/Pipelines/dlc-gpu-pipeline-mma.mlir.
func.func @gemm(%a: tensor<64x256xf32>, %b: tensor<256x64xf32>) -> tensor<64x64xf32> {
  %0 = dlc.matmul %a, %b : (tensor<64x256xf32>, tensor<256x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}
