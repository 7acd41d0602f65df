// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-fuse-elementwise --dlc-tile-and-fuse=vector-width=512 --canonicalize --cse --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dlc-cpu-pipeline=vector-width=512 --split-input-file | FileCheck %s --check-prefix=LLVM
// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-fuse-elementwise --dlc-tile-and-fuse=vector-width=256 --canonicalize --cse --split-input-file | FileCheck %s --check-prefix=AVX2

// matmul + bias + relu is one nest: one scf.forall over output blocks holds
// the fill, the matmul (K loop around an 8x32 register tile, a
// vector.contract on whole zmm vectors) and the bias/relu consumer, all
// vectorized on 8x32 tiles. No linalg op is left.
// CHECK-LABEL: func @dense
// CHECK-NOT: linalg.
// CHECK: scf.forall (%{{.+}}) = (0) to (64) step (16)
// CHECK:   vector.transfer_write %{{.+}} : vector<8x32xf32>, tensor<8x32xf32>
// CHECK:   scf.for %{{.+}} = %c0 to %c128 step %c1
// CHECK:     vector.contract {{.+}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK:   arith.addf %{{.+}}, %{{.+}} : vector<8x32xf32>
// CHECK:   arith.maximumf %{{.+}}, %{{.+}} : vector<8x32xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.

// After the whole pipeline: an OpenMP loop over the blocks and 32-wide vector
// FMAs in it.
// LLVM-LABEL: llvm.func @dense(
// LLVM: omp.parallel
// LLVM: omp.wsloop
// LLVM: llvm.intr.fmuladd({{.+}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
func.func @dense(%x: tensor<64x128xf32>, %w: tensor<128x64xf32>, %b: tensor<64xf32>) -> tensor<64x64xf32> {
  %0 = dlc.matmul %x, %w : (tensor<64x128xf32>, tensor<128x64xf32>) -> tensor<64x64xf32>
  %1 = dlc.broadcast_to %b : tensor<64xf32> -> tensor<64x64xf32>
  %2 = dlc.add %0, %1 : tensor<64x64xf32>
  %3 = dlc.relu %2 : tensor<64x64xf32>
  return %3 : tensor<64x64xf32>
}

// -----

// N = 40 is not a multiple of the 16-lane vector: the op is split into 32
// columns (register tile 8x32) and 8 columns (8x8), both static, instead of
// an odd-width or scalar tile.
// CHECK-LABEL: func @split_columns
// CHECK: scf.forall
// CHECK: vector.contract {{.+}} into vector<8x32xf32>
// CHECK: scf.forall
// CHECK: vector.contract {{.+}} into vector<8x8xf32>
// CHECK-NOT: linalg.matmul
func.func @split_columns(%x: tensor<16x24xf32>, %w: tensor<24x40xf32>) -> tensor<16x40xf32> {
  %0 = dlc.matmul %x, %w : (tensor<16x24xf32>, tensor<24x40xf32>) -> tensor<16x40xf32>
  return %0 : tensor<16x40xf32>
}

// -----

// Odd, small shapes still get static vector tiles: 7 rows (unrolled) of
// 2-wide vectors for N = 10.
// CHECK-LABEL: func @tiny
// CHECK: vector.contract {{.+}} into vector<7x2xf32>
func.func @tiny(%x: tensor<7x3xf32>, %w: tensor<3x10xf32>) -> tensor<7x10xf32> {
  %0 = dlc.matmul %x, %w : (tensor<7x3xf32>, tensor<3x10xf32>) -> tensor<7x10xf32>
  return %0 : tensor<7x10xf32>
}

// -----

// Batched matmul: the batch is a parallel dim of the blocks; each register
// tile is the matmul's rank-1 update on slices (batch dim dropped).
// CHECK-LABEL: func @batched
// CHECK-NOT: linalg.
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK:   scf.for %{{.+}} = %c0 to %c8 step %c1
// CHECK:     vector.contract {{.+}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK-NOT: linalg.
func.func @batched(%x: tensor<2x4x8xf32>, %w: tensor<2x8x16xf32>) -> tensor<2x4x16xf32> {
  %0 = dlc.matmul %x, %w : (tensor<2x4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// conv2d + relu is one nest per column piece (OW = 18 splits into 16 + 2):
// parallel blocks over filters and image rows, the fill and the relu fused,
// and (C, KH, KW) reduction loops around an 8 x 16 register tile that is the
// rank-1 update filter column x input row, kept in registers (16-wide FMAs
// after the whole pipeline).
// CHECK-LABEL: func @conv_relu
// CHECK-NOT: linalg.
// CHECK: scf.forall
// CHECK:   vector.transfer_write %{{.+}} : vector<1x8x1x16xf32>
// CHECK:   scf.for %{{.+}} = %c0 to %c8 step %c1
// CHECK:     scf.for %{{.+}} = %c0 to %c3 step %c1
// CHECK:       scf.for %{{.+}} = %c0 to %c3 step %c1
// CHECK:         vector.contract {{.+}} : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
// CHECK:   arith.maximumf %{{.+}} : vector<1x8x1x16xf32>
// CHECK: scf.forall
// CHECK:   vector.contract {{.+}} : vector<8x1xf32>, vector<1x2xf32> into vector<8x2xf32>
// CHECK:   arith.maximumf %{{.+}} : vector<1x8x1x2xf32>
// CHECK-NOT: linalg.
// LLVM-LABEL: llvm.func @conv_relu(
// LLVM: omp.wsloop
// LLVM: llvm.intr.fmuladd({{.+}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
func.func @conv_relu(%x: tensor<1x8x10x20xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<1x16x8x18xf32> {
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x8x10x20xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x8x18xf32>
  %1 = dlc.relu %0 : tensor<1x16x8x18xf32>
  return %1 : tensor<1x16x8x18xf32>
}

// -----

// A W stride other than 1 makes the input row of a register tile strided:
// such convs (with rows wide enough for the direct nest) are left to the
// loop lowering.
// CHECK-LABEL: func @conv_strided
// CHECK: linalg.conv_2d_nchw_fchw
func.func @conv_strided(%x: tensor<1x4x9x41xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x4x20xf32> {
  %0 = dlc.conv2d %x, %w strides = [2, 2] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x4x9x41xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x20xf32>
  return %0 : tensor<1x4x4x20xf32>
}

// -----

// Narrow output rows (OW < 16), any stride: im2col and a matmul, tiled as a
// matmul nest (register tiles of vector FMAs).
// CHECK-LABEL: func @conv_narrow
// CHECK: linalg.generic
// CHECK: scf.forall
// CHECK: vector.contract
func.func @conv_narrow(%x: tensor<8x32x14x14xf32>, %w: tensor<64x32x3x3xf32>) -> tensor<8x64x6x6xf32> {
  %0 = dlc.conv2d %x, %w strides = [2, 2] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<8x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<8x64x6x6xf32>
  return %0 : tensor<8x64x6x6xf32>
}

// -----

// softmax is a row nest: blocks of rows (here all 8 rows, 1 KB each, in one
// block), the max and the sum as partial reductions into 64-wide vectors
// reduced once per row, exp and the scaling by 1 / sum on 64-wide vectors,
// the exps computed once. After the whole pipeline, exp is a polynomial: no
// libm call.
// CHECK-LABEL: func @softmax_rows
// CHECK-NOT: linalg.
// CHECK: arith.maximumf %{{.+}} : vector<1x64xf32>
// CHECK: vector.multi_reduction <maximumf>, %{{.+}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK: math.exp %{{.+}} : vector<1x64xf32>
// CHECK: arith.addf %{{.+}} : vector<1x64xf32>
// CHECK: vector.multi_reduction <add>, %{{.+}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK: arith.mulf %{{.+}} : vector<1x64xf32>
// CHECK-NOT: math.exp
// CHECK-NOT: linalg.
// LLVM-LABEL: llvm.func @softmax_rows(
// LLVM-NOT: expf
// LLVM-NOT: llvm.intr.exp
// LLVM: llvm.return
func.func @softmax_rows(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  %0 = dlc.softmax %x axis = 1 : tensor<8x256xf32>
  return %0 : tensor<8x256xf32>
}

// -----

// AVX2 (16 registers): 6x16 register tiles. The K x 256 panel of B a block
// reads spans more than L2 (512 rows of 4 KB), so it is packed into 16-wide
// strips [256/16, K, 16] once per block (a linalg.pack, tiled and
// vectorized by strip rows); the register loops run N strips
// outside M strips and read B from the strips (strip n / 16, row k).
// AVX2-LABEL: func @packed_b
// AVX2: scf.forall (%{{.+}}) = (0) to (1024) step (256)
// AVX2: %[[PACKED:.+]] = scf.for %{{.+}} = %c0 to %c16 step %c1
// AVX2:   scf.for %{{.+}} = %c0 to %c512 step %c1
// AVX2:     vector.transfer_read %{{.+}} : tensor<1x16xf32>, vector<1x16xf32>
// AVX2:     vector.transfer_write %{{.+}} : vector<1x1x16xf32>, tensor<1x1x16xf32>
// AVX2: scf.for %[[N:.+]] = %c0 to %c256 step %c16
// AVX2:   scf.for %{{.+}} = %c0 to %c48 step %c6
// AVX2:     scf.for %[[K:.+]] = %c0 to %c512 step %c1
// AVX2:       %[[STRIP:.+]] = affine.apply #{{.+}}(%[[N]])
// AVX2:       tensor.extract_slice %[[PACKED]][%[[STRIP]], %[[K]], 0] [1, 1, 16] [1, 1, 1] : tensor<16x512x16xf32> to tensor<1x16xf32>
// AVX2:       vector.contract {{.+}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
func.func @packed_b(%a: tensor<48x512xf32>, %b: tensor<512x1024xf32>) -> tensor<48x1024xf32> {
  %0 = dlc.matmul %a, %b : (tensor<48x512xf32>, tensor<512x1024xf32>) -> tensor<48x1024xf32>
  return %0 : tensor<48x1024xf32>
}

// -----

// A fused nest split in both dims (N = 10 = 8 + 2 on AVX2, M = 8 = 6 + 2):
// each of the four pieces fuses its slice of the matmul and the bias add
// (one block each, so no scf.forall is left).
// AVX2-LABEL: func @split_both_dims
// AVX2-NOT: linalg.
// AVX2: vector.contract {{.+}} : vector<6x1xf32>, vector<1x8xf32> into vector<6x8xf32>
// AVX2: arith.addf {{.+}} : vector<6x8xf32>
// AVX2: vector.contract {{.+}} : vector<2x1xf32>, vector<1x8xf32> into vector<2x8xf32>
// AVX2: arith.addf {{.+}} : vector<2x8xf32>
// AVX2: vector.contract {{.+}} : vector<6x1xf32>, vector<1x2xf32> into vector<6x2xf32>
// AVX2: arith.addf {{.+}} : vector<6x2xf32>
// AVX2: vector.contract {{.+}} : vector<2x1xf32>, vector<1x2xf32> into vector<2x2xf32>
// AVX2: arith.addf {{.+}} : vector<2x2xf32>
// AVX2-NOT: linalg.
func.func @split_both_dims(%x: tensor<8x32xf32>, %w: tensor<32x10xf32>, %b: tensor<10xf32>) -> tensor<8x10xf32> {
  %0 = dlc.matmul %x, %w : (tensor<8x32xf32>, tensor<32x10xf32>) -> tensor<8x10xf32>
  %1 = dlc.broadcast_to %b : tensor<10xf32> -> tensor<8x10xf32>
  %2 = dlc.add %0, %1 : tensor<8x10xf32>
  return %2 : tensor<8x10xf32>
}

// -----

// An elementwise chain without a reduction is a row nest too: parallel
// blocks of rows, vector exp along the row (a scalar loop would call libm's
// expf per element).
// CHECK-LABEL: func @exp_rows
// AVX2-LABEL: func @exp_rows
// CHECK: scf.forall (%{{.+}}) = (0) to (64) step (16)
// CHECK:   math.exp %{{.+}} : vector<1x64xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.
func.func @exp_rows(%x: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %0 = dlc.exp %x : tensor<64x256xf32>
  return %0 : tensor<64x256xf32>
}

// -----

// A gather's generic reads the table with tensor.extract, which does not
// vectorize along the row: it is left to the loop lowering.
// CHECK-LABEL: func @gather_left_alone
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
// CHECK:   tensor.extract
func.func @gather_left_alone(%t: tensor<10x4xf32>, %i: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %0 = dlc.gather %t, %i : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A transposed lhs (matmul's gradient dB = A^T g) is read in place with
// 512-bit vectors (8-row tiles: contiguous pieces of A's rows); with 256-bit
// vectors (6-row tiles) A^T is materialized first.
// CHECK-LABEL: func @matmul_transposed_lhs
// CHECK-NOT: linalg.transpose
// CHECK: vector.contract
// AVX2-LABEL: func @matmul_transposed_lhs
// AVX2: linalg.transpose ins(%{{.+}} : tensor<64x96xf32>) outs(%{{.+}} : tensor<96x64xf32>) permutation = [1, 0]
// AVX2: vector.contract
func.func @matmul_transposed_lhs(%a: tensor<64x96xf32>, %g: tensor<64x48xf32>) -> tensor<96x48xf32> {
  %t = dlc.transpose %a permutation = [1, 0] : tensor<64x96xf32> -> tensor<96x64xf32>
  %0 = dlc.matmul %t, %g : (tensor<96x64xf32>, tensor<64x48xf32>) -> tensor<96x48xf32>
  return %0 : tensor<96x48xf32>
}
