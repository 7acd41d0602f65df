// RUN: dlc-opt %s --dlc-tile-for-gpu=wide-simt-tiles --canonicalize --cse | FileCheck %s
// RUN: dlc-opt %s --dlc-tile-for-gpu --canonicalize --cse | FileCheck %s --check-prefix=OFF

// wide-simt-tiles (the GPU pipeline's for sm_90 and sm_90a): f32 products
// of 256 blocks of 128 x 128 or more (2048^2) and a K of 64 or more take
// such blocks: 256 threads of 8 x 8 outputs, K steps of 8, each thread
// copying one 16-byte piece of A and one of B; the thread's product asks
// for 2 blocks an SM (dlc.min_blocks_per_sm, later the kernel's
// .minnctapersm). Batched too (16 x 512^2). Without the option, and for
// fewer blocks (1920 x 2048: 240), K under 64 (shorter loops, unrolled,
// spilled under the 128-register bound) or other types (f64): 64 x 64
// blocks and no hint.
// CHECK-LABEL: func.func @wide(
// CHECK: scf.forall ({{.+}}) = (0, 0) to (2048, 2048) step (128, 128)
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (128, 128) step (8, 8)
// CHECK:   scf.for {{.+}} = %c0 to %c64 step %c8
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (128, 8) step (1, 4)
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (8, 128) step (1, 4)
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (128, 128) step (8, 8)
// CHECK:       vector.contract {{.+}} {dlc.min_blocks_per_sm = 2 : i64} : vector<8x8xf32>, vector<8x8xf32> into vector<8x8xf32>
// CHECK-LABEL: func.func @wide_batched(
// CHECK: scf.forall ({{.+}}) = (0, 0, 0) to (16, 512, 512) step (1, 128, 128)
// CHECK:       vector.contract {{.+}} {dlc.min_blocks_per_sm = 2 : i64}
// CHECK-LABEL: func.func @almost_wide(
// CHECK: scf.forall ({{.+}}) = (0, 0) to (1920, 2048) step (64, 64)
// CHECK-NOT: dlc.min_blocks_per_sm
// CHECK-LABEL: func.func @short_k(
// CHECK: scf.forall ({{.+}}) = (0, 0) to (2048, 2048) step (64, 64)
// CHECK-NOT: dlc.min_blocks_per_sm
// CHECK-LABEL: func.func @wide_f64(
// CHECK: scf.forall ({{.+}}) = (0, 0) to (2048, 2048) step (64, 64)
// CHECK-NOT: dlc.min_blocks_per_sm
// OFF-LABEL: func.func @wide(
// OFF: scf.forall ({{.+}}) = (0, 0) to (2048, 2048) step (64, 64)
// OFF-NOT: dlc.min_blocks_per_sm
func.func @wide(%a: tensor<2048x64xf32>, %b: tensor<64x2048xf32>) -> tensor<2048x2048xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<2048x2048xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2048x2048xf32>) -> tensor<2048x2048xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<2048x64xf32>, tensor<64x2048xf32>) outs(%1 : tensor<2048x2048xf32>) -> tensor<2048x2048xf32>
  return %2 : tensor<2048x2048xf32>
}
func.func @wide_batched(%a: tensor<16x512x64xf32>, %b: tensor<16x64x512xf32>) -> tensor<16x512x512xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<16x512x512xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<16x512x512xf32>) -> tensor<16x512x512xf32>
  %2 = linalg.batch_matmul ins(%a, %b : tensor<16x512x64xf32>, tensor<16x64x512xf32>) outs(%1 : tensor<16x512x512xf32>) -> tensor<16x512x512xf32>
  return %2 : tensor<16x512x512xf32>
}
func.func @almost_wide(%a: tensor<1920x64xf32>, %b: tensor<64x2048xf32>) -> tensor<1920x2048xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<1920x2048xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1920x2048xf32>) -> tensor<1920x2048xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<1920x64xf32>, tensor<64x2048xf32>) outs(%1 : tensor<1920x2048xf32>) -> tensor<1920x2048xf32>
  return %2 : tensor<1920x2048xf32>
}
func.func @short_k(%a: tensor<2048x56xf32>, %b: tensor<56x2048xf32>) -> tensor<2048x2048xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<2048x2048xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2048x2048xf32>) -> tensor<2048x2048xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<2048x56xf32>, tensor<56x2048xf32>) outs(%1 : tensor<2048x2048xf32>) -> tensor<2048x2048xf32>
  return %2 : tensor<2048x2048xf32>
}
func.func @wide_f64(%a: tensor<2048x64xf64>, %b: tensor<64x2048xf64>) -> tensor<2048x2048xf64> {
  %cst = arith.constant 0.000000e+00 : f64
  %0 = tensor.empty() : tensor<2048x2048xf64>
  %1 = linalg.fill ins(%cst : f64) outs(%0 : tensor<2048x2048xf64>) -> tensor<2048x2048xf64>
  %2 = linalg.matmul ins(%a, %b : tensor<2048x64xf64>, tensor<64x2048xf64>) outs(%1 : tensor<2048x2048xf64>) -> tensor<2048x2048xf64>
  return %2 : tensor<2048x2048xf64>
}
