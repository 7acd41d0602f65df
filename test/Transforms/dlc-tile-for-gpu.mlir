// RUN: dlc-opt %s --dlc-tile-for-gpu --canonicalize --cse | FileCheck %s
// RUN: dlc-opt %s --dlc-tile-for-gpu=host-emulation --canonicalize --cse | FileCheck %s --check-prefix=HOST

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
#row = affine_map<(d0, d1) -> (d0)>

// (softmax_odd's slice length for lane d0, below.)
// CHECK-DAG: #[[$RAGGED:.+]] = affine_map<(d0) -> ((-d0) floordiv 32 + 2)>

// A dense layer: 64 x 32 blocks (M = 128, N = 96), the fill, the matmul and
// the bias + relu consumer in one block forall; K in steps of 16 whose A
// (64 x 16) and B (16 x 32) tiles are copied to shared memory by the
// block's 16 x 8 threads in 16-byte pieces of rows (4 floats) along the
// linear thread ids (A's 256 pieces two per thread); each thread a 4 x 4
// tile of the product (one vector.contract) and of the consumer; the
// accumulators in shared memory.
// CHECK-LABEL: func.func @dense
// CHECK: scf.forall (%[[I:.+]], %[[J:.+]]) = (0, 0) to (128, 96) step (64, 32)
// CHECK:   %[[ACC:.+]] = bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<64x32xf32>
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (64, 32) step (4, 4) shared_outs(%{{.+}} = %[[ACC]])
// CHECK:     linalg.fill {{.+}} -> tensor<4x4xf32>
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK:   scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %[[C16:.+]] iter_args
// CHECK:     %[[A:.+]] = bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<64x16xf32>
// CHECK:     %[[SA:.+]] = scf.forall ({{.+}}) = (0, 0) to (64, 16) step (2, 4) shared_outs(%{{.+}} = %[[A]])
// CHECK:       linalg.copy ins(%{{.+}} : tensor<2x4xf32>)
// CHECK:     } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK:     %[[B:.+]] = bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<16x32xf32>
// CHECK:     %[[SB:.+]] = scf.forall ({{.+}}) = (0, 0) to (16, 32) step (1, 4) shared_outs(%{{.+}} = %[[B]])
// CHECK:       linalg.copy ins(%{{.+}} : tensor<1x4xf32>)
// CHECK:     } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (64, 32) step (4, 4)
// CHECK:       tensor.extract_slice %[[SA]]{{.+}} to tensor<4x16xf32>
// CHECK:       tensor.extract_slice %[[SB]]{{.+}} to tensor<16x4xf32>
// CHECK:       vector.transfer_read {{.+}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK:       vector.transfer_read {{.+}} : tensor<16x4xf32>, vector<16x4xf32>
// CHECK:       vector.transfer_read {{.+}} : tensor<4x4xf32>, vector<4x4xf32>
// CHECK:       vector.contract {{.+}} : vector<4x16xf32>, vector<16x4xf32> into vector<4x4xf32>
// CHECK:     } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// The consumer in 16-byte pieces of rows along the linear thread ids (a
// warp writes whole rows; each piece a vector access where aligned):
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (64, 32) step (4, 4)
// CHECK:     scf.for
// CHECK:       linalg.generic {{.+}} ins({{.+}} : tensor<1x4xf32>, tensor<4xf32>) outs({{.+}} : tensor<1x4xf32>) attrs = {dlc.vector_piece = 4 : i64}
// CHECK:         arith.maximumf
// CHECK:   } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// CHECK-NOT: linalg.matmul
// CHECK-NOT: linalg.generic
// CHECK: return

// Host emulation: the same schedule with tiles in ordinary memory.
// HOST-LABEL: func.func @dense
// HOST: bufferization.alloc_tensor() : tensor<64x32xf32>
// HOST: bufferization.alloc_tensor() : tensor<64x16xf32>
// HOST-NOT: memory_space
// HOST: } {mapping = [#gpu.block<y>, #gpu.block<x>]}

// Batched: the batch on block z; N = 48 gives 16-wide blocks and K = 24
// steps of 8.
// CHECK-LABEL: func.func @batched
// CHECK: scf.forall ({{.+}}) = (0, 0, 0) to (3, 32, 48) step (1, 32, 16)
// CHECK:   scf.for {{.+}} step %[[C8:.+]] iter_args
// CHECK:     vector.contract {{.+}} : vector<1x4x8xf32>, vector<1x8x4xf32> into vector<1x4x4xf32>
// CHECK: } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}

// M = 9 is neither a multiple of 16 nor a small even size: left to the
// one-thread-per-output route.
// CHECK-LABEL: func.func @untiled
// CHECK-NOT: scf.forall
// CHECK: linalg.matmul ins({{.+}} : tensor<9x32xf32>, tensor<32x16xf32>)
func.func @dense(%arg0: tensor<128x64xf32>, %arg1: tensor<64x96xf32>, %arg2: tensor<96xf32>) -> tensor<128x96xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<128x96xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<128x96xf32>) -> tensor<128x96xf32>
  %2 = linalg.matmul ins(%arg0, %arg1 : tensor<128x64xf32>, tensor<64x96xf32>) outs(%1 : tensor<128x96xf32>) -> tensor<128x96xf32>
  %3 = tensor.empty() : tensor<128x96xf32>
  %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%2, %arg2 : tensor<128x96xf32>, tensor<96xf32>) outs(%3 : tensor<128x96xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %5 = arith.addf %in, %in_0 : f32
    %6 = arith.maximumf %5, %cst : f32
    linalg.yield %6 : f32
  } -> tensor<128x96xf32>
  return %4 : tensor<128x96xf32>
}
func.func @batched(%arg0: tensor<3x32x24xf32>, %arg1: tensor<3x24x48xf32>) -> tensor<3x32x48xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<3x32x48xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<3x32x48xf32>) -> tensor<3x32x48xf32>
  %2 = linalg.batch_matmul ins(%arg0, %arg1 : tensor<3x32x24xf32>, tensor<3x24x48xf32>) outs(%1 : tensor<3x32x48xf32>) -> tensor<3x32x48xf32>
  return %2 : tensor<3x32x48xf32>
}
func.func @untiled(%arg0: tensor<9x32xf32>, %arg1: tensor<32x16xf32>) -> tensor<9x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<9x16xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<9x16xf32>) -> tensor<9x16xf32>
  %2 = linalg.matmul ins(%arg0, %arg1 : tensor<9x32xf32>, tensor<32x16xf32>) outs(%1 : tensor<9x16xf32>) -> tensor<9x16xf32>
  return %2 : tensor<9x16xf32>
}

// A weight's gradient with its momentum and weight update as the GEMM's
// epilogue (one op with two results, dlc-fuse-elementwise two-results): in
// 16-byte pieces of rows like a one-result consumer, both results written
// by each piece.
// CHECK-LABEL: func.func @gradient_and_update
// CHECK: scf.forall ({{.+}}) = (0, 0) to (128, 96) step (64, 32)
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (64, 32) step (4, 4)
// CHECK:     scf.for
// CHECK:       linalg.generic {{.+}} outs({{.+}} : tensor<1x4xf32>, tensor<1x4xf32>) attrs = {dlc.vector_piece = 4 : i64}
// CHECK:   } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
func.func @gradient_and_update(%x: tensor<128x64xf32>, %dy: tensor<64x96xf32>, %w: tensor<128x96xf32>, %m: tensor<128x96xf32>) -> (tensor<128x96xf32>, tensor<128x96xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %mu = arith.constant 9.000000e-01 : f32
  %lr = arith.constant 1.000000e-02 : f32
  %0 = tensor.empty() : tensor<128x96xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<128x96xf32>) -> tensor<128x96xf32>
  %2 = linalg.matmul ins(%x, %dy : tensor<128x64xf32>, tensor<64x96xf32>) outs(%1 : tensor<128x96xf32>) -> tensor<128x96xf32>
  %3:2 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<128x96xf32>) outs(%m, %w : tensor<128x96xf32>, tensor<128x96xf32>) {
  ^bb0(%g: f32, %mo: f32, %wo: f32):
    %4 = arith.mulf %mo, %mu : f32
    %5 = arith.addf %4, %g : f32
    %6 = arith.mulf %5, %lr : f32
    %7 = arith.subf %wo, %6 : f32
    linalg.yield %5, %7 : f32, f32
  } -> (tensor<128x96xf32>, tensor<128x96xf32>)
  return %3#0, %3#1 : tensor<128x96xf32>, tensor<128x96xf32>
}

// A softmax over rows of 64: blocks of 8 rows; the fills, both reductions
// and the output in one block forall; the exp fused into the sum and into
// the output (recomputed, not stored); each reduction as per-thread
// partials over columns l, l + 32 (a stride-32 slice) into an 8 x 32
// shared buffer, then merged per row by its warp (a butterfly of five xor
// shuffles, every lane storing the total) into a shared row vector. On the
// host, where lanes run one after another, one thread per row merges.
// CHECK-LABEL: func.func @softmax(
// CHECK: scf.forall (%{{.+}}) = (0) to (16) step (8)
// CHECK:   %[[MAX:.+]] = bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<8xf32>
// The row vector's fill is not needed: the merge writes every row.
// CHECK-NOT: shared_outs(%{{.+}} = %[[MAX]])
// CHECK:   %[[PART:.+]] = bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<8x32xf32>
// Each thread starts its partial from -inf itself (no forall and barrier
// for that).
// CHECK-NEXT: scf.forall (%[[R:.+]], %[[L:.+]]) in (8, 32) shared_outs(%[[P:.+]] = %[[PART]])
// CHECK:     tensor.extract_slice %{{.+}}[%[[R]], %[[L]]] [1, 2] [1, 32] : tensor<8x64xf32> to tensor<1x2xf32>
// CHECK:     %[[MINE:.+]] = tensor.extract_slice %[[P]][%[[R]], %[[L]]] [1, 1] [1, 1] : tensor<8x32xf32> to tensor<1xf32>
// CHECK:     %[[START:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[MINE]] : tensor<1xf32>)
// CHECK:     linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]{{.+}} outs(%[[START]] : tensor<1xf32>)
// CHECK:       arith.maximumf
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK:   scf.forall (%[[R:.+]], %[[L:.+]]) in (8, 32) shared_outs(%[[ROW:.+]] = %[[MAX]])
// CHECK:     tensor.extract_slice %{{.+}}[%[[R]], %[[L]]] [1, 1] [1, 1] : tensor<8x32xf32> to tensor<1xf32>
// CHECK:     linalg.generic
// CHECK:       %[[S0:.+]], %{{.+}} = gpu.shuffle  xor %[[IN:.+]], %c16_i32, %c32_i32 : f32
// CHECK:       %[[M0:.+]] = arith.maximumf %[[S0]], %[[IN]] : f32
// CHECK:       gpu.shuffle  xor %[[M0]], %c8_i32, %c32_i32 : f32
// CHECK:       gpu.shuffle  xor %{{.+}}, %c4_i32, %c32_i32 : f32
// CHECK:       gpu.shuffle  xor %{{.+}}, %c2_i32, %c32_i32 : f32
// CHECK:       gpu.shuffle  xor %{{.+}}, %c1_i32, %c32_i32 : f32
// CHECK:       %[[TOTAL:.+]] = arith.maximumf
// CHECK:       linalg.yield %[[TOTAL]] : f32
// CHECK:     tensor.parallel_insert_slice %{{.+}} into %[[ROW]][%[[R]]] [1] [1] : tensor<1xf32> into tensor<8xf32>
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK:   scf.forall (%{{.+}}, %{{.+}}) in (8, 32) shared_outs
// CHECK:     math.exp
// CHECK:     arith.addf
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK:   scf.forall (%{{.+}}, %{{.+}}) in (8, 32) shared_outs
// CHECK:     math.exp
// CHECK:     arith.divf
// CHECK:     arith.mulf
// CHECK:     tensor.parallel_insert_slice {{.+}} [1, 2] [1, 32] : tensor<1x2xf32> into tensor<8x64xf32>
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK-NOT: linalg.
// CHECK: return

// HOST-LABEL: func.func @softmax(
// HOST-NOT: gpu.shuffle
// HOST:   scf.forall (%{{.+}}) in (8) shared_outs
// HOST:     tensor.extract_slice {{.+}} : tensor<8x32xf32> to tensor<1x32xf32>
// HOST:     arith.maximumf
// HOST:   } {mapping = [#gpu.thread<y>]}
// HOST-NOT: gpu.shuffle
// HOST: return

// 33 columns are no multiple of a warp: lane l takes columns l, l + 32,
// ... below 33, ceil((33 - l) / 32) of them (2 for lane 0, 1 for the rest).
// CHECK-LABEL: func.func @softmax_odd(
// CHECK: scf.forall (%{{.+}}) = (0) to (16) step (8)
// CHECK:   scf.forall (%[[R:.+]], %[[L:.+]]) in (8, 32)
// CHECK:     %[[N:.+]] = affine.apply #[[$RAGGED]](%[[L]])
// CHECK:     tensor.extract_slice %{{.+}}[%[[R]], %[[L]]] [1, %[[N]]] [1, 32] : tensor<8x33xf32> to tensor<1x?xf32>
// CHECK:     arith.maximumf
// CHECK:   gpu.shuffle
// CHECK:   scf.forall (%[[R:.+]], %[[L:.+]]) in (8, 32)
// CHECK:     %[[N:.+]] = affine.apply #[[$RAGGED]](%[[L]])
// CHECK:     tensor.parallel_insert_slice %{{.+}}[%[[R]], %[[L]]] [1, %[[N]]] [1, 32] : tensor<1x?xf32> into tensor<8x33xf32>
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: return

func.func @softmax(%arg0: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %cst = arith.constant 1.000000e+00 : f32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %cst_1 = arith.constant 0xFF800000 : f32
  %0 = tensor.empty() : tensor<16xf32>
  %1 = linalg.fill ins(%cst_1 : f32) outs(%0 : tensor<16xf32>) -> tensor<16xf32>
  %reduced = linalg.reduce ins(%arg0 : tensor<16x64xf32>) outs(%1 : tensor<16xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %8 = arith.maximumf %in, %init : f32
      linalg.yield %8 : f32
    }
  %2 = tensor.empty() : tensor<16x64xf32>
  %3 = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %reduced : tensor<16x64xf32>, tensor<16xf32>) outs(%2 : tensor<16x64xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %8 = arith.subf %in, %in_3 : f32
    %9 = math.exp %8 : f32
    linalg.yield %9 : f32
  } -> tensor<16x64xf32>
  %4 = tensor.empty() : tensor<16xf32>
  %5 = linalg.fill ins(%cst_0 : f32) outs(%4 : tensor<16xf32>) -> tensor<16xf32>
  %reduced_2 = linalg.reduce ins(%3 : tensor<16x64xf32>) outs(%5 : tensor<16xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %8 = arith.addf %in, %init : f32
      linalg.yield %8 : f32
    }
  %6 = tensor.empty() : tensor<16x64xf32>
  %7 = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%3, %reduced_2 : tensor<16x64xf32>, tensor<16xf32>) outs(%6 : tensor<16x64xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %8 = arith.divf %cst, %in_3 : f32
    %9 = arith.mulf %in, %8 : f32
    linalg.yield %9 : f32
  } -> tensor<16x64xf32>
  return %7 : tensor<16x64xf32>
}
func.func @softmax_odd(%arg0: tensor<16x33xf32>) -> tensor<16x33xf32> {
  %cst = arith.constant 1.000000e+00 : f32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %cst_1 = arith.constant 0xFF800000 : f32
  %0 = tensor.empty() : tensor<16xf32>
  %1 = linalg.fill ins(%cst_1 : f32) outs(%0 : tensor<16xf32>) -> tensor<16xf32>
  %reduced = linalg.reduce ins(%arg0 : tensor<16x33xf32>) outs(%1 : tensor<16xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %8 = arith.maximumf %in, %init : f32
      linalg.yield %8 : f32
    }
  %2 = tensor.empty() : tensor<16x33xf32>
  %3 = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %reduced : tensor<16x33xf32>, tensor<16xf32>) outs(%2 : tensor<16x33xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %8 = arith.subf %in, %in_3 : f32
    %9 = math.exp %8 : f32
    linalg.yield %9 : f32
  } -> tensor<16x33xf32>
  %4 = tensor.empty() : tensor<16xf32>
  %5 = linalg.fill ins(%cst_0 : f32) outs(%4 : tensor<16xf32>) -> tensor<16xf32>
  %reduced_2 = linalg.reduce ins(%3 : tensor<16x33xf32>) outs(%5 : tensor<16xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %8 = arith.addf %in, %init : f32
      linalg.yield %8 : f32
    }
  %6 = tensor.empty() : tensor<16x33xf32>
  %7 = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%3, %reduced_2 : tensor<16x33xf32>, tensor<16xf32>) outs(%6 : tensor<16x33xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %8 = arith.divf %cst, %in_3 : f32
    %9 = arith.mulf %in, %8 : f32
    linalg.yield %9 : f32
  } -> tensor<16x33xf32>
  return %7 : tensor<16x33xf32>
}

// A row sum that starts from 1 (not the sum's neutral 0) is no row nest:
// each of a row's 32 partials would start from the 1 too.
// CHECK-LABEL: func.func @sum_from_one(
// CHECK-NOT: scf.forall
// CHECK: return
func.func @sum_from_one(%arg0: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %one = arith.constant 1.000000e+00 : f32
  %0 = tensor.empty() : tensor<16xf32>
  %1 = linalg.fill ins(%one : f32) outs(%0 : tensor<16xf32>) -> tensor<16xf32>
  %sum = linalg.reduce ins(%arg0 : tensor<16x64xf32>) outs(%1 : tensor<16xf32>) dimensions = [1]
    (%in: f32, %init: f32) {
      %2 = arith.addf %in, %init : f32
      linalg.yield %2 : f32
    }
  %3 = tensor.empty() : tensor<16x64xf32>
  %4 = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %sum : tensor<16x64xf32>, tensor<16xf32>) outs(%3 : tensor<16x64xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %5 = arith.divf %in, %s : f32
    linalg.yield %5 : f32
  } -> tensor<16x64xf32>
  return %4 : tensor<16x64xf32>
}

// A 2 x 32 f64 product has 8 threads (a 2 x 4 output tile each), but the
// rows of its B tile have 16 pieces of 16 bytes: each thread copies two
// pieces of each of the 16 rows, and one of each of A's 2 rows.
// CHECK-LABEL: func.func @thin_f64(
// CHECK: scf.forall ({{.+}}) = (0, 0) to (2, 16) step (2, 2)
// CHECK:   linalg.copy ins(%{{.+}} : tensor<2x2xf64>)
// CHECK: } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK: scf.forall ({{.+}}) = (0, 0) to (16, 32) step (16, 4)
// CHECK:   linalg.copy ins(%{{.+}} : tensor<16x4xf64>)
// CHECK: } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
func.func @thin_f64(%a: tensor<2x16xf64>, %b: tensor<16x32xf64>) -> tensor<2x32xf64> {
  %cst = arith.constant 0.000000e+00 : f64
  %0 = tensor.empty() : tensor<2x32xf64>
  %1 = linalg.fill ins(%cst : f64) outs(%0 : tensor<2x32xf64>) -> tensor<2x32xf64>
  %2 = linalg.matmul ins(%a, %b : tensor<2x16xf64>, tensor<16x32xf64>) outs(%1 : tensor<2x32xf64>) -> tensor<2x32xf64>
  return %2 : tensor<2x32xf64>
}

// 576 blocks of 64 x 64 (4 an SM of an H100): 8 x 8 outputs per thread,
// 64 threads a block; each copies 4 pieces of A and of B. In f64, 4 x 4
// (the 8 x 8 tile would need 242 registers). 144 blocks keep 4 x 4 tiles
// (256 threads a block).
// CHECK-LABEL: func.func @large(
// CHECK: scf.forall ({{.+}}) = (0, 0) to (1536, 1536) step (64, 64)
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (64, 64) step (8, 8)
// CHECK:     linalg.fill {{.+}} -> tensor<8x8xf32>
// CHECK:   scf.for
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (64, 16) step (4, 4)
// CHECK:     } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (16, 64) step (4, 4)
// CHECK:     scf.forall ({{.+}}) = (0, 0) to (64, 64) step (8, 8)
// CHECK:       vector.contract {{.+}} : vector<8x16xf32>, vector<16x8xf32> into vector<8x8xf32>
// CHECK-LABEL: func.func @large_f64(
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (64, 64) step (4, 4)
// CHECK:     linalg.fill {{.+}} -> tensor<4x4xf64>
// CHECK-LABEL: func.func @medium(
// CHECK:   scf.forall ({{.+}}) = (0, 0) to (64, 64) step (4, 4)
// CHECK:     linalg.fill {{.+}} -> tensor<4x4xf32>
func.func @large(%a: tensor<1536x32xf32>, %b: tensor<32x1536xf32>) -> tensor<1536x1536xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<1536x1536xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1536x1536xf32>) -> tensor<1536x1536xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<1536x32xf32>, tensor<32x1536xf32>) outs(%1 : tensor<1536x1536xf32>) -> tensor<1536x1536xf32>
  return %2 : tensor<1536x1536xf32>
}
func.func @large_f64(%a: tensor<1536x32xf64>, %b: tensor<32x1536xf64>) -> tensor<1536x1536xf64> {
  %cst = arith.constant 0.000000e+00 : f64
  %0 = tensor.empty() : tensor<1536x1536xf64>
  %1 = linalg.fill ins(%cst : f64) outs(%0 : tensor<1536x1536xf64>) -> tensor<1536x1536xf64>
  %2 = linalg.matmul ins(%a, %b : tensor<1536x32xf64>, tensor<32x1536xf64>) outs(%1 : tensor<1536x1536xf64>) -> tensor<1536x1536xf64>
  return %2 : tensor<1536x1536xf64>
}
func.func @medium(%a: tensor<768x32xf32>, %b: tensor<32x768xf32>) -> tensor<768x768xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<768x768xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<768x768xf32>) -> tensor<768x768xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<768x32xf32>, tensor<32x768xf32>) outs(%1 : tensor<768x768xf32>) -> tensor<768x768xf32>
  return %2 : tensor<768x768xf32>
}

// An elementwise op left over (no contraction's consumer, no row nest):
// blocks of 8 x 32 threads, each thread 4 consecutive f32 (16 bytes) of a
// row, marked for dlc-vectorize-staging-copies; a bias row and a scalar
// are read per piece.
// CHECK-LABEL: func.func @elementwise_pieces
// CHECK: scf.forall (%[[I:.+]], %[[J:.+]]) = (0, 0) to (64, 256) step (8, 128)
// CHECK:   scf.forall (%[[R:.+]], %[[L:.+]]) = (0, 0) to (8, 128) step (1, 4)
// CHECK:     linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<1x4xf32>, tensor<4xf32>, tensor<f32>)
// CHECK-SAME: outs(%{{.+}} : tensor<1x4xf32>)
// CHECK-SAME: attrs =  {dlc.vector_piece = 4 : i64}
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
func.func @elementwise_pieces(%x: tensor<64x256xf32>, %b: tensor<256xf32>, %s: tensor<f32>) -> tensor<64x256xf32> {
  %e = tensor.empty() : tensor<64x256xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %b, %s : tensor<64x256xf32>, tensor<256xf32>, tensor<f32>) outs(%e : tensor<64x256xf32>) {
  ^bb0(%in: f32, %bias: f32, %scale: f32, %out: f32):
    %1 = arith.subf %in, %bias : f32
    %2 = arith.mulf %1, %scale : f32
    linalg.yield %2 : f32
  } -> tensor<64x256xf32>
  return %0 : tensor<64x256xf32>
}

// f16 pieces are 8 wide; a row of 100 (no multiple of 32 pieces), a
// transposed read and a body that is no elementwise arithmetic (a gather)
// stay whole for the parallel-loop route.
// CHECK-LABEL: func.func @elementwise_left
// CHECK: scf.forall (%{{.+}}) = (0) to (1024) step (1024)
// CHECK:   scf.forall (%{{.+}}) = (0) to (1024) step (8)
// CHECK:     dlc.vector_piece = 8
// CHECK-NOT: scf.forall (
// CHECK: linalg.generic
// CHECK-NOT: scf.forall (
// CHECK: linalg.generic
// CHECK-NOT: scf.forall (
// CHECK: linalg.generic
// CHECK-NOT: dlc.vector_piece
func.func @elementwise_left(%h: tensor<1024xf16>, %x: tensor<4x100xf32>, %t: tensor<128x128xf32>, %i: tensor<4x128xindex>, %table: tensor<16xf32>) -> (tensor<1024xf16>, tensor<4x100xf32>, tensor<128x128xf32>, tensor<4x128xf32>) {
  %eh = tensor.empty() : tensor<1024xf16>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%h : tensor<1024xf16>) outs(%eh : tensor<1024xf16>) {
  ^bb0(%in: f16, %out: f16):
    %n = arith.negf %in : f16
    linalg.yield %n : f16
  } -> tensor<1024xf16>
  %ex = tensor.empty() : tensor<4x100xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x100xf32>) outs(%ex : tensor<4x100xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4x100xf32>
  %et = tensor.empty() : tensor<128x128xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%t : tensor<128x128xf32>) outs(%et : tensor<128x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<128x128xf32>
  %eg = tensor.empty() : tensor<4x128xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%i : tensor<4x128xindex>) outs(%eg : tensor<4x128xf32>) {
  ^bb0(%in: index, %out: f32):
    %v = tensor.extract %table[%in] : tensor<16xf32>
    linalg.yield %v : f32
  } -> tensor<4x128xf32>
  return %0, %1, %2, %3 : tensor<1024xf16>, tensor<4x100xf32>, tensor<128x128xf32>, tensor<4x128xf32>
}

// Operands all of the op's shape, rows of 28 (an NCHW activation): one flat
// loop of 6272 = 49 x 128, in blocks of 32 threads of 4 f32 (the pieces of
// a block: a divisor of 49 x 32).
// CHECK-LABEL: func.func @elementwise_flat
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1, 2, 3]] : tensor<2x4x28x28xf32> into tensor<6272xf32>
// CHECK: scf.forall (%{{.+}}) = (0) to (6272) step (128)
// CHECK:   scf.forall (%{{.+}}) = (0) to (128) step (4)
// CHECK:     dlc.vector_piece = 4
// CHECK: tensor.expand_shape
func.func @elementwise_flat(%x: tensor<2x4x28x28xf32>, %y: tensor<2x4x28x28xf32>) -> tensor<2x4x28x28xf32> {
  %e = tensor.empty() : tensor<2x4x28x28xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %y : tensor<2x4x28x28xf32>, tensor<2x4x28x28xf32>) outs(%e : tensor<2x4x28x28xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %1 = arith.mulf %a, %b : f32
    linalg.yield %1 : f32
  } -> tensor<2x4x28x28xf32>
  return %0 : tensor<2x4x28x28xf32>
}

// Not flattened when an operand is a slice (maybe strided: reshaping it
// would copy it): a max-pool-like stride-2 read stays whole.
// CHECK-LABEL: func.func @elementwise_flat_slice
// CHECK-NOT: tensor.collapse_shape
// CHECK-NOT: dlc.vector_piece
// CHECK: linalg.generic
func.func @elementwise_flat_slice(%x: tensor<2x4x56x56xf32>, %y: tensor<2x4x28x28xf32>) -> tensor<2x4x28x28xf32> {
  %s = tensor.extract_slice %x[0, 0, 0, 0] [2, 4, 28, 28] [1, 1, 2, 2] : tensor<2x4x56x56xf32> to tensor<2x4x28x28xf32>
  %e = tensor.empty() : tensor<2x4x28x28xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s, %y : tensor<2x4x28x28xf32>, tensor<2x4x28x28xf32>) outs(%e : tensor<2x4x28x28xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %1 = arith.mulf %a, %b : f32
    linalg.yield %1 : f32
  } -> tensor<2x4x28x28xf32>
  return %0 : tensor<2x4x28x28xf32>
}

// A reduction over outer and inner dims (a bias gradient, [N, C, H, W] ->
// [C]) in two steps: partial[n, c] over h, w from the combiner's neutral
// element, then the outer n into the output (here a max: -inf).
// CHECK-LABEL: func.func @outer_reduction
// CHECK-SAME: (%[[X:.+]]: tensor<4x8x3x3xf32>, %[[OUT:.+]]: tensor<8xf32>)
// CHECK: %[[NEUTRAL:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[FILL:.+]] = linalg.fill ins(%[[NEUTRAL]] : f32) outs(%{{.+}} : tensor<4x8xf32>)
// CHECK: %[[PARTIAL:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[$NC:.+]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<4x8x3x3xf32>) outs(%[[FILL]] : tensor<4x8xf32>)
// CHECK:   arith.maximumf
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[$C:.+]]], iterator_types = ["reduction", "parallel"]} ins(%[[PARTIAL]] : tensor<4x8xf32>) outs(%[[OUT]] : tensor<8xf32>)
// CHECK:   arith.maximumf
// Too few inner steps (a [N, C] -> [C] sum): one op, left to the
// parallel-loop route.
// CHECK-LABEL: func.func @outer_reduction_only
// CHECK-NOT: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], iterator_types = ["reduction", "parallel"]} ins(%{{.+}} : tensor<64x8xf32>)
// CHECK-NOT: linalg.generic
func.func @outer_reduction(%x: tensor<4x8x3x3xf32>, %out: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.reduce ins(%x : tensor<4x8x3x3xf32>) outs(%out : tensor<8xf32>) dimensions = [0, 2, 3]
    (%in: f32, %acc: f32) {
      %m = arith.maximumf %acc, %in : f32
      linalg.yield %m : f32
    }
  return %0 : tensor<8xf32>
}
func.func @outer_reduction_only(%x: tensor<64x8xf32>, %out: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.reduce ins(%x : tensor<64x8xf32>) outs(%out : tensor<8xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %m = arith.addf %in, %acc : f32
      linalg.yield %m : f32
    }
  return %0 : tensor<8xf32>
}

// With 32 or more inner steps read along rows (an NCHW activation), the
// partials are rows of a row nest: [n * c, h * w] = [32, 64], 8 rows a
// block, a warp a row (lane l sums columns l and l + 32), merged by
// shuffles; then the outer n as before.
// CHECK-LABEL: func.func @bias_gradient_rows
// CHECK-SAME: (%[[X:.+]]: tensor<4x8x8x8xf32>, %[[OUT:.+]]: tensor<8xf32>)
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2, 3]] : tensor<4x8x8x8xf32> into tensor<32x64xf32>
// CHECK: %[[PARTIALS:.+]] = scf.forall (%[[R:.+]]) = (0) to (32) step (8)
// CHECK:   tensor.extract_slice %[[ROWS]][%[[R]], 0] [8, 64] [1, 1]
// CHECK:   scf.forall (%[[Y:.+]], %[[L:.+]]) in (8, 32)
// CHECK:     tensor.extract_slice %{{.+}}[%[[Y]], %[[L]]] [1, 2] [1, 32] : tensor<8x64xf32> to tensor<1x2xf32>
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK:   scf.forall
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: %[[NC:.+]] = tensor.expand_shape %[[PARTIALS]] {{\[}}[0, 1]] output_shape [4, 8]
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[NC]] : tensor<4x8xf32>)
func.func @bias_gradient_rows(%x: tensor<4x8x8x8xf32>, %out: tensor<8xf32>) -> tensor<8xf32> {
  %cst = arith.constant 0.0 : f32
  %f = linalg.fill ins(%cst : f32) outs(%out : tensor<8xf32>) -> tensor<8xf32>
  %0 = linalg.reduce ins(%x : tensor<4x8x8x8xf32>) outs(%f : tensor<8xf32>) dimensions = [0, 2, 3]
    (%in: f32, %acc: f32) {
      %m = arith.addf %in, %acc : f32
      linalg.yield %m : f32
    }
  return %0 : tensor<8xf32>
}

// A column sum into a fill (a bias gradient over a batch of 128, [128, 512]
// -> [512]): 32 chunks of 4 rows, a thread per output and chunk stepping
// down its rows (threads along the 512 columns), the partials [512, 32],
// then each output's 32 partials a row of a row nest (a warp a row). Left
// to the parallel-loop route it was 512 threads of 128 steps.
// CHECK-LABEL: func.func @column_sum
// CHECK: %[[PARTIALS:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}} : tensor<32x4x512xf32>) outs(%{{.+}} : tensor<512x32xf32>)
// CHECK: scf.forall (%{{.+}}) = (0) to (512) step (8)
// CHECK:   tensor.extract_slice %[[PARTIALS]]
// CHECK:   gpu.shuffle xor
// CHECK: } {mapping = [#gpu.block<x>]}
func.func @column_sum(%x: tensor<128x512xf32>) -> tensor<512xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<512xf32>) -> tensor<512xf32>
  %0 = linalg.reduce ins(%x : tensor<128x512xf32>) outs(%f : tensor<512xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %m = arith.addf %in, %acc : f32
      linalg.yield %m : f32
    }
  return %0 : tensor<512xf32>
}

// A transpose of the innermost dim (NCHW -> NHWC, a conv weight
// gradient's dy) through shared memory: [N, C, H, W] -> [N, H, W, C] as
// [N, C, HW] -> [N, HW, C]; blocks of a 16 x 32 tile (HW 16 at a time, C
// 32); the input tile copied along its rows (x: HW) into a buffer one
// element wider than them, then written along the output's rows (x: C),
// 256 linear threads each 2 rows of each phase. A transpose of rows of no
// divisor from 8 to 32 (HW = 7 x 7) is left alone.
// CHECK-LABEL: func.func @nchw_to_nhwc
// CHECK-SAME: (%[[X:.+]]: tensor<2x32x4x4xf32>)
// CHECK: %[[IN:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<2x32x4x4xf32> into tensor<2x32x16xf32>
// CHECK: scf.forall (%[[N:.+]], %{{.+}}, %{{.+}}) = (0, 0, 0) to (2, 16, 32) step (1, 16, 32)
// CHECK:   %[[TILE:.+]] = tensor.extract_slice %[[IN]][%[[N]], 0, 0] [1, 32, 16] [1, 1, 1]
// CHECK:   %[[BUFFER:.+]] = bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<1x32x17xf32>
// CHECK:   %[[STAGED:.+]] = tensor.extract_slice %[[BUFFER]][0, 0, 0] [1, 32, 16] [1, 1, 1]
// CHECK:   %[[COPIED:.+]] = scf.forall (%[[C:.+]], %[[P:.+]]) = (0, 0) to (32, 16) step (2, 1) shared_outs(%{{.+}} = %[[STAGED]])
// CHECK:     tensor.extract_slice %[[TILE]][0, %[[C]], %[[P]]] [1, 2, 1]
// CHECK:     linalg.copy
// CHECK:   } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK:   scf.forall (%[[P2:.+]], %[[C2:.+]]) = (0, 0) to (16, 32) step (2, 1)
// CHECK:     tensor.extract_slice %[[COPIED]][0, %[[C2]], %[[P2]]] [1, 1, 2]
// CHECK:     linalg.generic
// CHECK:   } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK: } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3]] output_shape [2, 4, 4, 32]
// CHECK-LABEL: func.func @transpose_rows_of_49
// CHECK-NOT: scf.forall
// CHECK-NOT: alloc_tensor
// A named linalg.transpose (dlc.transpose's) likewise; rows of 196: tiles
// of 28 (its largest divisor up to 32) x 32, 224 threads, 4 rows each;
// rows of 28 padded to 29.
// CHECK-LABEL: func.func @named_transpose
// CHECK: scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (196, 64) step (28, 32)
// CHECK:   bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<32x29xf32>
// CHECK:   scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (32, 28) step (4, 1)
// CHECK:   scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (28, 32) step (4, 1)
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
func.func @nchw_to_nhwc(%x: tensor<2x32x4x4xf32>) -> tensor<2x4x4x32xf32> {
  %e = tensor.empty() : tensor<2x4x4x32xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x32x4x4xf32>) outs(%e : tensor<2x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4x4x32xf32>
  return %0 : tensor<2x4x4x32xf32>
}
func.func @transpose_rows_of_49(%x: tensor<2x32x7x7xf32>) -> tensor<2x7x7x32xf32> {
  %e = tensor.empty() : tensor<2x7x7x32xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x32x7x7xf32>) outs(%e : tensor<2x7x7x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x7x7x32xf32>
  return %0 : tensor<2x7x7x32xf32>
}
func.func @named_transpose(%x: tensor<64x196xf32>) -> tensor<196x64xf32> {
  %e = tensor.empty() : tensor<196x64xf32>
  %0 = linalg.transpose ins(%x : tensor<64x196xf32>) outs(%e : tensor<196x64xf32>) permutation = [1, 0]
  return %0 : tensor<196x64xf32>
}

// A product of few blocks with a long K ([128, 2048] x [2048, 64]: 8
// blocks of 32 x 32) as a batch of K chunks (8 of 256: each chunk at least
// 256 steps): A, read with K last, copied into [8, 128, 256] so that the
// batch comes first; B's chunks as they are; the batch_matmul tiled as
// any (64 blocks); then the partials summed into the output in chunk
// order. A stored transposed ([K, M], x^T dy) needs no copy.
// CHECK-LABEL: func.func @split_k
// CHECK-SAME: (%[[A:.+]]: tensor<128x2048xf32>, %[[B:.+]]: tensor<2048x64xf32>)
// CHECK: %[[A3:.+]] = tensor.expand_shape %[[A]] {{\[}}[0], [1, 2]] output_shape [128, 8, 256]
// CHECK: %[[ACHUNKS:.+]] = linalg.generic {{.*}} ins(%[[A3]] : tensor<128x8x256xf32>) outs(%{{.+}} : tensor<8x128x256xf32>)
// CHECK: %[[B3:.+]] = tensor.expand_shape %[[B]] {{\[}}[0, 1], [2]] output_shape [8, 256, 64]
// CHECK: %[[PARTIALS:.+]] = scf.forall (%{{.+}}, %{{.+}}, %{{.+}}) = (0, 0, 0) to (8, 128, 64) step (1, 32, 32)
// CHECK:   tensor.extract_slice %[[ACHUNKS]]
// CHECK:   tensor.extract_slice %[[B3]]
// CHECK: } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[PARTIALS]] : tensor<8x128x64xf32>) outs(%{{.+}} : tensor<128x64xf32>)
// CHECK:   arith.addf
// CHECK-LABEL: func.func @split_k_transposed_a
// CHECK-NOT: linalg.generic
// CHECK: scf.forall (%{{.+}}, %{{.+}}, %{{.+}}) = (0, 0, 0) to (8, 128, 64) step (1, 32, 32)
// A K of 768 (under 4 chunks of 256) stays one product.
// CHECK-LABEL: func.func @no_split_k
// CHECK-NOT: tensor.expand_shape
// CHECK: scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (128, 64) step (32, 32)
func.func @split_k(%a: tensor<128x2048xf32>, %b: tensor<2048x64xf32>) -> tensor<128x64xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x64xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<128x64xf32>) -> tensor<128x64xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<128x2048xf32>, tensor<2048x64xf32>) outs(%f : tensor<128x64xf32>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}
func.func @split_k_transposed_a(%a: tensor<2048x128xf32>, %b: tensor<2048x64xf32>) -> tensor<128x64xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x64xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<128x64xf32>) -> tensor<128x64xf32>
  %0 = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%a, %b : tensor<2048x128xf32>, tensor<2048x64xf32>) outs(%f : tensor<128x64xf32>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}
func.func @no_split_k(%a: tensor<128x768xf32>, %b: tensor<768x64xf32>) -> tensor<128x64xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x64xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<128x64xf32>) -> tensor<128x64xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<128x768xf32>, tensor<768x64xf32>) outs(%f : tensor<128x64xf32>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}

// A conv weight gradient's A is an im2col gather ([C, KH, KW, N, OH, OW]
// collapsed to [144, 4096]): split into 16 K chunks, the gather itself
// writes [16, 144, 256] (its N dim split into the chunk and the rest) and
// no copy of A follows. Where the chunks do not divide N (2 images), A is
// copied as for any operand.
// CHECK-LABEL: func.func @split_k_im2col
// CHECK: %[[COLS:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%{{.+}} : tensor<16x16x18x18xf32>) outs(%{{.+}} : tensor<16x16x3x3x1x16x16xf32>)
// CHECK: %[[A3:.+]] = tensor.collapse_shape %[[COLS]] {{\[}}[0], [1, 2, 3], [4, 5, 6]] : tensor<16x16x3x3x1x16x16xf32> into tensor<16x144x256xf32>
// CHECK-NOT: linalg.generic
// CHECK: scf.forall (%{{.+}}, %{{.+}}, %{{.+}}) = (0, 0, 0) to (16, 144, 64)
// CHECK:   tensor.extract_slice %[[A3]]
// CHECK-LABEL: func.func @split_k_im2col_of_2
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<16x3x3x2x64x32xf32>)
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [144, 16, 256]
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<16x144x256xf32>)
func.func @split_k_im2col(%x: tensor<16x16x18x18xf32>, %b: tensor<4096x64xf32>) -> tensor<144x64xf32> {
  %cst = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<16x3x3x16x16x16xf32>
  %cols = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d1 + d4, d2 + d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<16x16x18x18xf32>) outs(%e0 : tensor<16x3x3x16x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<16x3x3x16x16x16xf32>
  %a = tensor.collapse_shape %cols [[0, 1, 2], [3, 4, 5]] : tensor<16x3x3x16x16x16xf32> into tensor<144x4096xf32>
  %e = tensor.empty() : tensor<144x64xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<144x64xf32>) -> tensor<144x64xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<144x4096xf32>, tensor<4096x64xf32>) outs(%f : tensor<144x64xf32>) -> tensor<144x64xf32>
  return %0 : tensor<144x64xf32>
}
func.func @split_k_im2col_of_2(%x: tensor<2x16x66x34xf32>, %b: tensor<4096x64xf32>) -> tensor<144x64xf32> {
  %cst = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<16x3x3x2x64x32xf32>
  %cols = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d1 + d4, d2 + d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x16x66x34xf32>) outs(%e0 : tensor<16x3x3x2x64x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<16x3x3x2x64x32xf32>
  %a = tensor.collapse_shape %cols [[0, 1, 2], [3, 4, 5]] : tensor<16x3x3x2x64x32xf32> into tensor<144x4096xf32>
  %e = tensor.empty() : tensor<144x64xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<144x64xf32>) -> tensor<144x64xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<144x4096xf32>, tensor<4096x64xf32>) outs(%f : tensor<144x64xf32>) -> tensor<144x64xf32>
  return %0 : tensor<144x64xf32>
}

// One long reduction with few outputs that no tile plan takes (odd M): K in
// chunks summed in parallel (upstream's splitReduction), then added up:
// 4096 steps for 15 outputs are 32 chunks of 128.
// CHECK-LABEL: func.func @long_reduction
// CHECK: %[[A:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [3, 32, 128]
// CHECK: %[[PARTIAL:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[A]], %{{.+}} : tensor<3x32x128xf32>, tensor<32x128x5xf32>) outs(%{{.+}} : tensor<32x3x5xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[PARTIAL]] : tensor<32x3x5xf32>) outs(%{{.+}} : tensor<3x5xf32>)
// 1024 steps: left whole.
// CHECK-LABEL: func.func @short_reduction
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.matmul
func.func @long_reduction(%a: tensor<3x4096xf32>, %b: tensor<4096x5xf32>, %c: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<3x4096xf32>, tensor<4096x5xf32>) outs(%c : tensor<3x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
func.func @short_reduction(%a: tensor<3x1024xf32>, %b: tensor<1024x5xf32>, %c: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<3x1024xf32>, tensor<1024x5xf32>) outs(%c : tensor<3x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// A product that tiles into fewer than 8 blocks with a K of 512 or more (a
// classifier, [64, 3136] x [3136, 10]: one 64 x 10 block stepping through
// K) goes to parallel K chunks instead: 16 chunks of 196; [128, 512] x
// [512, 10] 4 chunks of 128.
// CHECK-LABEL: func.func @few_blocks_long_k
// CHECK-NOT: scf.forall
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [64, 16, 196]
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<16x64x10xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<16x64x10xf32>) outs(%{{.+}} : tensor<64x10xf32>)
// CHECK-NOT: scf.forall
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [128, 4, 128]
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<4x128x10xf32>)
// CHECK-NOT: scf.forall
// CHECK: return
func.func @few_blocks_long_k(%a: tensor<64x3136xf32>, %b: tensor<3136x10xf32>, %c: tensor<64x10xf32>, %h: tensor<128x512xf32>, %w: tensor<512x10xf32>) -> (tensor<64x10xf32>, tensor<128x10xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<64x3136xf32>, tensor<3136x10xf32>) outs(%c : tensor<64x10xf32>) -> tensor<64x10xf32>
  %e = tensor.empty() : tensor<128x10xf32>
  %1 = linalg.matmul ins(%h, %w : tensor<128x512xf32>, tensor<512x10xf32>) outs(%e : tensor<128x10xf32>) -> tensor<128x10xf32>
  return %0, %1 : tensor<64x10xf32>, tensor<128x10xf32>
}

// Into a fill (a gradient, not an accumulation like the two above), the
// chunks are more and their partials rows: a 1-channel conv's weight
// gradient, [9, 50176] x [50176, 32], is 448 chunks of 112 (the most, a
// multiple of 32, of 16 steps or more within 132 x 1024 threads), each
// thread stepping along the 32 outputs' last dim; each output's 448
// partials a row that a warp adds up (8 rows a block, xor shuffles), not a
// thread's 448 steps. The classifier: 64 chunks of 49, rows of 64.
// CHECK-LABEL: func.func @skinny_long_k
// CHECK: %[[PARTIAL:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<9x448x112xf32>, tensor<448x112x32xf32>) outs(%{{.+}} : tensor<9x32x448xf32>)
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[PARTIAL]] {{\[}}[0, 1], [2]] : tensor<9x32x448xf32> into tensor<288x448xf32>
// CHECK: scf.forall (%{{.+}}) = (0) to (288) step (8)
// CHECK:   tensor.extract_slice %[[ROWS]]
// CHECK:   gpu.shuffle  xor
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<64x10x64xf32>)
// CHECK: scf.forall (%{{.+}}) = (0) to (640) step (8)
// CHECK:   gpu.shuffle  xor
func.func @skinny_long_k(%a: tensor<9x50176xf32>, %b: tensor<50176x32xf32>, %x: tensor<64x3136xf32>, %w: tensor<3136x10xf32>) -> (tensor<9x32xf32>, tensor<64x10xf32>) {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<9x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<9x32xf32>) -> tensor<9x32xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<9x50176xf32>, tensor<50176x32xf32>) outs(%f : tensor<9x32xf32>) -> tensor<9x32xf32>
  %e1 = tensor.empty() : tensor<64x10xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<64x10xf32>) -> tensor<64x10xf32>
  %1 = linalg.matmul ins(%x, %w : tensor<64x3136xf32>, tensor<3136x10xf32>) outs(%f1 : tensor<64x10xf32>) -> tensor<64x10xf32>
  return %0, %1 : tensor<9x32xf32>, tensor<64x10xf32>
}

// Few 64 x 64 blocks on FMAs (a batch-128 layer, 128 x 512: 16 blocks) are
// 32 x 32 blocks instead (64 of them), each 16 x 16 threads of 2 x 2.
// CHECK-LABEL: func.func @few_blocks
// CHECK: scf.forall ({{.+}}) = (0, 0) to (128, 512) step (32, 32)
// CHECK: scf.forall ({{.+}}) = (0, 0) to (32, 32) step (2, 2)
// CHECK: vector.contract {{.+}} : vector<2x16xf32>, vector<16x2xf32> into vector<2x2xf32>
// CHECK: return
func.func @few_blocks(%a: tensor<128x64xf32>, %b: tensor<64x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// A product reading a transpose (the backward's dy W^T) reads W through a
// transposed map instead; the transpose is gone.
// CHECK-LABEL: func.func @transposed_rhs
// CHECK-SAME: (%[[DY:.+]]: tensor<128x64xf32>, %[[W:.+]]: tensor<256x64xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: scf.forall ({{.+}}) = (0, 0) to (128, 256) step (32, 32)
// CHECK:   tensor.extract_slice %[[W]][%{{.+}}, 0] [32, 64] [1, 1] : tensor<256x64xf32> to tensor<32x64xf32>
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
func.func @transposed_rhs(%dy: tensor<128x64xf32>, %w: tensor<256x64xf32>) -> tensor<128x256xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<64x256xf32>
  %t = linalg.transpose ins(%w : tensor<256x64xf32>) outs(%e : tensor<64x256xf32>) permutation = [1, 0]
  %0 = tensor.empty() : tensor<128x256xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %2 = linalg.matmul ins(%dy, %t : tensor<128x64xf32>, tensor<64x256xf32>) outs(%1 : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %2 : tensor<128x256xf32>
}

// A product no block fits (a batch of 100 through a layer of 100 units):
// A and B zero-padded to 128 rows and columns (each pad one generic, below),
// the fill made on the padded shape, the 128 x 128 product tiled in 32 x
// 32 blocks (few), and its [100, 100] part taken for the consumer.
// CHECK-LABEL: func.func @padded
// CHECK-SAME: (%[[A:.+]]: tensor<100x784xf32>, %[[B:.+]]: tensor<784x100xf32>
// CHECK: %[[PA:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<128x784xf32>)
// CHECK:   tensor.extract %[[A]]
// CHECK: %[[PB:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<784x128xf32>)
// CHECK:   tensor.extract %[[B]]
// CHECK: %[[P:.+]] = scf.forall ({{.+}}) = (0, 0) to (128, 128) step (32, 32)
// CHECK:   tensor.extract_slice %[[PA]]
// CHECK:   tensor.extract_slice %[[PB]]
// CHECK:   linalg.fill
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// CHECK: %[[PART:.+]] = tensor.extract_slice %[[P]][0, 0] [100, 100] [1, 1] : tensor<128x128xf32> to tensor<100x100xf32>
// CHECK: linalg.generic {{.+}} ins(%[[PART]], %{{.+}} : tensor<100x100xf32>, tensor<100xf32>)
func.func @padded(%a: tensor<100x784xf32>, %b: tensor<784x100xf32>, %bias: tensor<100xf32>) -> tensor<100x100xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<100x100xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<100x100xf32>) -> tensor<100x100xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<100x784xf32>, tensor<784x100xf32>) outs(%1 : tensor<100x100xf32>) -> tensor<100x100xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %bias : tensor<100x100xf32>, tensor<100xf32>) outs(%0 : tensor<100x100xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %4 = arith.addf %in, %in_0 : f32
    %5 = arith.maximumf %4, %cst : f32
    linalg.yield %5 : f32
  } -> tensor<100x100xf32>
  return %3 : tensor<100x100xf32>
}

// A pad (a conv's padded input) as one generic over the padded shape: the
// source read at a clamped position where inside, the pad value elsewhere
// (bufferized, a pad is a fill and a copy: two kernels).
// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4x5xf32>)
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.+}} : tensor<2x3x6x9xf32>)
// CHECK:   %[[H:.+]] = linalg.index 2 : index
// CHECK:   %[[FROM:.+]] = arith.subi %[[H]], %{{.+}} : index
// CHECK:   %[[IN:.+]] = arith.cmpi ult, %[[FROM]], %{{.+}} : index
// CHECK:   arith.select %[[IN]], %[[FROM]], %{{.+}} : index
// CHECK:   %[[V:.+]] = tensor.extract %[[X]]
// CHECK:   arith.select %{{.+}}, %[[V]], %{{.+}} : f32
func.func @pad(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x6x9xf32> {
  %cst = arith.constant 0.5 : f32
  %0 = tensor.pad %x low[0, 0, 1, 3] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<2x3x4x5xf32> to tensor<2x3x6x9xf32>
  return %0 : tensor<2x3x6x9xf32>
}

// A pad whose one consumer is a generic that elementwise fusion accepts (an
// im2col reading the padded input at oh + kh, ow + kw) is fused into it: no
// padded tensor, the bounds test on the consumer's positions.
// CHECK-LABEL: func.func @pad_into_im2col
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[COLS:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<2x3x3x4x4xf32>)
// CHECK:   arith.cmpi ult
// CHECK:   tensor.extract %[[X]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[COLS]]
func.func @pad_into_im2col(%x: tensor<1x2x4x4xf32>) -> tensor<2x3x3x4x4xf32> {
  %cst = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  %e = tensor.empty() : tensor<2x3x3x4x4xf32>
  %cols = linalg.generic {indexing_maps = [affine_map<(c, kh, kw, oh, ow) -> (0, c, oh + kh, ow + kw)>, affine_map<(c, kh, kw, oh, ow) -> (c, kh, kw, oh, ow)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%p : tensor<1x2x6x6xf32>) outs(%e : tensor<2x3x3x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x3x4x4xf32>
  return %cols : tensor<2x3x3x4x4xf32>
}
