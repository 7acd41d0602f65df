// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_90" | FileCheck %s
// RUN: dlc-opt %s --dlc-gpu-pipeline="chip=sm_75" | FileCheck %s --check-prefix=SM75

// A dense layer (matmul, bias, relu) is one kernel: 64 x 32 blocks of 8 x 16
// threads, the A and B tiles of each K step in shared memory (the block's
// output tile too, for the consumer; each thread's 4 x 4
// accumulators stay in registers through the K loop), FMAs; no intermediate
// in device memory. The K loop (4 steps) in 3 stages: the tiles in 3
// buffers each (3 x 5 KiB of A, 3 x 2.25 KiB of B: 64 x 16 and 16 x 32 f32
// tiles in rows padded by 16 bytes), copied in 16-byte pieces
// with cp.async where the rows are aligned (the scalar loads of the other
// branch are not checked here), steps 0 and 1 before the loop, and in the
// loop step i + 2's copies, a commit, a wait for all but the newest 2
// groups and a barrier before step i's product. The accumulators start
// from zeros in registers (the fill is folded into them), so the 8 KiB
// output tile is dead until the K loop's write-back and shares the bytes of
// the stages: one array of 22272 bytes, not 30464.
// CHECK-LABEL: llvm.func @dense
// CHECK-NOT: mgpuMemAlloc
// CHECK: gpu.launch_func <%{{.+}} : !llvm.ptr> @dense_kernel::@dense_kernel blocks in (%{{.+}}, %{{.+}}, %{{.+}}) threads in (%{{.+}}, %{{.+}}, %{{.+}})
// CHECK-NOT: gpu.launch_func
// CHECK-NOT: mgpuMemAlloc
// CHECK: gpu.binary @dense_kernel
// CHECK-SAME: .shared .align 16 .b8 __dlc_shared[22272];
// CHECK-NOT: .shared .align
// CHECK-NOT: bar.sync
// CHECK-SAME: cp.async.cg.shared.global [{{[^]]+}}], [{{[^]]+}}], 16;
// CHECK-SAME: cp.async.commit_group;
// CHECK-SAME: cp.async.cg.shared.global [{{[^]]+}}], [{{[^]]+}}], 16;
// CHECK-SAME: cp.async.commit_group;
// CHECK-SAME: cp.async.commit_group;
// CHECK-SAME: cp.async.wait_group {{[^;]*}}2;
// CHECK-SAME: bar.sync
// CHECK-SAME: fma.rn.f32
// After the K loop: every copy waited for and a barrier before the tile
// takes the stages' bytes, the write-back, a barrier, the consumer.
// CHECK-SAME: cp.async.wait_group {{[^;]*}}0;
// CHECK-SAME: bar.sync
// CHECK-SAME: st.shared.v4.b32
// CHECK-SAME: bar.sync
// CHECK-SAME: max.NaN.f32
// Before sm_80 (no cp.async): one stage, copied with ld.global.v4; the
// 4 + 2 KiB of A and B tiles in the bytes of the 8 KiB output tile.
// SM75-LABEL: llvm.func @dense
// SM75: gpu.binary @dense_kernel
// SM75-SAME: .shared .align 16 .b8 __dlc_shared[8192];
// SM75-NOT: .shared .align
// SM75-NOT: cp.async
// SM75-SAME: ld.global.v4.b32
// SM75-SAME: st.shared.v4.b32
// SM75-NOT: cp.async
// SM75-SAME: fma.rn.f32
// SM75-LABEL: llvm.func @softmax
func.func @dense(%x: tensor<128x64xf32>, %w: tensor<64x96xf32>, %b: tensor<96xf32>) -> tensor<128x96xf32> {
  %0 = dlc.matmul %x, %w : (tensor<128x64xf32>, tensor<64x96xf32>) -> tensor<128x96xf32>
  %1 = dlc.broadcast_to %b : tensor<96xf32> -> tensor<128x96xf32>
  %2 = dlc.add %0, %1 : tensor<128x96xf32>
  %3 = dlc.relu %2 : tensor<128x96xf32>
  return %3 : tensor<128x96xf32>
}

// A softmax over rows of 1024 is one kernel: blocks of 4 rows, two warps
// per row (64 x 4 threads), each thread's partial max and sum over columns
// t, t + 64, ... in shared memory, merged per warp by butterfly shuffles
// (five per reduction) and the two warps' totals folded, then the output;
// the exp is recomputed rather than stored.
// CHECK-LABEL: llvm.func @softmax
// CHECK-NOT: mgpuMemAlloc
// CHECK: gpu.launch_func <%{{.+}} : !llvm.ptr> @softmax_kernel::@softmax_kernel
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.binary @softmax_kernel
// CHECK-SAME: .shared .align 16 .b8
// CHECK-SAME: bar.sync
// CHECK-SAME: shfl.sync.bfly.b32 {{[^;]+}}, 16, 31, -1;
// CHECK-SAME: shfl.sync.bfly.b32 {{[^;]+}}, 1, 31, -1;
// CHECK-SAME: ex2.approx
// CHECK-SAME: shfl.sync.bfly.b32 {{[^;]+}}, 16, 31, -1;
func.func @softmax(%x: tensor<256x1024xf32>) -> tensor<256x1024xf32> {
  %0 = dlc.softmax %x axis = 1 : tensor<256x1024xf32>
  return %0 : tensor<256x1024xf32>
}

// A convolution over more images than one im2col chunk (64 MiB on the
// GPU: 512 images of 288 x 196 f32 columns are 115 MB): the loop over
// chunks stays on the host (its body launching the padding, im2col, tiled
// GEMM and layout kernels at each iteration), not one sequential kernel
// with the GEMM's launch nested in it.
// CHECK-LABEL: llvm.func @conv_chunks
// CHECK: llvm.br
// CHECK: gpu.launch_func
// CHECK: gpu.launch_func
// CHECK: gpu.launch_func
// CHECK: llvm.br
// CHECK: gpu.binary @conv_chunks_kernel{{.*}}bar.sync
func.func @conv_chunks(%x: tensor<512x32x14x14xf32>, %w: tensor<64x32x3x3xf32>) -> tensor<512x64x14x14xf32> {
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1 : (tensor<512x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<512x64x14x14xf32>
  return %0 : tensor<512x64x14x14xf32>
}

// 32 images (7 MB of columns) are one chunk: no host loop, each kernel
// launched once.
// CHECK-LABEL: llvm.func @conv_one_chunk
// CHECK-NOT: llvm.br
// CHECK: gpu.launch_func
// CHECK-NOT: llvm.br
// CHECK: llvm.return
func.func @conv_one_chunk(%x: tensor<32x32x14x14xf32>, %w: tensor<64x32x3x3xf32>) -> tensor<32x64x14x14xf32> {
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1 : (tensor<32x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<32x64x14x14xf32>
  return %0 : tensor<32x64x14x14xf32>
}

// A layer norm over [batch, tokens, features]: its ops collapsed to
// [batch * tokens, features], one row-nest kernel (blocks of 8 rows, the
// reductions' partials merged by warp shuffles) writing the caller's
// buffer through a collapsed view (no copy of a reshaped result).
// CHECK-LABEL: llvm.func @layer_norm_3d
// CHECK: gpu.launch_func
// CHECK-NOT: gpu.launch_func
// CHECK: llvm.func @_mlir_ciface_layer_norm_3d
// CHECK: gpu.binary @layer_norm_3d_kernel{{.*}}bar.sync{{.*}}shfl.sync.bfly
func.func @layer_norm_3d(%x: tensor<4x16x256xf32>, %s: tensor<256xf32>, %b: tensor<256xf32>) -> tensor<4x16x256xf32> {
  %0 = dlc.layer_norm %x scale %s bias %b epsilon = 1.0e-05 : (tensor<4x16x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<4x16x256xf32>
  return %0 : tensor<4x16x256xf32>
}

// An elementwise chain is one kernel of 8 x 32 threads, each computing 4
// consecutive f32 of a row: 16-byte loads and stores where aligned (the
// scalar branch is not checked here), x * y + x as an FMA.
// CHECK-LABEL: llvm.func @chain
// CHECK: gpu.launch_func <%{{.+}} : !llvm.ptr> @chain_kernel::@chain_kernel
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.binary @chain_kernel
// CHECK-SAME: .maxntid 32, 8, 1
// CHECK-SAME: ld.global.v4.b32
// CHECK-SAME: ld.global.v4.b32
// CHECK-SAME: fma.rn.f32
// CHECK-SAME: st.global.v4.b32
func.func @chain(%x: tensor<64x256xf32>, %y: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %0 = dlc.mul %x, %y : tensor<64x256xf32>
  %1 = dlc.add %0, %x : tensor<64x256xf32>
  %2 = dlc.relu %1 : tensor<64x256xf32>
  return %2 : tensor<64x256xf32>
}

// Bias gradients (sums over the batch, and over batch and image): one
// kernel each, threads over the outputs, no host loop over the batch
// launching a kernel per image.
// CHECK-LABEL: llvm.func @bias_grads
// CHECK-NOT: llvm.br
// CHECK: gpu.launch_func
// CHECK-NOT: llvm.br
// CHECK: gpu.launch_func
// CHECK-NOT: llvm.br
// CHECK: llvm.return
func.func @bias_grads(%g: tensor<128x512xf32>, %a: tensor<64x32x28x28xf32>) -> (tensor<512xf32>, tensor<32xf32>) {
  %0 = dlc.reduce_sum %g axes = [0] : tensor<128x512xf32> -> tensor<512xf32>
  %1 = dlc.reduce_sum %a axes = [0, 2, 3] : tensor<64x32x28x28xf32> -> tensor<32xf32>
  return %0, %1 : tensor<512xf32>, tensor<32xf32>
}
