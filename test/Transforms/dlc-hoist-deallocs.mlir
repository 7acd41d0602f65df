// RUN: dlc-opt %s --split-input-file --dlc-hoist-deallocs | FileCheck %s

// Each buffer is freed right after the last op that uses it or a view of it
// (a subview, a reshape), including uses nested in a loop: the second buffer
// can then reuse the first one's memory.
// CHECK-LABEL: func @after_last_use
// CHECK: %[[A:.+]] = memref.alloc() : memref<64x64xf32>
// CHECK: linalg.fill {{.*}} outs(%[[A]]
// CHECK: %[[V:.+]] = memref.collapse_shape %[[A]]
// CHECK: %[[S:.+]] = memref.subview %[[V]]
// CHECK: scf.for
// CHECK:   linalg.copy ins(%[[S]]
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: %[[B:.+]] = memref.alloc() : memref<64x64xf32>
// CHECK: linalg.copy ins(%[[B]]
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: return
func.func @after_last_use(%out: memref<16xf32>, %out2: memref<64x64xf32>) {
  %cst = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<64x64xf32>
  linalg.fill ins(%cst : f32) outs(%a : memref<64x64xf32>)
  %v = memref.collapse_shape %a [[0, 1]] : memref<64x64xf32> into memref<4096xf32>
  %s = memref.subview %v[0] [16] [1] : memref<4096xf32> to memref<16xf32, strided<[1]>>
  scf.for %i = %c0 to %c4 step %c1 {
    linalg.copy ins(%s : memref<16xf32, strided<[1]>>) outs(%out : memref<16xf32>)
  }
  %b = memref.alloc() : memref<64x64xf32>
  linalg.fill ins(%cst : f32) outs(%b : memref<64x64xf32>)
  linalg.copy ins(%b : memref<64x64xf32>) outs(%out2 : memref<64x64xf32>)
  memref.dealloc %a : memref<64x64xf32>
  memref.dealloc %b : memref<64x64xf32>
  return
}

// -----

// A buffer handed to a call (which may keep an alias) keeps its deallocation
// where it was.
func.func private @keep(memref<8xf32>)
// CHECK-LABEL: func @escapes
// CHECK: %[[A:.+]] = memref.alloc()
// CHECK: call @keep(%[[A]])
// CHECK-NEXT: arith.constant
// CHECK-NEXT: memref.dealloc %[[A]]
func.func @escapes() {
  %a = memref.alloc() : memref<8xf32>
  func.call @keep(%a) : (memref<8xf32>) -> ()
  %c = arith.constant 0 : index
  memref.dealloc %a : memref<8xf32>
  return
}

// -----

// A deallocation in another block than its allocation stays where it is.
// CHECK-LABEL: func @other_block
// CHECK: scf.for
// CHECK:   linalg.fill
// CHECK-NEXT: arith.constant
// CHECK-NEXT: memref.dealloc
func.func @other_block(%a: memref<8xf32>) {
  %cst = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = memref.alloc() : memref<8xf32>
  scf.for %i = %c0 to %c1 step %c1 {
    linalg.fill ins(%cst : f32) outs(%b : memref<8xf32>)
    %c = arith.constant 0 : index
    memref.dealloc %b : memref<8xf32>
  }
  return
}
