// RUN: dlc-opt %s --dlc-place-shared-memory --split-input-file --verify-diagnostics | FileCheck %s

// Two buffers live together (a 32 KiB and a 36 KiB + 8 bytes one): views of
// the kernel's dynamic shared memory, the larger first at offset 0, the
// other at the next 16-byte boundary (36880); the launch asks for 69648
// bytes; their deallocations gone, and with them the barrier before the
// kernel's end.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[SIZE:.+]] = arith.constant 69648 : i32
// CHECK: gpu.launch {{.+}} dynamic_shared_memory_size %[[SIZE]]
// CHECK: %[[BYTES:.+]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C36880:.+]] = arith.constant 36880 : index
// CHECK-DAG: memref.view %[[BYTES]][%[[C36880]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64x128xf32, #gpu.address_space<workgroup>>
// CHECK-DAG: memref.view %[[BYTES]][%[[C0]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<36872xi8, #gpu.address_space<workgroup>>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK-NOT: gpu.barrier
// CHECK: gpu.terminator
func.func @dynamic(%out: memref<64x128xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %acc = memref.alloc() : memref<64x128xf32, #gpu.address_space<workgroup>>
    %tiles = memref.alloc() : memref<36872xi8, #gpu.address_space<workgroup>>
    %b0 = memref.load %tiles[%c0] : memref<36872xi8, #gpu.address_space<workgroup>>
    %x0 = memref.load %acc[%c0, %c0] : memref<64x128xf32, #gpu.address_space<workgroup>>
    memref.store %x0, %out[%c0, %c0] : memref<64x128xf32>
    memref.store %b0, %tiles[%c1] : memref<36872xi8, #gpu.address_space<workgroup>>
    gpu.barrier
    memref.dealloc %tiles : memref<36872xi8, #gpu.address_space<workgroup>>
    memref.dealloc %acc : memref<64x128xf32, #gpu.address_space<workgroup>>
    gpu.terminator
  }
  return
}

// -----

// A GEMM block's shape: stages of A (cp.async targets) used up to the end
// of the K loop, then an accumulator tile written back and read by the
// consumer. They are never live together: both at offset 0 of one 32 KiB
// workgroup global (static shared memory), and before the tile's first
// write a wait for every cp.async group and a barrier (the K loop's last
// step may still be reading the stages in other warps). A small buffer
// live with both (a row of partials) goes after the larger one.
// CHECK: memref.global "private" @__dlc_shared : memref<32832xi8, #gpu.address_space<workgroup>> {alignment = 16 : i64}
// CHECK-LABEL: func.func @reuse
// CHECK: gpu.launch
// CHECK: %[[BYTES:.+]] = memref.get_global @__dlc_shared : memref<32832xi8, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C32768:.+]] = arith.constant 32768 : index
// CHECK-DAG: %[[STAGES:.+]] = memref.view %[[BYTES]][%[[C0]]][] : memref<32832xi8, #gpu.address_space<workgroup>> to memref<24576xi8, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[TILE:.+]] = memref.view %[[BYTES]][%[[C0]]][] : memref<32832xi8, #gpu.address_space<workgroup>> to memref<64x128xf32, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[ROW:.+]] = memref.view %[[BYTES]][%[[C32768]]][] : memref<32832xi8, #gpu.address_space<workgroup>> to memref<16xf32, #gpu.address_space<workgroup>>
// CHECK: %[[STAGE:.+]] = memref.view %[[STAGES]][%{{.+}}][] : memref<24576xi8, #gpu.address_space<workgroup>> to memref<1024xf32, #gpu.address_space<workgroup>>
// CHECK: nvgpu.device_async_copy
// CHECK: scf.for
// CHECK:   nvgpu.device_async_copy
// CHECK:   memref.load %[[STAGE]]
// CHECK:   gpu.barrier
// CHECK: }
// CHECK-NEXT: memref.load
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: memref.store %{{.+}}, %[[TILE]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[TILE]]
// CHECK-NOT: gpu.dynamic_shared_memory
// CHECK-NOT: memref.alloc
func.func @reuse(%a: memref<1024xf32>, %out: memref<64x128xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %row = memref.alloc() : memref<16xf32, #gpu.address_space<workgroup>>
    %tile = memref.alloc() : memref<64x128xf32, #gpu.address_space<workgroup>>
    %stages = memref.alloc() : memref<24576xi8, #gpu.address_space<workgroup>>
    %stage = memref.view %stages[%c0][] : memref<24576xi8, #gpu.address_space<workgroup>> to memref<1024xf32, #gpu.address_space<workgroup>>
    %first = nvgpu.device_async_copy %a[%c0], %stage[%c0], 4 : memref<1024xf32> to memref<1024xf32, #gpu.address_space<workgroup>>
    %sum = scf.for %k = %c0 to %c4 step %c1 iter_args(%s = %first) -> (!nvgpu.device.async.token) {
      %next = nvgpu.device_async_copy %a[%k], %stage[%k], 4 : memref<1024xf32> to memref<1024xf32, #gpu.address_space<workgroup>>
      %e = memref.load %stage[%k] : memref<1024xf32, #gpu.address_space<workgroup>>
      memref.store %e, %row[%k] : memref<16xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      scf.yield %next : !nvgpu.device.async.token
    }
    %r = memref.load %row[%c0] : memref<16xf32, #gpu.address_space<workgroup>>
    memref.store %r, %tile[%c0, %c0] : memref<64x128xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %t = memref.load %tile[%c1, %c1] : memref<64x128xf32, #gpu.address_space<workgroup>>
    memref.store %t, %out[%c0, %c0] : memref<64x128xf32>
    %r2 = memref.load %row[%c1] : memref<16xf32, #gpu.address_space<workgroup>>
    memref.store %r2, %out[%c1, %c1] : memref<64x128xf32>
    memref.dealloc %stages : memref<24576xi8, #gpu.address_space<workgroup>>
    memref.dealloc %tile : memref<64x128xf32, #gpu.address_space<workgroup>>
    memref.dealloc %row : memref<16xf32, #gpu.address_space<workgroup>>
    gpu.terminator
  }
  return
}

// -----

// Buffers used one after the other with a barrier between them already
// (and no cp.async): they share offset 0 and get no other barrier. Taking
// a view of the second early does not make it live early.
// CHECK-LABEL: func.func @ordered
// CHECK: memref.get_global @__dlc_shared{{.*}} : memref<4096xi8, #gpu.address_space<workgroup>>
// CHECK: memref.store
// CHECK: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: gpu.terminator
func.func @ordered(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %a = memref.alloc() : memref<1024xf32, #gpu.address_space<workgroup>>
    %b = memref.alloc() : memref<1024xf32, #gpu.address_space<workgroup>>
    %bv = memref.subview %b[4] [4] [1] : memref<1024xf32, #gpu.address_space<workgroup>> to memref<4xf32, strided<[1], offset: 4>, #gpu.address_space<workgroup>>
    memref.store %f, %a[%c0] : memref<1024xf32, #gpu.address_space<workgroup>>
    %x0 = memref.load %a[%c1] : memref<1024xf32, #gpu.address_space<workgroup>>
    memref.store %x0, %out[%c0] : memref<4xf32>
    gpu.barrier
    memref.store %f, %bv[%c0] : memref<4xf32, strided<[1], offset: 4>, #gpu.address_space<workgroup>>
    %x1 = memref.load %b[%c1] : memref<1024xf32, #gpu.address_space<workgroup>>
    memref.store %x1, %out[%c1] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// A kernel without shared allocations is left alone.
// CHECK-LABEL: func.func @none
// CHECK-NOT: dynamic_shared_memory
// CHECK-NOT: memref.global
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
  // expected-error @+1 {{dlc-place-shared-memory: the kernel has dynamic shared memory already}}
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

// -----

func.func @dynamic_size(%out: memref<4xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    // expected-error @+1 {{dlc-place-shared-memory: shared memory of dynamic size}}
    %a = memref.alloc(%n) : memref<?xf32, #gpu.address_space<workgroup>>
    %f = memref.load %a[%c0] : memref<?xf32, #gpu.address_space<workgroup>>
    memref.store %f, %out[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @outside(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{dlc-place-shared-memory: shared memory outside a kernel}}
  %a = memref.alloc() : memref<4xf32, #gpu.address_space<workgroup>>
  %f = memref.load %a[%c0] : memref<4xf32, #gpu.address_space<workgroup>>
  memref.store %f, %out[%c0] : memref<4xf32>
  return
}

// -----

// A row statistic meant for the block, in global memory: each thread's own.
func.func @global_in_kernel(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    // expected-error @+1 {{dlc-place-shared-memory: a global-memory buffer allocated inside a kernel (each thread would allocate its own)}}
    %a = memref.alloc() : memref<2xf32>
    %f = memref.load %a[%c0] : memref<2xf32>
    memref.store %f, %out[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// i1 elements take a byte each, as the LLVM lowering stores them: two
// buffers of 1000 i1 live together take 1008 bytes each (16-byte aligned),
// 2016 in all (at bit width / 8 they were 128 bytes apart, overlapping).
// CHECK-LABEL: func.func @booleans
// CHECK: %[[ARRAY:.+]] = memref.get_global @{{.+}} : memref<2016xi8, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[C1008:.+]] = arith.constant 1008 : index
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: memref.view %[[ARRAY]][%[[C0]]][] : memref<2016xi8, #gpu.address_space<workgroup>> to memref<1000xi1, #gpu.address_space<workgroup>>
// CHECK-DAG: memref.view %[[ARRAY]][%[[C1008]]][] : memref<2016xi8, #gpu.address_space<workgroup>> to memref<1000xi1, #gpu.address_space<workgroup>>
func.func @booleans(%out: memref<2xi1>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %a = memref.alloc() : memref<1000xi1, #gpu.address_space<workgroup>>
    %b = memref.alloc() : memref<1000xi1, #gpu.address_space<workgroup>>
    %x0 = memref.load %a[%c0] : memref<1000xi1, #gpu.address_space<workgroup>>
    %x1 = memref.load %b[%c0] : memref<1000xi1, #gpu.address_space<workgroup>>
    memref.store %x1, %a[%c1] : memref<1000xi1, #gpu.address_space<workgroup>>
    memref.store %x0, %out[%c0] : memref<2xi1>
    memref.dealloc %a : memref<1000xi1, #gpu.address_space<workgroup>>
    memref.dealloc %b : memref<1000xi1, #gpu.address_space<workgroup>>
    gpu.terminator
  }
  return
}
