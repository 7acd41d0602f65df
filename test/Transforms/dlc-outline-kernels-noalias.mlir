// RUN: dlc-opt %s --dlc-outline-kernels | FileCheck %s
// RUN: dlc-opt %s --dlc-outline-kernels --convert-gpu-to-nvvm \
// RUN:   --dlc-apply-kernel-noalias | FileCheck %s --check-prefix=LLVM

// Which buffers of a kernel are marked noalias: those it only reads and that
// no buffer it writes can overlap at its launch (another allocation or
// another argument of a public function), as the positions of their
// aligned pointers in the kernel's LLVM signature (a 1-D memref is 5
// arguments: allocated and aligned pointer, offset, size, stride).

// %a read, %b written: %a (its aligned pointer: argument 1).
// CHECK-LABEL: gpu.func @reads_one_writes_other_kernel
// CHECK-SAME: (%{{.*}}: memref<4xf32> {dlc.read_only}, %{{.*}}: memref<4xf32>)
// CHECK-SAME: dlc.noalias_args = array<i64: 1>
// LLVM-LABEL: llvm.func @reads_one_writes_other_kernel
// LLVM-SAME: (%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %
// LLVM-NOT: dlc.noalias_args
func.func @reads_one_writes_other(%a: memref<4xf32>, %b: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<4xf32>
    memref.store %v, %b[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

// %a updated in place: not marked; %c only read: marked (argument 6,
// after %a's 5); the scalar %s takes one argument.
// CHECK-LABEL: gpu.func @in_place_kernel
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32> {dlc.read_only}, %{{.*}}: f32)
// CHECK-SAME: dlc.noalias_args = array<i64: 6>
func.func @in_place(%a: memref<4xf32>, %c: memref<4xf32>, %s: f32) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<4xf32>
    %w = memref.load %c[%tx] : memref<4xf32>
    %x = arith.addf %v, %w : f32
    %y = arith.mulf %x, %s : f32
    memref.store %y, %a[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

// Two views of one allocation, one read and one written: nothing marked;
// a read of another allocation, checked for alignment (an integer that
// becomes no pointer), marked (argument 1).
// CHECK-LABEL: gpu.module @views_of_one_buffer_kernel
// CHECK: gpu.func @views_of_one_buffer_kernel
// CHECK-SAME: dlc.noalias_args = array<i64: 1>
// CHECK-LABEL: gpu.module @views_of_one_buffer_kernel_0
// CHECK-NOT: dlc.noalias_args
// CHECK: gpu.return
func.func @views_of_one_buffer(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c0 = arith.constant 0 : index
  %buffer = memref.alloc() : memref<8xf32>
  %other = memref.alloc() : memref<4xf32>
  %low = memref.subview %buffer[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  %high = memref.subview %buffer[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %pointer = memref.extract_aligned_pointer_as_index %other : memref<4xf32> -> index
    %rem = arith.remui %pointer, %c16 : index
    %aligned = arith.cmpi eq, %rem, %c0 : index
    scf.if %aligned {
      %v = memref.load %other[%tx] : memref<4xf32>
      memref.store %v, %out[%tx] : memref<4xf32>
    }
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %low[%tx] : memref<4xf32, strided<[1]>>
    memref.store %v, %high[%tx] : memref<4xf32, strided<[1], offset: 4>>
    gpu.terminator
  }
  memref.dealloc %buffer : memref<8xf32>
  memref.dealloc %other : memref<4xf32>
  return
}

// Arguments of a private function, or of a public one that the module
// calls, may be views of one buffer (its caller decides): nothing marked.
// A pointer taken from a buffer that may be written through: nothing
// marked.
// CHECK-LABEL: gpu.func @private_kernel
// CHECK-NOT: dlc.noalias_args
// CHECK-LABEL: gpu.func @called_kernel
// CHECK-NOT: dlc.noalias_args
// CHECK-LABEL: gpu.func @pointer_taken_kernel
// CHECK-NOT: dlc.noalias_args
// CHECK: gpu.return
func.func private @private(%a: memref<4xf32>, %b: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<4xf32>
    memref.store %v, %b[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}
func.func @called(%a: memref<4xf32>, %b: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<4xf32>
    memref.store %v, %b[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}
func.func @caller(%m: memref<4xf32>) {
  call @called(%m, %m) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}
func.func @pointer_taken(%a: memref<4xf32>, %b: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<4xf32>
    memref.store %v, %b[%tx] : memref<4xf32>
    %pointer = memref.extract_aligned_pointer_as_index %a : memref<4xf32> -> index
    %i = arith.index_cast %pointer : index to i64
    %p = llvm.inttoptr %i : i64 to !llvm.ptr
    llvm.store %v, %p : f32, !llvm.ptr
    gpu.terminator
  }
  return
}
