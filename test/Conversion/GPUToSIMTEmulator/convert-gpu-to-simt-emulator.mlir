// RUN: dlc-opt %s --convert-gpu-to-simt-emulator="check-bounds=false" --split-input-file --verify-diagnostics | FileCheck %s

// Host code: the entry point's arguments staged as the CUDA runtime stages
// them (copied into buffers as aligned as cuMemAlloc's, and back after the
// call); the launch a call of __dlc_simt_launch_<module>_<kernel> with the
// grid, the block, the dynamic shared bytes and the kernel's operands;
// device buffers host ones (256-byte aligned); the GPU module gone.
// CHECK-LABEL: func.func @host
// CHECK-SAME: (%[[A:.+]]: memref<64xf32>)
// CHECK: %[[STAGED:.+]] = memref.alloc() {alignment = 256 : i64} : memref<64xf32>
// CHECK: memref.copy %[[A]], %[[STAGED]]
// CHECK: %[[BUF:.+]] = memref.alloc() {alignment = 256 : i64} : memref<64xf32>
// CHECK: memref.copy %[[STAGED]], %[[BUF]]
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK: call @__dlc_simt_launch_kernels_sum(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[ZERO]], %[[BUF]]) : (index, index, index, index, index, index, i32, memref<64xf32>) -> ()
// CHECK: memref.dealloc %[[BUF]]
// CHECK: memref.copy %[[STAGED]], %[[A]]
// CHECK: memref.dealloc %[[STAGED]]
// CHECK-NEXT: return
// CHECK-NOT: gpu.module
// CHECK: memref.global "private" @shared : memref<64xf32>
// CHECK-LABEL: func.func @__dlc_simt_kernel_kernels_sum
// CHECK-SAME: (%[[X:.+]]: memref<64xf32>)
// Shared memory: a host global, named to the emulator (filled with 0xff at
// each block) when a thread first takes it.
// CHECK: %[[SH:.+]] = memref.get_global @shared : memref<64xf32>
// CHECK: %[[SHP:.+]] = memref.extract_aligned_pointer_as_index %[[SH]]
// CHECK: %[[SHI:.+]] = arith.index_cast %[[SHP]] : index to i64
// CHECK: call @dlc_simt_shared(%[[SHI]], %{{.+}}) : (i64, i64) -> ()
// CHECK: %[[TID:.+]] = call @dlc_simt_id(%{{.+}}) : (i32) -> i64
// CHECK: arith.index_cast %[[TID]] : i64 to index
// CHECK: memref.store %{{.+}}, %[[SH]]
// CHECK: call @dlc_simt_barrier() : () -> ()
// Shuffles: 32-bit values as i64 bits; the valid bit from the lane
// arithmetic.
// CHECK: %[[BITS:.+]] = arith.bitcast %{{.+}} : f32 to i32
// CHECK: %[[WIDE:.+]] = arith.extui %[[BITS]] : i32 to i64
// CHECK: %[[GOT:.+]] = call @dlc_simt_shuffle(%[[WIDE]], %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i32, i32, i32) -> i64
// CHECK: %[[NARROW:.+]] = arith.trunci %[[GOT]] : i64 to i32
// CHECK: arith.bitcast %[[NARROW]] : i32 to f32
// CHECK: call @dlc_simt_shuffle_valid
// CHECK: return
module attributes {gpu.container_module} {
  func.func @host(%a: memref<64xf32>) {
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %buffer = gpu.alloc () : memref<64xf32>
    gpu.memcpy %buffer, %a : memref<64xf32>, memref<64xf32>
    gpu.launch_func @kernels::@sum blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%buffer : memref<64xf32>)
    gpu.dealloc %buffer : memref<64xf32>
    return
  }
  gpu.module @kernels {
    memref.global "private" @shared : memref<64xf32, #gpu.address_space<workgroup>>
    gpu.func @sum(%x: memref<64xf32>) kernel {
      %shared = memref.get_global @shared : memref<64xf32, #gpu.address_space<workgroup>>
      %t = gpu.thread_id x
      %v = memref.load %x[%t] : memref<64xf32>
      memref.store %v, %shared[%t] : memref<64xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %w = memref.load %shared[%t] : memref<64xf32, #gpu.address_space<workgroup>>
      %c1 = arith.constant 1 : i32
      %c32 = arith.constant 32 : i32
      %other, %valid = gpu.shuffle xor %w, %c1, %c32 : f32
      %s = arith.addf %w, %other : f32
      memref.store %s, %x[%t] : memref<64xf32>
      gpu.return
    }
  }
}

// -----

// Tensor-core code: fragments through stack buffers at the kernel's entry;
// cp.async copies at element addresses, landing at their wait.
// CHECK-LABEL: func.func @__dlc_simt_kernel_kernels_mma
// CHECK-DAG: memref.alloca() : memref<8xf16>
// CHECK-DAG: memref.alloca() : memref<4xf32>
// CHECK: call @dlc_simt_cp_async(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i64, i64, i64) -> ()
// CHECK: call @dlc_simt_cp_async_commit() : () -> ()
// CHECK: call @dlc_simt_cp_async_wait(%{{.+}}) : (i32) -> ()
// CHECK: call @dlc_simt_ldmatrix(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i32, i32, i64) -> ()
// CHECK: vector.load %{{.+}}[%{{.+}}] : memref<8xf16>, vector<8xf16>
// CHECK: vector.shape_cast %{{.+}} : vector<8xf16> to vector<4x2xf16>
// CHECK: call @dlc_simt_mma(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (i32, i64, i64, i64, i64) -> ()
// CHECK: vector.shape_cast %{{.+}} : vector<4xf32> to vector<2x2xf32>
// CHECK-NOT: nvgpu.
// CHECK-NOT: nvvm.
module attributes {gpu.container_module} {
  func.func @host(%a: memref<16x16xf16>, %b: memref<2x2xf16>, %c: memref<2x2xf32>) {
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    gpu.launch_func @kernels::@mma blocks in (%c1, %c1, %c1) threads in (%c32, %c1, %c1) args(%a : memref<16x16xf16>, %b : memref<2x2xf16>, %c : memref<2x2xf32>)
    return
  }
  gpu.module @kernels {
    memref.global "private" @tile : memref<16x16xf16, #gpu.address_space<workgroup>>
    gpu.func @mma(%a: memref<16x16xf16>, %b: memref<2x2xf16>, %c: memref<2x2xf32>) kernel {
      %c0 = arith.constant 0 : index
      %cst_h = arith.constant 0.0 : f16
      %cst_f = arith.constant 0.0 : f32
      %tile = memref.get_global @tile : memref<16x16xf16, #gpu.address_space<workgroup>>
      %lane = gpu.lane_id
      %row = arith.remui %lane, %c0 : index
      %token = nvgpu.device_async_copy %a[%row, %c0], %tile[%row, %c0], 8 : memref<16x16xf16> to memref<16x16xf16, #gpu.address_space<workgroup>>
      nvvm.cp.async.commit.group
      nvvm.cp.async.wait.group 0
      gpu.barrier
      %fa = nvgpu.ldmatrix %tile[%row, %c0] {numTiles = 4 : i32, transpose = false} : memref<16x16xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
      %fb = vector.transfer_read %b[%c0, %c0], %cst_h : memref<2x2xf16>, vector<2x2xf16>
      %fc = vector.transfer_read %c[%c0, %c0], %cst_f : memref<2x2xf32>, vector<2x2xf32>
      %d = nvgpu.mma.sync(%fa, %fb, %fc) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
      vector.transfer_write %d, %c[%c0, %c0] : vector<2x2xf32>, memref<2x2xf32>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @host(%a: memref<64xf32>) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{convert-gpu-to-simt-emulator: expects synchronous GPU operations (before gpu-async-region)}}
    %t1 = gpu.launch_func async @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<64xf32>)
    return
  }
  gpu.module @kernels {
    gpu.func @k(%x: memref<64xf32>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @host(%a: memref<64xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<64xf32>)
    return
  }
  gpu.module @kernels {
    gpu.func @k(%x: memref<64xf32>) kernel {
      // expected-error @+1 {{convert-gpu-to-simt-emulator: no emulation of this operation}}
      %n = gpu.subgroup_size : index
      gpu.return
    }
  }
}
