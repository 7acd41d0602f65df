// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_80" --mlir-print-ir-after=dlc-lower-to-mma-sync 2>&1 >/dev/null | FileCheck %s
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_80" --mlir-print-ir-after=dlc-place-shared-memory 2>&1 >/dev/null | FileCheck %s --check-prefix=STAGED
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_75" --mlir-print-ir-after=dlc-place-shared-memory 2>&1 >/dev/null | FileCheck %s --check-prefix=SM75
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_80" --mlir-print-ir-after=dlc-lower-vectors 2>&1 >/dev/null | FileCheck %s --check-prefix=EPILOGUE
// RUN: dlc-compile %s --target=cuda --gpu-arch=sm_90 --emit=ptx | FileCheck %s --check-prefix=EPILOGUE-PTX

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
// the f32 tile of the rounding (the tile is dead during the loop): the
// stages are not counted against the block's shared memory as if the tile
// were live (they were, and left room for one stage: no stages, no
// cp.async). The tile's rows are padded by 8 floats (68 KiB: 128 x 136 x
// 4 bytes), so that the mma.sync fragments' write-back (2 floats a lane, 4
// rows a half warp) hits 32 different banks, not 8 (4-way conflicts in the
// SIMT emulator's memory profile).
// STAGED-LABEL: func.func @staged_128x128_f16
// STAGED: gpu.launch
// STAGED-SAME: dynamic_shared_memory_size %c69632_i32
// STAGED: %[[WIDE:.+]] = memref.view %{{.+}}[%{{.+}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<128x136xf32, #gpu.address_space<workgroup>>
// STAGED: %[[TILE:.+]] = memref.subview %[[WIDE]][0, 0] [128, 128] [1, 1] : memref<128x136xf32, #gpu.address_space<workgroup>> to memref<128x128xf32, strided<[136, 1]>, #gpu.address_space<workgroup>>
// STAGED: nvgpu.device_async_copy
// STAGED: nvvm.cp.async.wait.group
// STAGED: vector.store %{{.+}}, %[[TILE]]{{.+}} : memref<128x128xf32, strided<[136, 1]>, #gpu.address_space<workgroup>>, vector<2xf32>
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

// The epilogue of a 128 x 128 block (the rounding to f16) in 16-byte pieces
// of rows: 8 floats of the f32 tile read as one vector and 8 f16 written as
// one aligned vector store where the output is aligned (tested at run
// time), the accumulators still hoisted (the consumer takes no view of the
// tile) and the fill still folded into them (no stores of zeros). (Run on
// the thread tiles, it read 4 columns a thread and stored scalars: 4-way
// bank conflicts, a quarter of each sector used.)
// EPILOGUE-LABEL: func.func @staged_128x128_f16
// EPILOGUE-NOT: memref.store %cst{{.*}} : memref<128x128xf32, #gpu.address_space<workgroup>>
// EPILOGUE: scf.for {{.+}} iter_args
// EPILOGUE: nvgpu.mma.sync
// EPILOGUE: scf.if
// EPILOGUE: vector.load %{{.+}} {alignment = 16 : i64} : memref<128x128xf32, #gpu.address_space<workgroup>>, vector<8xf32>
// EPILOGUE: arith.truncf %{{.+}} : vector<8xf32> to vector<8xf16>
// EPILOGUE: vector.store %{{.+}} {alignment = 16 : i64} : memref<2304x2048xf16>, vector<8xf16>
// EPILOGUE: } else {
// EPILOGUE: memref.store %{{.+}} : memref<2304x2048xf16>
// EPILOGUE-PTX: // dlc-kernel: _dlc_staged_128x128_f16_kernel
// EPILOGUE-PTX: mma.sync.aligned.m16n8k16
// EPILOGUE-PTX: ld.shared.v4.b32
// EPILOGUE-PTX: st.global.v4.b32
