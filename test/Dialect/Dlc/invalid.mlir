// RUN: dlc-opt %s -split-input-file -verify-diagnostics

// Every diagnostic of the dlc verifiers and type inference, plus the ODS type
// constraints (element types, static shapes).

func.func @elementwise_dynamic_shape(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{must be statically shaped tensor}}
  %0 = dlc.exp %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @elementwise_unsupported_element(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'dlc.neg' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = dlc.neg %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @unary_float_only(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dlc.exp' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dlc.exp %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @binary_implicit_broadcast(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dlc.add' op expects operands of the same type (broadcasting is explicit: use dlc.broadcast_to), but lhs is 'tensor<2x3xf32>' and rhs is 'tensor<3xf32>'}}
  %0 = dlc.add %x, %y : tensor<2x3xf32>, tensor<3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @binary_dtype_mismatch(%x: tensor<3xf32>, %y: tensor<3xf64>) -> tensor<3xf32> {
  // expected-error @+2 {{'dlc.mul' op expects operands of the same type (broadcasting is explicit: use dlc.broadcast_to), but lhs is 'tensor<3xf32>' and rhs is 'tensor<3xf64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dlc.mul"(%x, %y) : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @binary_wrong_result(%x: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'dlc.sub' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dlc.sub"(%x, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @div_of_integers(%x: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{'dlc.div' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<3xi32>'}}
  %0 = dlc.div %x, %x : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @compare_mismatch(%x: tensor<3xf32>, %y: tensor<3xi32>) -> tensor<3xi1> {
  // expected-error @+1 {{'dlc.compare' op expects operands of the same type (broadcasting is explicit: use dlc.broadcast_to), but lhs is 'tensor<3xf32>' and rhs is 'tensor<3xi32>'}}
  %0 = dlc.compare <eq>, %x, %y : tensor<3xf32>, tensor<3xi32>
  return %0 : tensor<3xi1>
}

// -----

func.func @select_condition_shape(%c: tensor<4xi1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'dlc.select' op expects the condition to have the values' shape [3], but found [4]}}
  %0 = dlc.select %c, %x, %x : tensor<4xi1>, tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @select_condition_type(%c: tensor<3xi32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'dlc.select' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<3xi32>'}}
  %0 = dlc.select %c, %x, %x : tensor<3xi32>, tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @select_values(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{'dlc.select' op expects operands of the same type (broadcasting is explicit: use dlc.broadcast_to), but on_true is 'tensor<3xf32>' and on_false is 'tensor<3xf16>'}}
  %0 = dlc.select %c, %x, %y : tensor<3xi1>, tensor<3xf32>, tensor<3xf16>
  return %0 : tensor<3xf32>
}

// -----

func.func @cast_shape(%x: tensor<3xf32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dlc.cast' op expects the result shape to equal the input shape [3], but found [4]}}
  %0 = dlc.cast %x : tensor<3xf32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @constant_type(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.constant' op inferred type(s) 'tensor<2xf64>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dlc.constant"() {value = dense<1.0> : tensor<2xf64>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @broadcast_element_type(%x: tensor<3xf32>) -> tensor<2x3xf64> {
  // expected-error @+1 {{'dlc.broadcast_to' op expects the result element type to be 'f32', but found 'f64'}}
  %0 = dlc.broadcast_to %x : tensor<3xf32> -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

func.func @broadcast_lower_rank(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'dlc.broadcast_to' op cannot broadcast rank 2 to the lower rank 1 (input 'tensor<2x3xf32>', result 'tensor<3xf32>')}}
  %0 = dlc.broadcast_to %x : tensor<2x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @broadcast_incompatible(%x: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dlc.broadcast_to' op cannot broadcast input dimension 0 of size 4 to result dimension 1 of size 3: expected 1 or 3 (input 'tensor<4xf32>', result 'tensor<2x3xf32>')}}
  %0 = dlc.broadcast_to %x : tensor<4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<6xf32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{'dlc.reshape' op expects the result element type to be 'f32', but found 'i32'}}
  %0 = dlc.reshape %x : tensor<6xf32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @reshape_count(%x: tensor<6xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'dlc.reshape' op expects the result to have the input's 6 elements, but 'tensor<2x4xf32>' has 8}}
  %0 = dlc.reshape %x : tensor<6xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @transpose_size(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'dlc.transpose' op expects permutation to have 2 entries, but found 3: [1, 0, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.transpose %x permutation = [1, 0, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{'dlc.transpose' op expects a permutation of [0, 2), but found [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.transpose %x permutation = [1, 1] : tensor<2x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @transpose_negative(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'dlc.transpose' op expects every permutation entry to be >= 0, but found [-1, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.transpose %x permutation = [-1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_wrong_result(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'dlc.transpose' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.transpose %x permutation = [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @slice_rank(%x: tensor<4x4xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.slice' op expects start to have 2 entries, but found 1: [0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.slice %x start = [0] limit = [2] strides = [1] : tensor<4x4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @slice_stride(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.slice' op expects every strides entry to be >= 1, but found [0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.slice %x start = [0] limit = [2] strides = [0] : tensor<4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @slice_bounds(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.slice' op expects 0 <= start <= limit <= 4 in dimension 0, but found start 3 and limit 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.slice %x start = [3] limit = [5] strides = [1] : tensor<4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_empty() -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.concat' op expects at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dlc.concat"() {axis = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_axis(%x: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'dlc.concat' op expects axis in [0, 1) for an input of rank 1, but found 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.concat %x, %x axis = 1 : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concat_rank(%x: tensor<2xf32>, %y: tensor<2x2xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'dlc.concat' op expects every input to have the rank and element type of input 0 ('tensor<2xf32>'), but input 1 is 'tensor<2x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.concat %x, %y axis = 0 : (tensor<2xf32>, tensor<2x2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concat_dims(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'dlc.concat' op expects inputs to agree on every dimension but the axis 0, but input 1 ('tensor<2x4xf32>') differs from input 0 ('tensor<2x3xf32>') in dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.concat %x, %y axis = 0 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @pad_negative(%x: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'dlc.pad' op expects every low entry to be >= 0, but found [-1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.pad %x low = [-1] high = [2] value = 0.0 : f32 : tensor<2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @pad_high_rank(%x: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'dlc.pad' op expects high to have 1 entries, but found 2: [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.pad %x low = [0] high = [1, 1] value = 0.0 : f32 : tensor<2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @pad_value_type(%x: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'dlc.pad' op expects the padding value to be a scalar of the element type 'f32', but found 0 : i32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.pad %x low = [0] high = [1] value = 0 : i32 : tensor<2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @gather_scalar_table(%t: tensor<f32>, %i: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.gather' op expects a table of rank >= 1, but found 'tensor<f32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.gather %t, %i : (tensor<f32>, tensor<2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_float_indices(%t: tensor<4x2xf32>, %i: tensor<2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'dlc.gather' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = dlc.gather %t, %i : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @matmul_element_type(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) -> tensor<2x4xf32> {
  // expected-error @+2 {{'dlc.matmul' op expects operands of one element type, but lhs has 'f32' and rhs has 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'dlc.matmul' op expects operands of the same rank >= 2 ([..., M, K] x [..., K, N]), but found 'tensor<3xf32>' and 'tensor<3x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.matmul %a, %b : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<2x2x4xf32> {
  // expected-error @+2 {{'dlc.matmul' op expects equal batch dimensions, but lhs has [2] and rhs has [5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.matmul %a, %b : (tensor<2x2x3xf32>, tensor<5x3x4xf32>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{'dlc.matmul' op expects the contracted dimensions to match, but lhs 'tensor<2x3xf32>' has K = 3 and rhs 'tensor<4x5xf32>' has K = 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @conv_input_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects an NCHW input of rank 4, but found 'tensor<3x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_filter_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects an OIHW filter of rank 4, but found 'tensor<4x3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf64>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects input and filter of one element type, but found 'f32' and 'f64'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf64>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects every strides entry to be >= 1, but found [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [0, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects padding to have 4 entries, but found 2: [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects dilation to have 2 entries, but found 1: [1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects groups >= 1 dividing the input channels (3) and the output channels (4), but found groups = 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 2 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_filter_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects filter dimension 1 to be input channels / groups = 2, but found 4 (input 'tensor<1x4x8x8xf32>', filter 'tensor<4x4x3x3xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 2 : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_window(%x: tensor<1x3x4x4xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32> {
  // expected-error @+2 {{'dlc.conv2d' op expects the dilated filter (3 with dilation 2) to fit in the padded input in spatial dimension 0 (size 4 + padding)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [2, 2] groups = 1 : (tensor<1x3x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return %0 : tensor<1x4x1x1xf32>
}

// -----

func.func @conv_integer(%x: tensor<1x3x4x4xi32>, %w: tensor<4x3x3x3xi32>) -> tensor<1x4x2x2xi32> {
  // expected-error @+1 {{'dlc.conv2d' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x3x4x4xi32>'}}
  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x3x4x4xi32>, tensor<4x3x3x3xi32>) -> tensor<1x4x2x2xi32>
  return %0 : tensor<1x4x2x2xi32>
}

// -----

func.func @pool_rank(%x: tensor<3x8x8xf32>) -> tensor<3x4x4xf32> {
  // expected-error @+2 {{'dlc.max_pool2d' op expects an NCHW input of rank 4, but found 'tensor<3x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.max_pool2d %x kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<3x8x8xf32> -> tensor<3x4x4xf32>
  return %0 : tensor<3x4x4xf32>
}

// -----

func.func @pool_kernel(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{'dlc.avg_pool2d' op expects every kernel entry to be >= 1, but found [0, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.avg_pool2d %x kernel = [0, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @pool_strides(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{'dlc.max_pool2d' op expects strides to have 2 entries, but found 3: [2, 2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.max_pool2d %x kernel = [2, 2] strides = [2, 2, 2] padding = [0, 0, 0, 0] : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @pool_padding_count(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{'dlc.max_pool2d' op expects padding to have 4 entries, but found 2: [0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.max_pool2d %x kernel = [2, 2] strides = [2, 2] padding = [0, 0] : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @pool_padding_too_large(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x5x5xf32> {
  // expected-error @+2 {{'dlc.max_pool2d' op expects padding smaller than the kernel (2) in spatial dimension 0, but found [2, 0, 0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.max_pool2d %x kernel = [2, 2] strides = [2, 2] padding = [2, 0, 0, 0] : tensor<1x3x8x8xf32> -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

func.func @pool_padding_too_large_bottom(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x9xf32> {
  // expected-error @+2 {{'dlc.avg_pool2d' op expects padding smaller than the kernel (3) in spatial dimension 1, but found [0, 0, 0, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.avg_pool2d %x kernel = [1, 3] strides = [1, 1] padding = [0, 0, 0, 3] : tensor<1x3x8x8xf32> -> tensor<1x3x8x9xf32>
  return %0 : tensor<1x3x8x9xf32>
}

// -----

func.func @pool_window(%x: tensor<1x3x2x8xf32>) -> tensor<1x3x1x3xf32> {
  // expected-error @+2 {{'dlc.avg_pool2d' op expects the kernel (3) to fit in the padded input in spatial dimension 0 (size 2 + padding)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.avg_pool2d %x kernel = [3, 3] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x3x2x8xf32> -> tensor<1x3x1x3xf32>
  return %0 : tensor<1x3x1x3xf32>
}

// -----

func.func @reduce_no_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'dlc.reduce_sum' op expects at least one axis to reduce}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.reduce_sum %x axes = [] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reduce_axis_range(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.reduce_max' op expects every axis in [0, 2) for an input of rank 2, but found 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.reduce_max %x axes = [2] : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_duplicate_axes(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.reduce_min' op expects distinct axes, but found [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.reduce_min %x axes = [1, 1] : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_wrong_keepdims_result(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'dlc.reduce_mean' op inferred type(s) 'tensor<2x1xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.reduce_mean %x axes = [1] keepdims : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_mean_integer(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  // expected-error @+1 {{'dlc.reduce_mean' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2x3xi32>'}}
  %0 = dlc.reduce_mean %x axes = [1] : tensor<2x3xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @argmax_axis(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+2 {{'dlc.argmax' op expects axis in [0, 2) for an input of rank 2, but found -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.argmax %x axis = -1 : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmax_result_type(%x: tensor<2x3xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{'dlc.argmax' op result #0 must be statically shaped tensor of 64-bit signless integer values, but got 'tensor<2xi32>'}}
  %0 = dlc.argmax %x axis = 1 : tensor<2x3xf32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dlc.softmax' op expects axis in [0, 2) for an input of rank 2, but found 2}}
  %0 = dlc.softmax %x axis = 2 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @log_softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dlc.log_softmax' op expects axis in [0, 2) for an input of rank 2, but found 5}}
  %0 = dlc.log_softmax %x axis = 5 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+2 {{'dlc.layer_norm' op expects an input of rank >= 1, but found 'tensor<f32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.layer_norm %x epsilon = 1.0e-05 : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3xf32>, %g: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'dlc.layer_norm' op expects scale of type 'tensor<3xf32>' (the input's last dimension), but found 'tensor<2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.layer_norm %x scale %g epsilon = 1.0e-05 : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_bias(%x: tensor<2x3xf32>, %b: tensor<3xf16>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'dlc.layer_norm' op expects bias of type 'tensor<3xf32>' (the input's last dimension), but found 'tensor<3xf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.layer_norm %x bias %b epsilon = 1.0e-05 : (tensor<2x3xf32>, tensor<3xf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'dlc.layer_norm' op expects epsilon >= 0, but found -1.000000e+00}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.layer_norm %x epsilon = -1.0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cross_entropy_logits(%x: tensor<2x3x4xf32>, %l: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+2 {{'dlc.softmax_cross_entropy' op expects logits of rank 2 [N, C], but found 'tensor<2x3x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.softmax_cross_entropy %x, %l : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_labels(%x: tensor<2x3xf32>, %l: tensor<3xi64>) -> tensor<f32> {
  // expected-error @+2 {{'dlc.softmax_cross_entropy' op expects labels of shape [2] for logits 'tensor<2x3xf32>', but found 'tensor<3xi64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.softmax_cross_entropy %x, %l : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_no_classes(%x: tensor<2x0xf32>, %l: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+2 {{'dlc.softmax_cross_entropy' op expects at least one class, but found 'tensor<2x0xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.softmax_cross_entropy %x, %l : (tensor<2x0xf32>, tensor<2xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_float_labels(%x: tensor<2x3xf32>, %l: tensor<2xf32>) -> tensor<f32> {
  // expected-error @+1 {{'dlc.softmax_cross_entropy' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = dlc.softmax_cross_entropy %x, %l : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @mse_mismatch(%x: tensor<4xf32>, %t: tensor<5xf32>) -> tensor<f32> {
  // expected-error @+2 {{'dlc.mse_loss' op expects operands of the same type (broadcasting is explicit: use dlc.broadcast_to), but input is 'tensor<4xf32>' and target is 'tensor<5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.mse_loss %x, %t : (tensor<4xf32>, tensor<5xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Generic form with attributes missing or mistyped: ODS diagnostics, never a
// crash in type inference.
func.func @generic_missing_permutation(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'dlc.transpose' op requires attribute 'permutation'}}
  %0 = "dlc.transpose"(%x) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @generic_missing_axes(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'dlc.reduce_sum' op requires attribute 'axes'}}
  %0 = "dlc.reduce_sum"(%x) : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @generic_missing_conv_attrs(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{'dlc.conv2d' op requires attribute 'dilation'}}
  %0 = "dlc.conv2d"(%x, %w) : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

func.func @generic_missing_pad_value(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dlc.pad' op requires attribute 'value'}}
  %0 = "dlc.pad"(%x) {low = array<i64: 0, 0>, high = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @generic_missing_segments(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dlc.layer_norm' op operand count (1) does not match with the total size (0) specified in attribute 'operandSegmentSizes'}}
  %0 = "dlc.layer_norm"(%x) {epsilon = 1.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @generic_missing_constant_value() -> tensor<2xf32> {
  // expected-error @+1 {{'dlc.constant' op requires attribute 'value'}}
  %0 = "dlc.constant"() : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @generic_axis_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dlc.softmax' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = "dlc.softmax"(%x) {axis = 7 : i32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// dlc.grad / dlc.value_and_grad

func.func @loss(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<f32> {
  %0 = dlc.reduce_sum %w axes = [0, 1] : tensor<6x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @grad_no_callee(%w: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'dlc.grad' op callee @missing does not exist}}
  %g = "dlc.grad"(%w) {callee = @missing, wrt = array<i64: 0>} : (tensor<6x4xf32>) -> tensor<6x4xf32>
  return %g : tensor<6x4xf32>
}

// -----

func.func @vector_loss(%w: tensor<6xf32>) -> tensor<6xf32> {
  return %w : tensor<6xf32>
}
func.func @grad_non_scalar(%w: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'dlc.grad' op callee @vector_loss must return exactly one rank-0 float tensor, but returns ('tensor<6xf32>')}}
  %g = "dlc.grad"(%w) {callee = @vector_loss, wrt = array<i64: 0>} : (tensor<6xf32>) -> tensor<6xf32>
  return %g : tensor<6xf32>
}

// -----

func.func @int_loss(%w: tensor<6xf32>) -> tensor<i32> {
  %c = dlc.constant dense<0> : tensor<i32>
  return %c : tensor<i32>
}
func.func @grad_int_loss(%w: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{must return exactly one rank-0 float tensor, but returns ('tensor<i32>')}}
  %g = "dlc.grad"(%w) {callee = @int_loss, wrt = array<i64: 0>} : (tensor<6xf32>) -> tensor<6xf32>
  return %g : tensor<6xf32>
}

// -----

func.func @two_results(%w: tensor<6xf32>) -> (tensor<f32>, tensor<f32>) {
  %0 = dlc.reduce_sum %w axes = [0] : tensor<6xf32> -> tensor<f32>
  return %0, %0 : tensor<f32>, tensor<f32>
}
func.func @grad_two_results(%w: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{must return exactly one rank-0 float tensor, but returns ('tensor<f32>', 'tensor<f32>')}}
  %g = "dlc.grad"(%w) {callee = @two_results, wrt = array<i64: 0>} : (tensor<6xf32>) -> tensor<6xf32>
  return %g : tensor<6xf32>
}

// -----

func.func @grad_wrt_out_of_range(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'dlc.grad' op wrt index 3 is out of range: the callee has 3 arguments}}
  %g = "dlc.grad"(%w, %x, %l) {callee = @loss, wrt = array<i64: 3>} : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> tensor<6x4xf32>
  return %g : tensor<6x4xf32>
}

// -----

func.func @grad_wrt_repeated(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'dlc.grad' op wrt index 0 is repeated}}
  %g:2 = "dlc.grad"(%w, %x, %l) {callee = @loss, wrt = array<i64: 0, 0>} : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> (tensor<6x4xf32>, tensor<6x4xf32>)
  return %g#0 : tensor<6x4xf32>
}

// -----

func.func @grad_wrt_integer(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<6xi64> {
  // expected-error @+1 {{'dlc.grad' op wrt argument 2 has type 'tensor<6xi64>': only float tensors can be differentiated}}
  %g = "dlc.grad"(%w, %x, %l) {callee = @loss, wrt = array<i64: 2>} : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> tensor<6xi64>
  return %g : tensor<6xi64>
}

// -----

func.func @loss(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<f32> {
  %0 = dlc.reduce_sum %w axes = [0, 1] : tensor<6x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @grad_operand_type(%w: tensor<6x4xf32>, %x: tensor<4x3xf64>, %l: tensor<6xi64>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'dlc.grad' op operand 1 has type 'tensor<4x3xf64>', but argument 1 of @loss has type 'tensor<4x3xf32>'}}
  %g = "dlc.grad"(%w, %x, %l) {callee = @loss, wrt = array<i64: 0>} : (tensor<6x4xf32>, tensor<4x3xf64>, tensor<6xi64>) -> tensor<6x4xf32>
  return %g : tensor<6x4xf32>
}

// -----

func.func @loss(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<f32> {
  %0 = dlc.reduce_sum %w axes = [0, 1] : tensor<6x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @grad_operand_count(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'dlc.grad' op expects 3 operands (the arguments of @loss), but found 2}}
  %g = "dlc.grad"(%w, %x) {callee = @loss, wrt = array<i64: 0>} : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x4xf32>
  return %g : tensor<6x4xf32>
}

// -----

func.func @grad_result_type(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'dlc.grad' op gradient result 0 has type 'tensor<4x3xf32>', but argument 0 (wrt) has type 'tensor<6x4xf32>'}}
  %g = "dlc.grad"(%w, %x, %l) {callee = @loss, wrt = array<i64: 0>} : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> tensor<4x3xf32>
  return %g : tensor<4x3xf32>
}

// -----

func.func @grad_result_count(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'dlc.grad' op expects 2 gradient results (one per wrt index), but found 1}}
  %g = "dlc.grad"(%w, %x, %l) {callee = @loss, wrt = array<i64: 0, 1>} : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> tensor<6x4xf32>
  return %g : tensor<6x4xf32>
}

// -----

func.func @loss(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<f32> {
  %0 = dlc.reduce_sum %w axes = [0, 1] : tensor<6x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @value_and_grad_value_type(%w: tensor<6x4xf32>, %x: tensor<4x3xf32>, %l: tensor<6xi64>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'dlc.value_and_grad' op value result has type 'tensor<f64>', but @loss returns 'tensor<f32>'}}
  %v, %g = "dlc.value_and_grad"(%w, %x, %l) {callee = @loss, wrt = array<i64: 0>} : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> (tensor<f64>, tensor<6x4xf32>)
  return %g : tensor<6x4xf32>
}

// -----

func.func @value_and_grad_no_wrt(%w: tensor<6x4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'dlc.value_and_grad' op expects at least one wrt index}}
  %v = "dlc.value_and_grad"(%w) {callee = @loss, wrt = array<i64>} : (tensor<6x4xf32>) -> tensor<f32>
  return %v : tensor<f32>
}

// -----

// dlc.scatter_add

func.func @scatter_add_shape(%u: tensor<8x5xf32>, %i: tensor<8xi64>) -> tensor<10x4xf32> {
  // expected-error @+1 {{'dlc.scatter_add' op expects updates of shape indices.shape + result.shape[1:] = [8, 4], but found [8, 5]}}
  %0 = dlc.scatter_add %u, %i : (tensor<8x5xf32>, tensor<8xi64>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

func.func @scatter_add_element(%u: tensor<8x4xf64>, %i: tensor<8xi64>) -> tensor<10x4xf32> {
  // expected-error @+1 {{'dlc.scatter_add' op expects updates of the result's element type 'f32', but found 'f64'}}
  %0 = dlc.scatter_add %u, %i : (tensor<8x4xf64>, tensor<8xi64>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Adjoints of conv2d and pooling

func.func @conv2d_input_grad_mismatch(%g: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'dlc.conv2d_input_grad' op expects grad of type 'tensor<1x4x6x6xf32>' (the type of conv2d of 'tensor<1x3x8x8xf32>' and 'tensor<4x3x3x3xf32>' with these attributes), but found 'tensor<1x4x5x5xf32>'}}
  %0 = dlc.conv2d_input_grad %g, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @conv2d_input_grad_groups(%g: tensor<1x4x6x6xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'dlc.conv2d_input_grad' op expects groups >= 1 dividing the input channels (3) and the output channels (4), but found groups = 2}}
  %0 = dlc.conv2d_input_grad %g, %w strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 2 : (tensor<1x4x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @conv2d_filter_grad_mismatch(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x6x6xf32>) -> tensor<4x3x2x2xf32> {
  // expected-error @+1 {{'dlc.conv2d_filter_grad' op expects grad of type 'tensor<1x4x7x7xf32>' (the type of conv2d of 'tensor<1x3x8x8xf32>' and 'tensor<4x3x2x2xf32>' with these attributes), but found 'tensor<1x4x6x6xf32>'}}
  %0 = dlc.conv2d_filter_grad %x, %g strides = [1, 1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32>) -> tensor<4x3x2x2xf32>
  return %0 : tensor<4x3x2x2xf32>
}

// -----

func.func @conv2d_filter_grad_strides(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x6x6xf32>) -> tensor<4x3x3x3xf32> {
  // expected-error @+1 {{'dlc.conv2d_filter_grad' op expects strides to have 2 entries, but found 1: [1]}}
  %0 = dlc.conv2d_filter_grad %x, %g strides = [1] padding = [0, 0, 0, 0] dilation = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32>) -> tensor<4x3x3x3xf32>
  return %0 : tensor<4x3x3x3xf32>
}

// -----

func.func @max_pool2d_grad_mismatch(%x: tensor<1x3x8x8xf32>, %g: tensor<1x3x3x3xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'dlc.max_pool2d_grad' op expects grad of type 'tensor<1x3x4x4xf32>' (the type of pooling 'tensor<1x3x8x8xf32>' with these attributes), but found 'tensor<1x3x3x3xf32>'}}
  %0 = dlc.max_pool2d_grad %x, %g kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : (tensor<1x3x8x8xf32>, tensor<1x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @max_pool2d_grad_result(%x: tensor<1x3x8x8xf32>, %g: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf64> {
  // expected-error @+1 {{'dlc.max_pool2d_grad' op expects a result of the input's type 'tensor<1x3x8x8xf32>', but found 'tensor<1x3x8x8xf64>'}}
  %0 = dlc.max_pool2d_grad %x, %g kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : (tensor<1x3x8x8xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf64>
  return %0 : tensor<1x3x8x8xf64>
}

// -----

func.func @avg_pool2d_grad_padding(%g: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'dlc.avg_pool2d_grad' op expects padding smaller than the kernel (2) in spatial dimension 0, but found [2, 0, 0, 0]}}
  %0 = dlc.avg_pool2d_grad %g kernel = [2, 2] strides = [2, 2] padding = [2, 0, 0, 0] : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// dlc.inout on function arguments

// expected-error @+1 {{'func.func' op argument 0 is in-out with result 2, but the function has 2 results}}
func.func @inout_range(%w: tensor<4xf32> {dlc.inout = 2 : i64}) -> (tensor<f32>, tensor<4xf32>) {
  %s = dlc.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %s, %w : tensor<f32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op argument 0 of type 'tensor<4xf32>' is in-out with result 0 of another type 'tensor<f32>'}}
func.func @inout_type(%w: tensor<4xf32> {dlc.inout = 0 : i64}) -> (tensor<f32>, tensor<4xf32>) {
  %s = dlc.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %s, %w : tensor<f32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op arguments 0 and 1 are both in-out with result 1}}
func.func @inout_twice(%w: tensor<4xf32> {dlc.inout = 1 : i64}, %v: tensor<4xf32> {dlc.inout = 1 : i64}) -> (tensor<f32>, tensor<4xf32>) {
  %s = dlc.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %s, %w : tensor<f32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'dlc.inout' must be an integer result index on a function argument}}
func.func @inout_not_integer(%w: tensor<4xf32> {dlc.inout = "w"}) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
