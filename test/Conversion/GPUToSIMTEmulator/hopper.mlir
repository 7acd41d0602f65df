// RUN: dlc-opt %s --convert-gpu-to-simt-emulator="check-bounds=false" --split-input-file --verify-diagnostics | FileCheck %s

// sm_90 operations: lowered first as upstream's convert-nvgpu-to-nvvm
// lowers them (its wgmma descriptors, TMA coordinates, mbarrier pointers),
// then that NVVM made emulator calls. On the host, the tensor map is the
// emulator's (over the ranked memref: its address, rank, sizes, strides and
// box, element bytes, swizzle 3 = 128B, interleave and OOB fill), passed to
// the kernel as a pointer.

#wg = #gpu.address_space<workgroup>
!bar = !nvgpu.mbarrier.group<memorySpace = #wg>
!tile = memref<64x64xf16, #wg>
!map = !nvgpu.tensormap.descriptor<tensor = !tile, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
!desc = !nvgpu.warpgroup.descriptor<tensor = !tile>
!acc = !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>>

module attributes {gpu.container_module} {

// CHECK-LABEL: func.func @host
// CHECK-SAME: (%[[X:.+]]: memref<128x64xf16>)
// CHECK: %[[INFO:.+]] = memref.alloca() : memref<6xi64>
// CHECK: %[[RANK:.+]] = arith.constant 2 : i32
// CHECK: %[[BYTES:.+]] = arith.constant 2 : i32
// CHECK: %[[SWIZZLE:.+]] = arith.constant 3 : i32
// CHECK: %[[MAP:.+]] = call @dlc_simt_tensor_map(%{{.+}}, %[[RANK]], %{{.+}}, %[[BYTES]], %[[SWIZZLE]], %{{.+}}, %{{.+}}) : (i64, i32, i64, i32, i32, i32, i32) -> i64
// CHECK: %[[PTR:.+]] = llvm.inttoptr %[[MAP]] : i64 to !llvm.ptr
// CHECK: call @__dlc_simt_launch_kernels_gemm(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[PTR]]) : (index, index, index, index, index, index, i32, !llvm.ptr) -> ()
func.func @host(%x: memref<128x64xf16>) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %bytes = arith.constant 16384 : i32
  %u = memref.cast %x : memref<128x64xf16> to memref<*xf16>
  %map = nvgpu.tma.create.descriptor %u box[%c64, %c64] : memref<*xf16> -> !map
  gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %bytes args(%map : !map)
  return
}

// The kernel takes the tensor map as a pointer. mbarrier init, arrive with
// transaction bytes and the parity wait take the barrier's address; the
// TMA load the tile's, the map's and the barrier's, and its coordinates
// (innermost first, padded to 5). Each of the four wgmma m64n64k16 of a
// 64 x 64 x 64 product: kind 0 (f16), n = 64, A K-major (0), B MN-major (1,
// transposeB), accumulating, not negated, the descriptors upstream made,
// this thread's 32 floats through a stack buffer.
// CHECK-LABEL: func.func @__dlc_simt_kernel_kernels_gemm
// CHECK-SAME: (%[[MAPARG:.+]]: !llvm.ptr)
// CHECK: %[[ACC:.+]] = memref.alloca() : memref<32xf32>
// CHECK: %[[ACCP:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK: call @dlc_simt_mbarrier_init(%{{.+}}, %{{.+}}) : (i64, i32) -> ()
// CHECK: call @dlc_simt_barrier()
// CHECK: func.call @dlc_simt_mbarrier_arrive(%{{.+}}, %{{.+}}) : (i64, i64) -> i64
// CHECK: %[[MAPI:.+]] = llvm.ptrtoint %[[MAPARG]] : !llvm.ptr to i64
// CHECK: func.call @dlc_simt_tma_load(%{{.+}}, %[[MAPI]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i64, i64, i32, i32, i32, i32, i32) -> ()
// CHECK: call @dlc_simt_mbarrier_wait_parity(%{{.+}}, %{{.+}}) : (i64, i32) -> ()
// CHECK-COUNT-4: call @dlc_simt_wgmma(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[ACCP]]) : (i32, i32, i32, i32, i32, i32, i32, i64, i64, i64) -> ()
// CHECK: call @dlc_simt_wgmma_commit() : () -> ()
// CHECK: call @dlc_simt_wgmma_wait(%{{.+}}) : (i32) -> ()
// CHECK-NOT: nvgpu.
// CHECK-NOT: nvvm.
gpu.module @kernels {
  gpu.func @gemm(%map: !map) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8192 = arith.constant 8192 : index
    %tx_bytes = arith.constant 16384 : index
    %ticks = arith.constant 10000000 : index
    %false = arith.constant false
    %tid = gpu.thread_id x
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %a = memref.view %smem[%c0][] : memref<?xi8, #wg> to !tile
    %b = memref.view %smem[%c8192][] : memref<?xi8, #wg> to !tile
    %leader = arith.cmpi eq, %tid, %c0 : index
    %bar = nvgpu.mbarrier.create -> !bar
    scf.if %leader {
      nvgpu.mbarrier.init %bar[%c0], %c1 : !bar
    }
    gpu.barrier
    scf.if %leader {
      nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %tx_bytes : !bar
      nvgpu.tma.async.load %map[%c0, %c0], %bar[%c0] to %a : !map, !bar -> !tile
      nvgpu.tma.async.load %map[%c0, %c0], %bar[%c0] to %b : !map, !bar -> !tile
    }
    nvgpu.mbarrier.try_wait.parity %bar[%c0], %false, %ticks : !bar
    %da = nvgpu.warpgroup.generate.descriptor %a, %map : !tile, !map -> !desc
    %db = nvgpu.warpgroup.generate.descriptor %b, %map : !tile, !map -> !desc
    %zero = nvgpu.warpgroup.mma.init.accumulator -> !acc
    %sum = nvgpu.warpgroup.mma %da, %db, %zero {transposeB} : !desc, !desc, !acc -> !acc
    nvvm.wgmma.wait.group.sync.aligned 0
    gpu.return
  }
}

}

// -----

// TMA loads with multicast to a cluster's blocks: not emulated (nor are
// clusters).
#wg = #gpu.address_space<workgroup>
!bar = !nvgpu.mbarrier.group<memorySpace = #wg>
!tile = memref<64x64xf16, #wg>
!map = !nvgpu.tensormap.descriptor<tensor = !tile, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
gpu.module @kernels {
  gpu.func @multicast(%map: !map) kernel {
    %c0 = arith.constant 0 : index
    %mask = arith.constant 3 : i16
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %a = memref.view %smem[%c0][] : memref<?xi8, #wg> to !tile
    %bar = nvgpu.mbarrier.create -> !bar
    // expected-error @+1 {{convert-gpu-to-simt-emulator: TMA loads of tiles without multicast only}}
    nvgpu.tma.async.load %map[%c0, %c0], %bar[%c0] to %a multicast_mask = %mask : !map, !bar -> !tile
    gpu.return
  }
}
