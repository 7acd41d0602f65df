// RUN: dlc-opt %s --dlc-place-dynamic-shared-memory --split-input-file --verify-diagnostics | FileCheck %s

// A kernel's 32 KiB and 36 KiB (+ 8 bytes) shared buffers as views of its
// dynamic shared memory at offsets 0 and 32768 (16-byte boundaries), the
// launch asking for 69648 bytes; their deallocations gone.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[SIZE:.+]] = arith.constant 69648 : i32
// CHECK: gpu.launch {{.+}} dynamic_shared_memory_size %[[SIZE]]
// CHECK: %[[BYTES:.+]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C32768:.+]] = arith.constant 32768 : index
// CHECK-DAG: memref.view %[[BYTES]][%[[C0]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64x128xf32, #gpu.address_space<workgroup>>
// CHECK-DAG: memref.view %[[BYTES]][%[[C32768]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<36872xi8, #gpu.address_space<workgroup>>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK: gpu.terminator
func.func @dynamic(%out: memref<64x128xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %acc = memref.alloc() : memref<64x128xf32, #gpu.address_space<workgroup>>
    %tiles = memref.alloc() : memref<36872xi8, #gpu.address_space<workgroup>>
    %x0 = memref.load %acc[%c0, %c0] : memref<64x128xf32, #gpu.address_space<workgroup>>
    memref.store %x0, %out[%c0, %c0] : memref<64x128xf32>
    %b0 = memref.load %tiles[%c0] : memref<36872xi8, #gpu.address_space<workgroup>>
    memref.store %b0, %tiles[%c1] : memref<36872xi8, #gpu.address_space<workgroup>>
    memref.dealloc %tiles : memref<36872xi8, #gpu.address_space<workgroup>>
    memref.dealloc %acc : memref<64x128xf32, #gpu.address_space<workgroup>>
    gpu.terminator
  }
  return
}

// -----

// A kernel without shared allocations is left alone.
// CHECK-LABEL: func.func @none
// CHECK-NOT: dynamic_shared_memory
// CHECK: gpu.launch blocks
func.func @none(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    memref.store %f, %out[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// A launch that already has dynamic shared memory is an error.
func.func @already(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %size = arith.constant 16 : i32
  // expected-error @+1 {{dlc-place-dynamic-shared-memory: the kernel has dynamic shared memory already}}
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1)
             dynamic_shared_memory_size %size {
    %a = memref.alloc() : memref<4xf32, #gpu.address_space<workgroup>>
    %f = memref.load %a[%c0] : memref<4xf32, #gpu.address_space<workgroup>>
    memref.store %f, %out[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}
