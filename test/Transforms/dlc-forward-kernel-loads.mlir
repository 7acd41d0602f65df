// RUN: dlc-opt %s --pass-pipeline='builtin.module(gpu.module(dlc-forward-kernel-loads))' | FileCheck %s

// Two passes over a row of 4 elements of a read-only buffer (a max, then
// outputs relative to it): both loops unrolled, the second pass's loads
// the first's values. The written buffer %out is loaded back, and not
// forwarded; nor is %x's load inside the scf.if forwarded to the load after
// it, which it does not dominate.
// CHECK-LABEL: gpu.func @two_passes
// CHECK-NOT: scf.for
// CHECK-COUNT-4: memref.load %arg0
// CHECK-NOT: memref.load %arg0
// CHECK: gpu.barrier
// CHECK-COUNT-4: memref.store {{.*}}, %arg1
// CHECK: memref.load %arg1
// CHECK: scf.if
// CHECK-NEXT: memref.load %arg0
// CHECK: memref.load %arg0
// CHECK: gpu.return

// A buffer not marked read-only: its loops stay, and so do its loads.
// CHECK-LABEL: gpu.func @not_read_only
// CHECK: scf.for
// CHECK: memref.load %arg0
// CHECK: scf.for
// CHECK: memref.load %arg0

// Two loops reading other elements of a read-only buffer (a GEMM's staging
// copies, before and in its K loop): no load to forward, the loops stay.
// CHECK-LABEL: gpu.func @other_elements
// CHECK: scf.for
// CHECK: memref.load %arg0
// CHECK: scf.for
// CHECK: memref.load %arg0

// A loop with a barrier, and one of 64 steps, stay loops.
// CHECK-LABEL: gpu.func @kept_loops
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: scf.for
gpu.module @kernels {
  gpu.func @two_passes(%x: memref<8xf32> {dlc.read_only}, %out: memref<8xf32>, %flag: i1) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c5 = arith.constant 5 : index
    %shared = memref.alloca() : memref<1xf32, #gpu.address_space<workgroup>>
    %low = arith.constant 0xFF800000 : f32
    %max = scf.for %i = %c0 to %c4 step %c1 iter_args(%m = %low) -> f32 {
      %v = memref.load %x[%i] : memref<8xf32>
      %n = arith.maximumf %v, %m : f32
      scf.yield %n : f32
    }
    memref.store %max, %shared[%c0] : memref<1xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %total = memref.load %shared[%c0] : memref<1xf32, #gpu.address_space<workgroup>>
    scf.for %i = %c0 to %c4 step %c1 {
      %v = memref.load %x[%i] : memref<8xf32>
      %d = arith.subf %v, %total : f32
      memref.store %d, %out[%i] : memref<8xf32>
    }
    %back = memref.load %out[%c0] : memref<8xf32>
    memref.store %back, %out[%c1] : memref<8xf32>
    scf.if %flag {
      %v = memref.load %x[%c5] : memref<8xf32>
      memref.store %v, %out[%c0] : memref<8xf32>
    }
    %w = memref.load %x[%c5] : memref<8xf32>
    memref.store %w, %out[%c1] : memref<8xf32>
    gpu.return
  }
  gpu.func @not_read_only(%x: memref<4xf32>, %out: memref<4xf32>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    scf.for %i = %c0 to %c4 step %c1 {
      %v = memref.load %x[%i] : memref<4xf32>
      memref.store %v, %out[%i] : memref<4xf32>
    }
    scf.for %i = %c0 to %c4 step %c1 {
      %v = memref.load %x[%i] : memref<4xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %out[%i] : memref<4xf32>
    }
    gpu.return
  }
  gpu.func @other_elements(%x: memref<8xf32> {dlc.read_only}, %out: memref<8xf32>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c8 = arith.constant 8 : index
    scf.for %i = %c0 to %c4 step %c1 {
      %v = memref.load %x[%i] : memref<8xf32>
      memref.store %v, %out[%i] : memref<8xf32>
    }
    scf.for %i = %c4 to %c8 step %c1 {
      %v = memref.load %x[%i] : memref<8xf32>
      memref.store %v, %out[%i] : memref<8xf32>
    }
    gpu.return
  }
  gpu.func @kept_loops(%x: memref<64xf32> {dlc.read_only}, %out: memref<64xf32>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c64 = arith.constant 64 : index
    scf.for %i = %c0 to %c4 step %c1 {
      %v = memref.load %x[%i] : memref<64xf32>
      gpu.barrier
      memref.store %v, %out[%i] : memref<64xf32>
    }
    scf.for %i = %c0 to %c64 step %c1 {
      %v = memref.load %x[%i] : memref<64xf32>
      memref.store %v, %out[%i] : memref<64xf32>
    }
    gpu.return
  }
}
