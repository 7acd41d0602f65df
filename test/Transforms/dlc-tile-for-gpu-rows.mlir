// RUN: dlc-opt %s --dlc-autodiff --inline --cse --convert-dlc-to-linalg --canonicalize --cse --dlc-fuse-elementwise --dlc-tile-for-gpu --canonicalize --cse | FileCheck %s

func.func @ce(%x: tensor<16x64xf32>, %y: tensor<16xi64>) -> tensor<f32> {
  %0 = dlc.softmax_cross_entropy %x, %y : (tensor<16x64xf32>, tensor<16xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @ce_grad(%x: tensor<16x64xf32>, %y: tensor<16xi64>) -> tensor<16x64xf32> {
  %g = dlc.grad @ce(%x, %y) wrt = [0] : (tensor<16x64xf32>, tensor<16xi64>) -> tensor<16x64xf32>
  return %g : tensor<16x64xf32>
}

// Cross-entropy's forward is one row nest ending at its per-row loss (an op
// over rows): blocks of 8 rows, the max and the sum of exps as warp
// partials merged by shuffles, then one thread per row computing the loss,
// whose gather of the label's logit reads the block's row (block offset +
// thread row) of the whole logits. The mean over rows is a row nest of its
// own: the 16 losses a row [1, 16] that one warp adds up by shuffles (not
// one thread stepping through them), then the division in the same block
// (an op over that one row: no kernel of its own).
// CHECK-LABEL: func.func @ce(
// CHECK-SAME: %[[X:[^:]+]]: tensor<16x64xf32>
// CHECK: %[[LOSSES:.+]] = scf.forall (%[[B:.+]]) = (0) to (16) step (8) shared_outs(%{{.+}}) -> (tensor<16xf32>)
// CHECK:   gpu.shuffle  xor
// CHECK:   arith.maximumf
// CHECK:   gpu.shuffle  xor
// CHECK:   arith.addf
// CHECK:   scf.forall (%[[R:.+]]) in (8) shared_outs
// CHECK:     linalg.generic
// CHECK:       %[[ROW:.+]] = affine.apply #{{.+}}(%[[B]])[%[[R]]]
// CHECK:       tensor.extract %[[X]][%[[ROW]], %{{.+}}] : tensor<16x64xf32>
// CHECK:       math.log
// CHECK:   } {mapping = [#gpu.thread<y>]}
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: %[[ROW:.+]] = tensor.expand_shape %[[LOSSES]] {{\[\[}}0, 1]] output_shape [1, 16] : tensor<16xf32> into tensor<1x16xf32>
// CHECK: %[[MEAN:.+]] = scf.forall (%{{.+}}) in (1) shared_outs(%{{.+}}) -> (tensor<1xf32>)
// CHECK:   scf.forall (%{{.+}}, %{{.+}}) in (1, 32)
// CHECK:     tensor.extract_slice %[[ROW]]
// CHECK:   gpu.shuffle  xor
// CHECK:   scf.forall (%{{.+}}) in (1)
// CHECK:     arith.divf
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: %[[LOSS:.+]] = tensor.collapse_shape %[[MEAN]] [] : tensor<1xf32> into tensor<f32>
// CHECK: return %[[LOSS]]

// Its gradient (softmax - one-hot of the labels) is a row nest too: the
// labels are read as [rows, 1] (map (d0, 0)), one element per thread row.
// CHECK-LABEL: func.func @ce_grad(
// CHECK: scf.forall (%{{.+}}) = (0) to (16) step (8)
// CHECK:   scf.forall (%[[R:.+]], %[[L:.+]]) in (8, 32)
// CHECK:     tensor.extract_slice %{{.+}}[%[[R]], 0] [1, 1] [1, 1] : tensor<8x1xi64> to tensor<1x1xi64>
// CHECK:     arith.cmpi eq
// CHECK:     tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%[[R]], %[[L]]] [1, 2] [1, 32] : tensor<1x2xf32> into tensor<8x64xf32>
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK-NOT: linalg.
// CHECK: return

// A body reading its position (a causal mask, then a softmax): in each
// thread's ops the column index j of its slice is column l + 32 j of the
// block, the row index row r + the block's offset (linalg.index 0 of a
// one-row slice folded away).
// CHECK-LABEL: func.func @causal_softmax(
// CHECK: scf.forall (%[[B:.+]]) = (0) to (16) step (8)
// CHECK:   scf.forall (%[[R:.+]], %[[L:.+]]) in (8, 32)
// CHECK:     linalg.generic
// CHECK:       %[[ROW:.+]] = affine.apply #{{.+}}(%[[B]])[%[[R]]]
// CHECK:       %[[J:.+]] = linalg.index 1 : index
// CHECK:       %[[JS:.+]] = arith.muli %[[J]], %c32 : index
// CHECK:       %[[COL:.+]] = arith.addi %[[L]], %[[JS]] : index
// CHECK:       %[[ROW1:.+]] = arith.addi %[[ROW]], %c1 : index
// CHECK:       %[[LIMIT:.+]] = arith.muli %[[ROW1]], %c4 : index
// CHECK:       arith.cmpi ult, %[[COL]], %[[LIMIT]] : index
func.func @causal_softmax(%x: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %neg = arith.constant 0xFF800000 : f32
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<16x64xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x64xf32>) outs(%e : tensor<16x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %i1 = arith.addi %i, %c1 : index
    %limit = arith.muli %i1, %c4 : index
    %keep = arith.cmpi ult, %j, %limit : index
    %v = arith.select %keep, %in, %neg : f32
    linalg.yield %v : f32
  } -> tensor<16x64xf32>
  %0 = dlc.softmax %m axis = 1 : tensor<16x64xf32>
  return %0 : tensor<16x64xf32>
}

// Rows of 2048 columns: 4 warps a row (128 threads, each taking columns
// t, t + 128, ...: 16 of them), two rows a block (256 threads).
// Each reduction: per-thread partials [2, 128], each warp's total by
// shuffles into its lanes' slots, then one thread per row folding the 4
// warp totals (lanes 0, 32, 64, 96) into the row's filled element.
// CHECK-LABEL: func.func @long_rows(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x2048xf32>
// CHECK: scf.forall (%{{.+}}) = (0) to (2) step (2)
// CHECK:   %[[PARTIALS:.+]] = scf.forall (%[[R:.+]], %[[T:.+]]) in (2, 128)
// CHECK:     tensor.extract_slice %[[X]][%[[R]], %[[T]]] [1, 16] [1, 128] : tensor<2x2048xf32> to tensor<1x16xf32>
// CHECK:     arith.maximumf
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK:   %[[TOTALS:.+]] = scf.forall (%[[R2:.+]], %[[T2:.+]]) in (2, 128) shared_outs(%[[OUT:.+]] = %[[PARTIALS]])
// CHECK:     %[[SLOT:.+]] = tensor.extract_slice %[[OUT]][%[[R2]], %[[T2]]] [1, 1] [1, 1]
// CHECK:     linalg.generic {{.+}} ins(%[[SLOT]] : tensor<1xf32>) outs(%[[SLOT]] : tensor<1xf32>)
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK:   } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK:   scf.forall (%[[R3:.+]]) in (2)
// CHECK:     tensor.extract_slice %[[TOTALS]][%[[R3]], 0] [1, 4] [1, 32] : tensor<2x128xf32> to tensor<1x4xf32>
// CHECK:     arith.maximumf
// CHECK:   } {mapping = [#gpu.thread<y>]}
func.func @long_rows(%x: tensor<2x2048xf32>) -> tensor<2x2048xf32> {
  %0 = dlc.softmax %x axis = 1 : tensor<2x2048xf32>
  return %0 : tensor<2x2048xf32>
}

// A sum of everything (a loss over [512, 1024]): not one thread stepping
// through 2^19 values, but rows of the row nests: 512 rows of the input
// itself (the reshapes to [2^19] and back fold away), 2 warps a row and 4
// rows a block, into 512 partials; those a row [1, 512] that one warp adds
// up; then the scalar.
// CHECK-LABEL: func.func @sum_all(
// CHECK-SAME: %[[X:[^:]+]]: tensor<512x1024xf32>
// CHECK: %[[PARTIALS:.+]] = scf.forall (%{{.+}}) = (0) to (512) step (4) shared_outs(%{{.+}}) -> (tensor<512xf32>)
// CHECK:   tensor.extract_slice %[[X]][%{{.+}}, 0] [4, 1024] [1, 1]
// CHECK:   scf.forall (%{{.+}}, %{{.+}}) in (4, 64)
// CHECK:   gpu.shuffle  xor
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: %[[ROW:.+]] = tensor.expand_shape %[[PARTIALS]] {{\[\[}}0, 1]] output_shape [1, 512]
// CHECK: %[[SUM:.+]] = scf.forall (%{{.+}}) in (1) shared_outs(%{{.+}}) -> (tensor<1xf32>)
// CHECK:   scf.forall (%{{.+}}, %{{.+}}) in (1, 32)
// CHECK:     tensor.extract_slice %[[ROW]]
// CHECK:   gpu.shuffle  xor
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: %[[TOTAL:.+]] = tensor.collapse_shape %[[SUM]] [] : tensor<1xf32> into tensor<f32>
// CHECK: return %[[TOTAL]]
func.func @sum_all(%x: tensor<512x1024xf32>) -> tensor<f32> {
  %0 = dlc.reduce_sum %x axes = [0, 1] : tensor<512x1024xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// A max of everything with keepdims (91 values, under a row's worth): one
// row [1, 91] of the flattened input, one warp, from -inf.
// CHECK-LABEL: func.func @max_all(
// CHECK-SAME: %[[X:[^:]+]]: tensor<7x13xf32>
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<7x13xf32> into tensor<91xf32>
// CHECK: %[[ROW:.+]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [1, 91]
// CHECK: %[[MAX:.+]] = scf.forall (%{{.+}}) in (1) shared_outs(%{{.+}}) -> (tensor<1xf32>)
// CHECK:   scf.forall (%{{.+}}, %{{.+}}) in (1, 32)
// CHECK:     tensor.extract_slice %[[ROW]]
// CHECK:   gpu.shuffle  xor
// CHECK:   arith.maximumf
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: %[[OUT:.+]] = tensor.expand_shape %[[MAX]] {{\[\[}}0, 1]] output_shape [1, 1] : tensor<1xf32> into tensor<1x1xf32>
// CHECK: return %[[OUT]]
func.func @max_all(%x: tensor<7x13xf32>) -> tensor<1x1xf32> {
  %0 = dlc.reduce_max %x axes = [0, 1] keepdims : tensor<7x13xf32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}
