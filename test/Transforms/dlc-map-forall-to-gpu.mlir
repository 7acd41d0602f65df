// RUN: dlc-opt %s --dlc-map-forall-to-gpu --cse --split-input-file --verify-diagnostics | FileCheck %s

// Two 16-row blocks of 4 x 8 threads: the block forall becomes a gpu.launch
// (grid 2 x 1 x 1: its trip count on x; block 8 x 4 x 1: the largest
// thread forall), its induction variable block_id * 16; the thread foralls
// are normalized and distributed (thread ids, a barrier after each); their
// linalg ops become loops (a fill's dlc.accumulator_init tag on its
// outermost loop); the shared buffer stays an allocation, for
// dlc-place-shared-memory.
// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @blocks
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK: gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C2]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C8]], %{{.+}} = %[[C4]], %{{.+}} = %[[C1]])
// CHECK:   affine.apply #{{.+}}()[%[[BX]]]
// CHECK:   %[[SHARED:.+]] = memref.alloc() : memref<16x8xf32, #gpu.address_space<workgroup>>
// CHECK:   gpu.thread_id  x
// CHECK:   scf.for
// CHECK:   gpu.barrier
// CHECK:   scf.for
// CHECK:     memref.store %[[ZERO:.+]], %{{.+}}[%{{.+}}, %{{.+}}] : memref<4x4xf32, strided<[8, 1], offset: ?>>
// CHECK:   } {dlc.accumulator_init}
// CHECK:   scf.for
// CHECK:     arith.mulf {{.+}} fastmath<contract>
// CHECK:     arith.addf {{.+}} fastmath<contract>
// CHECK:   gpu.barrier
// CHECK:   memref.dealloc %[[SHARED]]
// CHECK:   gpu.terminator
// CHECK-NOT: scf.forall
// CHECK-NOT: linalg.
func.func @blocks(%a: memref<32x8xf32>, %b: memref<8x8xf32>, %c: memref<32x8xf32>) {
  scf.forall (%i) = (0) to (32) step (16) {
    %sa = memref.subview %a[%i, 0] [16, 8] [1, 1] : memref<32x8xf32> to memref<16x8xf32, strided<[8, 1], offset: ?>>
    %sc = memref.subview %c[%i, 0] [16, 8] [1, 1] : memref<32x8xf32> to memref<16x8xf32, strided<[8, 1], offset: ?>>
    %shared = memref.alloc() : memref<16x8xf32, #gpu.address_space<workgroup>>
    scf.forall (%r, %q) = (0, 0) to (16, 8) step (4, 1) {
      %src = memref.subview %sa[%r, %q] [4, 1] [1, 1] : memref<16x8xf32, strided<[8, 1], offset: ?>> to memref<4x1xf32, strided<[8, 1], offset: ?>>
      %dst = memref.subview %shared[%r, %q] [4, 1] [1, 1] : memref<16x8xf32, #gpu.address_space<workgroup>> to memref<4x1xf32, strided<[8, 1], offset: ?>, #gpu.address_space<workgroup>>
      linalg.copy ins(%src : memref<4x1xf32, strided<[8, 1], offset: ?>>) outs(%dst : memref<4x1xf32, strided<[8, 1], offset: ?>, #gpu.address_space<workgroup>>)
    } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
    scf.forall (%r, %q) = (0, 0) to (16, 8) step (4, 4) {
      %x = memref.subview %shared[%r, 0] [4, 8] [1, 1] : memref<16x8xf32, #gpu.address_space<workgroup>> to memref<4x8xf32, strided<[8, 1], offset: ?>, #gpu.address_space<workgroup>>
      %w = memref.subview %b[0, %q] [8, 4] [1, 1] : memref<8x8xf32> to memref<8x4xf32, strided<[8, 1], offset: ?>>
      %y = memref.subview %sc[%r, %q] [4, 4] [1, 1] : memref<16x8xf32, strided<[8, 1], offset: ?>> to memref<4x4xf32, strided<[8, 1], offset: ?>>
      %zero = arith.constant 0.0 : f32
      linalg.fill {dlc.accumulator_init} ins(%zero : f32) outs(%y : memref<4x4xf32, strided<[8, 1], offset: ?>>)
      linalg.matmul ins(%x, %w : memref<4x8xf32, strided<[8, 1], offset: ?>, #gpu.address_space<workgroup>>, memref<8x4xf32, strided<[8, 1], offset: ?>>) outs(%y : memref<4x4xf32, strided<[8, 1], offset: ?>>)
    } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
    memref.dealloc %shared : memref<16x8xf32, #gpu.address_space<workgroup>>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @nested_block_forall(%c: memref<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{dlc-map-forall-to-gpu: a nested forall is not a static thread forall}}
  scf.forall (%i) in (2) {
    scf.forall (%j) in (2) {
      memref.store %zero, %c[%i, %j] : memref<4x4xf32>
    } {mapping = [#gpu.block<y>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// More than 48 KiB of shared memory in one kernel (a 32 KiB and a 24 KiB
// buffer): the allocations stay for dlc-place-shared-memory too. A
// forall of cp.async copies (dlc.async_copies, from
// dlc-pipeline-staging-copies) gets no barrier after it; the others do.
// CHECK-LABEL: func.func @large_shared
// CHECK-NOT: memref.global
// CHECK: gpu.launch
// CHECK: memref.alloc() : memref<8192xf32, #gpu.address_space<workgroup>>
// CHECK: memref.alloc() : memref<6144xf32, #gpu.address_space<workgroup>>
// CHECK: linalg.copy {dlc.async_copy}
// CHECK-NOT: gpu.barrier
// CHECK: nvvm.cp.async.commit.group
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: gpu.terminator
func.func @large_shared(%a: memref<8192xf32>, %b: memref<6144xf32>) {
  scf.forall (%i) = (0) to (1) step (1) {
    %s1 = memref.alloc() : memref<8192xf32, #gpu.address_space<workgroup>>
    %s2 = memref.alloc() : memref<6144xf32, #gpu.address_space<workgroup>>
    scf.forall (%t) = (0) to (8192) step (64) {
      %src = memref.subview %a[%t] [64] [1] : memref<8192xf32> to memref<64xf32, strided<[1], offset: ?>>
      %dst = memref.subview %s1[%t] [64] [1] : memref<8192xf32, #gpu.address_space<workgroup>> to memref<64xf32, strided<[1], offset: ?>, #gpu.address_space<workgroup>>
      linalg.copy {dlc.async_copy} ins(%src : memref<64xf32, strided<[1], offset: ?>>) outs(%dst : memref<64xf32, strided<[1], offset: ?>, #gpu.address_space<workgroup>>)
    } {dlc.async_copies, mapping = [#gpu.thread<linear_dim_0>]}
    nvvm.cp.async.commit.group
    scf.forall (%t) = (0) to (6144) step (48) {
      %src = memref.subview %s1[%t] [48] [1] : memref<8192xf32, #gpu.address_space<workgroup>> to memref<48xf32, strided<[1], offset: ?>, #gpu.address_space<workgroup>>
      %dst = memref.subview %s2[%t] [48] [1] : memref<6144xf32, #gpu.address_space<workgroup>> to memref<48xf32, strided<[1], offset: ?>, #gpu.address_space<workgroup>>
      linalg.copy ins(%src : memref<48xf32, strided<[1], offset: ?>, #gpu.address_space<workgroup>>) outs(%dst : memref<48xf32, strided<[1], offset: ?>, #gpu.address_space<workgroup>>)
    } {mapping = [#gpu.thread<x>]}
    scf.forall (%t) = (0) to (6144) step (48) {
      %src = memref.subview %s2[%t] [48] [1] : memref<6144xf32, #gpu.address_space<workgroup>> to memref<48xf32, strided<[1], offset: ?>, #gpu.address_space<workgroup>>
      %dst = memref.subview %b[%t] [48] [1] : memref<6144xf32> to memref<48xf32, strided<[1], offset: ?>>
      linalg.copy ins(%src : memref<48xf32, strided<[1], offset: ?>, #gpu.address_space<workgroup>>) outs(%dst : memref<48xf32, strided<[1], offset: ?>>)
    } {mapping = [#gpu.thread<x>]}
    memref.dealloc %s2 : memref<6144xf32, #gpu.address_space<workgroup>>
    memref.dealloc %s1 : memref<8192xf32, #gpu.address_space<workgroup>>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A thread's product that asks for 2 blocks an SM (dlc-tile-for-gpu's
// 128 x 128 f32 blocks): the launch carries the hint, for
// dlc-outline-kernels; a launch without such a product has none.
// CHECK-LABEL: func.func @min_blocks_per_sm
// CHECK: gpu.launch
// CHECK: } {dlc.min_blocks_per_sm = 2 : i64}
// CHECK: gpu.launch
// CHECK-NOT: dlc.min_blocks_per_sm
// CHECK: return
func.func @min_blocks_per_sm(%a: memref<2x8x8xf32>, %b: memref<2x8x8xf32>, %c: memref<2x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  scf.forall (%i) in (2) {
    scf.forall (%r) in (8) {
      %x = vector.transfer_read %a[%i, %r, %r], %zero {in_bounds = [true, true]} : memref<2x8x8xf32>, vector<1x8xf32>
      %w = vector.transfer_read %b[%i, %r, %r], %zero {in_bounds = [true, true]} : memref<2x8x8xf32>, vector<8x1xf32>
      %y = vector.transfer_read %c[%i, %r, %r], %zero {in_bounds = [true, true]} : memref<2x8x8xf32>, vector<1x1xf32>
      %p = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %w, %y {dlc.min_blocks_per_sm = 2 : i64} : vector<1x8xf32>, vector<8x1xf32> into vector<1x1xf32>
      vector.transfer_write %p, %c[%i, %r, %r] {in_bounds = [true, true]} : vector<1x1xf32>, memref<2x8x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  scf.forall (%i) in (2) {
    scf.forall (%r) in (8) {
      memref.store %zero, %c[%i, %r, %r] : memref<2x8x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
