// RUN: dlc-opt %s --dlc-vectorize-staging-copies --cse --split-input-file | FileCheck %s

// A thread's piece of an A tile (2 rows of 4 floats) from global into
// shared memory: one 16-byte load and store per row where the source's
// first row address and row stride and the target's are multiples of 16
// bytes (checked at run time), scalar loops otherwise.
// CHECK-LABEL: func.func @piece
// CHECK-SAME: (%[[SRC:.+]]: memref<2x4xf32, strided<[128, 1], offset: ?>>, %[[DST:.+]]: memref<2x4xf32, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>)
// CHECK: gpu.launch
// CHECK:   %[[BASE:.+]], %[[OFF:.+]], %{{.+}}:2, %[[STRIDES:.+]]:2 = memref.extract_strided_metadata %[[SRC]]
// CHECK:   %[[PTR:.+]] = memref.extract_aligned_pointer_as_index %[[SRC]]
// CHECK:   %[[BYTES:.+]] = arith.muli %[[OFF]], %c4
// CHECK:   %[[START:.+]] = arith.addi %[[PTR]], %[[BYTES]]
// CHECK:   arith.remui %[[START]], %c16
// CHECK:   %[[ROW:.+]] = arith.muli %[[STRIDES]]#0, %c4
// CHECK:   arith.remui %[[ROW]], %c16
// CHECK:   memref.extract_aligned_pointer_as_index %[[DST]]
// CHECK:   arith.andi
// CHECK:   %[[OK:.+]] = arith.andi
// CHECK-NEXT: scf.if %[[OK]] {
// CHECK:     %[[R0:.+]] = vector.load %[[SRC]][%c0, %c0] {alignment = 16 : i64} : memref<2x4xf32, strided<[128, 1], offset: ?>>, vector<4xf32>
// CHECK:     vector.store %[[R0]], %[[DST]][%c0, %c0] {alignment = 16 : i64}
// CHECK:     %[[R1:.+]] = vector.load %[[SRC]][%c1, %c0] {alignment = 16 : i64}
// CHECK:     vector.store %[[R1]], %[[DST]][%c1, %c0] {alignment = 16 : i64}
// CHECK:   } else {
// CHECK:     scf.for
// CHECK:       scf.for
// CHECK:         memref.load %[[SRC]]
// CHECK:         memref.store %{{.+}}, %[[DST]]
// CHECK:   }
// CHECK-NOT: linalg.copy
func.func @piece(%src: memref<2x4xf32, strided<[128, 1], offset: ?>>,
                 %dst: memref<2x4xf32, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    linalg.copy ins(%src : memref<2x4xf32, strided<[128, 1], offset: ?>>)
                outs(%dst : memref<2x4xf32, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>)
    gpu.terminator
  }
  return
}

// -----

// bf16 staged as f16 bits: the row loaded as bf16, bitcast, stored as f16.
// CHECK-LABEL: func.func @bits
// CHECK: scf.if
// CHECK:   %[[ROW:.+]] = vector.load %{{.+}}[%c0, %c0] {alignment = 16 : i64} : memref<1x8xbf16, strided<[64, 1], offset: ?>>, vector<8xbf16>
// CHECK:   %[[BITS:.+]] = vector.bitcast %[[ROW]] : vector<8xbf16> to vector<8xf16>
// CHECK:   vector.store %[[BITS]], %{{.+}}[%c0, %c0] {alignment = 16 : i64}
// CHECK: } else {
// CHECK:   arith.bitcast %{{.+}} : bf16 to f16
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @bits(%src: memref<1x8xbf16, strided<[64, 1], offset: ?>>,
                %dst: memref<1x8xf16, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%src : memref<1x8xbf16, strided<[64, 1], offset: ?>>)
        outs(%dst : memref<1x8xf16, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>) {
    ^bb0(%in: bf16, %out: f16):
      %b = arith.bitcast %in : bf16 to f16
      linalg.yield %b : f16
    }
    gpu.terminator
  }
  return
}

// -----

// Left alone: rows of 12 bytes, a copy within global memory, one out of
// shared memory, and a body that computes (not a copy).
// CHECK-LABEL: func.func @others
// CHECK-NOT: vector.load
// CHECK-COUNT-3: linalg.copy
// CHECK: linalg.generic
// CHECK: arith.negf
// CHECK-NOT: vector.load
func.func @others(%a: memref<2x3xf32>, %b: memref<2x3xf32, #gpu.address_space<workgroup>>,
                  %c: memref<2x4xf32>, %d: memref<2x4xf32>,
                  %e: memref<2x4xf32, #gpu.address_space<workgroup>>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    linalg.copy ins(%a : memref<2x3xf32>) outs(%b : memref<2x3xf32, #gpu.address_space<workgroup>>)
    linalg.copy ins(%c : memref<2x4xf32>) outs(%d : memref<2x4xf32>)
    linalg.copy ins(%e : memref<2x4xf32, #gpu.address_space<workgroup>>) outs(%c : memref<2x4xf32>)
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"]}
        ins(%c : memref<2x4xf32>) outs(%e : memref<2x4xf32, #gpu.address_space<workgroup>>) {
    ^bb0(%in: f32, %out: f32):
      %n = arith.negf %in : f32
      linalg.yield %n : f32
    }
    gpu.terminator
  }
  return
}

// -----

// Rows of two pieces (a thread's share of a wide f64 tile): two loads and
// stores per row, at columns 0 and 2.
// CHECK-LABEL: func.func @two_pieces
// CHECK: scf.if
// CHECK:   vector.load %{{.+}}[%c0, %c0] {alignment = 16 : i64} : memref<1x4xf64, strided<[32, 1], offset: ?>>, vector<2xf64>
// CHECK:   vector.store
// CHECK:   vector.load %{{.+}}[%c0, %c2] {alignment = 16 : i64} : memref<1x4xf64, strided<[32, 1], offset: ?>>, vector<2xf64>
// CHECK:   vector.store
// CHECK: } else {
func.func @two_pieces(%src: memref<1x4xf64, strided<[32, 1], offset: ?>>,
                      %dst: memref<1x4xf64, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    linalg.copy ins(%src : memref<1x4xf64, strided<[32, 1], offset: ?>>)
                outs(%dst : memref<1x4xf64, strided<[32, 1], offset: ?>, #gpu.address_space<workgroup>>)
    gpu.terminator
  }
  return
}

// -----

// A thread's elementwise piece (dlc.vector_piece = 4): where the pieces of
// the operands that vary along the row (x, the bias, the output) start at
// multiples of 16 bytes, one 16-byte load each, the scalar read once and
// broadcast, as is the constant from outside, the body on vector<4xf32>,
// one 16-byte store; otherwise loops.
// CHECK-LABEL: func.func @vector_piece
// CHECK-SAME: (%[[X:[^:]+]]: memref<1x4xf32, strided<[256, 1], offset: ?>>, %[[B:[^:]+]]: memref<4xf32, strided<[1], offset: ?>>, %[[S:[^:]+]]: memref<f32>, %[[Y:[^:]+]]: memref<1x4xf32, strided<[256, 1], offset: ?>>)
// CHECK: %[[C0F:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: gpu.launch
// CHECK: %[[XA:.+]] = memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: %[[BA:.+]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK: %[[YA:.+]] = memref.extract_aligned_pointer_as_index %[[Y]]
// CHECK-NOT: extract_aligned_pointer_as_index %[[S]]
// CHECK: scf.if %{{.+}} {
// CHECK:   %[[XV:.+]] = vector.load %[[X]][%{{.+}}, %{{.+}}] {alignment = 16 : i64} : memref<1x4xf32, strided<[256, 1], offset: ?>>, vector<4xf32>
// CHECK:   %[[BV:.+]] = vector.load %[[B]][%{{.+}}] {alignment = 16 : i64} : memref<4xf32, strided<[1], offset: ?>>, vector<4xf32>
// CHECK:   %[[SS:.+]] = memref.load %[[S]][] : memref<f32>
// CHECK:   %[[D:.+]] = arith.subf %[[XV]], %[[BV]] : vector<4xf32>
// CHECK:   %[[SV:.+]] = vector.broadcast %[[SS]] : f32 to vector<4xf32>
// CHECK:   %[[M:.+]] = arith.mulf %[[D]], %[[SV]] : vector<4xf32>
// CHECK:   %[[ZV:.+]] = vector.broadcast %[[C0F]] : f32 to vector<4xf32>
// CHECK:   %[[R:.+]] = arith.maximumf %[[M]], %[[ZV]] : vector<4xf32>
// CHECK:   vector.store %[[R]], %[[Y]][%{{.+}}, %{{.+}}] {alignment = 16 : i64} : memref<1x4xf32, strided<[256, 1], offset: ?>>, vector<4xf32>
// CHECK: } else {
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:       memref.load %[[X]]
// CHECK:       arith.subf %{{.+}}, %{{.+}} : f32
// CHECK:       memref.store %{{.+}}, %[[Y]]
// CHECK: }
// CHECK-NOT: linalg.generic
func.func @vector_piece(%x: memref<1x4xf32, strided<[256, 1], offset: ?>>, %b: memref<4xf32, strided<[1], offset: ?>>, %s: memref<f32>, %y: memref<1x4xf32, strided<[256, 1], offset: ?>>) {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %b, %s : memref<1x4xf32, strided<[256, 1], offset: ?>>, memref<4xf32, strided<[1], offset: ?>>, memref<f32>) outs(%y : memref<1x4xf32, strided<[256, 1], offset: ?>>) attrs = {dlc.vector_piece = 4 : i64} {
    ^bb0(%in: f32, %bias: f32, %scale: f32, %out: f32):
      %1 = arith.subf %in, %bias : f32
      %2 = arith.mulf %1, %scale : f32
      %3 = arith.maximumf %2, %zero : f32
      linalg.yield %3 : f32
    }
    gpu.terminator
  }
  return
}
