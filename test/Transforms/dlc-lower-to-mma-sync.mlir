// RUN: dlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(dlc-lower-to-mma-sync))' --verify-diagnostics | FileCheck %s

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// One warp's 16 x 16 product over K = 32 in steps of 16, A and B in shared
// memory: two m16n8k16 products per step, the two accumulator fragments
// carried through the K loop in registers, A fragments by ldmatrix, B
// (stored k-major) by ldmatrix with transpose, the sums stored after the
// loop.
// CHECK-LABEL: func.func @warp_f16
// CHECK: gpu.launch
// CHECK-COUNT-4: vector.load %{{.+}} : memref<16x16xf32>, vector<2xf32>
// CHECK-NOT: vector.load
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (vector<2x2xf32>, vector<2x2xf32>)
// CHECK:   nvgpu.ldmatrix {{.+}} {numTiles = 4 : i32, transpose = false} : memref<16x32xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK:   nvgpu.ldmatrix {{.+}} {numTiles = 2 : i32, transpose = true} : memref<32x16xf16, #gpu.address_space<workgroup>> -> vector<2x2xf16>
// CHECK:   nvgpu.mma.sync({{.+}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK:   nvgpu.mma.sync({{.+}}) {mmaShape = [16, 8, 16]}
// CHECK:   scf.yield
// CHECK-NOT: vector.contract
// CHECK-COUNT-4: vector.store %{{.+}} : memref<16x16xf32>, vector<2xf32>
// CHECK: gpu.terminator
func.func @warp_f16(%a: memref<16x32xf16, #gpu.address_space<workgroup>>,
                    %b: memref<32x16xf16, #gpu.address_space<workgroup>>,
                    %c: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %h0 = arith.constant 0.0 : f16
  %f0 = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c32, %v = %c1, %w = %c1) {
    scf.for %k = %c0 to %c32 step %c16 {
      %va = vector.transfer_read %a[%c0, %k], %h0 {in_bounds = [true, true]} : memref<16x32xf16, #gpu.address_space<workgroup>>, vector<16x16xf16>
      %vb = vector.transfer_read %b[%k, %c0], %h0 {in_bounds = [true, true]} : memref<32x16xf16, #gpu.address_space<workgroup>>, vector<16x16xf16>
      %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<16x16xf32>, vector<16x16xf32>
      %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc {dlc.mma_shape = array<i64: 16, 8, 16>} : vector<16x16xf16>, vector<16x16xf16> into vector<16x16xf32>
      vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x16xf32>, memref<16x16xf32>
    }
    gpu.terminator
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// f32 marked m16n8k8 (allow-tf32): mma.sync in TF32.
// CHECK-LABEL: func.func @warp_tf32
// CHECK: nvgpu.mma.sync({{.+}}) {mmaShape = [16, 8, 8], tf32Enabled}
// CHECK-NOT: vector.contract
func.func @warp_tf32(%a: memref<16x8xf32, #gpu.address_space<workgroup>>,
                     %b: memref<8x8xf32, #gpu.address_space<workgroup>>,
                     %c: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %f0 = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c32, %v = %c1, %w = %c1) {
    %va = vector.transfer_read %a[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<16x8xf32, #gpu.address_space<workgroup>>, vector<16x8xf32>
    %vb = vector.transfer_read %b[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x8xf32, #gpu.address_space<workgroup>>, vector<8x8xf32>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<16x8xf32>, vector<16x8xf32>
    %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc {dlc.mma_shape = array<i64: 16, 8, 8>} : vector<16x8xf32>, vector<8x8xf32> into vector<16x8xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
    gpu.terminator
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// bf16 bits staged as f16 (dlc.mma_bf16): fragments loaded as f16, the
// product an NVVM bf16 mma.sync on them as 32-bit registers (2 x bf16).
// CHECK-LABEL: func.func @warp_bf16
// CHECK: nvgpu.ldmatrix {{.+}} -> vector<4x2xf16>
// CHECK: nvgpu.ldmatrix {{.+}} -> vector<2x2xf16>
// CHECK-COUNT-4: vector.bitcast %{{.+}} : vector<2xf16> to vector<1xi32>
// CHECK: nvvm.mma.sync A[{{.+}}] B[{{.+}}] C[{{.+}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: nvgpu.mma.sync
func.func @warp_bf16(%a: memref<16x16xf16, #gpu.address_space<workgroup>>,
                     %b: memref<16x8xf16, #gpu.address_space<workgroup>>,
                     %c: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %h0 = arith.constant 0.0 : f16
  %f0 = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c32, %v = %c1, %w = %c1) {
    %va = vector.transfer_read %a[%c0, %c0], %h0 {in_bounds = [true, true]} : memref<16x16xf16, #gpu.address_space<workgroup>>, vector<16x16xf16>
    %vb = vector.transfer_read %b[%c0, %c0], %h0 {in_bounds = [true, true]} : memref<16x8xf16, #gpu.address_space<workgroup>>, vector<16x8xf16>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<16x8xf32>, vector<16x8xf32>
    %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc {dlc.mma_bf16, dlc.mma_shape = array<i64: 16, 8, 16>} : vector<16x16xf16>, vector<16x8xf16> into vector<16x8xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
    gpu.terminator
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Unmarked contractions (the FMA thread tiles) are left alone.
// CHECK-LABEL: func.func @unmarked
// CHECK: vector.contract
// CHECK-NOT: nvgpu
func.func @unmarked(%a: vector<4x4xf32>, %b: vector<4x4xf32>, %c: vector<4x4xf32>) -> vector<4x4xf32> {
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %c : vector<4x4xf32>, vector<4x4xf32> into vector<4x4xf32>
  return %r : vector<4x4xf32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// A marked product whose result feeds an op with no fragment form is an
// error, not FMAs in silence.
func.func @unconvertible(%a: memref<16x16xf16, #gpu.address_space<workgroup>>,
                         %b: memref<16x8xf16, #gpu.address_space<workgroup>>,
                         %c: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %h0 = arith.constant 0.0 : f16
  %f0 = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c32, %v = %c1, %w = %c1) {
    %va = vector.transfer_read %a[%c0, %c0], %h0 {in_bounds = [true, true]} : memref<16x16xf16, #gpu.address_space<workgroup>>, vector<16x16xf16>
    %vb = vector.transfer_read %b[%c0, %c0], %h0 {in_bounds = [true, true]} : memref<16x8xf16, #gpu.address_space<workgroup>>, vector<16x8xf16>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<16x8xf32>, vector<16x8xf32>
    // expected-error @+1 {{dlc-lower-to-mma-sync: contraction not converted to mma.sync}}
    %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc {dlc.mma_shape = array<i64: 16, 8, 16>} : vector<16x16xf16>, vector<16x8xf16> into vector<16x8xf32>
    %e = math.exp %r : vector<16x8xf32>
    vector.transfer_write %e, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
    gpu.terminator
  }
  return
}
