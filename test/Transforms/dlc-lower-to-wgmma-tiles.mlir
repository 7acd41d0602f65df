// RUN: dlc-opt %s --split-input-file --pass-pipeline='builtin.module(dlc-lower-to-wgmma,func.func(canonicalize,cse))' | FileCheck %s
// RUN: not dlc-opt %s --split-input-file --pass-pipeline='builtin.module(dlc-lower-to-wgmma{multiprocessors=0})' 2>&1 | FileCheck %s --check-prefix=ZERO

// The tile shape dlc-lower-to-wgmma chooses for the SMs of an H100 or
// H200 (132, the default of `multiprocessors`): the widest tiles that keep
// them busy.

// 1024 x 1024: 128 x 128 tiles would be 64, half the SMs idle; 128 x 64
// ones are 128, one wave: a block's B tile one box of 64 columns, stages
// of 16 + 8 KiB (as many as its K steps, 2), wgmma m64n64k16, a thread's
// 32 sums stored in 16 pairs.
// CHECK-LABEL: func.func @one_wave
// CHECK-DAG: %[[SHARED:.+]] = arith.constant 49152 : i32
// CHECK: nvgpu.tma.create.descriptor %{{.+}} box[%[[C64:.+]], %[[C64]]] : memref<*xf16> -> <tensor = memref<64x64xf16
// CHECK: arith.minui %{{.+}}, %c128 : index
// CHECK: gpu.launch {{.+}} dynamic_shared_memory_size %[[SHARED]]
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.+}}, %c24576
// CHECK-COUNT-2: nvgpu.tma.async.load
// CHECK-NOT: nvgpu.tma.async.load
// CHECK: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 64, k = 16>
// CHECK-COUNT-16: vector.store %{{.+}} {alignment = 8 : i64} : memref<1024x1024xf32>, vector<2xf32>
// CHECK-COUNT-16: vector.store %{{.+}} {alignment = 4 : i64} : memref<1024x1024xf32>, vector<2xf32>
// CHECK-NOT: vector.store
func.func @one_wave(%a: memref<1024x128xf16>, %b: memref<128x1024xf16>, %c: memref<1024x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<1024x1024xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<1024x128xf16>, memref<128x1024xf16>) outs(%c : memref<1024x1024xf32>)
  return
}

// -----

// 1152 x 1024: 72 tiles of 128 x 128 (144 of 128 x 64 would take two
// waves, 36 of 128 x 256 leave most SMs idle).
// CHECK-LABEL: func.func @more_than_a_wave
// CHECK: arith.minui %{{.+}}, %c72 : index
// CHECK: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 128, k = 16>
func.func @more_than_a_wave(%a: memref<1152x64xf16>, %b: memref<64x1024xf16>, %c: memref<1152x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<1152x1024xf32>)
  linalg.matmul {dlc.wgmma} ins(%a, %b : memref<1152x64xf16>, memref<64x1024xf16>) outs(%c : memref<1152x1024xf32>)
  return
}

// -----

// TF32 at 1024 x 1024 likewise: B^T's one 64 x 32 box a step.
// CHECK-LABEL: func.func @tf32_one_wave
// CHECK: nvgpu.tma.create.descriptor %{{.+}} : memref<*xf32> -> <tensor = memref<64x32xf32
// CHECK: arith.minui %{{.+}}, %c128 : index
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.+}}, %c24576
// CHECK: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 64, k = 8>
func.func @tf32_one_wave(%a: memref<1024x64xf32>, %bt: memref<1024x64xf32>, %c: memref<1024x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<1024x1024xf32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] {dlc.wgmma} ins(%a, %bt : memref<1024x64xf32>, memref<1024x64xf32>) outs(%c : memref<1024x1024xf32>)
  return
}

// ZERO: error: dlc-lower-to-wgmma: multiprocessors must be 1 or more, not 0
