// The SIMT emulator checks every memory access of a kernel as it runs
// (convert-gpu-to-simt-emulator check-bounds): an access outside its memref
// stops the run naming the kernel, block, thread, the operation, its source
// line, and the elements against the size. On a GPU each of these kernels
// would read or write past its buffer without a word, or fault. (Views,
// cp.async and ldmatrix rows are checked in
// test/Conversion/GPUToSIMTEmulator: written here, views are folded into
// their accesses before the kernel exists, and the bufferization of a
// function body rejects the nvgpu ops.)
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; np.save('%t/x.npy', np.arange(8, dtype=np.float32))"
// RUN: dlc-compile %s --emulate-gpu-kernels --gpu-arch=sm_80 -o %t/m.dlc
// RUN: mkdir -p %t/out && dlc-run %t/m.dlc --entry=in_bounds --input %t/x.npy --output-dir %t/out
// RUN: %PYTHON -c "import numpy as np; assert np.array_equal(np.load('%t/out/in_bounds_0.npy'), np.arange(8, dtype=np.float32))"
// RUN: not --crash dlc-run %t/m.dlc --entry=load_past_end --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=LOAD
// RUN: not --crash dlc-run %t/m.dlc --entry=negative_store --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=STORE
// RUN: not --crash dlc-run %t/m.dlc --entry=vector_tail --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=VECTOR
// RUN: not --crash dlc-run %t/m.dlc --entry=shared_past_launch --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=SHARED

// The same kernel shape in bounds runs (no check fires).
func.func @in_bounds(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %m = bufferization.to_buffer %x : tensor<8xf32> to memref<8xf32>
  %out = memref.alloc() : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1) {
    %v = memref.load %m[%tx] : memref<8xf32>
    memref.store %v, %out[%tx] : memref<8xf32>
    gpu.terminator
  }
  %r = bufferization.to_tensor %out restrict : memref<8xf32> to tensor<8xf32>
  return %r : tensor<8xf32>
}

// Nine threads over eight elements: thread 8 reads element 8.
// LOAD: dlc SIMT emulator: kernel {{.+}}load_past_end{{.+}}, block (0, 0, 0), thread 8: out-of-bounds access: memref.load (read) dimension 0 at {{.+}}kernels-on-cpu-bounds.mlir:[[@LINE+9]]:{{[0-9]+}}: elements [8, 9) of 8
func.func @load_past_end(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c1 = arith.constant 1 : index
  %c9 = arith.constant 9 : index
  %c0 = arith.constant 0 : index
  %m = bufferization.to_buffer %x : tensor<8xf32> to memref<8xf32>
  %out = memref.alloc() : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c9, %sy = %c1, %sz = %c1) {
    %v = memref.load %m[%tx] : memref<8xf32>
    memref.store %v, %out[%c0] : memref<8xf32>
    gpu.terminator
  }
  %r = bufferization.to_tensor %out restrict : memref<8xf32> to tensor<8xf32>
  return %r : tensor<8xf32>
}

// An index one short in the second block: its thread 0 writes element -1
// (the message names the block).
// STORE: block (1, 0, 0), thread 0: out-of-bounds access: memref.store (write) dimension 0 at {{.+}}:[[@LINE+11]]:{{[0-9]+}}: elements [-1, 0) of 8
func.func @negative_store(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %m = bufferization.to_buffer %x : tensor<8xf32> to memref<8xf32>
  %out = memref.alloc() : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %i = affine.apply affine_map<(t, b) -> (t - b)>(%tx, %bx)
    %v = memref.load %m[%tx] : memref<8xf32>
    memref.store %v, %out[%i] : memref<8xf32>
    gpu.terminator
  }
  %r = bufferization.to_tensor %out restrict : memref<8xf32> to tensor<8xf32>
  return %r : tensor<8xf32>
}

// Vectors of 4 at every third element: thread 2's [6, 10) runs past 8.
// VECTOR: thread 2: out-of-bounds access: vector.load (read) dimension 0 at {{.+}}:[[@LINE+10]]:{{[0-9]+}}: elements [6, 10) of 8
func.func @vector_tail(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c0 = arith.constant 0 : index
  %m = bufferization.to_buffer %x : tensor<8xf32> to memref<8xf32>
  %out = memref.alloc() : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c3, %sy = %c1, %sz = %c1) {
    %i = arith.muli %tx, %c3 : index
    %v = vector.load %m[%i] : memref<8xf32>, vector<4xf32>
    %s = vector.reduction <add>, %v : vector<4xf32> into f32
    memref.store %s, %out[%tx] : memref<8xf32>
    gpu.terminator
  }
  %r = bufferization.to_tensor %out restrict : memref<8xf32> to tensor<8xf32>
  return %r : tensor<8xf32>
}

// A block launched with 64 bytes of dynamic shared memory viewing 32
// floats of it (128 bytes).
// SHARED: thread 0: out-of-bounds access: memref.view (view) dimension 0 at {{.+}}:[[@LINE+11]]:{{[0-9]+}}: elements [0, 128) of 64
func.func @shared_past_launch(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : i32
  %m = bufferization.to_buffer %x : tensor<8xf32> to memref<8xf32>
  %out = memref.alloc() : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %c64 {
    %shared = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
    %floats = memref.view %shared[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<32xf32, #gpu.address_space<workgroup>>
    %v = memref.load %m[%c0] : memref<8xf32>
    memref.store %v, %floats[%c0] : memref<32xf32, #gpu.address_space<workgroup>>
    %w = memref.load %floats[%c0] : memref<32xf32, #gpu.address_space<workgroup>>
    memref.store %w, %out[%c0] : memref<8xf32>
    gpu.terminator
  }
  %r = bufferization.to_tensor %out restrict : memref<8xf32> to tensor<8xf32>
  return %r : tensor<8xf32>
}
