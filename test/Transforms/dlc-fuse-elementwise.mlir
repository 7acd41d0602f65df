// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-fuse-elementwise=two-results --split-input-file | FileCheck %s
// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-fuse-elementwise=two-results --dlc-update-in-place --split-input-file | FileCheck %s --check-prefix=INPLACE
// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-fuse-elementwise=two-results --dlc-update-in-place --dlc-tile-for-gpu --canonicalize --cse --split-input-file | FileCheck %s --check-prefix=GPU
// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-fuse-elementwise --split-input-file | FileCheck %s --check-prefix=CPU

// SGD with momentum on a weight: v' = 0.9 v + g, w' = w - 0.1 v', with v'
// a result too (the new state). The two updates become one generic with
// both results (the momentum computed once); in place, it reads v and w
// through its two destinations; on the GPU it is the epilogue of the
// gradient's GEMM block (one kernel).
// CHECK-LABEL: func.func @momentum
// CHECK: %[[G:.+]] = linalg.matmul
// CHECK: %[[U:.+]]:2 = linalg.generic {{.+}} ins(%{{.+}}, %[[G]], %{{.+}} : tensor<64x32xf32>, tensor<64x32xf32>, tensor<64x32xf32>) outs(%{{.+}}, %{{.+}} : tensor<64x32xf32>, tensor<64x32xf32>)
// CHECK: arith.mulf
// CHECK: %[[V:.+]] = arith.addf
// CHECK: arith.mulf %[[V]]
// CHECK: %[[W:.+]] = arith.subf
// CHECK: linalg.yield %[[V]], %[[W]] : f32, f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[U]]#1, %[[U]]#0
// INPLACE-LABEL: func.func @momentum
// INPLACE-SAME: (%[[W:[^:]+]]: tensor<64x32xf32> {{{.+}}dlc.inout = 0 : i64}, %[[V:[^:]+]]: tensor<64x32xf32> {{{.+}}dlc.inout = 1 : i64}
// INPLACE: %[[G:.+]] = linalg.matmul
// INPLACE: linalg.generic {{.+}} ins(%[[G]] : tensor<64x32xf32>) outs(%[[V]], %[[W]] : tensor<64x32xf32>, tensor<64x32xf32>)
// Without two-results (the CPU pipeline), two ops.
// CPU-LABEL: func.func @momentum
// CPU-NOT: :2 = linalg.generic
// CPU-COUNT-2: } -> tensor<64x32xf32>
// CPU: return
// GPU-LABEL: func.func @momentum
// GPU: scf.forall
// GPU:   scf.for
// GPU:   linalg.generic {{.+}} outs(%{{.+}}, %{{.+}} : tensor<{{.+}}xf32>, tensor<{{.+}}xf32>)
// GPU: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// GPU-NOT: linalg.generic
// GPU: return
func.func @momentum(%w: tensor<64x32xf32> {dlc.inout = 0 : i64},
                    %v: tensor<64x32xf32> {dlc.inout = 1 : i64},
                    %xt: tensor<64x128xf32>, %dy: tensor<128x32xf32>)
    -> (tensor<64x32xf32>, tensor<64x32xf32>) {
  %g = dlc.matmul %xt, %dy : (tensor<64x128xf32>, tensor<128x32xf32>) -> tensor<64x32xf32>
  %beta = dlc.constant dense<0.9> : tensor<64x32xf32>
  %lr = dlc.constant dense<0.1> : tensor<64x32xf32>
  %bv = dlc.mul %v, %beta : tensor<64x32xf32>
  %v2 = dlc.add %bv, %g : tensor<64x32xf32>
  %step = dlc.mul %v2, %lr : tensor<64x32xf32>
  %w2 = dlc.sub %w, %step : tensor<64x32xf32>
  return %w2, %v2 : tensor<64x32xf32>, tensor<64x32xf32>
}

// -----

// A producer with a use besides its consumer and the results stays its
// own op.
// CHECK-LABEL: func.func @other_use
// CHECK-NOT: :2 = linalg.generic
// CHECK-COUNT-3: } -> tensor<16xf32>
// CHECK: return
func.func @other_use(%a: tensor<16xf32>, %b: tensor<16xf32>)
    -> (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) {
  %s = dlc.add %a, %b : tensor<16xf32>
  %t = dlc.mul %s, %a : tensor<16xf32>
  %u = dlc.sub %s, %b : tensor<16xf32>
  return %s, %t, %u : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
}

// -----

// A producer that is its consumer's input and destination is not fused:
// the fused op would take its own result as an init.
// CHECK-LABEL: func.func @as_init
// CHECK-NOT: :2 = linalg.generic
// CHECK-COUNT-2: } -> tensor<16xf32>
// CHECK: return
func.func @as_init(%a: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %e = tensor.empty() : tensor<16xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%a : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.addf %x, %x : f32
    linalg.yield %y : f32
  } -> tensor<16xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%a, %p : tensor<16xf32>, tensor<16xf32>) outs(%p : tensor<16xf32>) {
  ^bb0(%x: f32, %q: f32, %o: f32):
    %y = arith.mulf %x, %q : f32
    %z = arith.addf %y, %o : f32
    linalg.yield %z : f32
  } -> tensor<16xf32>
  return %p, %c : tensor<16xf32>, tensor<16xf32>
}
