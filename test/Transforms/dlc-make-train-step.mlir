// RUN: dlc-opt %s --dlc-make-train-step="params=0,2 optimizer=sgd lr=0.5 momentum=0.9 nesterov=true weight-decay=0.01" | FileCheck %s --check-prefix=SGD
// RUN: dlc-opt %s --dlc-make-train-step="params=2 optimizer=adamw lr=0.001 weight-decay=0.1" | FileCheck %s --check-prefix=ADAMW
// RUN: dlc-opt %s --dlc-make-train-step="params=0,2 optimizer=sgd lr-input=true" | FileCheck %s --check-prefix=LRIN
// RUN: not dlc-opt %s --dlc-make-train-step 2>&1 | FileCheck %s --check-prefix=NOPARAMS
// RUN: not dlc-opt %s --dlc-make-train-step="params=0,0" 2>&1 | FileCheck %s --check-prefix=REPEATED

// The training step: parameters, optimizer state, then the batch (the loss's
// other arguments, in order); parameters and state are in-out and named.

func.func @loss(%w: tensor<3x2xf32> {dlc.name = "w"}, %x: tensor<4x3xf32>, %b: tensor<2xf32> {dlc.name = "b"}) -> tensor<f32> {
  %y = dlc.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %bb = dlc.broadcast_to %b : tensor<2xf32> -> tensor<4x2xf32>
  %z = dlc.add %y, %bb : tensor<4x2xf32>
  %s = dlc.reduce_sum %z axes = [0, 1] : tensor<4x2xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// SGD, Nesterov momentum and weight decay: g += wd p; buf = mu buf + g;
// p -= lr (g + mu buf).
// SGD-LABEL: func.func @train_step
// SGD-SAME: (%[[W:.+]]: tensor<3x2xf32> {dlc.inout = 1 : i64, dlc.name = "w"}, %[[B:.+]]: tensor<2xf32> {dlc.inout = 2 : i64, dlc.name = "b"},
// SGD-SAME: %[[MW:.+]]: tensor<3x2xf32> {dlc.inout = 3 : i64, dlc.name = "w.momentum"}, %[[MB:.+]]: tensor<2xf32> {dlc.inout = 4 : i64, dlc.name = "b.momentum"},
// SGD-SAME: %[[X:.+]]: tensor<4x3xf32> {dlc.name = "input1"})
// SGD-SAME: -> (tensor<f32>, tensor<3x2xf32>, tensor<2xf32>, tensor<3x2xf32>, tensor<2xf32>)
// SGD: %[[V:.+]], %[[G:.+]]:2 = dlc.value_and_grad @loss(%[[W]], %[[X]], %[[B]]) wrt = [0, 2]
// SGD: %[[WD:.+]] = dlc.constant dense<0.00999999977> : tensor<3x2xf32>
// SGD: %[[DECAY:.+]] = dlc.mul %[[W]], %[[WD]]
// SGD: %[[GW:.+]] = dlc.add %[[DECAY]], %[[G]]#0
// SGD: %[[MU:.+]] = dlc.mul %[[MW]], %{{.+}}
// SGD: %[[BUF:.+]] = dlc.add %[[MU]], %[[GW]]
// SGD: %[[NMU:.+]] = dlc.mul %[[BUF]], %{{.+}}
// SGD: %[[NEST:.+]] = dlc.add %[[NMU]], %[[GW]]
// SGD: %[[LR:.+]] = dlc.constant dense<5.000000e-01> : tensor<3x2xf32>
// SGD: %[[STEP:.+]] = dlc.mul %[[NEST]], %[[LR]]
// SGD: %[[NW:.+]] = dlc.sub %[[W]], %[[STEP]]
// SGD: return %[[V]], %[[NW]], %{{.+}}, %[[BUF]], %{{.+}}

// AdamW on b only (w becomes an input): t += 1, decoupled decay, bias
// corrections from beta^t.
// ADAMW-LABEL: func.func @train_step
// ADAMW-SAME: (%[[B:.+]]: tensor<2xf32> {dlc.inout = 1 : i64, dlc.name = "b"}, %[[M:.+]]: tensor<2xf32> {dlc.inout = 2 : i64, dlc.name = "b.m"},
// ADAMW-SAME: %[[V:.+]]: tensor<2xf32> {dlc.inout = 3 : i64, dlc.name = "b.v"}, %[[T:.+]]: tensor<f32> {dlc.inout = 4 : i64, dlc.name = "step"},
// ADAMW-SAME: %[[W:.+]]: tensor<3x2xf32> {dlc.name = "w"}, %[[X:.+]]: tensor<4x3xf32> {dlc.name = "input1"})
// ADAMW: %[[L:.+]], %[[G:.+]] = dlc.value_and_grad @loss(%[[W]], %[[X]], %[[B]]) wrt = [2]
// ADAMW: %[[T1:.+]] = dlc.add %[[T]], %{{.+}} : tensor<f32>
// ADAMW: %[[P1:.+]] = dlc.pow %{{.+}}, %[[T1]] : tensor<f32>
// ADAMW: %[[BC1:.+]] = dlc.sub %{{.+}}, %[[P1]] : tensor<f32>
// ADAMW: %[[P2:.+]] = dlc.pow %{{.+}}, %[[T1]] : tensor<f32>
// ADAMW: %[[BC2:.+]] = dlc.sub %{{.+}}, %[[P2]] : tensor<f32>
// ADAMW: %[[SQ:.+]] = dlc.sqrt %[[BC2]] : tensor<f32>
// ADAMW: %[[DECAY:.+]] = dlc.constant dense<0.999899983> : tensor<2xf32>
// ADAMW: %[[BD:.+]] = dlc.mul %[[B]], %[[DECAY]]
// ADAMW: %[[M1:.+]] = dlc.add %{{.+}}, %{{.+}} : tensor<2xf32>
// ADAMW: %[[GG:.+]] = dlc.mul %[[G]], %[[G]]
// ADAMW: %[[V1:.+]] = dlc.add %{{.+}}, %{{.+}} : tensor<2xf32>
// ADAMW: %[[NB:.+]] = dlc.sub %[[BD]], %{{.+}}
// ADAMW: return %[[L]], %[[NB]], %[[M1]], %[[V1]], %[[T1]]

// The learning rate as an input (for schedules): a rank-0 f32 `lr` between
// the state (none for plain SGD) and the batch, broadcast into the update.
// LRIN-LABEL: func.func @train_step
// LRIN-SAME: (%[[W:.+]]: tensor<3x2xf32> {dlc.inout = 1 : i64, dlc.name = "w"}, %[[B:.+]]: tensor<2xf32> {dlc.inout = 2 : i64, dlc.name = "b"},
// LRIN-SAME: %[[LR:.+]]: tensor<f32> {dlc.name = "lr"}, %[[X:.+]]: tensor<4x3xf32> {dlc.name = "input1"})
// LRIN: %[[V:.+]], %[[G:.+]]:2 = dlc.value_and_grad @loss(%[[W]], %[[X]], %[[B]]) wrt = [0, 2]
// LRIN: %[[L:.+]] = dlc.broadcast_to %[[LR]] : tensor<f32> -> tensor<3x2xf32>
// LRIN: %[[STEP:.+]] = dlc.mul %[[G]]#0, %[[L]]
// LRIN: %[[NW:.+]] = dlc.sub %[[W]], %[[STEP]]
// LRIN: return %[[V]], %[[NW]], %{{.+}}

// NOPARAMS: error: dlc-make-train-step: @loss has no parameters: mark them with {dlc.param} or list them with params=i,j,...
// REPEATED: error: dlc-make-train-step: parameter index 0 is out of range or repeated (@loss has 3 arguments)
