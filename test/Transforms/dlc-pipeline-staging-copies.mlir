// RUN: dlc-opt %s --split-input-file --dlc-pipeline-staging-copies="async-copies=true pad-rows=false" --canonicalize --cse | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dlc-pipeline-staging-copies="pad-rows=false" --canonicalize --cse | FileCheck %s --check-prefix=HOST
// RUN: dlc-opt %s --split-input-file --dlc-pipeline-staging-copies="async-copies=true" --canonicalize --cse | FileCheck %s --check-prefix=PAD

// A K loop of 4 steps in 3 stages: the A and B tiles (1 KiB each) in 3 KiB
// of bytes each, steps 0 and 1 copied before the loop (a commit group
// each); in the loop, step i + 2's copies (while there is one) into stage
// (i + 2) mod 3, a commit, a wait for all but the newest 2 groups and a
// barrier, then step i's product reading stage i mod 3.
// CHECK-DAG: #[[$STAGE:.+]] = affine_map<(d0) -> ((d0 floordiv 16) * 1024 - ((d0 floordiv 16) floordiv 3) * 3072)>
// CHECK-DAG: #[[$AHEAD:.+]] = affine_map<(d0) -> (d0 + 32)>
// CHECK-DAG: #[[$NEXT:.+]] = affine_map<(d0) -> ((d0 floordiv 16) * 1024 - ((d0 floordiv 16 + 2) floordiv 3) * 3072 + 2048)>
// CHECK-LABEL: func.func @stages
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1024:.+]] = arith.constant 1024 : index
// CHECK-DAG: %[[C64:.+]] = arith.constant 64 : index
// CHECK: scf.forall
// CHECK: %[[A:.+]] = memref.alloc() {alignment = 64 : i64} : memref<3072xi8, #gpu.address_space<workgroup>>
// CHECK: %[[B:.+]] = memref.alloc() {alignment = 64 : i64} : memref<3072xi8, #gpu.address_space<workgroup>>
// CHECK: %[[A0:.+]] = memref.view %[[A]][%[[C0]]][] : memref<3072xi8, #gpu.address_space<workgroup>> to memref<16x16xf32, #gpu.address_space<workgroup>>
// CHECK: memref.subview %arg0[%{{.+}}, 0] [16, 16]
// CHECK: scf.forall
// CHECK: memref.subview %[[A0]]
// CHECK: linalg.copy {dlc.async_copy}
// CHECK: } {dlc.async_copies, mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK: memref.view %[[B]][%[[C0]]][]
// CHECK: memref.subview %arg1[0, %{{.+}}] [16, 16]
// CHECK: linalg.copy {dlc.async_copy}
// CHECK: nvvm.cp.async.commit.group
// CHECK: memref.view %[[A]][%[[C1024]]][]
// CHECK: memref.subview %arg0[%{{.+}}, 16] [16, 16]
// CHECK: linalg.copy {dlc.async_copy}
// CHECK: memref.view %[[B]][%[[C1024]]][]
// CHECK: memref.subview %arg1[16, %{{.+}}] [16, 16]
// CHECK: linalg.copy {dlc.async_copy}
// CHECK: nvvm.cp.async.commit.group
// CHECK: scf.for %[[K:.+]] = %[[C0]] to %[[C64]] step
// CHECK: %[[AT:.+]] = affine.apply #[[$STAGE]](%[[K]])
// CHECK: %[[AI:.+]] = memref.view %[[A]][%[[AT]]][]
// CHECK: %[[BI:.+]] = memref.view %[[B]][%[[AT]]][]
// CHECK: %[[K2:.+]] = affine.apply #[[$AHEAD]](%[[K]])
// CHECK: %[[MORE:.+]] = arith.cmpi slt, %[[K2]], %[[C64]] : index
// CHECK: scf.if %[[MORE]] {
// CHECK: %[[NT:.+]] = affine.apply #[[$NEXT]](%[[K]])
// CHECK: memref.view %[[A]][%[[NT]]][]
// CHECK: memref.subview %arg0[%{{.+}}, %[[K2]]] [16, 16]
// CHECK: linalg.copy {dlc.async_copy}
// CHECK: memref.view %[[B]][%[[NT]]][]
// CHECK: memref.subview %arg1[%[[K2]], %{{.+}}] [16, 16]
// CHECK: linalg.copy {dlc.async_copy}
// CHECK: } {dlc.async_copies, mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK-NEXT: }
// CHECK-NEXT: nvvm.cp.async.commit.group
// CHECK-NEXT: nvvm.cp.async.wait.group 2
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: scf.forall
// CHECK: memref.subview %[[AI]]
// CHECK: memref.subview %[[BI]]
// CHECK: linalg.matmul
// CHECK: } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: memref.dealloc %[[A]]
// Without async copies (the emulated schedule on the CPU): the same stages,
// plain copies, no commit, wait or barrier of its own.
// HOST-LABEL: func.func @stages
// HOST: memref.alloc() {alignment = 64 : i64} : memref<3072xi8, #gpu.address_space<workgroup>>
// HOST-NOT: nvvm
// HOST-NOT: gpu.barrier
// HOST-NOT: dlc.async
// HOST: scf.for
// HOST: scf.if
// HOST: linalg.copy ins
// HOST: linalg.copy ins
// HOST: linalg.matmul
// With padded rows (the default): the 64-byte rows of each stage get 16
// bytes more (a row stride of 20 f32: 5 units of 16 bytes, odd), 1280 bytes
// a stage; the fills and the product see the 16 x 16 tile as a subview.
// PAD-DAG: #[[$STAGE:.+]] = affine_map<(d0) -> ((d0 floordiv 16) * 1280 - ((d0 floordiv 16) floordiv 3) * 3840)>
// PAD-LABEL: func.func @stages
// PAD: %[[A:.+]] = memref.alloc() {alignment = 64 : i64} : memref<3840xi8, #gpu.address_space<workgroup>>
// PAD: %[[B:.+]] = memref.alloc() {alignment = 64 : i64} : memref<3840xi8, #gpu.address_space<workgroup>>
// PAD: %[[A0:.+]] = memref.view %[[A]][%{{.+}}][] : memref<3840xi8, #gpu.address_space<workgroup>> to memref<16x20xf32, #gpu.address_space<workgroup>>
// PAD: %[[T0:.+]] = memref.subview %[[A0]][0, 0] [16, 16] [1, 1] : memref<16x20xf32, #gpu.address_space<workgroup>> to memref<16x16xf32, strided<[20, 1]>, #gpu.address_space<workgroup>>
// PAD: scf.forall
// PAD: %[[P0:.+]] = memref.subview %[[T0]][%{{.+}}, %{{.+}}] [1, 4] [1, 1] : memref<16x16xf32, strided<[20, 1]>, #gpu.address_space<workgroup>> to memref<1x4xf32, strided<[20, 1], offset: ?>, #gpu.address_space<workgroup>>
// PAD: linalg.copy {dlc.async_copy} ins(%{{.+}} : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%[[P0]] : memref<1x4xf32, strided<[20, 1], offset: ?>, #gpu.address_space<workgroup>>)
// PAD: scf.for %[[K:.+]] =
// PAD: %[[AT:.+]] = affine.apply #[[$STAGE]](%[[K]])
// PAD: %[[AV:.+]] = memref.view %[[A]][%[[AT]]][] : memref<3840xi8, #gpu.address_space<workgroup>> to memref<16x20xf32, #gpu.address_space<workgroup>>
// PAD: %[[AI:.+]] = memref.subview %[[AV]][0, 0] [16, 16] [1, 1]
// PAD: scf.if
// PAD: linalg.copy {dlc.async_copy}
// PAD: linalg.copy {dlc.async_copy}
// PAD: gpu.barrier
// PAD: memref.subview %[[AI]][%{{.+}}, 0] [4, 16] [1, 1] : memref<16x16xf32, strided<[20, 1]>, #gpu.address_space<workgroup>> to memref<4x16xf32, strided<[20, 1], offset: ?>, #gpu.address_space<workgroup>>
// PAD: linalg.matmul ins(%{{.+}}, %{{.+}} : memref<4x16xf32, strided<[20, 1], offset: ?>, #gpu.address_space<workgroup>>, memref<16x4xf32, strided<[20, 1], offset: ?>, #gpu.address_space<workgroup>>)
#ws = #gpu.address_space<workgroup>
func.func @stages(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.forall (%i, %j) = (0, 0) to (64, 64) step (16, 16) {
    %ct = memref.subview %c[%i, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
    scf.for %k = %c0 to %c64 step %c16 {
      %as = memref.subview %a[%i, %k] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %bs = memref.subview %b[%k, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %as[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      %tb = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %bs[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %tb[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (4, 4) {
        %x = memref.subview %ta[%r, 0] [4, 16] [1, 1] : memref<16x16xf32, #ws> to memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>
        %y = memref.subview %tb[0, %q] [16, 4] [1, 1] : memref<16x16xf32, #ws> to memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>
        %z = memref.subview %ct[%r, %q] [4, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<4x4xf32, strided<[64, 1], offset: ?>>
        linalg.matmul ins(%x, %y : memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>, memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>) outs(%z : memref<4x4xf32, strided<[64, 1], offset: ?>>)
      } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
      memref.dealloc %tb : memref<16x16xf32, #ws>
      memref.dealloc %ta : memref<16x16xf32, #ws>
    }
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// Two K steps: two stages, a wait for all but the newest group.
// CHECK-LABEL: func.func @two_steps
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<2048xi8, #gpu.address_space<workgroup>>
// CHECK: nvvm.cp.async.wait.group 1
#ws = #gpu.address_space<workgroup>
func.func @two_steps(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 32 : index
  scf.forall (%i, %j) = (0, 0) to (64, 64) step (16, 16) {
    %ct = memref.subview %c[%i, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
    scf.for %k = %c0 to %c64 step %c16 {
      %as = memref.subview %a[%i, %k] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %bs = memref.subview %b[%k, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %as[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      %tb = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %bs[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %tb[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (4, 4) {
        %x = memref.subview %ta[%r, 0] [4, 16] [1, 1] : memref<16x16xf32, #ws> to memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>
        %y = memref.subview %tb[0, %q] [16, 4] [1, 1] : memref<16x16xf32, #ws> to memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>
        %z = memref.subview %ct[%r, %q] [4, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<4x4xf32, strided<[64, 1], offset: ?>>
        linalg.matmul ins(%x, %y : memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>, memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>) outs(%z : memref<4x4xf32, strided<[64, 1], offset: ?>>)
      } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
      memref.dealloc %tb : memref<16x16xf32, #ws>
      memref.dealloc %ta : memref<16x16xf32, #ws>
    }
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// One K step: nothing to overlap, left alone.
// CHECK-LABEL: func.func @one_step
// CHECK-NOT: memref.view
// CHECK-NOT: nvvm
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #gpu.address_space<workgroup>>
#ws = #gpu.address_space<workgroup>
func.func @one_step(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 16 : index
  scf.forall (%i, %j) = (0, 0) to (64, 64) step (16, 16) {
    %ct = memref.subview %c[%i, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
    scf.for %k = %c0 to %c64 step %c16 {
      %as = memref.subview %a[%i, %k] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %bs = memref.subview %b[%k, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %as[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      %tb = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %bs[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %tb[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (4, 4) {
        %x = memref.subview %ta[%r, 0] [4, 16] [1, 1] : memref<16x16xf32, #ws> to memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>
        %y = memref.subview %tb[0, %q] [16, 4] [1, 1] : memref<16x16xf32, #ws> to memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>
        %z = memref.subview %ct[%r, %q] [4, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<4x4xf32, strided<[64, 1], offset: ?>>
        linalg.matmul ins(%x, %y : memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>, memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>) outs(%z : memref<4x4xf32, strided<[64, 1], offset: ?>>)
      } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
      memref.dealloc %tb : memref<16x16xf32, #ws>
      memref.dealloc %ta : memref<16x16xf32, #ws>
    }
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// 94 KiB of other shared memory in the block: two stages of the 2 KiB of
// tiles would pass 96 KiB (shared-bytes), so one stage (left alone).
// CHECK-LABEL: func.func @budget
// CHECK-NOT: memref.view
// CHECK-NOT: nvvm
#ws = #gpu.address_space<workgroup>
func.func @budget(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.forall (%i, %j) = (0, 0) to (64, 64) step (16, 16) {
    %big = memref.alloc() : memref<24064xf32, #ws>
    %ct = memref.subview %c[%i, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
    scf.for %k = %c0 to %c64 step %c16 {
      %as = memref.subview %a[%i, %k] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %bs = memref.subview %b[%k, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %as[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      %tb = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %bs[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %tb[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (4, 4) {
        %x = memref.subview %ta[%r, 0] [4, 16] [1, 1] : memref<16x16xf32, #ws> to memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>
        %y = memref.subview %tb[0, %q] [16, 4] [1, 1] : memref<16x16xf32, #ws> to memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>
        %z = memref.subview %ct[%r, %q] [4, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<4x4xf32, strided<[64, 1], offset: ?>>
        linalg.matmul ins(%x, %y : memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>, memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>) outs(%z : memref<4x4xf32, strided<[64, 1], offset: ?>>)
      } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
      memref.dealloc %tb : memref<16x16xf32, #ws>
      memref.dealloc %ta : memref<16x16xf32, #ws>
    }
    memref.dealloc %big : memref<24064xf32, #ws>
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// 92 KiB: two stages fit, not three.
// CHECK-LABEL: func.func @budget_two
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<2048xi8, #gpu.address_space<workgroup>>
// CHECK: nvvm.cp.async.wait.group 1
#ws = #gpu.address_space<workgroup>
func.func @budget_two(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.forall (%i, %j) = (0, 0) to (64, 64) step (16, 16) {
    %big = memref.alloc() : memref<23552xf32, #ws>
    %ct = memref.subview %c[%i, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
    scf.for %k = %c0 to %c64 step %c16 {
      %as = memref.subview %a[%i, %k] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %bs = memref.subview %b[%k, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %as[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      %tb = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %bs[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %tb[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #ws> to memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (4, 4) {
        %x = memref.subview %ta[%r, 0] [4, 16] [1, 1] : memref<16x16xf32, #ws> to memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>
        %y = memref.subview %tb[0, %q] [16, 4] [1, 1] : memref<16x16xf32, #ws> to memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>
        %z = memref.subview %ct[%r, %q] [4, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<4x4xf32, strided<[64, 1], offset: ?>>
        linalg.matmul ins(%x, %y : memref<4x16xf32, strided<[16, 1], offset: ?>, #ws>, memref<16x4xf32, strided<[16, 1], offset: ?>, #ws>) outs(%z : memref<4x4xf32, strided<[64, 1], offset: ?>>)
      } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
      memref.dealloc %tb : memref<16x16xf32, #ws>
      memref.dealloc %ta : memref<16x16xf32, #ws>
    }
    memref.dealloc %big : memref<23552xf32, #ws>
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// Rows of 48 bytes (12 f32: 3 units of 16 bytes, already odd) stay as
// they are, also with padded rows: 768 bytes a stage.
// PAD-LABEL: func.func @odd_rows
// PAD: %[[T:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2304xi8, #gpu.address_space<workgroup>>
// PAD: %[[V:.+]] = memref.view %[[T]][%{{.+}}][] : memref<2304xi8, #gpu.address_space<workgroup>> to memref<16x12xf32, #gpu.address_space<workgroup>>
// PAD: memref.subview %[[V]][%{{.+}}, %{{.+}}] [1, 4] [1, 1] : memref<16x12xf32, #gpu.address_space<workgroup>> to memref<1x4xf32, strided<[12, 1], offset: ?>, #gpu.address_space<workgroup>>
#ws = #gpu.address_space<workgroup>
func.func @odd_rows(%a: memref<16x48xf32>, %c: memref<16x12xf32>) {
  %c0 = arith.constant 0 : index
  %c12 = arith.constant 12 : index
  %c48 = arith.constant 48 : index
  scf.forall (%i) = (0) to (16) step (16) {
    scf.for %k = %c0 to %c48 step %c12 {
      %as = memref.subview %a[0, %k] [16, 12] [1, 1] : memref<16x48xf32> to memref<16x12xf32, strided<[48, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x12xf32, #ws>
      scf.forall (%r, %q) = (0, 0) to (16, 12) step (1, 4) {
        %src = memref.subview %as[%r, %q] [1, 4] [1, 1] : memref<16x12xf32, strided<[48, 1], offset: ?>> to memref<1x4xf32, strided<[48, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 4] [1, 1] : memref<16x12xf32, #ws> to memref<1x4xf32, strided<[12, 1], offset: ?>, #ws>
        linalg.copy ins(%src : memref<1x4xf32, strided<[48, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[12, 1], offset: ?>, #ws>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      scf.forall (%r) = (0) to (16) step (1) {
        %x = memref.subview %ta[%r, 0] [1, 12] [1, 1] : memref<16x12xf32, #ws> to memref<1x12xf32, strided<[12, 1], offset: ?>, #ws>
        %z = memref.subview %c[%r, 0] [1, 12] [1, 1] : memref<16x12xf32> to memref<1x12xf32, strided<[12, 1], offset: ?>>
        linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<1x12xf32, strided<[12, 1], offset: ?>, #ws>) outs(%z : memref<1x12xf32, strided<[12, 1], offset: ?>>) {
        ^bb0(%in: f32, %out: f32):
          %0 = arith.addf %in, %out : f32
          linalg.yield %0 : f32
        }
      } {mapping = [#gpu.thread<x>]}
      memref.dealloc %ta : memref<16x12xf32, #ws>
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A bitcast copy (bf16 tiles staged as f16 bits for the tensor cores): a
// plain bf16 copy into a bf16 view of the stage's bytes (cp.async copies
// bits of one type), the product reading an f16 view of the same bytes.
// CHECK-LABEL: func.func @bitcast
// CHECK: %[[T:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1536xi8, #gpu.address_space<workgroup>>
// CHECK: %[[BITS:.+]] = memref.view %[[T]][%{{.+}}][] : memref<1536xi8, #gpu.address_space<workgroup>> to memref<16x16xbf16, #gpu.address_space<workgroup>>
// CHECK: scf.forall
// CHECK: %[[TO:.+]] = memref.subview %[[BITS]]
// CHECK: linalg.copy {dlc.async_copy} ins(%{{.+}} : memref<1x8xbf16, strided<[64, 1], offset: ?>>) outs(%[[TO]] : memref<1x8xbf16, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>)
// CHECK-NOT: arith.bitcast
// CHECK: scf.for
// CHECK: %[[HALF:.+]] = memref.view %[[T]][%{{.+}}][] : memref<1536xi8, #gpu.address_space<workgroup>> to memref<16x16xf16, #gpu.address_space<workgroup>>
// CHECK: scf.if
// CHECK: memref.view %[[T]][%{{.+}}][] : memref<1536xi8, #gpu.address_space<workgroup>> to memref<16x16xbf16, #gpu.address_space<workgroup>>
// CHECK: linalg.copy {dlc.async_copy}
// CHECK: gpu.barrier
// CHECK: memref.subview %[[HALF]]
// CHECK: linalg.generic
// Padded: rows of 24 f16 (48 bytes), both views of each stage's bytes cut
// to the 16 x 16 tile.
// PAD-LABEL: func.func @bitcast
// PAD: %[[T:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2304xi8, #gpu.address_space<workgroup>>
// PAD: %[[BITS:.+]] = memref.view %[[T]][%{{.+}}][] : memref<2304xi8, #gpu.address_space<workgroup>> to memref<16x24xbf16, #gpu.address_space<workgroup>>
// PAD: %[[TILE:.+]] = memref.subview %[[BITS]][0, 0] [16, 16] [1, 1] : memref<16x24xbf16, #gpu.address_space<workgroup>> to memref<16x16xbf16, strided<[24, 1]>, #gpu.address_space<workgroup>>
// PAD: scf.forall
// PAD: %[[TO:.+]] = memref.subview %[[TILE]][
// PAD: linalg.copy {dlc.async_copy} ins(%{{.+}} : memref<1x8xbf16, strided<[64, 1], offset: ?>>) outs(%[[TO]] : memref<1x8xbf16, strided<[24, 1], offset: ?>, #gpu.address_space<workgroup>>)
// PAD: scf.for
// PAD: %[[HALF:.+]] = memref.view %[[T]][%{{.+}}][] : memref<2304xi8, #gpu.address_space<workgroup>> to memref<16x24xf16, #gpu.address_space<workgroup>>
// PAD: %[[HTILE:.+]] = memref.subview %[[HALF]][0, 0] [16, 16] [1, 1] : memref<16x24xf16, #gpu.address_space<workgroup>> to memref<16x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>>
// PAD: gpu.barrier
// PAD: memref.subview %[[HTILE]][%{{.+}}, 0] [1, 16] [1, 1] : memref<16x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>> to memref<1x16xf16, strided<[24, 1], offset: ?>, #gpu.address_space<workgroup>>
func.func @bitcast(%a: memref<16x64xbf16>, %c: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.forall (%i) = (0) to (16) step (16) {
    scf.for %k = %c0 to %c64 step %c16 {
      %as = memref.subview %a[0, %k] [16, 16] [1, 1] : memref<16x64xbf16> to memref<16x16xbf16, strided<[64, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x16xf16, #gpu.address_space<workgroup>>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 8) {
        %src = memref.subview %as[%r, %q] [1, 8] [1, 1] : memref<16x16xbf16, strided<[64, 1], offset: ?>> to memref<1x8xbf16, strided<[64, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 8] [1, 1] : memref<16x16xf16, #gpu.address_space<workgroup>> to memref<1x8xf16, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>
        linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%src : memref<1x8xbf16, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x8xf16, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>) {
        ^bb0(%in: bf16, %out: f16):
          %0 = arith.bitcast %in : bf16 to f16
          linalg.yield %0 : f16
        }
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      scf.forall (%r) = (0) to (16) step (1) {
        %x = memref.subview %ta[%r, 0] [1, 16] [1, 1] : memref<16x16xf16, #gpu.address_space<workgroup>> to memref<1x16xf16, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>
        %z = memref.subview %c[%r, 0] [1, 16] [1, 1] : memref<16x16xf16> to memref<1x16xf16, strided<[16, 1], offset: ?>>
        linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<1x16xf16, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>) outs(%z : memref<1x16xf16, strided<[16, 1], offset: ?>>) {
        ^bb0(%in: f16, %out: f16):
          %0 = arith.addf %in, %out : f16
          linalg.yield %0 : f16
        }
      } {mapping = [#gpu.thread<x>]}
      memref.dealloc %ta : memref<16x16xf16, #gpu.address_space<workgroup>>
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Left alone: a loop with a loop-carried value, and a buffer read before
// the forall that fills it (not a staged tile).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: memref.view
// CHECK-NOT: nvvm
func.func @left_alone(%a: memref<16x64xf32>, %c: memref<16x16xf32>) -> index {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %cst = arith.constant 0.0 : f32
  scf.forall (%i) = (0) to (16) step (16) {
    %n = scf.for %k = %c0 to %c64 step %c16 iter_args(%s = %c0) -> (index) {
      %as = memref.subview %a[0, %k] [16, 16] [1, 1] : memref<16x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #gpu.address_space<workgroup>>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %as[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #gpu.address_space<workgroup>> to memref<1x4xf32, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      linalg.copy ins(%ta : memref<16x16xf32, #gpu.address_space<workgroup>>) outs(%c : memref<16x16xf32>)
      memref.dealloc %ta : memref<16x16xf32, #gpu.address_space<workgroup>>
      %s1 = arith.addi %s, %c16 : index
      scf.yield %s1 : index
    }
    scf.for %k = %c0 to %c64 step %c16 {
      %as = memref.subview %a[0, %k] [16, 16] [1, 1] : memref<16x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
      %ta = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32, #gpu.address_space<workgroup>>
      memref.store %cst, %ta[%c0, %c0] : memref<16x16xf32, #gpu.address_space<workgroup>>
      scf.forall (%r, %q) = (0, 0) to (16, 16) step (1, 4) {
        %src = memref.subview %as[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, strided<[64, 1], offset: ?>> to memref<1x4xf32, strided<[64, 1], offset: ?>>
        %dst = memref.subview %ta[%r, %q] [1, 4] [1, 1] : memref<16x16xf32, #gpu.address_space<workgroup>> to memref<1x4xf32, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>
        linalg.copy ins(%src : memref<1x4xf32, strided<[64, 1], offset: ?>>) outs(%dst : memref<1x4xf32, strided<[16, 1], offset: ?>, #gpu.address_space<workgroup>>)
      } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
      linalg.copy ins(%ta : memref<16x16xf32, #gpu.address_space<workgroup>>) outs(%c : memref<16x16xf32>)
      memref.dealloc %ta : memref<16x16xf32, #gpu.address_space<workgroup>>
    }
  } {mapping = [#gpu.block<x>]}
  return %c0 : index
}
