// RUN: dlc-opt %s --split-input-file --pass-pipeline='builtin.module(dlc-lower-to-wgmma{multiprocessors=8},func.func(canonicalize,cse))' --verify-diagnostics | FileCheck %s

// A marked [256, 192] x [192, 384] bf16 product into a zero-filled f32 C:
// the fill goes; tensor maps of A (128 x 64 boxes) and B (64 x 64) with the
// 128-byte swizzle on the host; 128 x 128 tiles (chosen for the 8 SMs of
// the RUN line: too few of 128 x 256 to fill them, too many of 128 x 64,
// 12, for one wave), (256 / 128) x (384 / 128) = 6 of them, a persistent block
// each (of three warpgroups) up to the device's SM count (the runtime's,
// declared in the module), three 32 KiB stages (a block's 3 K steps: no
// more stages than steps).
// CHECK: llvm.func @mgpuMultiprocessorCount() -> i32
// CHECK-LABEL: func.func @gemm
// CHECK-SAME: (%[[A:.+]]: memref<256x192xbf16>, %[[B:.+]]: memref<192x384xbf16>, %[[C:.+]]: memref<256x384xf32>)
// CHECK-NOT: linalg.
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 98304 : i32
// CHECK-DAG: %[[A2:.+]] = llvm.mlir.constant(2 : i64) : i64
// CHECK-DAG: %[[B128:.+]] = llvm.mlir.constant(128 : i64) : i64
// CHECK-DAG: %[[B256:.+]] = llvm.mlir.constant(256 : i64) : i64
// CHECK-DAG: %[[B384:.+]] = llvm.mlir.constant(384 : i64) : i64
// CHECK-DAG: %[[NOSUMS:.+]] = llvm.mlir.poison : !llvm.struct<(f32,
// CHECK-DAG: %[[UA:.+]] = memref.cast %[[A]] : memref<256x192xbf16> to memref<*xbf16>
// CHECK: %[[MAPA:.+]] = nvgpu.tma.create.descriptor %[[UA]] box[%[[C128:.+]], %[[C64:.+]]] : memref<*xbf16> -> <tensor = memref<128x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: %[[UB:.+]] = memref.cast %[[B]]
// CHECK: %[[MAPB:.+]] = nvgpu.tma.create.descriptor %[[UB]] box[%[[C64]], %[[C64]]] : memref<*xbf16> -> <tensor = memref<64x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: %[[SMS:.+]] = llvm.call @mgpuMultiprocessorCount() : () -> i32
// CHECK: %[[SMSI:.+]] = arith.index_cast %[[SMS]] : i32 to index
// CHECK: %[[FEWER:.+]] = arith.minui %[[SMSI]], %[[C6:.+]] : index
// CHECK: %[[BLOCKS:.+]] = arith.maxui %[[FEWER]], %[[C1:.+]] : index
// CHECK: gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%[[GX:.+]] = %[[BLOCKS]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C384:.+]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) dynamic_shared_memory_size %[[SHARED]]
// Thread 0 makes the mbarriers: full (one arrival and the TMA bytes) and
// empty (one arrival from each of the 8 consumer warps) for each stage;
// all wait.
// CHECK: %[[FULL:.+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK: %[[EMPTY:.+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK: %[[LEADER:.+]] = arith.cmpi eq, %[[TX]], %[[C0:.+]] :
// CHECK: scf.if %[[LEADER]] {
// CHECK-COUNT-3: nvgpu.mbarrier.init %[[FULL]][%{{.+}}], %[[C1]]
// CHECK-NEXT: nvgpu.mbarrier.init %[[EMPTY]][%{{.+}}], %[[C8:.+]] :
// CHECK-NEXT: nvvm.fence.mbarrier.init
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
// The producer warpgroup (threads 0-127) gives up registers; its thread 0
// prefetches the tensor maps, then steps through the block's tiles (blockIdx.x, + gridDim.x, ...; in groups
// of up to 8 rows of tiles, here the 2: tile t at row t % 2, column t / 2
// of its group), K step it of the block's into stage it % 3
// once its empty phase is past (parity flipped: the first round passes),
// 32 KiB expected on full, A's box at (k, row), B's two at (col, k) and
// (col + 64, k).
// CHECK: %[[PRODUCER:.+]] = arith.cmpi ult, %[[TX]], %[[C128]]
// CHECK: scf.if %[[PRODUCER]] {
// CHECK-NEXT: nvvm.setmaxregister  decrease 56
// CHECK-NEXT: scf.if %[[LEADER]] {
// CHECK-NEXT: nvgpu.tma.prefetch.descriptor %[[MAPA]]
// CHECK-NEXT: nvgpu.tma.prefetch.descriptor %[[MAPB]]
// CHECK-NEXT: scf.for %[[PTILE:.+]] = %[[BX]] to %[[C6]] step %[[GX]] iter_args(%[[PBASE:.+]] = %[[C0]]) -> (index) {
// CHECK-NEXT: %[[PGROUP:.+]] = arith.divui %[[PTILE]], %[[C6]] :
// CHECK-NEXT: %[[PFIRST:.+]] = arith.muli %[[PGROUP]], %[[C2:.+]] :
// CHECK-NEXT: %[[PLEFT:.+]] = arith.subi %[[C2]], %[[PFIRST]]
// CHECK-NEXT: %[[PROWS:.+]] = arith.minui %[[PLEFT]], %[[C2]]
// CHECK-NEXT: %[[PIN:.+]] = arith.remui %[[PTILE]], %[[C6]]
// CHECK-NEXT: %[[PTMIN:.+]] = arith.remui %[[PIN]], %[[PROWS]]
// CHECK-NEXT: %[[PTM:.+]] = arith.addi %[[PFIRST]], %[[PTMIN]]
// CHECK-NEXT: %[[PTN:.+]] = arith.divui %[[PIN]], %[[PROWS]]
// CHECK-NEXT: %[[PROW:.+]] = arith.muli %[[PTM]], %[[C128]]
// CHECK-NEXT: %[[PCOL:.+]] = arith.muli %[[PTN]], %[[C128]]
// CHECK-NEXT: scf.for %[[PSTEP:.+]] = %[[C0]] to %[[C3:.+]] step %[[C1]] {
// CHECK-NEXT: %[[PIT:.+]] = arith.addi %[[PBASE]], %[[PSTEP]]
// CHECK-NEXT: %[[PROUND:.+]] = arith.divui %[[PIT]], %[[C3]]
// CHECK-NEXT: %[[PSTAGE:.+]] = arith.remui %[[PIT]], %[[C3]]
// CHECK-NEXT: %[[PODD:.+]] = arith.andi %[[PROUND]], %[[C1]]
// CHECK-NEXT: %[[PBIT:.+]] = arith.index_cast %[[PODD]] : index to i1
// CHECK-NEXT: %[[PPARITY:.+]] = arith.xori %[[PBIT]], %true
// CHECK-NEXT: nvgpu.mbarrier.try_wait.parity %[[EMPTY]][%[[PSTAGE]]], %[[PPARITY]]
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[FULL]][%[[PSTAGE]]], %[[C32768:.+]] :
// CHECK: nvgpu.tma.async.load %[[MAPA]][%{{.+}}, %[[PROW]]], %[[FULL]][%[[PSTAGE]]]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[PCOL]], %{{.+}}], %[[FULL]][%[[PSTAGE]]]
// CHECK: %[[PCOL64:.+]] = arith.addi %[[PCOL]], %[[C64]]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[PCOL64]], %{{.+}}], %[[FULL]][%[[PSTAGE]]]
// CHECK-NOT: nvgpu.tma.async.load
// CHECK: %[[PNEXT:.+]] = arith.addi %[[PBASE]], %[[C3]]
// CHECK-NEXT: scf.yield %[[PNEXT]]
// CHECK: } else {
// The consumers (warpgroups 1 and 2, rows 0-63 and 64-127 of each tile):
// whether C starts at a multiple of 8 bytes (a pair of f32), then for each
// tile its first K step: once its stage is full, the descriptors of its
// half of A's tile (8 KiB on for the second) and of B's, four wgmma
// m64n128k16 (B N-major: "row"), the first overwriting the sums (scale-d
// zero: no zeros moved into the registers), the descriptors 2 (A: 32 bytes)
// and 128 (B: 16 rows of 128 bytes) on each; one group left in flight. The
// other steps likewise, adding to the sums, each freeing the previous
// step's stage (lane 0 of each warp, after its wgmma wait); after a tile's
// last step, its stage too.
// CHECK-NEXT: nvvm.setmaxregister  increase 224
// CHECK: %[[MINE:.+]] = arith.subi %[[TX]], %[[C128]]
// CHECK: %[[HALF:.+]] = arith.divui %[[MINE]], %[[C128]]
// CHECK: %[[LANE:.+]] = arith.remui %[[MINE]], %[[C32:.+]] :
// CHECK: %[[FIRST:.+]] = arith.cmpi eq, %[[LANE]], %[[C0]]
// CHECK: %[[CPTR:.+]] = memref.extract_aligned_pointer_as_index %[[C]]
// CHECK: %[[CREM:.+]] = arith.remui %[[CPTR]], %[[C8:.+]] :
// CHECK: %[[ALIGNED:.+]] = arith.cmpi eq, %[[CREM]], %[[C0]]
// CHECK: scf.for %[[TILE:.+]] = %[[BX]] to %[[C6]] step %[[GX]] iter_args(%[[BASE:.+]] = %[[C0]]) -> (index) {
// CHECK: %[[ROW:.+]] = arith.muli %{{.+}}, %[[C128]]
// CHECK: %[[COL:.+]] = arith.muli %{{.+}}, %[[C128]]
// CHECK: %[[STAGE0:.+]] = arith.remui %[[BASE]], %[[C3]]
// CHECK: nvgpu.mbarrier.try_wait.parity %[[FULL]][%[[STAGE0]]]
// CHECK: %[[HALFOFF:.+]] = arith.muli %[[HALF]], %[[C8192:.+]] :
// CHECK: %[[STAGEOFF:.+]] = arith.muli %[[STAGE0]], %[[C32768]]
// CHECK: %[[AOFF:.+]] = arith.addi %[[STAGEOFF]], %[[HALFOFF]]
// CHECK: %[[ATILE:.+]] = memref.view %{{.+}}[%[[AOFF]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64x64xbf16
// CHECK: %[[DA:.+]] = nvgpu.warpgroup.generate.descriptor %[[ATILE]], %[[MAPA]]
// CHECK: %[[DB:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[MAPB]] : memref<64x128xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[RA:.+]] = builtin.unrealized_conversion_cast %[[DA]] {{.+}} to i64
// CHECK: %[[RB:.+]] = builtin.unrealized_conversion_cast %[[DB]] {{.+}} to i64
// CHECK: nvvm.wgmma.fence.aligned
// CHECK: %[[W0:.+]] = nvvm.wgmma.mma_async %[[RA]], %[[RB]], %[[NOSUMS]], <m = 64, n = 128, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <row>]
// CHECK: %[[RB1:.+]] = llvm.add %[[RB]], %[[B128]]
// CHECK: %[[RA1:.+]] = llvm.add %[[RA]], %[[A2]]
// CHECK: %[[W1:.+]] = nvvm.wgmma.mma_async %[[RA1]], %[[RB1]], %[[W0]], <m = 64, n = 128, k = 16>, D[<f32>, <one>]
// CHECK: llvm.add %[[RB]], %[[B256]]
// CHECK: %[[W2:.+]] = nvvm.wgmma.mma_async {{.+}}, %[[W1]], <m = 64, n = 128, k = 16>, D[<f32>, <one>]
// CHECK: llvm.add %[[RB]], %[[B384]]
// CHECK: %[[W3:.+]] = nvvm.wgmma.mma_async {{.+}}, %[[W2]], <m = 64, n = 128, k = 16>, D[<f32>, <one>]
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 1
// CHECK: %[[SUM:.+]] = scf.for %[[STEP:.+]] = %[[C1]] to %[[C3]] step %[[C1]] iter_args(%[[ACC:.+]] = %[[W3]])
// CHECK: %[[IT:.+]] = arith.addi %[[BASE]], %[[STEP]]
// CHECK: %[[ROUND:.+]] = arith.divui %[[IT]], %[[C3]]
// CHECK: %[[STAGE:.+]] = arith.remui %[[IT]], %[[C3]]
// CHECK: %[[ODD:.+]] = arith.andi %[[ROUND]], %[[C1]]
// CHECK: %[[PARITY:.+]] = arith.index_cast %[[ODD]] : index to i1
// CHECK: nvgpu.mbarrier.try_wait.parity %[[FULL]][%[[STAGE]]], %[[PARITY]]
// CHECK: nvvm.wgmma.fence.aligned
// CHECK: nvvm.wgmma.mma_async %{{.+}}, %{{.+}}, %[[ACC]], <m = 64, n = 128, k = 16>, D[<f32>, <one>]
// CHECK-COUNT-3: nvvm.wgmma.mma_async {{.+}} D[<f32>, <one>]
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 1
// CHECK: %[[PREV:.+]] = arith.subi %[[IT]], %[[C1]]
// CHECK: scf.if %[[FIRST]] {
// CHECK: %[[PREVSTAGE:.+]] = arith.remui %[[PREV]], %[[C3]]
// CHECK: nvgpu.mbarrier.arrive %[[EMPTY]][%[[PREVSTAGE]]]
// CHECK: scf.yield
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: %[[LAST:.+]] = arith.addi %[[BASE]], %c2 :
// CHECK: scf.if %[[FIRST]] {
// CHECK: %[[LASTSTAGE:.+]] = arith.remui %[[LAST]], %[[C3]]
// CHECK: nvgpu.mbarrier.arrive %[[EMPTY]][%[[LASTSTAGE]]]
// The sums from the registers to C: rows row + 16 warp + lane / 4 (+ 8),
// columns col + 2 (lane % 4) + 8 j and the next, 32 pairs a thread, each
// one store of 8 bytes where C is so aligned, of 4 otherwise.
// CHECK: scf.if %[[ALIGNED]] {
// CHECK-NEXT: %[[R0:.+]] = llvm.extractvalue %[[SUM]][0]
// CHECK-NEXT: %[[R1:.+]] = llvm.extractvalue %[[SUM]][1]
// CHECK-NEXT: %[[P0:.+]] = vector.from_elements %[[R0]], %[[R1]] : vector<2xf32>
// CHECK-NEXT: vector.store %[[P0]], %[[C]][%[[RROW:.+]], %[[RCOL:.+]]] {alignment = 8 : i64} : memref<256x384xf32>, vector<2xf32>
// CHECK-NEXT: %[[RCOL8:.+]] = arith.addi %[[RCOL]], %[[C8]]
// CHECK-NEXT: llvm.extractvalue %[[SUM]][4]
// CHECK-NEXT: llvm.extractvalue %[[SUM]][5]
// CHECK-NEXT: %[[P1:.+]] = vector.from_elements
// CHECK-NEXT: vector.store %[[P1]], %[[C]][%[[RROW]], %[[RCOL8]]] {alignment = 8 : i64}
// CHECK-COUNT-30: vector.store %{{.+}}, %[[C]][{{.+}}] {alignment = 8 : i64}
// CHECK: } else {
// CHECK-COUNT-32: vector.store %{{.+}}, %[[C]][{{.+}}] {alignment = 4 : i64}
// CHECK-NOT: vector.store
// CHECK-NOT: memref.store
// CHECK: scf.yield
func.func @gemm(%a: memref<256x192xbf16>, %b: memref<192x384xbf16>, %c: memref<256x384xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<256x384xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<256x192xbf16>, memref<192x384xbf16>) outs(%c : memref<256x384xf32>)
  return
}

// -----

// With its marked elementwise consumer (a bias along the columns, a
// rounding to bf16), C a temporary: each sum goes through the consumer's
// body (the bias at its column) into the bf16 output; C, its fill and the
// consumer go. Tiles of 128 x 64 (8 of them: one wave on the 8 SMs, where
// 128 x 128 ones would leave half idle), a thread's 32 sums, 16 pairs
// each through the body as vectors of two (the bias at the pair's
// columns) and stored as 4 bytes (2 where the output is not 4-byte
// aligned); two stages of 24 KiB (a block's 2 K steps).
// CHECK-LABEL: func.func @epilogue
// CHECK-SAME: (%[[A:.+]]: memref<256x128xbf16>, %[[B:.+]]: memref<128x256xbf16>, %[[BIAS:.+]]: memref<256xf32>, %[[OUT:.+]]: memref<256x256xbf16>)
// CHECK-NOT: memref.alloc
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 49152 : i32
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %[[SHARED]]
// CHECK: %[[OPTR:.+]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: %[[OREM:.+]] = arith.remui %[[OPTR]], %c4
// CHECK: %[[ALIGNED:.+]] = arith.cmpi eq, %[[OREM]], %c0
// CHECK: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 64, k = 16>
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: scf.if %[[ALIGNED]] {
// CHECK-NEXT: %[[X0:.+]] = llvm.extractvalue %[[SUMS:.+]][0]
// CHECK-NEXT: %[[X1:.+]] = llvm.extractvalue %[[SUMS]][1]
// CHECK-NEXT: %[[X:.+]] = vector.from_elements %[[X0]], %[[X1]] : vector<2xf32>
// CHECK-NEXT: %[[Y0:.+]] = memref.load %[[BIAS]][%[[GC:.+]]] : memref<256xf32>
// CHECK-NEXT: %[[GC1:.+]] = arith.addi %[[GC]], %{{.+}}
// CHECK-NEXT: %[[Y1:.+]] = memref.load %[[BIAS]][%[[GC1]]]
// CHECK-NEXT: %[[Y:.+]] = vector.from_elements %[[Y0]], %[[Y1]] : vector<2xf32>
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[X]], %[[Y]] : vector<2xf32>
// CHECK-NEXT: %[[T:.+]] = arith.truncf %[[S]] : vector<2xf32> to vector<2xbf16>
// CHECK-NEXT: vector.store %[[T]], %[[OUT]][%[[GR:.+]], %[[GC]]] {alignment = 4 : i64} : memref<256x256xbf16>, vector<2xbf16>
// CHECK-COUNT-15: vector.store %{{.+}}, %[[OUT]][{{.+}}] {alignment = 4 : i64}
// CHECK: } else {
// CHECK-COUNT-16: vector.store %{{.+}}, %[[OUT]][{{.+}}] {alignment = 2 : i64}
// CHECK-NOT: vector.store
// CHECK-NOT: memref.store
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

// A weight gradient's momentum and weight update (two outputs, read and
// written in place) as the epilogue, past a dealloc of a buffer it does
// not touch: each pair of sums goes through the update with the pairs of
// v and w at its row and columns; both outputs stored, as pairs where both
// start 4-byte aligned.
// CHECK-LABEL: func.func @update_epilogue
// CHECK-SAME: (%[[A:.+]]: memref<128x64xf16>, %[[B:.+]]: memref<64x128xf16>, %[[V:.+]]: memref<128x128xf16>, %[[W:.+]]: memref<128x128xf16>, %[[OTHER:.+]]: memref<64xf32>)
// CHECK: %[[VPTR:.+]] = memref.extract_aligned_pointer_as_index %[[V]]
// CHECK: %[[VREM:.+]] = arith.remui %[[VPTR]], %c4
// CHECK: %[[VOK:.+]] = arith.cmpi eq, %[[VREM]], %c0
// CHECK: %[[WPTR:.+]] = memref.extract_aligned_pointer_as_index %[[W]]
// CHECK: %[[WREM:.+]] = arith.remui %[[WPTR]], %c4
// CHECK: %[[WOK:.+]] = arith.cmpi eq, %[[WREM]], %c0
// CHECK: %[[BOTH:.+]] = arith.andi %[[VOK]], %[[WOK]]
// CHECK: scf.if %[[BOTH]] {
// CHECK: %[[V0:.+]] = memref.load %[[V]][%[[R:.+]], %[[COL:.+]]] : memref<128x128xf16>
// CHECK: %[[V1:.+]] = memref.load %[[V]][%[[R]], %{{.+}}]
// CHECK: %[[W0:.+]] = memref.load %[[W]][%[[R]], %[[COL]]]
// CHECK: %[[W1:.+]] = memref.load %[[W]][%[[R]], %{{.+}}]
// CHECK: arith.mulf {{.+}} : vector<2xf16>
// CHECK: %[[NV:.+]] = arith.addf {{.+}} : vector<2xf16>
// CHECK: %[[NW:.+]] = arith.subf {{.+}} : vector<2xf16>
// CHECK: vector.store %[[NV]], %[[V]][%[[R]], %[[COL]]] {alignment = 4 : i64}
// CHECK-NEXT: vector.store %[[NW]], %[[W]][%[[R]], %[[COL]]] {alignment = 4 : i64}
// CHECK: } else {
// CHECK: vector.store %{{.+}}, %[[V]][{{.+}}] {alignment = 2 : i64}
// CHECK-NOT: linalg.
// CHECK: memref.dealloc %[[OTHER]]
// CHECK-NOT: linalg.
func.func @update_epilogue(%a: memref<128x64xf16>, %b: memref<64x128xf16>, %v: memref<128x128xf16>, %w: memref<128x128xf16>, %other: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %mu = arith.constant 0.9 : f16
  %lr = arith.constant 0.1 : f16
  %c = memref.alloc() : memref<128x128xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<128x64xf16>, memref<64x128xf16>) outs(%c : memref<128x128xf32>)
  memref.dealloc %other : memref<64xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%c : memref<128x128xf32>) outs(%v, %w : memref<128x128xf16>, memref<128x128xf16>) attrs = {dlc.wgmma} {
  ^bb0(%g: f32, %vo: f16, %wo: f16):
    %g16 = arith.truncf %g : f32 to f16
    %m = arith.mulf %vo, %mu : f16
    %nv = arith.addf %m, %g16 : f16
    %step = arith.mulf %nv, %lr : f16
    %nw = arith.subf %wo, %step : f16
    linalg.yield %nv, %nw : f16, f16
  }
  memref.dealloc %c : memref<128x128xf32>
  return
}

// -----

// The same update with a read of w between the product and it: moved up
// to the product, it would change w before that read. It stays a
// linalg.generic after the kernel, which stores C.
// CHECK-LABEL: func.func @update_after_a_read
// CHECK-SAME: (%[[A:.+]]: memref<128x64xf16>, %[[B:.+]]: memref<64x128xf16>, %[[V:.+]]: memref<128x128xf16>, %[[W:.+]]: memref<128x128xf16>, %[[COPY:.+]]: memref<128x128xf16>)
// CHECK: %[[C:.+]] = memref.alloc() : memref<128x128xf32>
// CHECK: gpu.launch
// CHECK: vector.store %{{.+}}, %[[C]]
// CHECK: gpu.terminator
// CHECK: memref.copy %[[W]], %[[COPY]]
// CHECK-NEXT: linalg.generic {{.+}} ins(%[[C]] : memref<128x128xf32>) outs(%[[V]], %[[W]] : memref<128x128xf16>, memref<128x128xf16>)
func.func @update_after_a_read(%a: memref<128x64xf16>, %b: memref<64x128xf16>, %v: memref<128x128xf16>, %w: memref<128x128xf16>, %copy: memref<128x128xf16>) {
  %zero = arith.constant 0.0 : f32
  %mu = arith.constant 0.9 : f16
  %lr = arith.constant 0.1 : f16
  %c = memref.alloc() : memref<128x128xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<128x64xf16>, memref<64x128xf16>) outs(%c : memref<128x128xf32>)
  memref.copy %w, %copy : memref<128x128xf16> to memref<128x128xf16>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%c : memref<128x128xf32>) outs(%v, %w : memref<128x128xf16>, memref<128x128xf16>) attrs = {dlc.wgmma} {
  ^bb0(%g: f32, %vo: f16, %wo: f16):
    %g16 = arith.truncf %g : f32 to f16
    %m = arith.mulf %vo, %mu : f16
    %nv = arith.addf %m, %g16 : f16
    %step = arith.mulf %nv, %lr : f16
    %nw = arith.subf %wo, %step : f16
    linalg.yield %nv, %nw : f16, f16
  }
  memref.dealloc %c : memref<128x128xf32>
  return
}

// -----

// Enough 128 x 256 tiles to fill the SMs ((1536 / 128) x (2816 / 256) =
// 132, an H100's count; 8 here): as many blocks at most, of 256 columns, A's box and four of B's a
// stage (48 KiB), four stages (192 KiB) for K's 6 steps, each consumer
// warpgroup 64 x 256 sums (wgmma m64n256k16), 64 pairs stored.
// CHECK-LABEL: func.func @wide
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 196608 : i32
// CHECK: arith.minui %{{.+}}, %c132 : index
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}}) threads({{.+}}) in (%{{.+}} = %[[C384:.+]], {{.+}}) dynamic_shared_memory_size %[[SHARED]]
// CHECK: nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 4>
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.+}}, %[[C49152:.+]] :
// CHECK-COUNT-5: nvgpu.tma.async.load
// CHECK-NOT: nvgpu.tma.async.load
// CHECK: nvgpu.warpgroup.generate.descriptor %{{.+}}, %{{.+}} : memref<64x256xbf16, #gpu.address_space<workgroup>>
// CHECK: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 256, k = 16>
// CHECK-COUNT-64: vector.store %{{.+}} {alignment = 8 : i64} : memref<1536x2816xf32>, vector<2xf32>
// CHECK-COUNT-64: vector.store %{{.+}} {alignment = 4 : i64} : memref<1536x2816xf32>, vector<2xf32>
// CHECK-NOT: vector.store
func.func @wide(%a: memref<1536x384xbf16>, %b: memref<384x2816xbf16>, %c: memref<1536x2816xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<1536x2816xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<1536x384xbf16>, memref<384x2816xbf16>) outs(%c : memref<1536x2816xf32>)
  return
}

// -----

// Edges: M = 200, N = 136, K = 72: (2 x 3) tiles of 128 x 64, 2 K steps (the
// second's columns past 72 TMA's zeros), each pair of sums stored where
// its row is inside M and its columns inside N.
// CHECK-LABEL: func.func @edges
// CHECK-SAME: %[[C:[^:]+]]: memref<200x136xf32>
// CHECK: arith.minui %{{.+}}, %c6 : index
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-DAG: %[[IN_M:.+]] = arith.cmpi ult, %[[GR:.+]], %c200 : index
// CHECK-DAG: %[[IN_N:.+]] = arith.cmpi ult, %[[GC:.+]], %c136 : index
// CHECK: %[[IN:.+]] = arith.andi %[[IN_M]], %[[IN_N]]
// CHECK: scf.if %[[IN]] {
// CHECK: vector.store %{{.+}}, %[[C]][%[[GR]], %[[GC]]] {alignment = 8 : i64} : memref<200x136xf32>, vector<2xf32>
// CHECK-NEXT: }
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
  // expected-error @+1 {{dlc-lower-to-wgmma: a product marked for wgmma cannot take it on its buffers: its operands are not f16, bf16 or f32 with an f32 output, or M or N is under 128, or N not a multiple of 8, or K not of 16 bytes}}
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<128x100xf16>, memref<100x128xf16>) outs(%c : memref<128x128xf32>)
  return
}

// -----

// TF32: f32 A [256, 96] and B^T [384, 96] (maps (m, k), (n, k), (m, n), as
// dlc-tile-for-gpu rebuilds an f32 product): K steps of 32 (128 bytes),
// A's boxes 128 x 32 and B^T's 64 x 32 (both K-major), loaded at (k, row)
// and (k, col); each step 4 nvvm.wgmma.mma_async m64n128k8 TF32 (A row,
// B col: no transposes), the descriptors' start 2 (32 bytes) on each, in
// one committed group with one left in flight (the tile's first step
// overwriting the sums, scale-d zero); sums in an LLVM struct, stored
// straight from it in pairs.
// CHECK-LABEL: func.func @tf32
// CHECK-SAME: (%[[A:.+]]: memref<256x96xf32>, %[[BT:.+]]: memref<384x96xf32>, %[[C:.+]]: memref<256x384xf32>)
// CHECK-DAG: %[[TWO:.+]] = llvm.mlir.constant(2 : i64) : i64
// CHECK-DAG: %[[FOUR:.+]] = llvm.mlir.constant(4 : i64) : i64
// CHECK-DAG: %[[SIX:.+]] = llvm.mlir.constant(6 : i64) : i64
// CHECK-DAG: %[[NOSUMS:.+]] = llvm.mlir.poison : !llvm.struct<(f32, {{.+}})>
// CHECK: %[[MAPA:.+]] = nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %[[C32:.+]]] : memref<*xf32> -> <tensor = memref<128x32xf32, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: %[[MAPB:.+]] = nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %[[C32]]] : memref<*xf32> -> <tensor = memref<64x32xf32, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: gpu.launch
// CHECK: %[[K:.+]] = arith.muli %{{.+}}, %[[C32]]
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.+}}, %c32768
// CHECK: nvgpu.tma.async.load %[[MAPA]][%[[K]], %{{.+}}]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[K]], %{{.+}}]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[K]], %{{.+}}]
// CHECK-NOT: nvgpu.tma.async.load
// CHECK: %[[DA:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[MAPA]] : memref<64x32xf32
// CHECK: %[[DB:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[MAPB]] : memref<128x32xf32
// CHECK: %[[RA:.+]] = builtin.unrealized_conversion_cast %[[DA]] {{.+}} to i64
// CHECK: %[[RB:.+]] = builtin.unrealized_conversion_cast %[[DB]] {{.+}} to i64
// CHECK: nvvm.wgmma.fence.aligned
// CHECK: %[[S0:.+]] = nvvm.wgmma.mma_async %[[RA]], %[[RB]], %[[NOSUMS]], <m = 64, n = 128, k = 8>, D[<f32>, <zero>], A[<tf32>, <one>, <row>], B[<tf32>, <one>, <col>]
// CHECK: %[[B1:.+]] = llvm.add %[[RB]], %[[TWO]]
// CHECK: %[[A1:.+]] = llvm.add %[[RA]], %[[TWO]]
// CHECK: %[[S1:.+]] = nvvm.wgmma.mma_async %[[A1]], %[[B1]], %[[S0]], <m = 64, n = 128, k = 8>, D[<f32>, <one>]
// CHECK: llvm.add %[[RB]], %[[FOUR]]
// CHECK: %[[S2:.+]] = nvvm.wgmma.mma_async {{.+}}, %[[S1]], <m = 64, n = 128, k = 8>
// CHECK: llvm.add %[[RB]], %[[SIX]]
// CHECK: %[[S3:.+]] = nvvm.wgmma.mma_async {{.+}}, %[[S2]], <m = 64, n = 128, k = 8>
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 1
// CHECK: scf.for {{.+}} iter_args(%[[ACC:.+]] = %[[S3]])
// CHECK: nvvm.wgmma.mma_async %{{.+}}, %{{.+}}, %[[ACC]], <m = 64, n = 128, k = 8>, D[<f32>, <one>]
// CHECK-COUNT-3: nvvm.wgmma.mma_async
// CHECK-NOT: nvvm.wgmma.mma_async
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 1
// CHECK: scf.yield
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: %[[R0:.+]] = llvm.extractvalue %{{.+}}[0] : !llvm.struct<(f32,
// CHECK: %[[R1:.+]] = llvm.extractvalue %{{.+}}[1] : !llvm.struct<(f32,
// CHECK: %[[P0:.+]] = vector.from_elements %[[R0]], %[[R1]]
// CHECK: vector.store %[[P0]], %[[C]]
// CHECK-COUNT-63: vector.store %{{.+}}, %[[C]]
// CHECK-NOT: vector.store
func.func @tf32(%a: memref<256x96xf32>, %bt: memref<384x96xf32>, %c: memref<256x384xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<256x384xf32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] {dlc.wgmma} ins(%a, %bt : memref<256x96xf32>, memref<384x96xf32>) outs(%c : memref<256x384xf32>)
  return
}

// -----

// An f32 product read with default maps (B [K, N]: MN-major, which TF32
// wgmma cannot read): an error.
func.func @tf32_default_maps(%a: memref<128x64xf32>, %b: memref<64x128xf32>, %c: memref<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  // expected-error @+1 {{dlc-lower-to-wgmma: a product marked for wgmma cannot take it on its buffers: an f32 (TF32) product must read A as it is and B as B^T [N, K] (TF32 wgmma reads both operands K-major): its maps are not (m, k), (n, k), (m, n)}}
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<128x64xf32>, memref<64x128xf32>) outs(%c : memref<128x128xf32>)
  return
}

// -----

// An f32 product reading A^T (MN-major): an error too.
func.func @tf32_transposed_a(%at: memref<64x128xf32>, %bt: memref<128x64xf32>, %c: memref<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  // expected-error @+1 {{an f32 (TF32) product must read A as it is and B as B^T [N, K]}}
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] {dlc.wgmma} ins(%at, %bt : memref<64x128xf32>, memref<128x64xf32>) outs(%c : memref<128x128xf32>)
  return
}

// -----

// A^T [K, M] whose rows are not of 16 bytes (M = 132 f16): TMA cannot
// load it; an error.
func.func @transposed_a_odd_rows(%at: memref<64x132xf16>, %b: memref<64x128xf16>, %c: memref<132x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<132x128xf32>)
  // expected-error @+1 {{dlc-lower-to-wgmma: a product marked for wgmma cannot take it on its buffers: it reads A^T [K, M] with M not a multiple of 8 (TMA's rows of 16 bytes)}}
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>] {dlc.wgmma} ins(%at, %b : memref<64x132xf16>, memref<64x128xf16>) outs(%c : memref<132x128xf32>)
  return
}

// -----

// Maps of no product the kernel knows (C transposed): an error.
func.func @other_maps(%a: memref<128x64xbf16>, %b: memref<64x128xbf16>, %c: memref<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<128x128xf32>)
  // expected-error @+1 {{dlc-lower-to-wgmma: a product marked for wgmma cannot take it on its buffers: its maps are not those of A [M, K] or A^T [K, M] times B [K, N] or B^T [N, K]}}
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (n, m)>] {dlc.wgmma} ins(%a, %b : memref<128x64xbf16>, memref<64x128xbf16>) outs(%c : memref<128x128xf32>)
  return
}

// -----

// f16 A^T [K, M] times B^T [N, K] (x^T dy reads x; dy W^T reads W): no
// transposes. A^T's 64 x 64 boxes (64 columns: a consumer warpgroup's 64
// rows of A, MN-major for the wgmma), two a stage at (row, k) and
// (row + 64, k), 8 KiB apart; B^T's 64 x 64 boxes (64 rows, K-major) at
// (k, col) and (k, col + 64). Each wgmma m64n128k16 reads A "col"
// (MN-major) from its descriptor 128 units (16 rows of 128 bytes) on, and
// B "col" (K-major) 2 units (32 bytes) on.
// CHECK-LABEL: func.func @f16_transposed_operands
// CHECK-SAME: (%[[AT:.+]]: memref<192x256xf16>, %[[BT:.+]]: memref<384x192xf16>, %[[C:.+]]: memref<256x384xf32>)
// CHECK-NOT: linalg.
// CHECK-DAG: %[[TWO:.+]] = llvm.mlir.constant(2 : i64) : i64
// CHECK-DAG: %[[FOUR:.+]] = llvm.mlir.constant(4 : i64) : i64
// CHECK-DAG: %[[SIX:.+]] = llvm.mlir.constant(6 : i64) : i64
// CHECK-DAG: %[[A128:.+]] = llvm.mlir.constant(128 : i64) : i64
// CHECK-DAG: %[[A256:.+]] = llvm.mlir.constant(256 : i64) : i64
// CHECK-DAG: %[[A384:.+]] = llvm.mlir.constant(384 : i64) : i64
// CHECK: %[[MAPA:.+]] = nvgpu.tma.create.descriptor %{{.+}} box[%[[C64:.+]], %[[C64]]] : memref<*xf16> -> <tensor = memref<64x64xf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: %[[MAPB:.+]] = nvgpu.tma.create.descriptor %{{.+}} box[%[[C64]], %[[C64]]] : memref<*xf16> -> <tensor = memref<64x64xf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: nvvm.setmaxregister  decrease 56
// CHECK: %[[PROW:.+]] = arith.muli %{{.+}}, %c128 :
// CHECK-NEXT: %[[PCOL:.+]] = arith.muli %{{.+}}, %c128 :
// CHECK: scf.for
// CHECK: %[[K:.+]] = arith.muli %{{.+}}, %[[C64]]
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.+}}, %[[C32768:.+]] :
// CHECK: %[[A0:.+]] = memref.view %{{.+}}[%[[STAGEOFF:.+]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64x64xf16
// CHECK: nvgpu.tma.async.load %[[MAPA]][%[[PROW]], %[[K]]], %{{.+}} to %[[A0]]
// CHECK-DAG: %[[PROW64:.+]] = arith.addi %[[PROW]], %[[C64]]
// CHECK-DAG: %[[A1OFF:.+]] = arith.addi %[[STAGEOFF]], %c8192 :
// CHECK: %[[A1:.+]] = memref.view %{{.+}}[%[[A1OFF]]][]
// CHECK: nvgpu.tma.async.load %[[MAPA]][%[[PROW64]], %[[K]]], %{{.+}} to %[[A1]]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[K]], %[[PCOL]]]
// CHECK: %[[PCOL64:.+]] = arith.addi %[[PCOL]], %[[C64]]
// CHECK: nvgpu.tma.async.load %[[MAPB]][%[[K]], %[[PCOL64]]]
// CHECK-NOT: nvgpu.tma.async.load
// CHECK: nvvm.setmaxregister  increase 224
// CHECK: %[[ATILE:.+]] = memref.view %{{.+}} to memref<64x64xf16
// CHECK: %[[DA:.+]] = nvgpu.warpgroup.generate.descriptor %[[ATILE]], %[[MAPA]]
// CHECK: %[[DB:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[MAPB]] : memref<128x64xf16, #gpu.address_space<workgroup>>
// CHECK: %[[RA:.+]] = builtin.unrealized_conversion_cast %[[DA]] {{.+}} to i64
// CHECK: %[[RB:.+]] = builtin.unrealized_conversion_cast %[[DB]] {{.+}} to i64
// CHECK: nvvm.wgmma.mma_async %[[RA]], %[[RB]], %{{.+}}, <m = 64, n = 128, k = 16>, D[<f32>, <zero>], A[<f16>, <one>, <col>], B[<f16>, <one>, <col>]
// CHECK-DAG: %[[RB1:.+]] = llvm.add %[[RB]], %[[TWO]]
// CHECK-DAG: %[[RA1:.+]] = llvm.add %[[RA]], %[[A128]]
// CHECK: nvvm.wgmma.mma_async %[[RA1]], %[[RB1]], %{{.+}}, <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <col>], B[<f16>, <one>, <col>]
// CHECK-DAG: %[[RB2:.+]] = llvm.add %[[RB]], %[[FOUR]]
// CHECK-DAG: %[[RA2:.+]] = llvm.add %[[RA]], %[[A256]]
// CHECK: nvvm.wgmma.mma_async %[[RA2]], %[[RB2]]
// CHECK-DAG: %[[RB3:.+]] = llvm.add %[[RB]], %[[SIX]]
// CHECK-DAG: %[[RA3:.+]] = llvm.add %[[RA]], %[[A384]]
// CHECK: nvvm.wgmma.mma_async %[[RA3]], %[[RB3]]
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
func.func @f16_transposed_operands(%at: memref<192x256xf16>, %bt: memref<384x192xf16>, %c: memref<256x384xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<256x384xf32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] {dlc.wgmma} ins(%at, %bt : memref<192x256xf16>, memref<384x192xf16>) outs(%c : memref<256x384xf32>)
  return
}
