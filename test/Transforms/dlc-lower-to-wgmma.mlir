// RUN: dlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(dlc-lower-to-wgmma,canonicalize,cse))' --verify-diagnostics | FileCheck %s

// A marked [256, 192] x [192, 384] bf16 product into a zero-filled f32 C:
// the fill goes; tensor maps of A (128 x 64 boxes) and B (64 x 64) with the
// 128-byte swizzle on the host; (384 / 128, 256 / 128) blocks (too few for
// 128 x 256 tiles) of three warpgroups, three 32 KiB stages (3 K steps: no
// more stages than steps).
// CHECK-LABEL: func.func @gemm
// CHECK-SAME: (%[[A:.+]]: memref<256x192xbf16>, %[[B:.+]]: memref<192x384xbf16>, %[[C:.+]]: memref<256x384xf32>)
// CHECK-NOT: linalg.
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 98304 : i32
// CHECK-DAG: %[[UA:.+]] = memref.cast %[[A]] : memref<256x192xbf16> to memref<*xbf16>
// CHECK: %[[MAPA:.+]] = nvgpu.tma.create.descriptor %[[UA]] box[%[[C128:.+]], %[[C64:.+]]] : memref<*xbf16> -> <tensor = memref<128x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: %[[UB:.+]] = memref.cast %[[B]]
// CHECK: %[[MAPB:.+]] = nvgpu.tma.create.descriptor %[[UB]] box[%[[C64]], %[[C64]]] : memref<*xbf16> -> <tensor = memref<64x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: gpu.launch blocks(%[[BX:.+]], %[[BY:.+]], %{{.+}}) in (%{{.+}} = %[[C3:.+]], %{{.+}} = %[[C2:.+]], %{{.+}} = %[[C1:.+]]) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C384:.+]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) dynamic_shared_memory_size %[[SHARED]]
// CHECK: %[[ROW:.+]] = arith.muli %[[BY]], %[[C128]]
// CHECK: %[[COL:.+]] = arith.muli %[[BX]], %[[C128]]
// Thread 0 makes the mbarriers: full (one arrival and the TMA bytes) and
// empty (one arrival from each of the 8 consumer warps) for each stage, and
// the consumers' own (256); all wait.
// CHECK: %[[FULL:.+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK: %[[EMPTY:.+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK: %[[SYNC:.+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>>
// CHECK: %[[LEADER:.+]] = arith.cmpi eq, %[[TX]], %[[C0:.+]] :
// CHECK: scf.if %[[LEADER]] {
// CHECK-COUNT-3: nvgpu.mbarrier.init %[[FULL]][%{{.+}}], %[[C1]]
// CHECK: nvgpu.mbarrier.init %[[SYNC]][%[[C0]]], %[[C256:.+]] :
// CHECK-NEXT: nvvm.fence.mbarrier.init
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
// The producer warpgroup (threads 0-127) gives up registers; its thread 0
// loads step after step into stage step % 3 once its empty phase is past
// (parity flipped: the first round passes), 32 KiB expected on full, A's
// box at (k, row), B's two at (col, k) and (col + 64, k).
// CHECK: %[[PRODUCER:.+]] = arith.cmpi ult, %[[TX]], %[[C128]]
// CHECK: scf.if %[[PRODUCER]] {
// CHECK-NEXT: nvvm.setmaxregister  decrease 40
// CHECK-NEXT: scf.if %[[LEADER]] {
// CHECK-NEXT: scf.for %[[PSTEP:.+]] = %[[C0]] to %[[C3]] step %[[C1]] {
// CHECK: %[[PSTAGE:.+]] = arith.remui %[[PSTEP]], %[[C3]]
// CHECK: %[[PROUND:.+]] = arith.divui %[[PSTEP]], %[[C3]]
// CHECK: %[[PODD:.+]] = arith.andi %[[PROUND]], %[[C1]]
// CHECK: %[[PBIT:.+]] = arith.index_cast %[[PODD]] : index to i1
// CHECK: %[[PPARITY:.+]] = arith.xori %[[PBIT]], %true
// CHECK: nvgpu.mbarrier.try_wait.parity %[[EMPTY]][%[[PSTAGE]]], %[[PPARITY]]
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[FULL]][%[[PSTAGE]]], %[[C32768:.+]] :
// CHECK: nvgpu.tma.async.load %[[MAPA]][%{{.+}}, %[[ROW]]], %[[FULL]][%[[PSTAGE]]]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[COL]], %{{.+}}], %[[FULL]][%[[PSTAGE]]]
// CHECK: %[[COL64:.+]] = arith.addi %[[COL]], %[[C64]]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[COL64]], %{{.+}}], %[[FULL]][%[[PSTAGE]]]
// CHECK-NOT: nvgpu.tma.async.load
// CHECK: } else {
// The consumers (warpgroups 1 and 2, rows 0-63 and 64-127 of the tile):
// each K step waits for its stage's full phase, takes the descriptors of
// its half of A's tile (8 KiB on for the second) and of B's, the product
// with B N-major, and frees the previous step's stage (lane 0 of each
// warp, after its wgmma wait).
// CHECK-NEXT: nvvm.setmaxregister  increase 232
// CHECK: %[[MINE:.+]] = arith.subi %[[TX]], %[[C128]]
// CHECK: %[[HALF:.+]] = arith.divui %[[MINE]], %[[C128]]
// CHECK: %[[LANE0:.+]] = arith.remui %[[MINE]], %[[C32:.+]] :
// CHECK: %[[FIRST:.+]] = arith.cmpi eq, %[[LANE0]], %[[C0]]
// CHECK: %[[INIT:.+]] = nvgpu.warpgroup.mma.init.accumulator -> <fragmented = vector<64x128xf32>>
// CHECK: %[[SUM:.+]] = scf.for %[[STEP:.+]] = %[[C0]] to %[[C3]] step %[[C1]] iter_args(%[[ACC:.+]] = %[[INIT]])
// CHECK: %[[STAGE:.+]] = arith.remui %[[STEP]], %[[C3]]
// CHECK: %[[ROUND:.+]] = arith.divui %[[STEP]], %[[C3]]
// CHECK: %[[ODD:.+]] = arith.andi %[[ROUND]], %[[C1]]
// CHECK: %[[PARITY:.+]] = arith.index_cast %[[ODD]] : index to i1
// CHECK: nvgpu.mbarrier.try_wait.parity %[[FULL]][%[[STAGE]]], %[[PARITY]]
// CHECK: %[[HALFOFF:.+]] = arith.muli %[[HALF]], %[[C8192:.+]] :
// CHECK: %[[STAGEOFF:.+]] = arith.muli %[[STAGE]], %[[C32768]]
// CHECK: %[[AOFF:.+]] = arith.addi %[[STAGEOFF]], %[[HALFOFF]]
// CHECK: %[[ATILE:.+]] = memref.view %{{.+}}[%[[AOFF]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64x64xbf16
// CHECK: %[[DA:.+]] = nvgpu.warpgroup.generate.descriptor %[[ATILE]], %[[MAPA]]
// CHECK: %[[DB:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[MAPB]] : memref<64x128xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[NEXT:.+]] = nvgpu.warpgroup.mma %[[DA]], %[[DB]], %[[ACC]] {transposeB}
// CHECK: %[[STARTED:.+]] = arith.cmpi uge, %[[STEP]], %[[C1]]
// CHECK: %[[FREE:.+]] = arith.andi %[[FIRST]], %[[STARTED]]
// CHECK: scf.if %[[FREE]] {
// CHECK: %[[PREV:.+]] = arith.subi %[[STEP]], %[[C1]]
// CHECK: %[[PREVSTAGE:.+]] = arith.remui %[[PREV]], %[[C3]]
// CHECK: nvgpu.mbarrier.arrive %[[EMPTY]][%[[PREVSTAGE]]]
// CHECK: scf.yield %[[NEXT]]
// After the loop: the last group waited for; the consumers meet (phase
// 0: both done reading the stages), store their fragments into the sums
// (rows 136 floats apart, 8 bytes a store: rows 16 warp + lane / 4 and 8
// on, columns 2 (lane % 4) + 8 j), meet again (phase 1), then copy the
// sums to C along the rows, 256 threads.
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NEXT: nvgpu.mbarrier.arrive %[[SYNC]][%[[C0]]]
// CHECK-NEXT: nvgpu.mbarrier.try_wait.parity %[[SYNC]][%[[C0]]], %false
// CHECK: %[[SUMS:.+]] = memref.view %{{.+}}[%[[C0]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<128x136xf32, #gpu.address_space<workgroup>>
// CHECK: %[[REGS:.+]] = builtin.unrealized_conversion_cast %[[SUM]] : !nvgpu.warpgroup.accumulator<fragmented = vector<64x128xf32>> to !llvm.struct<(struct<(f32,
// CHECK-COUNT-32: vector.store %{{.+}}, %[[SUMS]][%{{.+}}, %{{.+}}] : memref<128x136xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-NOT: vector.store
// CHECK: nvgpu.mbarrier.arrive %[[SYNC]][%[[C0]]]
// CHECK-NEXT: nvgpu.mbarrier.try_wait.parity %[[SYNC]][%[[C0]]], %true
// CHECK: scf.for %[[E:.+]] = %[[MINE]] to %{{.+}} step %[[C256]] {
// CHECK: %[[R:.+]] = arith.divui %[[E]], %[[C128]]
// CHECK: %[[CC:.+]] = arith.remui %[[E]], %[[C128]]
// CHECK: %[[GR:.+]] = arith.addi %[[ROW]], %[[R]]
// CHECK: %[[GC:.+]] = arith.addi %[[COL]], %[[CC]]
// CHECK: %[[X:.+]] = memref.load %[[SUMS]][%[[R]], %[[CC]]]
// CHECK: memref.store %[[X]], %[[C]][%[[GR]], %[[GC]]]
func.func @gemm(%a: memref<256x192xbf16>, %b: memref<192x384xbf16>, %c: memref<256x384xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<256x384xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<256x192xbf16>, memref<192x384xbf16>) outs(%c : memref<256x384xf32>)
  return
}

// -----

// With its marked elementwise consumer (a bias along the columns, a
// rounding to bf16), C a temporary: the consumer threads compute it from
// the sums for columns i, i + 256, ... of the tile (i the thread's index
// among the 256), reading the bias at the column and writing the bf16
// output; C, its fill and the consumer go.
// CHECK-LABEL: func.func @epilogue
// CHECK-SAME: (%[[A:.+]]: memref<256x128xbf16>, %[[B:.+]]: memref<128x256xbf16>, %[[BIAS:.+]]: memref<256xf32>, %[[OUT:.+]]: memref<256x256xbf16>)
// CHECK-NOT: memref.alloc
// Two stages (64 KiB) but the padded sums take 68 KiB.
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 69632 : i32
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %[[SHARED]]
// CHECK: %[[ROW:.+]] = arith.muli %{{.+}}, %[[C128:.+]] : index
// CHECK: %[[COL:.+]] = arith.muli %{{.+}}, %[[C128]] : index
// CHECK: %[[MINE:.+]] = arith.subi %{{.+}}, %[[C128]]
// CHECK: scf.for
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: %[[SUMS:.+]] = memref.view %{{.+}}[%{{.+}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<128x136xf32, #gpu.address_space<workgroup>>
// CHECK: nvgpu.mbarrier.try_wait.parity %{{.+}}, %true
// CHECK: scf.for %[[E:.+]] = %[[MINE]] to %{{.+}} step %[[C256:.+]] {
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

// Enough 128 x 256 tiles to fill an H100's 132 SMs ((1536 / 128) x (2816 /
// 256) = 132): blocks of 256 columns, A's box and four of B's a stage (48
// KiB), four stages (192 KiB) for K's 6 steps, each consumer warpgroup
// 64 x 256 sums (wgmma m64n256k16), 64 stores of them, rows 264 floats
// apart.
// CHECK-LABEL: func.func @wide
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 196608 : i32
// CHECK: gpu.launch blocks({{.+}}) in (%{{.+}} = %[[C11:.+]], %{{.+}} = %[[C12:.+]], %{{.+}} = %{{.+}}) threads({{.+}}) in (%{{.+}} = %[[C384:.+]], {{.+}}) dynamic_shared_memory_size %[[SHARED]]
// CHECK: %[[COL:.+]] = arith.muli %{{.+}}, %[[C256:.+]] : index
// CHECK: nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 4>
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.+}}, %[[C49152:.+]] :
// CHECK-COUNT-5: nvgpu.tma.async.load
// CHECK-NOT: nvgpu.tma.async.load
// CHECK: nvgpu.warpgroup.mma.init.accumulator -> <fragmented = vector<64x256xf32>>
// CHECK: nvgpu.warpgroup.generate.descriptor %{{.+}}, %{{.+}} : memref<64x256xbf16, #gpu.address_space<workgroup>>
// CHECK: nvgpu.warpgroup.mma {{.+}} -> <fragmented = vector<64x256xf32>>
// CHECK-COUNT-64: vector.store %{{.+}} : memref<128x264xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-NOT: vector.store
func.func @wide(%a: memref<1536x384xbf16>, %b: memref<384x2816xbf16>, %c: memref<1536x2816xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<1536x2816xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<1536x384xbf16>, memref<384x2816xbf16>) outs(%c : memref<1536x2816xf32>)
  return
}

// -----

// Edges: M = 200, N = 136, K = 72: (2, 2) blocks, 2 K steps (the second's
// columns past 72 TMA's zeros), the copy to C guarded to the elements
// inside it.
// CHECK-LABEL: func.func @edges
// CHECK-SAME: %[[C:[^:]+]]: memref<200x136xf32>
// CHECK: gpu.launch blocks({{.+}}) in (%{{.+}} = %[[C2:.+]], %{{.+}} = %[[C2]], %{{.+}} = %{{.+}})
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[C2]] step
// CHECK: nvgpu.mbarrier.try_wait.parity %{{.+}}, %true
// CHECK: scf.for %[[E:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK: %[[GR:.+]] = arith.addi
// CHECK: %[[GC:.+]] = arith.addi
// CHECK-DAG: %[[IN_N:.+]] = arith.cmpi ult, %[[GC]], %c136 : index
// CHECK-DAG: %[[IN_M:.+]] = arith.cmpi ult, %[[GR]], %c200 : index
// CHECK: %[[IN:.+]] = arith.andi %[[IN_M]], %[[IN_N]]
// CHECK: scf.if %[[IN]] {
// CHECK: memref.store %{{.+}}, %[[C]][%[[GR]], %[[GC]]]
func.func @edges(%a: memref<200x72xbf16>, %b: memref<72x136xbf16>, %c: memref<200x136xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<200x136xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<200x72xbf16>, memref<72x136xbf16>) outs(%c : memref<200x136xf32>)
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

// Marked by hand on a product whose K is not a multiple of 8 (A's rows not
// 16-byte aligned, which TMA needs): an error rather than a kernel reading
// past its tiles.
func.func @bad_shape(%a: memref<128x100xf16>, %b: memref<100x128xf16>, %c: memref<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  // expected-error @+1 {{dlc-lower-to-wgmma: a product marked for wgmma cannot take it on its buffers: its operands are not f16 or bf16 with an f32 output, or M or N is under 128, or K or N not a multiple of 8}}
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<128x100xf16>, memref<100x128xf16>) outs(%c : memref<128x128xf32>)
  return
}
