// RUN: dlc-opt %s --convert-gpu-to-simt-emulator | FileCheck %s
// RUN: dlc-opt %s --convert-gpu-to-simt-emulator="check-bounds=false" | FileCheck %s --check-prefix=OFF

// check-bounds (the default): each access of a kernel is preceded by a
// check of each dimension it touches, which calls dlc_simt_out_of_bounds
// with a message naming the operation, the dimension and the source line,
// the first element, the count and the size. (Executed in
// test/Target/CUDA/kernels-on-cpu-bounds.mlir.)

// Host code's views are checked too (the buffers kernels get are views
// the host made).
// CHECK-LABEL: func.func @host_view
// CHECK: scf.if
// CHECK: call @dlc_simt_out_of_bounds
// CHECK: memref.subview

// A view: its first element and its last (offset + (size - 1) * stride)
// inside the source, where it has any.
// CHECK-LABEL: func.func @__dlc_simt_kernel_kernels_k
// CHECK-SAME: (%[[A:.+]]: memref<32x16xf16>, %[[OUT:.+]]: memref<32x4xf32>)
// CHECK: %[[ROW:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK: %[[SPAN:.+]] = arith.addi
// CHECK: %[[DIM0:.+]] = memref.dim %[[A]], %{{.+}} : memref<32x16xf16>
// CHECK: %[[END:.+]] = arith.addi %[[ROW]], %[[SPAN]] : index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[ROW]], %{{.+}} : index
// CHECK: %[[PAST:.+]] = arith.cmpi sgt, %[[END]], %[[DIM0]] : index
// CHECK: %[[BAD:.+]] = arith.ori %[[NEG]], %[[PAST]] : i1
// CHECK: %[[SOME:.+]] = arith.andi %[[BAD]], %{{.+}} : i1
// CHECK: scf.if %[[SOME]] {
// CHECK: %[[MSG:.+]] = llvm.mlir.addressof @[[SUBVIEW0:__dlc_simt_message_[0-9]+]] : !llvm.ptr
// CHECK: %[[MSGI:.+]] = llvm.ptrtoint %[[MSG]] : !llvm.ptr to i64
// CHECK: call @dlc_simt_out_of_bounds(%[[MSGI]], %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i64, i64, i64) -> ()
// CHECK: }
// CHECK: memref.subview %[[A]][%[[ROW]], 0] [1, 16] [1, 1]
// cp.async: both sides, each dimension (8 elements in the last).
// CHECK-COUNT-4: call @dlc_simt_out_of_bounds
// CHECK-NEXT: }
// CHECK-NOT: dlc_simt_out_of_bounds
// CHECK: call @dlc_simt_cp_async
// ldmatrix .x2: the rows of lanes 0-15 only, 8 elements each.
// CHECK: %[[LANE:.+]] = call @dlc_simt_lane_id() : () -> i64
// CHECK: %[[READS:.+]] = arith.cmpi slt, %[[LANE]], %c16_i64{{.*}} : i64
// CHECK: arith.andi %{{.+}}, %[[READS]] : i1
// CHECK: call @dlc_simt_ldmatrix
// A vector store: 2 elements from its index in the last dim.
// CHECK: %[[TWO:.+]] = arith.constant 2 : index
// CHECK: arith.addi %{{.+}}, %[[TWO]] : index
// CHECK: vector.store
// CHECK-DAG: llvm.mlir.global internal constant @[[SUBVIEW0]]("memref.subview (view) dimension 0 at {{.+}}bounds-checks.mlir:[[@LINE+27]]:{{[0-9]+}}\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{.+}}("nvgpu.device_async_copy (cp.async write) dimension 0 at {{.+}}:[[@LINE+28]]:{{[0-9]+}}\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{.+}}("nvgpu.device_async_copy (cp.async read) dimension 0 at {{.+}}:[[@LINE+27]]:{{[0-9]+}}\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{.+}}("nvgpu.ldmatrix (ldmatrix row) dimension 0 at {{.+}}:[[@LINE+30]]:{{[0-9]+}}\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{.+}}("vector.store (write) dimension 0 at {{.+}}:[[@LINE+32]]:{{[0-9]+}}\00")
// CHECK-DAG: func.func private @dlc_simt_out_of_bounds(i64, i64, i64, i64)

// OFF-NOT: dlc_simt_out_of_bounds
// OFF-NOT: __dlc_simt_message
module attributes {gpu.container_module} {
  func.func @host(%a: memref<32x16xf16>, %out: memref<32x4xf32>) {
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c32, %c1, %c1) args(%a : memref<32x16xf16>, %out : memref<32x4xf32>)
    return
  }
  func.func @host_view(%a: memref<32x16xf16>, %i: index) -> memref<2x16xf16, strided<[16, 1], offset: ?>> {
    %v = memref.subview %a[%i, 0] [2, 16] [1, 1] : memref<32x16xf16> to memref<2x16xf16, strided<[16, 1], offset: ?>>
    return %v : memref<2x16xf16, strided<[16, 1], offset: ?>>
  }
  gpu.module @kernels {
    memref.global "private" @tile : memref<16x16xf16, #gpu.address_space<workgroup>>
    gpu.func @k(%a: memref<32x16xf16>, %out: memref<32x4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %c16 = arith.constant 16 : index
      %row = gpu.thread_id x
      %tile = memref.get_global @tile : memref<16x16xf16, #gpu.address_space<workgroup>>
      %view = memref.subview %a[%row, 0] [1, 16] [1, 1] : memref<32x16xf16> to memref<1x16xf16, strided<[16, 1], offset: ?>>
      %r = arith.remui %row, %c16 : index
      %token = nvgpu.device_async_copy %view[%c0, %c0], %tile[%r, %c0], 8 : memref<1x16xf16, strided<[16, 1], offset: ?>> to memref<16x16xf16, #gpu.address_space<workgroup>>
      nvvm.cp.async.commit.group
      nvvm.cp.async.wait.group 0
      gpu.barrier
      %frag = nvgpu.ldmatrix %tile[%r, %c0] {numTiles = 2 : i32, transpose = false} : memref<16x16xf16, #gpu.address_space<workgroup>> -> vector<2x2xf16>
      %row0 = vector.extract %frag[0] : vector<2xf16> from vector<2x2xf16>
      %wide = arith.extf %row0 : vector<2xf16> to vector<2xf32>
      vector.store %wide, %out[%row, %c0] : memref<32x4xf32>, vector<2xf32>
      gpu.return
    }
  }
}
