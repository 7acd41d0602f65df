// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_80" --mlir-print-ir-after=dlc-lower-to-mma-sync 2>&1 >/dev/null | FileCheck %s

// Tensor-core kernels that the SIMT emulator (kernels-on-cpu.test) found
// wrong, checked here in the IR as well.

// A transposed LHS: A's fragments come from ldmatrix.x4.trans of the
// [K, M] tile, whose tiles upstream's addresses take k-half first; the
// middle two registers are swapped back before mma.sync (A's registers are
// rows 0-7, rows 8-15, then the second k-half: the PTX ISA's m16n8k16
// layout).
// CHECK-LABEL: func.func @transposed_lhs_f16
// CHECK: %[[FRAG:.+]] = nvgpu.ldmatrix %{{.+}} {numTiles = 4 : i32, transpose = true} : memref<{{.+}}xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK: %[[FIXED:.+]] = vector.shuffle %[[FRAG]], %[[FRAG]] [0, 2, 1, 3] : vector<4x2xf16>, vector<4x2xf16>
// CHECK: nvgpu.mma.sync(%[[FIXED]],
func.func @transposed_lhs_f16(%a: tensor<64x32xf16>, %b: tensor<64x48xf16>) -> tensor<32x48xf16> {
  %0 = dlc.transpose %a permutation = [1, 0] : tensor<64x32xf16> -> tensor<32x64xf16>
  %1 = dlc.matmul %0, %b : (tensor<32x64xf16>, tensor<64x48xf16>) -> tensor<32x48xf16>
  return %1 : tensor<32x48xf16>
}

// 128 x 128 blocks with 2 K steps whose tiles are not in stages (the loop
// allocates and frees them): the accumulators' write-back to the f32 tile
// and the rounding that reads other warps' parts of it are separated by a
// barrier. (Without it the first warps read a tile the others had not yet
// written.)
// CHECK-LABEL: func.func @unstaged_128x128_f16
// CHECK: scf.yield
// CHECK: vector.store %{{.+}}, %{{.+}} : memref<128x128xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-NOT: memref.load
// CHECK: gpu.barrier
// CHECK-NEXT: scf.for
// CHECK: memref.load %{{.+}} : memref<128x128xf32, #gpu.address_space<workgroup>>
// CHECK: arith.truncf
func.func @unstaged_128x128_f16(%a: tensor<2304x64xf16>, %b: tensor<64x2048xf16>) -> tensor<2304x2048xf16> {
  %0 = dlc.matmul %a, %b : (tensor<2304x64xf16>, tensor<64x2048xf16>) -> tensor<2304x2048xf16>
  return %0 : tensor<2304x2048xf16>
}
