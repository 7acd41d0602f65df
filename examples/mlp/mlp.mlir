// A small MLP classifier in the dlc dialect: 16 features -> 32 -> 10 classes
// with layer norm and GELU. @predict returns class probabilities and the
// predicted class; @loss returns the mean cross-entropy against labels.

func.func @predict(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %b1: tensor<32xf32>,
                   %gamma: tensor<32xf32>, %beta: tensor<32xf32>,
                   %w2: tensor<32x10xf32>, %b2: tensor<10xf32>)
    -> (tensor<8x10xf32>, tensor<8xi64>) {
  %logits = call @logits(%x, %w1, %b1, %gamma, %beta, %w2, %b2)
      : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>,
         tensor<32x10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %probs = dlc.softmax %logits axis = 1 : tensor<8x10xf32>
  %class = dlc.argmax %logits axis = 1 : tensor<8x10xf32> -> tensor<8xi64>
  return %probs, %class : tensor<8x10xf32>, tensor<8xi64>
}

func.func @loss(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %b1: tensor<32xf32>,
                %gamma: tensor<32xf32>, %beta: tensor<32xf32>,
                %w2: tensor<32x10xf32>, %b2: tensor<10xf32>, %labels: tensor<8xi64>)
    -> tensor<f32> {
  %logits = call @logits(%x, %w1, %b1, %gamma, %beta, %w2, %b2)
      : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>,
         tensor<32x10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %l = dlc.softmax_cross_entropy %logits, %labels : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func private @logits(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %b1: tensor<32xf32>,
                          %gamma: tensor<32xf32>, %beta: tensor<32xf32>,
                          %w2: tensor<32x10xf32>, %b2: tensor<10xf32>) -> tensor<8x10xf32> {
  %h0 = dlc.matmul %x, %w1 : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %bias1 = dlc.broadcast_to %b1 : tensor<32xf32> -> tensor<8x32xf32>
  %h1 = dlc.add %h0, %bias1 : tensor<8x32xf32>
  %h2 = dlc.layer_norm %h1 scale %gamma bias %beta epsilon = 1.0e-05
      : (tensor<8x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %h3 = dlc.gelu %h2 : tensor<8x32xf32>
  %o0 = dlc.matmul %h3, %w2 : (tensor<8x32xf32>, tensor<32x10xf32>) -> tensor<8x10xf32>
  %bias2 = dlc.broadcast_to %b2 : tensor<10xf32> -> tensor<8x10xf32>
  %o1 = dlc.add %o0, %bias2 : tensor<8x10xf32>
  return %o1 : tensor<8x10xf32>
}
