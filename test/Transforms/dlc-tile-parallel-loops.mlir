// RUN: dlc-opt %s --split-input-file --dlc-tile-parallel-loops --cse | FileCheck %s

// A rank-4 loop (an NCHW elementwise op) as one dim of 2 * 3 * 5 * 7 = 210
// elements in blocks of 256 threads, the bound checked inside; the indices
// recovered from the linear one, the last dim varying fastest.
// CHECK-LABEL: func @rank4
// CHECK: %[[C7:.+]] = arith.constant 7 : index
// CHECK: %[[TOTAL:.+]] = arith.muli %{{.+}}, %[[C7]] : index
// CHECK: %[[C256:.+]] = arith.constant 256 : index
// CHECK: %[[STEP:.+]] = arith.muli %{{.+}}, %[[C256]] : index
// CHECK: scf.parallel (%[[B:.+]]) = (%{{.+}}) to (%[[TOTAL]]) step (%[[STEP]])
// CHECK:   scf.parallel (%[[T:.+]]) = (%{{.+}}) to (%[[STEP]]) step (%{{.+}})
// CHECK:     %[[I:.+]] = arith.addi %[[T]], %[[B]]
// CHECK:     %[[IN:.+]] = arith.cmpi ult, %{{.+}}, %[[TOTAL]]
// CHECK:     scf.if
// CHECK:       %[[W:.+]] = arith.remsi %[[I]], %[[C7]]
// CHECK:       memref.load %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %[[W]]]
// CHECK-NOT: scf.parallel
func.func @rank4(%x: memref<2x3x5x7xf32>, %y: memref<2x3x5x7xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  scf.parallel (%n, %c, %h, %w) = (%c0, %c0, %c0, %c0) to (%c2, %c3, %c5, %c7) step (%c1, %c1, %c1, %c1) {
    %v = memref.load %x[%n, %c, %h, %w] : memref<2x3x5x7xf32>
    %r = arith.negf %v : f32
    memref.store %r, %y[%n, %c, %h, %w] : memref<2x3x5x7xf32>
    scf.reduce
  }
  return
}

// -----

// A loop with serial reduction loops inside (a thread per output) keeps
// them, each thread's sum in a register (loaded before the loop, stored
// after it, not a load and store of memory each step); a 1-D loop is tiled
// by 256 as it is.
// CHECK-LABEL: func @rows_then_vector
// CHECK: scf.parallel (%{{.+}}) = (%{{.+}}) to (%{{.+}}) step (%{{.+}})
// CHECK:   scf.parallel (%{{.+}}) = (%{{.+}}) to (%{{.+}}) step (%{{.+}})
// CHECK:     scf.if
// CHECK:       arith.remsi %{{.+}}, %{{.+}} : index
// CHECK:       %[[INIT:.+]] = memref.load %[[S:.+]][%[[I:.+]], %[[J:.+]]] : memref<4x64xf32>
// CHECK:       %[[SUM:.+]] = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[INIT]]) -> (f32)
// CHECK-NEXT:    memref.load %{{.+}} : memref<4x64x9xf32>
// CHECK-NEXT:    %[[NEXT:.+]] = arith.addf %{{.+}}, %[[ACC]]
// CHECK-NEXT:    scf.yield %[[NEXT]] : f32
// CHECK:       memref.store %[[SUM]], %[[S]][%[[I]], %[[J]]] : memref<4x64xf32>
// CHECK: scf.parallel (%{{.+}}) = (%{{.+}}) to (%{{.+}}) step (%{{.+}})
// CHECK:   scf.parallel (%{{.+}}) = (%{{.+}}) to (%{{.+}}) step (%{{.+}})
// CHECK-NOT: arith.remsi
// CHECK:     memref.load %{{.+}}[%{{.+}}] : memref<1000xf32>
func.func @rows_then_vector(%x: memref<4x64x9xf32>, %s: memref<4x64xf32>, %v: memref<1000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c9 = arith.constant 9 : index
  %c64 = arith.constant 64 : index
  %c1000 = arith.constant 1000 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c64) step (%c1, %c1) {
    scf.for %k = %c0 to %c9 step %c1 {
      %a = memref.load %x[%i, %j, %k] : memref<4x64x9xf32>
      %b = memref.load %s[%i, %j] : memref<4x64xf32>
      %c = arith.addf %a, %b : f32
      memref.store %c, %s[%i, %j] : memref<4x64xf32>
    }
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c1000) step (%c1) {
    %a = memref.load %v[%i] : memref<1000xf32>
    %b = arith.addf %a, %a : f32
    memref.store %b, %v[%i] : memref<1000xf32>
    scf.reduce
  }
  return
}

// -----

// Dynamic bounds: 8 x 32 tiles on the leading dims, as upstream's
// scf-parallel-loop-tiling{8, 32}.
// CHECK-LABEL: func @dynamic
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[C32:.+]] = arith.constant 32 : index
// CHECK: %[[S8:.+]] = arith.muli %{{.+}}, %[[C8]] : index
// CHECK: %[[S32:.+]] = arith.muli %{{.+}}, %[[C32]] : index
// CHECK: scf.parallel (%{{.+}}, %{{.+}}) = (%{{.+}}, %{{.+}}) to (%{{.+}}, %{{.+}}) step (%[[S8]], %[[S32]])
func.func @dynamic(%x: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%m, %n) step (%c1, %c1) {
    %a = memref.load %x[%i, %j] : memref<?x?xf32>
    %b = arith.addf %a, %a : f32
    memref.store %b, %x[%i, %j] : memref<?x?xf32>
    scf.reduce
  }
  return
}

// -----

// A nest of two reduction loops (a window's rows and columns) carries the
// sum out of both. Left in memory: a loop that also reads other elements
// of the output, and one that stores twice.
// CHECK-LABEL: func @reduction_nests
// CHECK: %[[INIT:.+]] = memref.load %{{.+}} : memref<8xf32>
// CHECK: %[[OUTER:.+]] = scf.for {{.+}} iter_args(%[[A:.+]] = %[[INIT]]) -> (f32)
// CHECK:   %[[INNER:.+]] = scf.for {{.+}} iter_args(%[[B:.+]] = %[[A]]) -> (f32)
// CHECK:     arith.addf %{{.+}}, %[[B]]
// CHECK:   scf.yield %[[INNER]]
// CHECK: memref.store %[[OUTER]], %{{.+}} : memref<8xf32>
// CHECK: scf.for
// CHECK-NOT: iter_args
// CHECK:   memref.load %{{.+}} : memref<8x8xf32>
// CHECK:   memref.store %{{.+}} : memref<8x8xf32>
// CHECK: scf.for
// CHECK-NOT: iter_args
// CHECK:   memref.store %{{.+}} : memref<8xf32>
// CHECK:   memref.store %{{.+}} : memref<8xf32>
func.func @reduction_nests(%x: memref<8x3x3xf32>, %s: memref<8xf32>, %t: memref<8x8xf32>, %u: memref<8xf32>, %v: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    scf.for %r = %c0 to %c3 step %c1 {
      scf.for %q = %c0 to %c3 step %c1 {
        %a = memref.load %x[%i, %r, %q] : memref<8x3x3xf32>
        %b = memref.load %s[%i] : memref<8xf32>
        %c = arith.addf %a, %b : f32
        memref.store %c, %s[%i] : memref<8xf32>
      }
    }
    scf.for %k = %c0 to %c8 step %c1 {
      %a = memref.load %t[%k, %i] : memref<8x8xf32>
      %b = memref.load %t[%i, %i] : memref<8x8xf32>
      %c = arith.addf %a, %b : f32
      memref.store %c, %t[%i, %i] : memref<8x8xf32>
    }
    scf.for %k = %c0 to %c8 step %c1 {
      %b = memref.load %u[%i] : memref<8xf32>
      %c = arith.addf %b, %b : f32
      memref.store %c, %u[%i] : memref<8xf32>
      memref.store %c, %v[%i] : memref<8xf32>
    }
    scf.reduce
  }
  return
}
