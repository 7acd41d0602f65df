// RUN: dlc-opt %s --split-input-file --dlc-plan-buffers | FileCheck %s

// Three buffers of 16 KiB, 4 KiB and 8 KiB: %a dies before %c is allocated,
// so %c takes %a's place; %b lives beside both. The arena holds 20 KiB, not
// 28, and is freed before the return.
// CHECK-LABEL: func @plan
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<20480xi8>
// CHECK: %[[OA:.+]] = arith.constant 0 : index
// CHECK: %[[A:.+]] = memref.view %[[ARENA]][%[[OA]]][] : memref<20480xi8> to memref<64x64xf32>
// CHECK: %[[OB:.+]] = arith.constant 16384 : index
// CHECK: %[[B:.+]] = memref.view %[[ARENA]][%[[OB]]][] : memref<20480xi8> to memref<1024xf32>
// CHECK: linalg.copy ins(%[[A]]
// CHECK: %[[OC:.+]] = arith.constant 0 : index
// CHECK: %[[C:.+]] = memref.view %[[ARENA]][%[[OC]]][] : memref<20480xi8> to memref<2048xf32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK-NOT: memref.alloc()
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
func.func @plan(%o1: memref<64x64xf32>, %o2: memref<2048xf32>, %o3: memref<1024xf32>) {
  %cst = arith.constant 1.0 : f32
  %a = memref.alloc() {alignment = 64 : i64} : memref<64x64xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  linalg.fill ins(%cst : f32) outs(%a : memref<64x64xf32>)
  linalg.fill ins(%cst : f32) outs(%b : memref<1024xf32>)
  linalg.copy ins(%a : memref<64x64xf32>) outs(%o1 : memref<64x64xf32>)
  memref.dealloc %a : memref<64x64xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<2048xf32>
  linalg.fill ins(%cst : f32) outs(%c : memref<2048xf32>)
  linalg.copy ins(%c : memref<2048xf32>) outs(%o2 : memref<2048xf32>)
  memref.dealloc %c : memref<2048xf32>
  linalg.copy ins(%b : memref<1024xf32>) outs(%o3 : memref<1024xf32>)
  memref.dealloc %b : memref<1024xf32>
  return
}

// -----

// Left alone: a buffer without a deallocation in the body, one handed to a
// call, and one allocated in a loop; with fewer than two buffers to plan,
// there is no arena.
func.func private @keep(memref<8xf32>)
// CHECK-LABEL: func @unplanned
// CHECK-NOT: memref.view
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc() : memref<16xf32>
// CHECK: memref.alloc() : memref<32xf32>
// CHECK: memref.alloc() : memref<4xf32>
// CHECK-NOT: memref.view
func.func @unplanned(%n: index) -> memref<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<16xf32>
  %c = memref.alloc() : memref<32xf32>
  func.call @keep(%a) : (memref<8xf32>) -> ()
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<4xf32>
    memref.dealloc %t : memref<4xf32>
  }
  memref.dealloc %c : memref<32xf32>
  memref.dealloc %a : memref<8xf32>
  return %b : memref<16xf32>
}
