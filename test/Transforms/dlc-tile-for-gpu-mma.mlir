// RUN: dlc-opt %s --dlc-tile-for-gpu --canonicalize --cse | FileCheck %s
// RUN: dlc-opt %s --dlc-tile-for-gpu=allow-tf32 --canonicalize --cse | FileCheck %s --check-prefix=TF32
// RUN: dlc-opt %s --dlc-tile-for-gpu=host-emulation --canonicalize --cse | FileCheck %s --check-prefix=HOST

// An f16 matmul (f32 sums, rounded to f16 by its consumer) on tensor cores:
// 64 x 32 blocks of 2 warps (64 threads), K in steps of 32 staged in shared
// memory, each warp's 32 x 32 x 32 product one vector.contract marked with
// the mma.sync shape m16n8k16; the fill over the block's 8 x 8 threads
// (8 x 4 tiles) and the rounding consumer in 16-byte pieces of rows (8 f16
// outputs), 4 rows a thread, in the same block.
// CHECK-LABEL: func.func @dense_f16
// CHECK: scf.forall ({{.+}}) = (0, 0) to (128, 96) step (64, 32)
// CHECK:   bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<64x32xf32>
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (64, 32) step (8, 4)
// CHECK:     linalg.fill {{.+}} -> tensor<8x4xf32>
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK:   scf.for {{.+}} step %[[C32:.+]] iter_args
// CHECK:     bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<64x32xf16>
// CHECK:     linalg.copy ins(%{{.+}} : tensor<4x8xf16>)
// CHECK:     } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK:     bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<32x32xf16>
// CHECK:     linalg.copy ins(%{{.+}} : tensor<2x8xf16>)
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (64, 32) step (32, 32)
// CHECK:       vector.contract {{.+}} {dlc.mma_shape = array<i64: 16, 8, 16>} : vector<32x32xf16>, vector<32x32xf16> into vector<32x32xf32>
// CHECK:     } {mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>]}
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (64, 32) step (4, 8)
// CHECK:     scf.for
// CHECK:       linalg.generic {{.+}} attrs = {dlc.vector_piece = 8 : i64}
// CHECK:         arith.truncf
// CHECK:   } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// CHECK-NOT: linalg.matmul
// CHECK: return
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @dense_f16(%arg0: tensor<128x64xf16>, %arg1: tensor<64x96xf16>) -> tensor<128x96xf16> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<128x96xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<128x96xf32>) -> tensor<128x96xf32>
  %2 = linalg.matmul ins(%arg0, %arg1 : tensor<128x64xf16>, tensor<64x96xf16>) outs(%1 : tensor<128x96xf32>) -> tensor<128x96xf32>
  %3 = tensor.empty() : tensor<128x96xf16>
  %4 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<128x96xf32>) outs(%3 : tensor<128x96xf16>) {
  ^bb0(%in: f32, %out: f16):
    %5 = arith.truncf %in : f32 to f16
    linalg.yield %5 : f16
  } -> tensor<128x96xf16>
  return %4 : tensor<128x96xf16>
}

// f32 stays on FMAs unless TF32 is allowed (one 64 x 64 block is few: 32 x
// 32 blocks of 2 x 2 thread tiles); with allow-tf32, the mma.sync shape
// m16n8k8 (one 64 x 64 block is few there too: 32 x 32 blocks of 2 x 2
// warps of 16 x 16).
// CHECK-LABEL: func.func @matmul_f32
// CHECK-NOT: dlc.mma_shape
// CHECK: scf.forall ({{.+}}) = (0, 0) to (64, 64) step (32, 32)
// CHECK: vector.contract {{.+}} : vector<2x16xf32>, vector<16x2xf32> into vector<2x2xf32>
// CHECK-NOT: #gpu.warp
// CHECK: return
// TF32-LABEL: func.func @matmul_f32
// TF32: scf.forall ({{.+}}) = (0, 0) to (64, 64) step (32, 32)
// TF32:   scf.forall ({{.+}}) = (0, 0) to (32, 32) step (16, 16)
// TF32:     vector.contract {{.+}} {dlc.mma_shape = array<i64: 16, 8, 8>} : vector<16x32xf32>, vector<32x16xf32> into vector<16x16xf32>
// TF32: } {mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>]}
func.func @matmul_f32(%arg0: tensor<64x32xf32>, %arg1: tensor<32x64xf32>) -> tensor<64x64xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<64x64xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %2 = linalg.matmul ins(%arg0, %arg1 : tensor<64x32xf32>, tensor<32x64xf32>) outs(%1 : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %2 : tensor<64x64xf32>
}

// A batch matmul (attention's q k^T, B stored transposed) likewise, the
// batch on block z and a unit batch tile in each warp's product (4 blocks
// of 64 x 64 are few: 32 x 32 blocks of 16 x 16 warps).
// CHECK-LABEL: func.func @batched_f16
// CHECK: scf.forall ({{.+}}) = (0, 0, 0) to (4, 64, 64) step (1, 32, 32)
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (32, 32) step (16, 16)
// CHECK:     vector.contract {{.+}} {dlc.mma_shape = array<i64: 16, 8, 16>} : vector<1x16x32xf16>, vector<1x16x32xf16> into vector<1x16x16xf32>
// CHECK:   } {mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>]}
// CHECK: } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
#q = affine_map<(b, m, n, k) -> (b, m, k)>
#k = affine_map<(b, m, n, k) -> (b, n, k)>
#s = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @batched_f16(%q: tensor<4x64x32xf16>, %k: tensor<4x64x32xf16>) -> tensor<4x64x64xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<4x64x64xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
  %2 = linalg.batch_matmul indexing_maps = [#q, #k, #s] ins(%q, %k : tensor<4x64x32xf16>, tensor<4x64x32xf16>) outs(%1 : tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
  return %2 : tensor<4x64x64xf32>
}

// bf16 on tensor cores: its A and B tiles staged as f16 bits (a bitcast
// copy; upstream's fragment loads know f16), the contraction marked
// dlc.mma_bf16; on the host (host-emulation) they stay bf16. An f16
// matmul whose K is no multiple of 16 stays on FMAs.
// CHECK-LABEL: func.func @bf16_and_odd_k
// CHECK: bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<32x32xf16>
// CHECK: arith.bitcast %{{.+}} : bf16 to f16
// CHECK: vector.contract {{.+}} {dlc.mma_bf16, dlc.mma_shape = array<i64: 16, 8, 16>} : vector<32x32xf16>, vector<32x32xf16> into vector<32x32xf32>
// CHECK: vector.contract
// CHECK-NOT: dlc.mma
// CHECK-SAME: : vector<4x8xf16>, vector<8x4xf16> into vector<4x4xf32>
// CHECK: return
// HOST-LABEL: func.func @bf16_and_odd_k
// HOST-NOT: arith.bitcast
// HOST: vector.contract {{.+}} {dlc.mma_shape = array<i64: 16, 8, 16>} : vector<32x32xbf16>, vector<32x32xbf16> into vector<32x32xf32>
func.func @bf16_and_odd_k(%a: tensor<32x32xbf16>, %b: tensor<32x32xbf16>, %c: tensor<32x24xf16>, %d: tensor<24x32xf16>) -> (tensor<32x32xf32>, tensor<32x32xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<32x32xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<32x32xbf16>, tensor<32x32xbf16>) outs(%1 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %3 = tensor.empty() : tensor<32x32xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %5 = linalg.matmul ins(%c, %d : tensor<32x24xf16>, tensor<24x32xf16>) outs(%4 : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %2, %5 : tensor<32x32xf32>, tensor<32x32xf32>
}

// 144 blocks of 128 x 64 (enough for a large GPU): 2 x 2 warps of 64 x 32
// each, K steps of 32 (one here); the f32 accumulators of the rounding
// consumer (32 KiB) and the A and B tiles (12 KiB) in shared memory. 72 blocks (768 x
// 768) keep 64 x 64 blocks of 32 x 32 warps.
// CHECK-LABEL: func.func @large_f16
// CHECK: scf.forall ({{.+}}) = (0, 0) to (1024, 1152) step (128, 64)
// CHECK:   bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<128x64xf32>
// CHECK:     bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<128x32xf16>
// CHECK:     bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<32x64xf16>
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (128, 64) step (64, 32)
// CHECK:       vector.contract {{.+}} {dlc.mma_shape = array<i64: 16, 8, 16>} : vector<64x32xf16>, vector<32x32xf16> into vector<64x32xf32>
// CHECK:     } {mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>]}
// CHECK-LABEL: func.func @medium_f16
// CHECK: scf.forall ({{.+}}) = (0, 0) to (768, 768) step (64, 64)
// CHECK:       vector.contract {{.+}} : vector<32x32xf16>, vector<32x32xf16> into vector<32x32xf32>
// 288 blocks of 128 x 128 (2 an SM of an H100): 2 x 2 warps of 64 x 64,
// its fill tagged as the accumulators' start. 256 (2048 x 2048) stay 128 x
// 64 blocks.
// CHECK-LABEL: func.func @larger_f16
// CHECK: scf.forall ({{.+}}) = (0, 0) to (2304, 2048) step (128, 128)
// CHECK:   linalg.fill {dlc.accumulator_init}
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (128, 128) step (64, 64)
// CHECK:       vector.contract {{.+}} {dlc.mma_shape = array<i64: 16, 8, 16>} : vector<64x32xf16>, vector<32x64xf16> into vector<64x64xf32>
// CHECK-LABEL: func.func @large_2048_f16
// CHECK: scf.forall ({{.+}}) = (0, 0) to (2048, 2048) step (128, 64)
func.func @large_f16(%a: tensor<1024x32xf16>, %b: tensor<32x1152xf16>) -> tensor<1024x1152xf16> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<1024x1152xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1024x1152xf32>) -> tensor<1024x1152xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<1024x32xf16>, tensor<32x1152xf16>) outs(%1 : tensor<1024x1152xf32>) -> tensor<1024x1152xf32>
  %3 = tensor.empty() : tensor<1024x1152xf16>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<1024x1152xf32>) outs(%3 : tensor<1024x1152xf16>) {
  ^bb0(%in: f32, %out: f16):
    %5 = arith.truncf %in : f32 to f16
    linalg.yield %5 : f16
  } -> tensor<1024x1152xf16>
  return %4 : tensor<1024x1152xf16>
}
func.func @medium_f16(%a: tensor<768x32xf16>, %b: tensor<32x768xf16>) -> tensor<768x768xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<768x768xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<768x768xf32>) -> tensor<768x768xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<768x32xf16>, tensor<32x768xf16>) outs(%1 : tensor<768x768xf32>) -> tensor<768x768xf32>
  return %2 : tensor<768x768xf32>
}
func.func @larger_f16(%a: tensor<2304x32xf16>, %b: tensor<32x2048xf16>) -> tensor<2304x2048xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<2304x2048xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2304x2048xf32>) -> tensor<2304x2048xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<2304x32xf16>, tensor<32x2048xf16>) outs(%1 : tensor<2304x2048xf32>) -> tensor<2304x2048xf32>
  return %2 : tensor<2304x2048xf32>
}
func.func @large_2048_f16(%a: tensor<2048x32xf16>, %b: tensor<32x2048xf16>) -> tensor<2048x2048xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<2048x2048xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2048x2048xf32>) -> tensor<2048x2048xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<2048x32xf16>, tensor<32x2048xf16>) outs(%1 : tensor<2048x2048xf32>) -> tensor<2048x2048xf32>
  return %2 : tensor<2048x2048xf32>
}

// An f32 product of 288 64 x 64 blocks: exact f32 on 4 x 4 thread tiles
// by default (8 x 8 from 528 blocks); with allow-tf32, 128 x 64 blocks of
// 64 x 32 warps and K steps of 16 (64 bytes, as f16's 32).
// CHECK-LABEL: func.func @large_f32
// CHECK: scf.forall ({{.+}}) = (0, 0) to (1024, 1152) step (64, 64)
// CHECK:   vector.contract {{.+}} : vector<4x16xf32>, vector<16x4xf32> into vector<4x4xf32>
// TF32-LABEL: func.func @large_f32
// TF32: scf.forall ({{.+}}) = (0, 0) to (1024, 1152) step (128, 64)
// TF32:   scf.for {{.+}} = %c0 to %c32 step %c16
// TF32:     bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<128x16xf32>
// TF32:     bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<16x64xf32>
// TF32:     scf.forall ({{.+}}) = (0, 0) to (128, 64) step (64, 32)
// TF32:       vector.contract {{.+}} {dlc.mma_shape = array<i64: 16, 8, 8>} : vector<64x16xf32>, vector<16x32xf32> into vector<64x32xf32>
func.func @large_f32(%a: tensor<1024x32xf32>, %b: tensor<32x1152xf32>) -> tensor<1024x1152xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<1024x1152xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1024x1152xf32>) -> tensor<1024x1152xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<1024x32xf32>, tensor<32x1152xf32>) outs(%1 : tensor<1024x1152xf32>) -> tensor<1024x1152xf32>
  return %2 : tensor<1024x1152xf32>
}
