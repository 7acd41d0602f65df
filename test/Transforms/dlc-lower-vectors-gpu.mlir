// RUN: dlc-opt %s --dlc-lower-vectors | FileCheck %s
// RUN: dlc-opt %s --dlc-lower-vectors=lower-broadcasts | FileCheck %s --check-prefix=BCAST

// A GEMM kernel's K loop after thread mapping (dlc-map-forall-to-gpu): each
// step stages A in shared memory between barriers, and the thread's 4 x 4
// product reads and writes its accumulator tile, which no other op of the
// loop touches. The tile is read once before the loop, carried in registers
// (four rows of 4) and written once after it; the product is FMAs.
// CHECK-LABEL: func.func @kernel_k_loop
// CHECK: gpu.launch
// CHECK-COUNT-4: vector.load %{{.+}} : memref<32x32xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: scf.for {{.+}} iter_args({{.+}}) -> (vector<1x4xf32>, vector<1x4xf32>, vector<1x4xf32>, vector<1x4xf32>)
// CHECK-NOT: memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK:   gpu.barrier
// CHECK-NOT: memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK:   vector.fma
// CHECK-NOT: memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK:   gpu.barrier
// CHECK-NEXT: scf.yield
// The loop's last barrier stays in it: after the write-back, a new one, for
// whoever reads other threads' accumulators next.
// CHECK-COUNT-4: vector.store %{{.+}} : memref<32x32xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: gpu.terminator

// With lower-broadcasts (for GPU modules), no n-D broadcast is left (there
// are eight without it).
// BCAST-LABEL: func.func @kernel_k_loop
// BCAST-NOT: vector.broadcast {{.+}} to vector<1x
// BCAST: gpu.terminator
memref.global "private" @acc : memref<32x32xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
memref.global "private" @stage : memref<32x16xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
func.func @kernel_k_loop(%a: memref<32x64xf32>, %b: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c8, %sz = %c1) {
    %acc = memref.get_global @acc : memref<32x32xf32, #gpu.address_space<workgroup>>
    %stage = memref.get_global @stage : memref<32x16xf32, #gpu.address_space<workgroup>>
    %row = affine.apply affine_map<(d0) -> (d0 * 4)>(%ty)
    %col = affine.apply affine_map<(d0) -> (d0 * 4)>(%tx)
    %tile = memref.subview %acc[%row, %col] [4, 4] [1, 1] : memref<32x32xf32, #gpu.address_space<workgroup>> to memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
    scf.for %k = %c0 to %c64 step %c16 {
      %v = memref.load %a[%row, %k] : memref<32x64xf32>
      memref.store %v, %stage[%row, %tx] : memref<32x16xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %x = vector.transfer_read %stage[%row, %c0], %zero {in_bounds = [true, true]} : memref<32x16xf32, #gpu.address_space<workgroup>>, vector<4x16xf32>
      %w = vector.transfer_read %b[%k, %col], %zero {in_bounds = [true, true]} : memref<64x32xf32>, vector<16x4xf32>
      %c = vector.transfer_read %tile[%c0, %c0], %zero {in_bounds = [true, true]} : memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>, vector<4x4xf32>
      %d = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %w, %c : vector<4x16xf32>, vector<16x4xf32> into vector<4x4xf32>
      vector.transfer_write %d, %tile[%c0, %c0] {in_bounds = [true, true]} : vector<4x4xf32>, memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
      gpu.barrier
    }
    gpu.terminator
  }
  return
}

// The same loop pipelined for sm_80 (dlc-pipeline-staging-copies: NVVM
// cp.async commits and waits in the loop, no tensor cores): its
// accumulators are hoisted too (they used to stay in memory, loaded and
// stored at every K step, once the kernel had any NVVM op).
// CHECK-LABEL: func.func @pipelined_k_loop
// CHECK: gpu.launch
// CHECK-COUNT-4: vector.load %{{.+}} : memref<32x32xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: scf.for {{.+}} iter_args({{.+}}) -> (vector<1x4xf32>, vector<1x4xf32>, vector<1x4xf32>, vector<1x4xf32>)
// CHECK-NOT: memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK:   nvvm.cp.async.wait.group 0
// CHECK-NOT: memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK:   vector.fma
// CHECK-NOT: memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK:   scf.yield
// CHECK-COUNT-4: vector.store %{{.+}} : memref<32x32xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: gpu.terminator
memref.global "private" @acc2 : memref<32x32xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
memref.global "private" @stage2 : memref<32x16xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
func.func @pipelined_k_loop(%a: memref<32x64xf32>, %b: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c8, %sz = %c1) {
    %acc = memref.get_global @acc2 : memref<32x32xf32, #gpu.address_space<workgroup>>
    %stage = memref.get_global @stage2 : memref<32x16xf32, #gpu.address_space<workgroup>>
    %row = affine.apply affine_map<(d0) -> (d0 * 4)>(%ty)
    %col = affine.apply affine_map<(d0) -> (d0 * 4)>(%tx)
    %tile = memref.subview %acc[%row, %col] [4, 4] [1, 1] : memref<32x32xf32, #gpu.address_space<workgroup>> to memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
    scf.for %k = %c0 to %c64 step %c16 {
      %v = memref.load %a[%row, %k] : memref<32x64xf32>
      memref.store %v, %stage[%row, %tx] : memref<32x16xf32, #gpu.address_space<workgroup>>
      nvvm.cp.async.commit.group
      nvvm.cp.async.wait.group 0
      gpu.barrier
      %x = vector.transfer_read %stage[%row, %c0], %zero {in_bounds = [true, true]} : memref<32x16xf32, #gpu.address_space<workgroup>>, vector<4x16xf32>
      %w = vector.transfer_read %b[%k, %col], %zero {in_bounds = [true, true]} : memref<64x32xf32>, vector<16x4xf32>
      %c = vector.transfer_read %tile[%c0, %c0], %zero {in_bounds = [true, true]} : memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>, vector<4x4xf32>
      %d = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %w, %c : vector<4x16xf32>, vector<16x4xf32> into vector<4x4xf32>
      vector.transfer_write %d, %tile[%c0, %c0] {in_bounds = [true, true]} : vector<4x4xf32>, memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
      gpu.barrier
    }
    gpu.terminator
  }
  return
}

// The block's accumulator fill (dlc.accumulator_init, from
// dlc-map-forall-to-gpu) before that K loop: once the accumulators' reads
// stand before the loop, they read the fill's constant (the loop starts
// from zeros in registers), and the fill and its barrier are gone.
// CHECK-LABEL: func.func @forward_fill
// CHECK: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<1x4xf32>
// CHECK: gpu.launch
// CHECK-NOT: gpu.barrier
// CHECK-NOT: vector.load {{.+}}memref<32x32xf32
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]])
// CHECK-NOT: memref.store %{{.+}}, %{{.+}} : memref<32x32xf32
// CHECK-COUNT-4: vector.store %{{.+}} : memref<32x32xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-NEXT: gpu.barrier
// CHECK: gpu.terminator
memref.global "private" @acc_fill : memref<32x32xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
memref.global "private" @stage_fill : memref<32x16xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
func.func @forward_fill(%a: memref<32x64xf32>, %b: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c8, %sz = %c1) {
    %acc = memref.get_global @acc_fill : memref<32x32xf32, #gpu.address_space<workgroup>>
    %stage = memref.get_global @stage_fill : memref<32x16xf32, #gpu.address_space<workgroup>>
    %row = affine.apply affine_map<(d0) -> (d0 * 4)>(%ty)
    %col = affine.apply affine_map<(d0) -> (d0 * 4)>(%tx)
    %tile = memref.subview %acc[%row, %col] [4, 4] [1, 1] : memref<32x32xf32, #gpu.address_space<workgroup>> to memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
    scf.for %i = %c0 to %c4 step %c1 {
      scf.for %j = %c0 to %c4 step %c1 {
        memref.store %zero, %tile[%i, %j] : memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
      }
    } {dlc.accumulator_init}
    gpu.barrier
    scf.for %k = %c0 to %c64 step %c16 {
      %v = memref.load %a[%row, %k] : memref<32x64xf32>
      memref.store %v, %stage[%row, %tx] : memref<32x16xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %x = vector.transfer_read %stage[%row, %c0], %zero {in_bounds = [true, true]} : memref<32x16xf32, #gpu.address_space<workgroup>>, vector<4x16xf32>
      %w = vector.transfer_read %b[%k, %col], %zero {in_bounds = [true, true]} : memref<64x32xf32>, vector<16x4xf32>
      %c = vector.transfer_read %tile[%c0, %c0], %zero {in_bounds = [true, true]} : memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>, vector<4x4xf32>
      %d = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %w, %c : vector<4x16xf32>, vector<16x4xf32> into vector<4x4xf32>
      vector.transfer_write %d, %tile[%c0, %c0] {in_bounds = [true, true]} : vector<4x4xf32>, memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
      gpu.barrier
    }
    gpu.terminator
  }
  return
}

// The same with the K loop also reading the tile itself (so the
// accumulators stay in memory): the fill stays, and so does its barrier.
// CHECK-LABEL: func.func @fill_kept
// CHECK: gpu.launch
// CHECK: memref.store %{{.+}} : memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK: } {dlc.accumulator_init}
// CHECK-NEXT: gpu.barrier
// CHECK: scf.for
// CHECK: memref.load %{{.+}} : memref<32x32xf32, #gpu.address_space<workgroup>>
memref.global "private" @acc_kept : memref<32x32xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
memref.global "private" @stage_kept : memref<32x16xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
func.func @fill_kept(%a: memref<32x64xf32>, %b: memref<64x32xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c8, %sz = %c1) {
    %acc = memref.get_global @acc_kept : memref<32x32xf32, #gpu.address_space<workgroup>>
    %stage = memref.get_global @stage_kept : memref<32x16xf32, #gpu.address_space<workgroup>>
    %row = affine.apply affine_map<(d0) -> (d0 * 4)>(%ty)
    %col = affine.apply affine_map<(d0) -> (d0 * 4)>(%tx)
    %tile = memref.subview %acc[%row, %col] [4, 4] [1, 1] : memref<32x32xf32, #gpu.address_space<workgroup>> to memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
    scf.for %i = %c0 to %c4 step %c1 {
      scf.for %j = %c0 to %c4 step %c1 {
        memref.store %zero, %tile[%i, %j] : memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
      }
    } {dlc.accumulator_init}
    gpu.barrier
    scf.for %k = %c0 to %c64 step %c16 {
      %v = memref.load %a[%row, %k] : memref<32x64xf32>
      memref.store %v, %stage[%row, %tx] : memref<32x16xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %x = vector.transfer_read %stage[%row, %c0], %zero {in_bounds = [true, true]} : memref<32x16xf32, #gpu.address_space<workgroup>>, vector<4x16xf32>
      %w = vector.transfer_read %b[%k, %col], %zero {in_bounds = [true, true]} : memref<64x32xf32>, vector<16x4xf32>
      %c = vector.transfer_read %tile[%c0, %c0], %zero {in_bounds = [true, true]} : memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>, vector<4x4xf32>
      %d = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %w, %c : vector<4x16xf32>, vector<16x4xf32> into vector<4x4xf32>
      vector.transfer_write %d, %tile[%c0, %c0] {in_bounds = [true, true]} : vector<4x4xf32>, memref<4x4xf32, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>
      %peek = memref.load %acc[%k, %c0] : memref<32x32xf32, #gpu.address_space<workgroup>>
      memref.store %peek, %out[%k] : memref<64xf32>
      gpu.barrier
    }
    gpu.terminator
  }
  return
}
