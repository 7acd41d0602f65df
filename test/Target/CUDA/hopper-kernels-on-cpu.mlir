// sm_90 kernels written by hand at the nvgpu level (TMA loads into
// 128-byte-swizzled shared memory, mbarriers, wgmma) run by the SIMT
// emulator after upstream's lowering of those ops to NVVM: the emulator
// models the hardware (tensor maps, the swizzle on address bits, wgmma
// matrix descriptors, accumulator fragments), so what runs is that
// lowering's descriptor arithmetic. dlc-compile takes the outlined kernels
// as they are (given kernels) and memref entry points.
// RUN: rm -rf %t && mkdir -p %t/out
// RUN: dlc-opt %s -gpu-kernel-outlining -o %t/kernels.mlir
// RUN: dlc-compile %t/kernels.mlir --emulate-gpu-kernels --gpu-arch=sm_90a -o %t/m.dlc
// RUN: %PYTHON %S/Inputs/hopper_inputs.py %t
// RUN: dlc-run %t/m.dlc --entry=gemm --input %t/a.npy --input %t/b.npy --output-dir %t/out
// RUN: %PYTHON %S/Inputs/hopper_inputs.py %t --check %t/out/gemm_0.npy
// RUN: dlc-run %t/m.dlc --entry=swizzle_128b --input %t/x.npy --output-dir %t/out
// RUN: dlc-run %t/m.dlc --entry=swizzle_64b --input %t/x.npy --output-dir %t/out
// RUN: dlc-run %t/m.dlc --entry=swizzle_32b --input %t/x.npy --output-dir %t/out
// RUN: %PYTHON %S/Inputs/hopper_inputs.py %t --check-swizzles %t/out
// RUN: not --crash dlc-run %t/m.dlc --entry=init_by_all --input %t/a.npy 2>&1 | FileCheck %s --check-prefix=INIT
// RUN: not --crash dlc-run %t/m.dlc --entry=missing_bytes --input %t/a.npy 2>&1 | FileCheck %s --check-prefix=BYTES
// RUN: not --crash dlc-run %t/m.dlc --entry=overwrite_in_flight --input %t/a.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=RACE
// RUN: not --crash dlc-run %t/m.dlc --entry=misaligned_map --input %t/a.npy 2>&1 | FileCheck %s --check-prefix=ALIGN
// RUN: not --crash dlc-run %t/m.dlc --entry=store_in_flight --input %t/a.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=STORE
// RUN: not --crash dlc-run %t/m.dlc --entry=half_warpgroup --input %t/a.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=WARPGROUP

#wg = #gpu.address_space<workgroup>
!bar = !nvgpu.mbarrier.group<memorySpace = #wg>
!tileB = memref<64x64xbf16, #wg>
!mapB = !nvgpu.tensormap.descriptor<tensor = !tileB, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
!acc = !nvgpu.warpgroup.accumulator<fragmented = vector<64x256xf32>>
!descA = !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>
!descB = !nvgpu.warpgroup.descriptor<tensor = memref<64x256xbf16, #wg>>

// D (64 x 256, f32) = A (64 x 128) B (128 x 256) in bf16, one warpgroup, K
// in two steps of 64 through one shared stage: TMA loads A's 64 x 64 tile
// and B's 64 x 256 one (four 64 x 64 boxes, MN-major), the mbarrier's
// phases 0 and 1 say they landed, the wgmma m64n256k16 runs four times a
// step. (One warpgroup: upstream's warpgroup.mma.store places rows by the
// warp's index in the block, and its verifier wants the accumulator's
// shape, so a second warpgroup's rows would land past its view.)
func.func @gemm(%a: memref<64x128xbf16>, %b: memref<128x256xbf16>) -> memref<64x256xf32> {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %bytes = arith.constant 40960 : i32
  %d = memref.alloc() : memref<64x256xf32>
  %ua = memref.cast %a : memref<64x128xbf16> to memref<*xbf16>
  %ub = memref.cast %b : memref<128x256xbf16> to memref<*xbf16>
  %mapA = nvgpu.tma.create.descriptor %ua box[%c64, %c64] : memref<*xbf16> -> !mapB
  %mapB = nvgpu.tma.create.descriptor %ub box[%c64, %c64] : memref<*xbf16> -> !mapB
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c128, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    %c8192 = arith.constant 8192 : index
    %c64b = arith.constant 64 : index
    %c1b = arith.constant 1 : index
    %tx_bytes = arith.constant 40960 : index
    %ticks = arith.constant 10000000 : index
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %tileA = memref.view %smem[%c0][] : memref<?xi8, #wg> to !tileB
    %tileB = memref.view %smem[%c8192][] : memref<?xi8, #wg> to memref<64x256xbf16, #wg>
    %leader = arith.cmpi eq, %tx, %c0 : index
    %bar = nvgpu.mbarrier.create -> !bar
    scf.if %leader {
      nvgpu.mbarrier.init %bar[%c0], %c1b : !bar
    }
    gpu.barrier
    %zero = nvgpu.warpgroup.mma.init.accumulator -> !acc
    %sum = scf.for %step = %c0 to %c2 step %c1b iter_args(%acc = %zero) -> (!acc) {
      %k = arith.muli %step, %c64b : index
      scf.if %leader {
        nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %tx_bytes : !bar
        nvgpu.tma.async.load %mapA[%k, %c0], %bar[%c0] to %tileA : !mapB, !bar -> !tileB
        scf.for %block = %c0 to %c4 step %c1b {
          %n = arith.muli %block, %c64b : index
          %offset = arith.muli %block, %c8192 : index
          %at = arith.addi %offset, %c8192 : index
          %boxB = memref.view %smem[%at][] : memref<?xi8, #wg> to !tileB
          nvgpu.tma.async.load %mapB[%n, %k], %bar[%c0] to %boxB : !mapB, !bar -> !tileB
        }
      }
      %odd = arith.index_cast %step : index to i1
      nvgpu.mbarrier.try_wait.parity %bar[%c0], %odd, %ticks : !bar
      %dA = nvgpu.warpgroup.generate.descriptor %tileA, %mapB : !tileB, !mapB -> !descA
      %dB = nvgpu.warpgroup.generate.descriptor %tileB, %mapB : memref<64x256xbf16, #wg>, !mapB -> !descB
      %next = nvgpu.warpgroup.mma %dA, %dB, %acc {transposeB} : !descA, !descB, !acc -> !acc
      // Retired, and every warp past it, before the next step's TMA
      // overwrites the stage.
      nvvm.wgmma.wait.group.sync.aligned 0
      gpu.barrier
      scf.yield %next : !acc
    }
    nvgpu.warpgroup.mma.store %sum, %d : !acc to memref<64x256xf32>
    gpu.terminator
  }
  return %d : memref<64x256xf32>
}

// X's 16 x 64 f16 tile through a TMA load with the 128-byte swizzle,
// shared memory copied out as it lies: the swizzled layout itself.
func.func @swizzle_128b(%x: memref<16x64xf16>) -> memref<16x64xf16> {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %cols = arith.constant 64 : index
  %c64 = arith.constant 64 : index
  %bytes = arith.constant 2048 : i32
  %y = memref.alloc() : memref<16x64xf16>
  %ux = memref.cast %x : memref<16x64xf16> to memref<*xf16>
  %map = nvgpu.tma.create.descriptor %ux box[%c16, %cols] : memref<*xf16> -> !nvgpu.tensormap.descriptor<tensor = memref<16x64xf16, #wg>, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %c0 = arith.constant 0 : index
    %c1b = arith.constant 1 : index
    %c16b = arith.constant 16 : index
    %c64b = arith.constant 64 : index
    %tx_bytes = arith.constant 2048 : index
    %ticks = arith.constant 10000000 : index
    %false = arith.constant false
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %tile = memref.view %smem[%c0][] : memref<?xi8, #wg> to memref<16x64xf16, #wg>
    %leader = arith.cmpi eq, %tx, %c0 : index
    %bar = nvgpu.mbarrier.create -> !bar
    scf.if %leader {
      nvgpu.mbarrier.init %bar[%c0], %c1b : !bar
    }
    gpu.barrier
    scf.if %leader {
      nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %tx_bytes : !bar
      nvgpu.tma.async.load %map[%c0, %c0], %bar[%c0] to %tile : !nvgpu.tensormap.descriptor<tensor = memref<16x64xf16, #wg>, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>, !bar -> memref<16x64xf16, #wg>
    }
    nvgpu.mbarrier.try_wait.parity %bar[%c0], %false, %ticks : !bar
    %ccols = arith.constant 64 : index
    %elements = arith.constant 1024 : index
    scf.for %e = %tx to %elements step %c64b {
      %r = arith.divui %e, %ccols : index
      %c = arith.remui %e, %ccols : index
      %v = memref.load %tile[%r, %c] : memref<16x64xf16, #wg>
      memref.store %v, %y[%r, %c] : memref<16x64xf16>
    }
    gpu.terminator
  }
  return %y : memref<16x64xf16>
}

// X's 16 x 32 f16 tile through a TMA load with the 64-byte swizzle,
// shared memory copied out as it lies: the swizzled layout itself.
func.func @swizzle_64b(%x: memref<16x64xf16>) -> memref<16x32xf16> {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %cols = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %bytes = arith.constant 1024 : i32
  %y = memref.alloc() : memref<16x32xf16>
  %ux = memref.cast %x : memref<16x64xf16> to memref<*xf16>
  %map = nvgpu.tma.create.descriptor %ux box[%c16, %cols] : memref<*xf16> -> !nvgpu.tensormap.descriptor<tensor = memref<16x32xf16, #wg>, swizzle = swizzle_64b, l2promo = none, oob = zero, interleave = none>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %c0 = arith.constant 0 : index
    %c1b = arith.constant 1 : index
    %c16b = arith.constant 16 : index
    %c64b = arith.constant 64 : index
    %tx_bytes = arith.constant 1024 : index
    %ticks = arith.constant 10000000 : index
    %false = arith.constant false
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %tile = memref.view %smem[%c0][] : memref<?xi8, #wg> to memref<16x32xf16, #wg>
    %leader = arith.cmpi eq, %tx, %c0 : index
    %bar = nvgpu.mbarrier.create -> !bar
    scf.if %leader {
      nvgpu.mbarrier.init %bar[%c0], %c1b : !bar
    }
    gpu.barrier
    scf.if %leader {
      nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %tx_bytes : !bar
      nvgpu.tma.async.load %map[%c0, %c0], %bar[%c0] to %tile : !nvgpu.tensormap.descriptor<tensor = memref<16x32xf16, #wg>, swizzle = swizzle_64b, l2promo = none, oob = zero, interleave = none>, !bar -> memref<16x32xf16, #wg>
    }
    nvgpu.mbarrier.try_wait.parity %bar[%c0], %false, %ticks : !bar
    %ccols = arith.constant 32 : index
    %elements = arith.constant 512 : index
    scf.for %e = %tx to %elements step %c64b {
      %r = arith.divui %e, %ccols : index
      %c = arith.remui %e, %ccols : index
      %v = memref.load %tile[%r, %c] : memref<16x32xf16, #wg>
      memref.store %v, %y[%r, %c] : memref<16x32xf16>
    }
    gpu.terminator
  }
  return %y : memref<16x32xf16>
}

// X's 16 x 16 f16 tile through a TMA load with the 32-byte swizzle,
// shared memory copied out as it lies: the swizzled layout itself.
func.func @swizzle_32b(%x: memref<16x64xf16>) -> memref<16x16xf16> {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %cols = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %bytes = arith.constant 512 : i32
  %y = memref.alloc() : memref<16x16xf16>
  %ux = memref.cast %x : memref<16x64xf16> to memref<*xf16>
  %map = nvgpu.tma.create.descriptor %ux box[%c16, %cols] : memref<*xf16> -> !nvgpu.tensormap.descriptor<tensor = memref<16x16xf16, #wg>, swizzle = swizzle_32b, l2promo = none, oob = zero, interleave = none>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %c0 = arith.constant 0 : index
    %c1b = arith.constant 1 : index
    %c16b = arith.constant 16 : index
    %c64b = arith.constant 64 : index
    %tx_bytes = arith.constant 512 : index
    %ticks = arith.constant 10000000 : index
    %false = arith.constant false
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %tile = memref.view %smem[%c0][] : memref<?xi8, #wg> to memref<16x16xf16, #wg>
    %leader = arith.cmpi eq, %tx, %c0 : index
    %bar = nvgpu.mbarrier.create -> !bar
    scf.if %leader {
      nvgpu.mbarrier.init %bar[%c0], %c1b : !bar
    }
    gpu.barrier
    scf.if %leader {
      nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %tx_bytes : !bar
      nvgpu.tma.async.load %map[%c0, %c0], %bar[%c0] to %tile : !nvgpu.tensormap.descriptor<tensor = memref<16x16xf16, #wg>, swizzle = swizzle_32b, l2promo = none, oob = zero, interleave = none>, !bar -> memref<16x16xf16, #wg>
    }
    nvgpu.mbarrier.try_wait.parity %bar[%c0], %false, %ticks : !bar
    %ccols = arith.constant 16 : index
    %elements = arith.constant 256 : index
    scf.for %e = %tx to %elements step %c64b {
      %r = arith.divui %e, %ccols : index
      %c = arith.remui %e, %ccols : index
      %v = memref.load %tile[%r, %c] : memref<16x16xf16, #wg>
      memref.store %v, %y[%r, %c] : memref<16x16xf16>
    }
    gpu.terminator
  }
  return %y : memref<16x16xf16>
}

// Every thread initializes the mbarrier: on a GPU the later ones race with
// the TMA that the first thread's phase already counts.
// INIT: dlc SIMT emulator: kernel init_by_all{{.*}}, thread 1: mbarrier at {{.*}} initialized again while valid
func.func @init_by_all(%a: memref<64x128xbf16>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %out = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %c0 = arith.constant 0 : index
    %c1b = arith.constant 1 : index
    %bar = nvgpu.mbarrier.create -> !bar
    nvgpu.mbarrier.init %bar[%c0], %c1b : !bar
    gpu.terminator
  }
  return %out : memref<4xf32>
}

// The barrier expects 16 KiB but the TMA brings 8: the phase never ends.
// BYTES: dlc SIMT emulator: kernel missing_bytes{{.*}}: 128 threads wait for an mbarrier phase that never completes (arrivals or transaction bytes missing)
func.func @missing_bytes(%a: memref<64x128xbf16>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %bytes = arith.constant 16384 : i32
  %out = memref.alloc() : memref<4xf32>
  %ua = memref.cast %a : memref<64x128xbf16> to memref<*xbf16>
  %map = nvgpu.tma.create.descriptor %ua box[%c64, %c64] : memref<*xbf16> -> !mapB
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c128, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %c0 = arith.constant 0 : index
    %c1b = arith.constant 1 : index
    %expected = arith.constant 16384 : index
    %ticks = arith.constant 10000000 : index
    %false = arith.constant false
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %tile = memref.view %smem[%c0][] : memref<?xi8, #wg> to !tileB
    %leader = arith.cmpi eq, %tx, %c0 : index
    %bar = nvgpu.mbarrier.create -> !bar
    scf.if %leader {
      nvgpu.mbarrier.init %bar[%c0], %c1b : !bar
    }
    gpu.barrier
    scf.if %leader {
      nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %expected : !bar
      nvgpu.tma.async.load %map[%c0, %c0], %bar[%c0] to %tile : !mapB, !bar -> !tileB
    }
    nvgpu.mbarrier.try_wait.parity %bar[%c0], %false, %ticks : !bar
    gpu.terminator
  }
  return %out : memref<4xf32>
}

// The next TMA lands in the stage a wgmma still reads (no wait before it).
// RACE: dlc SIMT emulator: kernel overwrite_in_flight{{.*}}, thread 0: TMA load into shared memory that a wgmma in flight reads (not yet waited for by every warp of its warpgroup)
func.func @overwrite_in_flight(%a: memref<64x128xbf16>, %b: memref<128x256xbf16>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %bytes = arith.constant 24576 : i32
  %out = memref.alloc() : memref<4xf32>
  %ua = memref.cast %a : memref<64x128xbf16> to memref<*xbf16>
  %ub = memref.cast %b : memref<128x256xbf16> to memref<*xbf16>
  %mapA = nvgpu.tma.create.descriptor %ua box[%c64, %c64] : memref<*xbf16> -> !mapB
  %mapB = nvgpu.tma.create.descriptor %ub box[%c64, %c64] : memref<*xbf16> -> !mapB
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c128, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %c0 = arith.constant 0 : index
    %c1b = arith.constant 1 : index
    %c64b = arith.constant 64 : index
    %c8192 = arith.constant 8192 : index
    %tx_bytes = arith.constant 16384 : index
    %b_bytes = arith.constant 8192 : index
    %ticks = arith.constant 10000000 : index
    %false = arith.constant false
    %true = arith.constant true
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %tileA = memref.view %smem[%c0][] : memref<?xi8, #wg> to !tileB
    %tileB = memref.view %smem[%c8192][] : memref<?xi8, #wg> to !tileB
    %leader = arith.cmpi eq, %tx, %c0 : index
    %bar = nvgpu.mbarrier.create -> !bar
    scf.if %leader {
      nvgpu.mbarrier.init %bar[%c0], %c1b : !bar
    }
    gpu.barrier
    scf.if %leader {
      nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %tx_bytes : !bar
      nvgpu.tma.async.load %mapA[%c0, %c0], %bar[%c0] to %tileA : !mapB, !bar -> !tileB
      nvgpu.tma.async.load %mapB[%c0, %c0], %bar[%c0] to %tileB : !mapB, !bar -> !tileB
    }
    nvgpu.mbarrier.try_wait.parity %bar[%c0], %false, %ticks : !bar
    %dA = nvgpu.warpgroup.generate.descriptor %tileA, %mapB : !tileB, !mapB -> !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>
    %dB = nvgpu.warpgroup.generate.descriptor %tileB, %mapB : !tileB, !mapB -> !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>
    %zero = nvgpu.warpgroup.mma.init.accumulator -> !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>>
    %sum = nvgpu.warpgroup.mma %dA, %dB, %zero {transposeB} : !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>, !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>, !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>> -> !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>>
    // B's next rows into the same stage while the wgmma may still read it.
    scf.if %leader {
      nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %b_bytes : !bar
      nvgpu.tma.async.load %mapB[%c0, %c64b], %bar[%c0] to %tileB : !mapB, !bar -> !tileB
    }
    nvgpu.mbarrier.try_wait.parity %bar[%c0], %true, %ticks : !bar
    nvvm.wgmma.wait.group.sync.aligned 0
    gpu.terminator
  }
  return %out : memref<4xf32>
}

// A plain store to the A tile the wgmma reads, before the wait that retires
// it: what the wgmma read at issue differs from what is there when it
// retires.
// STORE: dlc SIMT emulator: kernel store_in_flight{{.*}}: shared memory that a wgmma in flight reads was written before the wgmma.wait_group that retires it
func.func @store_in_flight(%a: memref<64x128xbf16>, %b: memref<128x256xbf16>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %bytes = arith.constant 24576 : i32
  %out = memref.alloc() : memref<4xf32>
  %ua = memref.cast %a : memref<64x128xbf16> to memref<*xbf16>
  %ub = memref.cast %b : memref<128x256xbf16> to memref<*xbf16>
  %mapA = nvgpu.tma.create.descriptor %ua box[%c64, %c64] : memref<*xbf16> -> !mapB
  %mapB = nvgpu.tma.create.descriptor %ub box[%c64, %c64] : memref<*xbf16> -> !mapB
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c128, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %c0 = arith.constant 0 : index
    %c1b = arith.constant 1 : index
    %c64b = arith.constant 64 : index
    %c8192 = arith.constant 8192 : index
    %tx_bytes = arith.constant 16384 : index
    %b_bytes = arith.constant 8192 : index
    %ticks = arith.constant 10000000 : index
    %false = arith.constant false
    %true = arith.constant true
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %tileA = memref.view %smem[%c0][] : memref<?xi8, #wg> to !tileB
    %tileB = memref.view %smem[%c8192][] : memref<?xi8, #wg> to !tileB
    %leader = arith.cmpi eq, %tx, %c0 : index
    %bar = nvgpu.mbarrier.create -> !bar
    scf.if %leader {
      nvgpu.mbarrier.init %bar[%c0], %c1b : !bar
    }
    gpu.barrier
    scf.if %leader {
      nvgpu.mbarrier.arrive.expect_tx %bar[%c0], %tx_bytes : !bar
      nvgpu.tma.async.load %mapA[%c0, %c0], %bar[%c0] to %tileA : !mapB, !bar -> !tileB
      nvgpu.tma.async.load %mapB[%c0, %c0], %bar[%c0] to %tileB : !mapB, !bar -> !tileB
    }
    nvgpu.mbarrier.try_wait.parity %bar[%c0], %false, %ticks : !bar
    %dA = nvgpu.warpgroup.generate.descriptor %tileA, %mapB : !tileB, !mapB -> !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>
    %dB = nvgpu.warpgroup.generate.descriptor %tileB, %mapB : !tileB, !mapB -> !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>
    %zero = nvgpu.warpgroup.mma.init.accumulator -> !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>>
    %sum = nvgpu.warpgroup.mma %dA, %dB, %zero {transposeB} : !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>, !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>, !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>> -> !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>>
    // A thread writes A's tile while the wgmma may still read it.
    %one = arith.constant 100.0 : bf16
    %last = arith.constant 127 : index
    %writer = arith.cmpi eq, %tx, %last : index
    scf.if %writer {
      memref.store %one, %tileA[%c0, %c0] : !tileB
    }
    nvvm.wgmma.wait.group.sync.aligned 0
    gpu.terminator
  }
  return %out : memref<4xf32>
}

// A wgmma needs the four warps of a warpgroup; this block has two.
// WARPGROUP: dlc SIMT emulator: kernel half_warpgroup{{.*}}: wgmma in a block of 64 threads: warpgroup 0 is incomplete
func.func @half_warpgroup(%a: memref<64x128xbf16>, %b: memref<128x256xbf16>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %bytes = arith.constant 16384 : i32
  %out = memref.alloc() : memref<4xf32>
  %ub = memref.cast %b : memref<128x256xbf16> to memref<*xbf16>
  %map = nvgpu.tma.create.descriptor %ub box[%c64, %c64] : memref<*xbf16> -> !mapB
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %bytes {
    %c0 = arith.constant 0 : index
    %c8192 = arith.constant 8192 : index
    %smem = gpu.dynamic_shared_memory : memref<?xi8, #wg>
    %tileA = memref.view %smem[%c0][] : memref<?xi8, #wg> to !tileB
    %tileB = memref.view %smem[%c8192][] : memref<?xi8, #wg> to !tileB
    %dA = nvgpu.warpgroup.generate.descriptor %tileA, %map : !tileB, !mapB -> !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>
    %dB = nvgpu.warpgroup.generate.descriptor %tileB, %map : !tileB, !mapB -> !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>
    %zero = nvgpu.warpgroup.mma.init.accumulator -> !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>>
    %sum = nvgpu.warpgroup.mma %dA, %dB, %zero {transposeB} : !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>, !nvgpu.warpgroup.descriptor<tensor = memref<64x64xbf16, #wg>>, !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>> -> !nvgpu.warpgroup.accumulator<fragmented = vector<64x64xf32>>
    gpu.terminator
  }
  return %out : memref<4xf32>
}

// A tensor map of A's columns from the second on: the tensor starts 2 bytes
// past a 16-byte boundary, which cuTensorMapEncodeTiled refuses on a GPU.
// ALIGN: dlc SIMT emulator: host code: tensor map of a tensor at {{.*}}, not 16-byte aligned (as cuTensorMapEncodeTiled requires)
func.func @misaligned_map(%a: memref<64x128xbf16>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %out = memref.alloc() : memref<4xf32>
  %view = memref.subview %a[0, 1] [64, 64] [1, 1] : memref<64x128xbf16> to memref<64x64xbf16, strided<[128, 1], offset: 1>>
  %u = memref.cast %view : memref<64x64xbf16, strided<[128, 1], offset: 1>> to memref<*xbf16>
  %map = nvgpu.tma.create.descriptor %u box[%c64, %c64] : memref<*xbf16> -> !mapB
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    nvgpu.tma.prefetch.descriptor %map : !mapB
    gpu.terminator
  }
  return %out : memref<4xf32>
}
