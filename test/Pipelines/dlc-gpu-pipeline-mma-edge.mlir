// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_80" --mlir-print-ir-after=dlc-lower-to-mma-sync 2>&1 >/dev/null | FileCheck %s
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_80" --mlir-print-ir-after=dlc-place-shared-memory 2>&1 >/dev/null | FileCheck %s --check-prefix=STAGED
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_75" --mlir-print-ir-after=dlc-place-shared-memory 2>&1 >/dev/null | FileCheck %s --check-prefix=SM75

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

// 128 x 128 blocks: the K loop in cp.async stages that take the bytes of
// the 64 KiB f32 tile of the rounding (the tile is dead during the loop):
// the stages are not counted against the block's shared memory as if the
// tile were live (they were, and left room for one stage: no stages, no
// cp.async).
// STAGED-LABEL: func.func @staged_128x128_f16
// STAGED: gpu.launch
// STAGED-SAME: dynamic_shared_memory_size %c65536_i32
// STAGED: nvgpu.device_async_copy
// STAGED: nvvm.cp.async.wait.group
func.func @staged_128x128_f16(%a: tensor<2304x64xf16>, %b: tensor<64x2048xf16>) -> tensor<2304x2048xf16> {
  %0 = dlc.matmul %a, %b : (tensor<2304x64xf16>, tensor<64x2048xf16>) -> tensor<2304x2048xf16>
  return %0 : tensor<2304x2048xf16>
}

// A K loop whose tiles are not in stages (sm_75 has no cp.async) frees
// them after its last barrier: the accumulators' write-back to the f32
// tile and the relu that reads other threads' parts of it are still
// separated by a barrier. (The hoisting looked for a loop ending in a
// barrier and, past the deallocations, found none: the first threads read
// a tile the others had not yet written.)
// SM75-LABEL: func.func @unstaged_f32_relu
// SM75: scf.yield
// SM75: vector.store %{{.+}}, %{{.+}} : memref<64x64xf32, #gpu.address_space<workgroup>>, vector<8xf32>
// SM75-NOT: memref.load
// SM75: gpu.barrier
// SM75: memref.load %{{.+}} : memref<64x64xf32, #gpu.address_space<workgroup>>
func.func @unstaged_f32_relu(%a: tensor<1536x64xf32>, %b: tensor<64x1536xf32>) -> tensor<1536x1536xf32> {
  %0 = dlc.matmul %a, %b : (tensor<1536x64xf32>, tensor<64x1536xf32>) -> tensor<1536x1536xf32>
  %1 = dlc.relu %0 : tensor<1536x1536xf32>
  return %1 : tensor<1536x1536xf32>
}
