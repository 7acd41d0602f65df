// RUN: dlc-opt %s --split-input-file --dlc-add-unit-parallel-loop | FileCheck %s

// A full reduction (rank-0 result) gets a leading unit parallel loop over a
// [1] view of its output.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @full_reduction
// CHECK-SAME: (%[[X:.+]]: memref<8xf32>, %[[S:.+]]: memref<f32>)
// CHECK: %[[V:.+]] = memref.expand_shape %[[S]] [] output_shape [1] : memref<f32> into memref<1xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : memref<8xf32>) outs(%[[V]] : memref<1xf32>)
func.func @full_reduction(%x: memref<8xf32>, %s: memref<f32>) {
  linalg.reduce ins(%x : memref<8xf32>) outs(%s : memref<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %0 = arith.addf %in, %acc : f32
      linalg.yield %0 : f32
    }
  return
}

// -----

// Several outputs (argmax's value and index) each get the unit dimension;
// linalg.index shifts with the loops.
// CHECK-LABEL: func @argmax
// CHECK: %[[V:.+]] = memref.expand_shape %{{.+}} [] output_shape [1] : memref<f32> into memref<1xf32>
// CHECK: %[[I:.+]] = memref.expand_shape %{{.+}} [] output_shape [1] : memref<i64> into memref<1xi64>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.+}} : memref<8xf32>) outs(%[[V]], %[[I]] : memref<1xf32>, memref<1xi64>)
// CHECK: linalg.index 1 : index
func.func @argmax(%x: memref<8xf32>, %v: memref<f32>, %i: memref<i64>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%x : memref<8xf32>) outs(%v, %i : memref<f32>, memref<i64>) {
  ^bb0(%in: f32, %best: f32, %at: i64):
    %k = linalg.index 0 : index
    %ki = arith.index_cast %k : index to i64
    %gt = arith.cmpf ogt, %in, %best : f32
    %nv = arith.select %gt, %in, %best : f32
    %ni = arith.select %gt, %ki, %at : i64
    linalg.yield %nv, %ni : f32, i64
  }
  return
}

// -----

// A host loop around linalg ops that reads memory itself (an index, as
// scatter_add's loop does) becomes one sequential kernel: its ops are
// lowered to scf.for loops inside a one-iteration scf.parallel. Ops with a
// parallel loop are left alone.
// CHECK-LABEL: func @ordered_loop
// CHECK: linalg.fill
// CHECK: scf.parallel (%{{.+}}) = (%c0{{(_[0-9]+)?}}) to (%c1{{(_[0-9]+)?}}) step (%c1{{(_[0-9]+)?}}) {
// CHECK-NEXT: scf.for
// CHECK-NOT: linalg.
// CHECK: memref.store
func.func @ordered_loop(%x: memref<5xf32>, %index: memref<5xindex>, %acc: memref<f32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c5 = arith.constant 5 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<4xf32>)
  scf.for %i = %c0 to %c5 step %c1 {
    %j = memref.load %index[%i] : memref<5xindex>
    %s = memref.subview %x[%j] [1] [1] : memref<5xf32> to memref<f32, strided<[], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
        ins(%s : memref<f32, strided<[], offset: ?>>) outs(%acc : memref<f32>) {
    ^bb0(%in: f32, %a: f32):
      %0 = arith.addf %in, %a : f32
      linalg.yield %0 : f32
    }
  }
  return
}

// -----

// A host loop around linalg ops alone (the convolution's loop over chunks of
// images) stays on the host: its ops become kernels launched at each
// iteration (in order on the call's stream).
// CHECK-LABEL: func @host_loop
// CHECK: scf.for
// CHECK-NOT: scf.parallel
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
func.func @host_loop(%x: memref<8x4xf32>, %out: memref<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c8 step %c2 {
    %s = memref.subview %x[%i, 0] [2, 4] [1, 1] : memref<8x4xf32> to memref<2x4xf32, strided<[4, 1], offset: ?>>
    %o = memref.subview %out[%i, 0] [2, 4] [1, 1] : memref<8x4xf32> to memref<2x4xf32, strided<[4, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%s : memref<2x4xf32, strided<[4, 1], offset: ?>>) outs(%o : memref<2x4xf32, strided<[4, 1], offset: ?>>) {
    ^bb0(%in: f32, %a: f32):
      %0 = arith.mulf %in, %in : f32
      linalg.yield %0 : f32
    }
  }
  return
}

// -----

// A reduction over leading dims (the bias gradient of an NCHW activation)
// gets its parallel loop first, each output's reduction loops in their order
// after it (linalg.index renumbered): the parallel-loop route would leave a
// leading reduction loop on the host, launching a kernel per iteration.
// CHECK-DAG: #[[$X:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>
// CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func @leading_reduction
// CHECK: linalg.generic {indexing_maps = [#[[$X]], #[[$C]]], iterator_types = ["parallel", "reduction", "reduction", "reduction"]}
// CHECK: linalg.index 1 : index
// CHECK: linalg.index 3 : index
func.func @leading_reduction(%x: memref<4x8x2x2xf32>, %c: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (c)>],
                  iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%x : memref<4x8x2x2xf32>) outs(%c : memref<8xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %n = linalg.index 0 : index
    %w = linalg.index 3 : index
    %first = arith.cmpi eq, %n, %w : index
    %s = arith.addf %in, %acc : f32
    %r = arith.select %first, %in, %s : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A named reduction over the batch ([N, C] -> [C]) is generalized first;
// reductions already after their parallel loops (a row sum) stay as they are.
// CHECK-DAG: #[[$T:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func @batch_sum
// CHECK: linalg.generic {indexing_maps = [#[[$T]], #{{.+}}], iterator_types = ["parallel", "reduction"]} ins(%{{.+}} : memref<16x10xf32>)
// CHECK: linalg.reduce ins(%{{.+}} : memref<10x16xf32>) outs(%{{.+}} : memref<10xf32>) dimensions = [1]
func.func @batch_sum(%g: memref<16x10xf32>, %b: memref<10xf32>, %r: memref<10x16xf32>, %s: memref<10xf32>) {
  linalg.reduce ins(%g : memref<16x10xf32>) outs(%b : memref<10xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %0 = arith.addf %in, %acc : f32
      linalg.yield %0 : f32
    }
  linalg.reduce ins(%r : memref<10x16xf32>) outs(%s : memref<10xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %0 = arith.addf %in, %acc : f32
      linalg.yield %0 : f32
    }
  return
}

// -----

// An ordered loop whose linalg ops are elementwise over whole rows
// (scatter_add's row update: the table row an index picks, plus the
// update's row, through a temporary) runs once per row element: a parallel
// loop over the 128 elements, each running the index loop for its element,
// the temporary allocated once outside.
// CHECK-LABEL: func @ordered_rows
// CHECK: %[[TMP:.+]] = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
// CHECK: scf.parallel (%[[J:.+]]) = (%{{.+}}) to (%{{.+}}) step (%{{.+}}) {
// CHECK: scf.for %[[I:.+]] =
// CHECK: %[[R:.+]] = memref.load %arg1[%[[I]]] : memref<64xindex>
// CHECK: scf.if
// CHECK-DAG: %[[U:.+]] = memref.subview %arg0[%[[I]], 0] [1, 128] [1, 1]
// CHECK-DAG: %[[T:.+]] = memref.subview %arg2[%[[R]], 0] [1, 128] [1, 1]
// CHECK: %[[A:.+]] = memref.load %[[T]][%[[J]]]
// CHECK: %[[B:.+]] = memref.load %[[U]][%[[J]]]
// CHECK: %[[S:.+]] = arith.addf %[[A]], %[[B]] : f32
// CHECK: memref.store %[[S]], %[[TMP]][%[[J]]]
// CHECK: %[[C:.+]] = memref.load %[[TMP]][%[[J]]]
// CHECK: memref.store %[[C]], %[[T]][%[[J]]]
// CHECK-NOT: linalg.
// CHECK: scf.reduce
// CHECK: memref.dealloc %[[TMP]]
func.func @ordered_rows(%u: memref<64x128xf32>, %index: memref<64xindex>, %table: memref<100x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c100 = arith.constant 100 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %r = memref.load %index[%i] : memref<64xindex>
    %in = arith.cmpi ult, %r, %c100 : index
    scf.if %in {
      %ur = memref.subview %u[%i, 0] [1, 128] [1, 1] : memref<64x128xf32> to memref<128xf32, strided<[1], offset: ?>>
      %tr = memref.subview %table[%r, 0] [1, 128] [1, 1] : memref<100x128xf32> to memref<128xf32, strided<[1], offset: ?>>
      %tmp = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
      linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
          ins(%tr, %ur : memref<128xf32, strided<[1], offset: ?>>, memref<128xf32, strided<[1], offset: ?>>) outs(%tmp : memref<128xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %s = arith.addf %a, %b : f32
        linalg.yield %s : f32
      }
      linalg.copy ins(%tmp : memref<128xf32>) outs(%tr : memref<128xf32, strided<[1], offset: ?>>)
      memref.dealloc %tmp : memref<128xf32>
    }
  }
  return
}

// -----

// A row view that does not start at column 0 (element j of the view is
// element j + k of the table row, for a k read in the loop: threads would
// meet) keeps the loop one sequential kernel.
// CHECK-LABEL: func @ordered_shifted_rows
// CHECK: scf.parallel (%{{.+}}) = (%c0{{(_[0-9]+)?}}) to (%c1{{(_[0-9]+)?}}) step (%c1{{(_[0-9]+)?}}) {
// CHECK-NEXT: scf.for
func.func @ordered_shifted_rows(%u: memref<64x64xf32>, %index: memref<64xindex>, %table: memref<100x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %k = memref.load %index[%i] : memref<64xindex>
    %ur = memref.subview %u[%i, 0] [1, 64] [1, 1] : memref<64x64xf32> to memref<64xf32, strided<[1], offset: ?>>
    %tr = memref.subview %table[%i, %k] [1, 64] [1, 1] : memref<100x128xf32> to memref<64xf32, strided<[1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%ur : memref<64xf32, strided<[1], offset: ?>>) outs(%tr : memref<64xf32, strided<[1], offset: ?>>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.addf %a, %o : f32
      linalg.yield %s : f32
    }
  }
  return
}

// -----

// An ordered loop that also reads, as a scalar, the buffer its row updates
// write (here to pick the next row) stays one sequential kernel: a thread
// per element would read an element another thread may not have written.
// CHECK-LABEL: func @ordered_reads_written
// CHECK: scf.parallel (%{{.+}}) = (%c0{{(_[0-9]+)?}}) to (%c1{{(_[0-9]+)?}}) step (%c1{{(_[0-9]+)?}}) {
// CHECK-NEXT: scf.for
func.func @ordered_reads_written(%u: memref<64x128xf32>, %table: memref<100x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %table[%i, %c0] : memref<100x128xf32>
    %r = arith.fptosi %v : f32 to i32
    %ri = arith.index_cast %r : i32 to index
    %ur = memref.subview %u[%i, 0] [1, 128] [1, 1] : memref<64x128xf32> to memref<128xf32, strided<[1], offset: ?>>
    %tr = memref.subview %table[%ri, 0] [1, 128] [1, 1] : memref<100x128xf32> to memref<128xf32, strided<[1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%ur : memref<128xf32, strided<[1], offset: ?>>) outs(%tr : memref<128xf32, strided<[1], offset: ?>>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.addf %a, %o : f32
      linalg.yield %s : f32
    }
  }
  return
}
