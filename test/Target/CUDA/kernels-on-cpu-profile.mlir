// The SIMT emulator's memory profile (dlc-compile --profile-emulated-memory):
// per kernel and operation, the global sectors and shared-memory wavefronts
// of the warps' requests, written when the artifact is unloaded to
// $DLC_SIMT_PROFILE. Static counts of what a GPU would do (coalescing, bank
// conflicts), not times.
// RUN: rm -rf %t && mkdir -p %t/out
// RUN: %PYTHON -c "import numpy as np; np.save('%t/x.npy', np.arange(32 * 64, dtype=np.float32).reshape(64, 32))"
// RUN: dlc-compile %s --emulate-gpu-kernels --gpu-arch=sm_80 --profile-emulated-memory -o %t/m.dlc
// RUN: env DLC_SIMT_PROFILE=%t/profile.txt dlc-run %t/m.dlc --entry=rows_and_columns --input %t/x.npy --output-dir %t/out
// RUN: FileCheck %s < %t/profile.txt
// RUN: %PYTHON -c "import numpy as np; x = np.load('%t/x.npy'); assert np.array_equal(np.load('%t/out/rows_and_columns_0.npy'), x[0] + x[:32, 0])"
// RUN: not dlc-compile %s --profile-emulated-memory -o %t/bad.dlc 2>&1 | FileCheck %s --check-prefix=ERROR

// ERROR: dlc-compile: --profile-emulated-memory needs --emulate-gpu-kernels

// One block of 32 threads: thread t reads x[0, t] (a row: 128 contiguous
// bytes, 4 sectors) and x[t, 0] (a column: 32 sectors, 4 of each 32 bytes
// used), and writes and reads columns of a 32-float-wide shared tile (32
// words of one bank: 32 wavefronts a request).
// CHECK: # dlc SIMT emulator memory profile (warp requests)
// Per kernel: its launches and blocks, and the most global requests one warp
// of a block issued (two loads and a store).
// CHECK: rows_and_columns{{.*}}: kernel: 1 launches, 1 blocks of 32 threads, at most 3 global requests a warp
// CHECK-DAG: rows_and_columns{{.*}}: global memref.load (read) at {{.+}}kernels-on-cpu-profile.mlir:[[@LINE+26]]:{{[0-9]+}}: 1 requests, 4 sectors, 4.00 per request, 100% of their bytes used
// CHECK-DAG: rows_and_columns{{.*}}: global memref.load (read) at {{.+}}kernels-on-cpu-profile.mlir:[[@LINE+26]]:{{[0-9]+}}: 1 requests, 32 sectors, 32.00 per request, 12% of their bytes used
// CHECK-DAG: rows_and_columns{{.*}}: shared memref.store (write) at {{.+}}kernels-on-cpu-profile.mlir:[[@LINE+22]]:{{[0-9]+}}: 32 requests, 1024 wavefronts, 32.00 per request, 32.00x the fewest (32)
// CHECK-DAG: rows_and_columns{{.*}}: shared memref.load (read) at {{.+}}kernels-on-cpu-profile.mlir:[[@LINE+26]]:{{[0-9]+}}: 1 requests, 32 wavefronts, 32.00 per request, 32.00x the fewest (1)
// CHECK-DAG: rows_and_columns{{.*}}: global memref.store (write) at {{.+}}kernels-on-cpu-profile.mlir:[[@LINE+28]]:{{[0-9]+}}: 1 requests, 4 sectors
func.func @rows_and_columns(%x: tensor<64x32xf32>) -> tensor<32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %bytes = arith.constant 4096 : i32
  %c0f = arith.constant 0.0 : f32
  %m = bufferization.to_buffer %x : tensor<64x32xf32> to memref<64x32xf32>
  %out = memref.alloc() : memref<32xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %shared = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
    %tile = memref.view %shared[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<32x32xf32, #gpu.address_space<workgroup>>
    // Each thread fills row t of the tile, a float at a time: 32 requests
    // (one per column), each a column of the tile (no barrier: each thread
    // reads only what it wrote).
    scf.for %i = %c0 to %c32 step %c1 {
      %v = arith.index_cast %i : index to i32
      %f = arith.sitofp %v : i32 to f32
      memref.store %f, %tile[%tx, %i] : memref<32x32xf32, #gpu.address_space<workgroup>>
    }
    %row = memref.load %m[%c0, %tx] : memref<64x32xf32>
    %column = memref.load %m[%tx, %c0] : memref<64x32xf32>
    %s = arith.addf %row, %column : f32
    %down = memref.load %tile[%tx, %c0] : memref<32x32xf32, #gpu.address_space<workgroup>>
    %zero = arith.mulf %down, %c0f : f32
    %r = arith.addf %s, %zero : f32
    memref.store %r, %out[%tx] : memref<32xf32>
    gpu.terminator
  }
  %result = bufferization.to_tensor %out restrict : memref<32xf32> to tensor<32xf32>
  return %result : tensor<32xf32>
}
