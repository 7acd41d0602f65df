// RUN: dlc-opt %s --dlc-allocate-on-device | FileCheck %s

// Intermediates become device allocations; a constant buffer gets a device
// copy per call, freed before the return; kernel bodies are left alone.
// CHECK-LABEL: func @buffers
// CHECK: %[[G:.+]] = memref.get_global @table : memref<4xf32>
// CHECK-NEXT: %[[DG:.+]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT: gpu.memcpy %[[DG]], %[[G]] : memref<4xf32>, memref<4xf32>
// CHECK: %[[A:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.launch
// CHECK: memref.load %[[DG]]
// CHECK: memref.store {{.*}}, %[[A]]
// CHECK: gpu.dealloc %[[A]] : memref<4xf32>
// CHECK-NEXT: gpu.dealloc %[[DG]] : memref<4xf32>
// CHECK-NEXT: return
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @buffers(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %g = memref.get_global @table : memref<4xf32>
  %a = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %g[%tx] : memref<4xf32>
    memref.store %v, %a[%tx] : memref<4xf32>
    memref.store %v, %out[%tx] : memref<4xf32>
    gpu.terminator
  }
  memref.dealloc %a : memref<4xf32>
  return
}
