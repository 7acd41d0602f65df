// RUN: dlc-opt %s --convert-dlc-to-linalg --split-input-file | FileCheck %s

// Softmax subtracts the row maximum before exp.
// CHECK-LABEL: func @softmax
// CHECK-SAME: (%[[X:.+]]: tensor<4x5xf32>)
// CHECK: %[[MAX:.+]] = linalg.reduce ins(%[[X]] : tensor<4x5xf32>) outs(%{{.+}} : tensor<4xf32>) dimensions = [1]
// CHECK: arith.maximumf
// CHECK: %[[E:.+]] = linalg.generic
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<4x5xf32>, tensor<4xf32>)
// CHECK: %[[S:.+]] = arith.subf
// CHECK: math.exp %[[S]]
// CHECK: %[[SUM:.+]] = linalg.reduce ins(%[[E]] : tensor<4x5xf32>)
// The result reuses the exps (computed once) times the row's 1 / sum.
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[E]], %[[SUM]] : tensor<4x5xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[EI:.+]]: f32, %[[SI:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[R:.+]] = arith.divf %{{.+}}, %[[SI]]
// CHECK: arith.mulf %[[EI]], %[[R]]
func.func @softmax(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %0 = dlc.softmax %x axis = 1 : tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// log_softmax is (x - max) - log(sum(exp(x - max))): no log of a rounded 0.
// CHECK-LABEL: func @log_softmax_f16
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f16, %[[M:.+]]: f32, %[[S:.+]]: f32, %{{.+}}: f16):
// CHECK: %[[W:.+]] = arith.extf %[[IN]] : f16 to f32
// CHECK: %[[SH:.+]] = arith.subf %[[W]], %[[M]] : f32
// CHECK: %[[L:.+]] = math.log %[[S]] : f32
// CHECK: %[[Y:.+]] = arith.subf %[[SH]], %[[L]] : f32
// CHECK: arith.truncf %[[Y]] : f32 to f16
func.func @log_softmax_f16(%x: tensor<3x4x5xf16>) -> tensor<3x4x5xf16> {
  %0 = dlc.log_softmax %x axis = 0 : tensor<3x4x5xf16>
  return %0 : tensor<3x4x5xf16>
}

// -----

// Two-pass layer norm in f32 for bf16 input, scale and bias read along the last dim.
// CHECK-DAG: #[[$LAST:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @layer_norm_bf16
// CHECK: %[[SUM:.+]] = linalg.reduce ins(%{{.+}} : tensor<4x8xbf16>) outs(%{{.+}} : tensor<4xf32>) dimensions = [1]
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<4xf32>)
// CHECK: %[[SQ:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[MEAN]] : tensor<4x8xbf16>, tensor<4xf32>)
// CHECK: %[[VAR:.+]] = linalg.reduce ins(%[[SQ]] : tensor<4x8xf32>)
// CHECK: %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
// CHECK: %[[RSTD:.+]] = linalg.generic
// CHECK-SAME: ins(%[[VAR]] : tensor<4xf32>)
// CHECK: arith.addf %{{.+}}, %[[EPS]]
// CHECK: math.rsqrt
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #[[$LAST]], #[[$LAST]], #{{.+}}]
// CHECK: arith.truncf %{{.+}} : f32 to bf16
func.func @layer_norm_bf16(%x: tensor<4x8xbf16>, %g: tensor<8xbf16>, %b: tensor<8xbf16>) -> tensor<4x8xbf16> {
  %0 = dlc.layer_norm %x scale %g bias %b epsilon = 1.0e-05 : (tensor<4x8xbf16>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// -----

// Cross-entropy: per row logsumexp - logits[label] (NaN for a bad label), then the mean.
// CHECK-LABEL: func @softmax_cross_entropy
// CHECK-SAME: (%[[L:.+]]: tensor<8x10xf32>, %[[Y:.+]]: tensor<8xi64>)
// CHECK: %[[MAX:.+]] = linalg.reduce ins(%[[L]]
// CHECK: %[[SUM:.+]] = linalg.reduce
// CHECK: %[[ROWS:.+]] = linalg.generic
// CHECK-SAME: ins(%[[Y]], %[[MAX]], %[[SUM]] : tensor<8xi64>, tensor<8xf32>, tensor<8xf32>)
// CHECK: %[[OK:.+]] = arith.andi
// CHECK: %[[SAFE:.+]] = arith.select %[[OK]]
// CHECK: tensor.extract %[[L]][%{{.+}}, %[[SAFE]]]
// CHECK: arith.select %[[OK]], %{{.+}}, %{{.+}} : f32
// CHECK: %[[TOTAL:.+]] = linalg.reduce ins(%[[ROWS]] : tensor<8xf32>) outs(%{{.+}} : tensor<f32>) dimensions = [0]
// CHECK: %[[N:.+]] = arith.constant 8.000000e+00 : f32
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[TOTAL]] : tensor<f32>)
// CHECK: arith.divf %{{.+}}, %[[N]]
func.func @softmax_cross_entropy(%logits: tensor<8x10xf32>, %labels: tensor<8xi64>) -> tensor<f32> {
  %0 = dlc.softmax_cross_entropy %logits, %labels : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func @mse_loss
// CHECK: %[[SQ:.+]] = linalg.generic
// CHECK: %[[D:.+]] = arith.subf
// CHECK: arith.mulf %[[D]], %[[D]]
// CHECK: %[[TOTAL:.+]] = linalg.reduce ins(%[[SQ]] : tensor<4x3xf32>) outs(%{{.+}} : tensor<f32>) dimensions = [0, 1]
// CHECK: arith.constant 1.200000e+01 : f32
func.func @mse_loss(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>) -> tensor<f32> {
  %0 = dlc.mse_loss %x, %t : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
