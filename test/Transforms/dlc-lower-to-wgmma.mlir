// RUN: dlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(dlc-lower-to-wgmma,canonicalize,cse))' --verify-diagnostics | FileCheck %s

// A marked [256, 192] x [192, 384] bf16 product into a zero-filled f32 C:
// the fill goes; tensor maps of A (128 x 64 boxes) and B (64 x 64) with the
// 128-byte swizzle on the host; (384 / 128, 256 / 128) blocks of 128
// threads with three 32 KiB stages (3 K steps: no more stages than steps).
// CHECK-LABEL: func.func @gemm
// CHECK-SAME: (%[[A:.+]]: memref<256x192xbf16>, %[[B:.+]]: memref<192x384xbf16>, %[[C:.+]]: memref<256x384xf32>)
// CHECK-NOT: linalg.
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 98304 : i32
// CHECK-DAG: %[[UA:.+]] = memref.cast %[[A]] : memref<256x192xbf16> to memref<*xbf16>
// CHECK: %[[MAPA:.+]] = nvgpu.tma.create.descriptor %[[UA]] box[%[[C128:.+]], %[[C64:.+]]] : memref<*xbf16> -> <tensor = memref<128x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: %[[UB:.+]] = memref.cast %[[B]]
// CHECK: %[[MAPB:.+]] = nvgpu.tma.create.descriptor %[[UB]] box[%[[C64]], %[[C64]]] : memref<*xbf16> -> <tensor = memref<64x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: gpu.launch blocks(%[[BX:.+]], %[[BY:.+]], %{{.+}}) in (%{{.+}} = %[[C3:.+]], %{{.+}} = %[[C2:.+]], %{{.+}} = %[[C1:.+]]) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C128]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) dynamic_shared_memory_size %[[SHARED]]
// CHECK: %[[ROW:.+]] = arith.muli %[[BY]], %[[C128]]
// CHECK: %[[COL:.+]] = arith.muli %[[BX]], %[[C128]]
// Thread 0 makes the stages' mbarriers (one arrival each), all wait.
// CHECK: %[[BARS:.+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK: %[[LEADER:.+]] = arith.cmpi eq, %[[TX]], %{{.+}}
// CHECK: scf.if %[[LEADER]] {
// CHECK-COUNT-3: nvgpu.mbarrier.init %[[BARS]]
// CHECK: }
// CHECK-NEXT: gpu.barrier
// The prologue: each stage's 32 KiB expected, A's box at (k, row), B's two
// at (col, k) and (col + 64, k).
// CHECK: scf.if %[[LEADER]] {
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%{{.+}}], %[[BYTES:.+]] :
// CHECK: nvgpu.tma.async.load %[[MAPA]][%{{.+}}, %[[ROW]]], %[[BARS]]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[COL]], %{{.+}}], %[[BARS]]
// CHECK: %[[COL64:.+]] = arith.addi %[[COL]], %[[C64]]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[COL64]], %{{.+}}], %[[BARS]]
// CHECK-COUNT-2: nvgpu.mbarrier.arrive.expect_tx %[[BARS]]
// CHECK: }
// K steps: the stage's phase (parity = step / stages, odd or even), the
// descriptors of its tiles, the product with B N-major, then a barrier
// before the previous step's stage is refilled three steps on.
// CHECK: %[[INIT:.+]] = nvgpu.warpgroup.mma.init.accumulator -> <fragmented = vector<128x128xf32>>
// CHECK: %[[SUM:.+]] = scf.for %[[STEP:.+]] = %{{.+}} to %[[C3]] step %[[C1]] iter_args(%[[ACC:.+]] = %[[INIT]])
// CHECK: %[[STAGE:.+]] = arith.remui %[[STEP]], %[[C3]]
// CHECK: %[[ROUND:.+]] = arith.divui %[[STEP]], %[[C3]]
// CHECK: %[[ODD:.+]] = arith.andi %[[ROUND]], %[[C1]]
// CHECK: %[[PARITY:.+]] = arith.index_cast %[[ODD]] : index to i1
// CHECK: nvgpu.mbarrier.try_wait.parity %[[BARS]][%[[STAGE]]], %[[PARITY]]
// CHECK: %[[DA:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[MAPA]]
// CHECK: %[[DB:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[MAPB]] : memref<64x128xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[NEXT:.+]] = nvgpu.warpgroup.mma %[[DA]], %[[DB]], %[[ACC]] {transposeB}
// CHECK-NEXT: gpu.barrier
// CHECK: scf.if
// CHECK: nvgpu.mbarrier.arrive.expect_tx
// CHECK: scf.yield %[[NEXT]]
// After the loop: the last group waited for, the 128 x 128 tile of C stored.
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: %[[TILE:.+]] = memref.subview %[[C]][%[[ROW]], %[[COL]]] [128, 128] [1, 1]
// CHECK: nvgpu.warpgroup.mma.store %[[SUM]], %[[TILE]]
func.func @gemm(%a: memref<256x192xbf16>, %b: memref<192x384xbf16>, %c: memref<256x384xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<256x384xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<256x192xbf16>, memref<192x384xbf16>) outs(%c : memref<256x384xf32>)
  return
}

// -----

// With its marked elementwise consumer (a bias along the columns, a
// rounding to bf16), C a temporary: the sums go to shared memory (rows of
// 136 floats) instead of C, and each thread computes the consumer for
// columns tid, tid + 128, ... of the tile, reading the bias at the column
// and writing the bf16 output; C, its fill and the consumer go.
// CHECK-LABEL: func.func @epilogue
// CHECK-SAME: (%[[A:.+]]: memref<256x128xbf16>, %[[B:.+]]: memref<128x256xbf16>, %[[BIAS:.+]]: memref<256xf32>, %[[OUT:.+]]: memref<256x256xbf16>)
// CHECK-NOT: memref.alloc
// Two stages (64 KiB) but the padded sums take 68 KiB.
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 69632 : i32
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %[[SHARED]]
// CHECK: %[[ROW:.+]] = arith.muli %{{.+}}, %[[C128:.+]] : index
// CHECK: %[[COL:.+]] = arith.muli %{{.+}}, %[[C128]] : index
// CHECK: %[[SUM:.+]] = scf.for
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NEXT: gpu.barrier
// CHECK: %[[SUMS:.+]] = memref.view %{{.+}}[%{{.+}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<128x136xf32, #gpu.address_space<workgroup>>
// CHECK: %[[TILE:.+]] = memref.subview %[[SUMS]][0, 0] [128, 128] [1, 1]
// CHECK: nvgpu.warpgroup.mma.store %[[SUM]], %[[TILE]]
// CHECK-NEXT: gpu.barrier
// CHECK: scf.for %[[E:.+]] = %[[TID:.+]] to %{{.+}} step %[[C128]] {
// CHECK: %[[R:.+]] = arith.divui %[[E]], %[[C128]]
// CHECK: %[[CC:.+]] = arith.remui %[[E]], %[[C128]]
// CHECK: %[[GR:.+]] = arith.addi %[[ROW]], %[[R]]
// CHECK: %[[GC:.+]] = arith.addi %[[COL]], %[[CC]]
// CHECK: %[[X:.+]] = memref.load %[[SUMS]][%[[R]], %[[CC]]]
// CHECK: %[[Y:.+]] = memref.load %[[BIAS]][%[[GC]]]
// CHECK: %[[S:.+]] = arith.addf %[[X]], %[[Y]]
// CHECK: %[[T:.+]] = arith.truncf %[[S]] : f32 to bf16
// CHECK: memref.store %[[T]], %[[OUT]][%[[GR]], %[[GC]]]
// CHECK-NOT: linalg.
// CHECK-NOT: memref.dealloc
func.func @epilogue(%a: memref<256x128xbf16>, %b: memref<128x256xbf16>, %bias: memref<256xf32>, %out: memref<256x256xbf16>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<256x256xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<256x256xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<256x128xbf16>, memref<128x256xbf16>) outs(%c : memref<256x256xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%c, %bias : memref<256x256xf32>, memref<256xf32>) outs(%out : memref<256x256xbf16>) attrs = {dlc.wgmma} {
  ^bb0(%x: f32, %y: f32, %o: bf16):
    %s = arith.addf %x, %y : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %c : memref<256x256xf32>
  return
}

// -----

// Unmarked products are left alone.
// CHECK-LABEL: func.func @unmarked
// CHECK: linalg.fill
// CHECK: linalg.matmul ins
// CHECK-NOT: gpu.launch
func.func @unmarked(%a: memref<128x64xf16>, %b: memref<64x128xf16>, %c: memref<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  linalg.matmul ins(%a, %b : memref<128x64xf16>, memref<64x128xf16>) outs(%c : memref<128x128xf32>)
  return
}

// -----

// A marked product whose C is not zero-filled first (it accumulates) has no
// kernel here: an error, not a kernel that would drop C's values.
func.func @accumulates(%a: memref<128x64xf16>, %b: memref<64x128xf16>, %c: memref<128x128xf32>) {
  // expected-error @+1 {{dlc-lower-to-wgmma: a product marked for wgmma cannot take it on its buffers: its output is not filled with zeros just before}}
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<128x64xf16>, memref<64x128xf16>) outs(%c : memref<128x128xf32>)
  return
}

// -----

// A view of A (a strided layout; TMA needs the tensor 16-byte aligned and
// the kernel an identity layout): an error.
func.func @view(%big: memref<128x128xf16>, %b: memref<64x128xf16>, %c: memref<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = memref.subview %big[0, 64] [128, 64] [1, 1] : memref<128x128xf16> to memref<128x64xf16, strided<[128, 1], offset: 64>>
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  // expected-error @+1 {{dlc-lower-to-wgmma: a product marked for wgmma cannot take it on its buffers: an operand is not an identity-layout buffer}}
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<128x64xf16, strided<[128, 1], offset: 64>>, memref<64x128xf16>) outs(%c : memref<128x128xf32>)
  return
}

// -----

// Marked by hand on a product whose K is not a multiple of 64: an error
// rather than a kernel reading past its tiles.
func.func @bad_shape(%a: memref<128x96xf16>, %b: memref<96x128xf16>, %c: memref<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  // expected-error @+1 {{dlc-lower-to-wgmma: a product marked for wgmma cannot take it on its buffers: its operands are not f16 or bf16 with an f32 output, or M and N are not multiples of 128, or K of 64}}
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<128x96xf16>, memref<96x128xf16>) outs(%c : memref<128x128xf32>)
  return
}
