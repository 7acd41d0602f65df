// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_80" | FileCheck %s
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_90 allow-tf32=true" | FileCheck %s --check-prefix=TF32
// RUN: dlc-compile %s --target=cuda --gpu-arch=sm_80 --emit=ptx --allow-tf32 | FileCheck %s --check-prefix=PTX-TF32
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_75 allow-tf32=true" | FileCheck %s --check-prefix=SM75
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_90" --mlir-print-ir-after=dlc-lower-to-mma-sync 2>&1 >/dev/null | FileCheck %s --check-prefix=LDM

// Before sm_80 there are no mma.sync of these shapes (m16n8k16 f16/bf16,
// m16n8k8 TF32) and no cp.async: every product on FMAs in f32, TF32
// allowed or not, its tiles copied with ld.global.v4.
// SM75-LABEL: llvm.func @dense_f16
// SM75: gpu.binary @dense_f16_kernel
// SM75-NOT: mma.sync
// SM75-NOT: cp.async
// SM75-SAME: fma.rn.f32
// SM75-LABEL: llvm.func @dense_bf16
// SM75: gpu.binary @dense_bf16_kernel
// SM75-NOT: mma.sync
// SM75-SAME: fma.rn.f32
// SM75-LABEL: llvm.func @matmul_f32
// SM75: gpu.binary @matmul_f32_kernel
// SM75-NOT: mma.sync
// SM75-SAME: fma.rn.f32

// An f16 dense layer on tensor cores, one kernel: the tiles staged with
// 16-byte cp.async copies (where aligned) in 2 stages (K has 2 steps), each warp's fragments loaded from shared
// memory with ldmatrix (B transposed), products by
// mma.sync m16n8k16 with f32 sums, the bias, relu and the rounding to f16
// fused after them.
// CHECK-LABEL: llvm.func @dense_f16
// CHECK-NOT: mgpuMemAlloc
// CHECK: gpu.launch_func <%{{.+}} : !llvm.ptr> @dense_f16_kernel::@dense_f16_kernel
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.binary @dense_f16_kernel
// CHECK-SAME: cp.async.cg.shared.global [{{[^]]+}}], [{{[^]]+}}], 16;
// CHECK-SAME: cp.async.wait_group {{[^;]*}}1;
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-SAME: cvt.rn.f16.f32
// CHECK-SAME: max.NaN.f16
// TF32-LABEL: llvm.func @dense_f16
// TF32: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
func.func @dense_f16(%x: tensor<128x64xf16>, %w: tensor<64x96xf16>, %b: tensor<96xf16>) -> tensor<128x96xf16> {
  %0 = dlc.matmul %x, %w : (tensor<128x64xf16>, tensor<64x96xf16>) -> tensor<128x96xf16>
  %1 = dlc.broadcast_to %b : tensor<96xf16> -> tensor<128x96xf16>
  %2 = dlc.add %0, %1 : tensor<128x96xf16>
  %3 = dlc.relu %2 : tensor<128x96xf16>
  return %3 : tensor<128x96xf16>
}

// bf16 likewise (copied as bf16 into the bytes its f16 fragments are loaded
// from), its products as bf16 mma.sync.
// CHECK-LABEL: llvm.func @dense_bf16
// CHECK: gpu.binary @dense_bf16_kernel
// CHECK-SAME: cp.async.cg.shared.global [{{[^]]+}}], [{{[^]]+}}], 16;
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
func.func @dense_bf16(%x: tensor<128x64xbf16>, %w: tensor<64x96xbf16>) -> tensor<128x96xbf16> {
  %0 = dlc.matmul %x, %w : (tensor<128x64xbf16>, tensor<64x96xbf16>) -> tensor<128x96xbf16>
  return %0 : tensor<128x96xbf16>
}

// f32: exact FMAs by default (as PyTorch's allow_tf32=False); TF32
// mma.sync m16n8k8 where allowed.
// CHECK-LABEL: llvm.func @matmul_f32
// CHECK: gpu.binary @matmul_f32_kernel
// CHECK-NOT: mma.sync
// CHECK-SAME: fma.rn.f32
// TF32-LABEL: llvm.func @matmul_f32
// TF32: gpu.binary @matmul_f32_kernel
// TF32-SAME: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// The operands rounded to TF32 first (cvt.rna, as cuBLAS does): mma.sync
// alone drops their low 13 bits, a bias toward zero (a 512-term product of
// [-1, 1] values, in the SIMT emulator: off by 4.1e-3 on average instead of
// 1.6e-3).
// PTX-TF32: // dlc-kernel: _dlc_matmul_f32_kernel
// PTX-TF32: cvt.rna.tf32.f32
// PTX-TF32: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
func.func @matmul_f32(%x: tensor<64x32xf32>, %w: tensor<32x64xf32>) -> tensor<64x64xf32> {
  %0 = dlc.matmul %x, %w : (tensor<64x32xf32>, tensor<32x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// A large f16 product (144 blocks of 128 x 64, 4 K steps): 3 stages of its
// 14.5 KiB of A and B tiles (rows padded by 16 bytes: 128 x 40 and 32 x 72
// f16), its copies cp.async, waiting for all but the newest 2 groups. The
// warps' accumulators start from zeros in registers, so the 32 KiB f32 tile
// of the rounding is dead until the write-back after the K loop and takes
// the stages' bytes: 43.5 KiB in all (75.5 before), static shared memory
// (no dynamic shared memory, past 48 KiB). Before the write-back, a wait
// for every copy and a barrier (other warps may still read the last
// stage); after it, a barrier before the threads round the tile (each
// reads other warps' accumulators).
// CHECK-LABEL: llvm.func @large_f16
// CHECK-NOT: dynamic_shared_memory_size
// CHECK: gpu.binary @large_f16_kernel
// CHECK-SAME: .shared .align 16 .b8 __dlc_shared{{(_[0-9]+)?}}[44544];
// CHECK-NOT: .shared .align
// CHECK-SAME: cp.async.cg.shared.global [{{[^]]+}}], [{{[^]]+}}], 16;
// CHECK-SAME: cp.async.wait_group {{[^;]*}}2;
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-SAME: cp.async.wait_group {{[^;]*}}0;
// CHECK-SAME: bar.sync
// CHECK-SAME: st.shared.v2.b32
// CHECK-SAME: bar.sync
// CHECK-SAME: ld.shared
// CHECK-SAME: cvt.rn.f16.f32
// The warps' fragments come from the padded stages with ldmatrix: A's rows
// 80 bytes apart, B's 144 (an odd number of 16-byte units: the 8 rows of
// each 8 x 8 matrix in 8 different bank groups).
// LDM-LABEL: func.func @large_f16
// LDM: nvgpu.ldmatrix %{{.+}}[%{{.+}}, %{{.+}}] {numTiles = 4 : i32, transpose = false} : memref<128x40xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// LDM: nvgpu.ldmatrix %{{.+}}[%{{.+}}, %{{.+}}] {numTiles = 2 : i32, transpose = true} : memref<32x72xf16, #gpu.address_space<workgroup>> -> vector<2x2xf16>
// LDM: nvgpu.mma.sync
func.func @large_f16(%x: tensor<1024x128xf16>, %w: tensor<128x1152xf16>) -> tensor<1024x1152xf16> {
  %0 = dlc.matmul %x, %w : (tensor<1024x128xf16>, tensor<128x1152xf16>) -> tensor<1024x1152xf16>
  return %0 : tensor<1024x1152xf16>
}
