//===- DlcOps.td - dlc dialect operations ------------------*- tablegen -*-===//
//
// Verification strategy: where the result type follows from the operands and
// attributes, the op implements InferTypeOpInterface and every shape/dtype rule
// lives in inferReturnTypes, which reports what was expected and what was
// found; the interface then checks the written result type against it (and
// adds its own "failed to infer returned types" after a rule's diagnostic).
// Ops whose result type is given (cast, reshape, broadcast_to) use
// hasVerifier. The upstream `Elementwise` trait is left off binary ops: its
// generic shape message would pre-empt the specific one.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_IR_DLCOPS_TD
#define DLC_DIALECT_DLC_IR_DLCOPS_TD

include "dlc/Dialect/Dlc/IR/DlcBase.td"
include "dlc/Dialect/Dlc/IR/DlcInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Dlc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Dlc_Dialect, mnemonic, !listconcat(traits, [Pure])>;

// An op with a reverse-mode rule (`buildVJP`, in DlcVJP.cpp).
def Dlc_Differentiable : DeclareOpInterfaceMethods<Dlc_DifferentiableOpInterface>;

// Ops whose result type is computed by a static `infer<Name>` helper in
// DlcOps.cpp; the helper is the single place the op's shape rules live.
class Dlc_InferredOp<string mnemonic, list<Trait> traits = []>
    : Dlc_Op<mnemonic, !listconcat(traits, [InferTypeOpAdaptor])>;

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

class Dlc_UnaryOp<string mnemonic, Type type, string math, list<Trait> traits = []>
    : Dlc_Op<mnemonic, !listconcat(traits, [Elementwise, SameOperandsAndResultType,
                                            Dlc_Differentiable])> {
  let summary = "elementwise " # math;
  let description = "Computes `" # math # "` elementwise; the result has the "
    # "operand's type.\n\n```mlir\n%y = dlc." # mnemonic
    # " %x : tensor<2x3xf32>\n```";
  let arguments = (ins type:$input);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Dlc_NegOp : Dlc_UnaryOp<"neg", Dlc_NumericTensor, "-x"> { let hasFolder = 1; }
def Dlc_AbsOp : Dlc_UnaryOp<"abs", Dlc_NumericTensor, "|x|"> { let hasFolder = 1; }
def Dlc_ExpOp : Dlc_UnaryOp<"exp", Dlc_FloatTensor, "e^x">;
def Dlc_LogOp : Dlc_UnaryOp<"log", Dlc_FloatTensor, "ln(x) (NaN for x < 0, -inf at 0)">;
def Dlc_SqrtOp : Dlc_UnaryOp<"sqrt", Dlc_FloatTensor, "sqrt(x) (NaN for x < 0)">;
def Dlc_RsqrtOp : Dlc_UnaryOp<"rsqrt", Dlc_FloatTensor, "1 / sqrt(x)">;
def Dlc_TanhOp : Dlc_UnaryOp<"tanh", Dlc_FloatTensor, "tanh(x)">;
def Dlc_SigmoidOp : Dlc_UnaryOp<"sigmoid", Dlc_FloatTensor, "1 / (1 + e^-x)">;
def Dlc_ReluOp : Dlc_UnaryOp<"relu", Dlc_NumericTensor, "max(x, 0) (NaN propagates)">;
def Dlc_SinOp : Dlc_UnaryOp<"sin", Dlc_FloatTensor, "sin(x)">;
def Dlc_CosOp : Dlc_UnaryOp<"cos", Dlc_FloatTensor, "cos(x)">;
def Dlc_ErfOp : Dlc_UnaryOp<"erf", Dlc_FloatTensor, "erf(x), the Gauss error function">;

def Dlc_GeluOp : Dlc_Op<"gelu", [Elementwise, SameOperandsAndResultType,
                                 Dlc_Differentiable]> {
  let summary = "elementwise Gaussian error linear unit";
  let description = [{
    `x * Phi(x)` with `Phi` the standard normal CDF, computed exactly with
    `erf` (`approximate = none`, the default) or with the tanh approximation
    `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))` (`approximate = tanh`),
    as in PyTorch's `gelu`.

    ```mlir
    %y = dlc.gelu %x : tensor<8xf32>
    %z = dlc.gelu %x approximate = <tanh> : tensor<8xf32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$input,
                   DefaultValuedAttr<Dlc_GeluApproximationAttr,
                                     "GeluApproximation::none">:$approximate);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`approximate` `=` $approximate^)? attr-dict `:` type($input)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

class Dlc_BinaryOp<string mnemonic, Type type, string math, list<Trait> traits = []>
    : Dlc_InferredOp<mnemonic, !listconcat(traits, [Dlc_Differentiable])> {
  let summary = "elementwise " # math;
  let description = "Computes `" # math # "` elementwise. Both operands must "
    # "have the same type: broadcasting is explicit, through `dlc.broadcast_to`."
    # "\n\n```mlir\n%z = dlc." # mnemonic # " %x, %y : tensor<2x3xf32>\n```";
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` custom<ElementwiseTypes>(type($lhs), type($rhs))
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferSameTypeOperands(loc, getOperationName(),
          adaptor.getOperands().getTypes(), {"lhs", "rhs"}, types);
    }
  }];
}

def Dlc_AddOp : Dlc_BinaryOp<"add", Dlc_NumericTensor, "lhs + rhs", [Commutative]> {
  let hasFolder = 1;
}
def Dlc_SubOp : Dlc_BinaryOp<"sub", Dlc_NumericTensor, "lhs - rhs"> { let hasFolder = 1; }
def Dlc_MulOp : Dlc_BinaryOp<"mul", Dlc_NumericTensor, "lhs * rhs", [Commutative]> {
  let hasFolder = 1;
}
def Dlc_DivOp : Dlc_BinaryOp<"div", Dlc_FloatTensor, "lhs / rhs"> { let hasFolder = 1; }
def Dlc_PowOp : Dlc_BinaryOp<"pow", Dlc_FloatTensor, "lhs ^ rhs">;
def Dlc_MaxOp : Dlc_BinaryOp<"max", Dlc_NumericTensor, "max(lhs, rhs) (NaN propagates)",
                             [Commutative]> { let hasFolder = 1; }
def Dlc_MinOp : Dlc_BinaryOp<"min", Dlc_NumericTensor, "min(lhs, rhs) (NaN propagates)",
                             [Commutative]> { let hasFolder = 1; }

def Dlc_CompareOp : Dlc_InferredOp<"compare"> {
  let summary = "elementwise comparison";
  let description = [{
    Compares two tensors of the same type elementwise and returns an `i1`
    tensor of the same shape. Floating-point comparisons are ordered (false
    when either side is NaN) except `ne`, which is true for NaN, as in NumPy.

    ```mlir
    %m = dlc.compare <lt>, %x, %y : tensor<4xf32>
    ```
  }];
  let arguments = (ins Dlc_CompareDirectionAttr:$direction,
                   Dlc_Tensor:$lhs, Dlc_Tensor:$rhs);
  let results = (outs Dlc_BoolTensor:$result);
  let assemblyFormat = [{
    $direction `,` $lhs `,` $rhs attr-dict `:`
    custom<ElementwiseTypes>(type($lhs), type($rhs))
  }];
}

def Dlc_SelectOp : Dlc_InferredOp<"select", [Dlc_Differentiable]> {
  let summary = "elementwise choice between two tensors";
  let description = [{
    `result[i] = condition[i] ? on_true[i] : on_false[i]`. The condition is an
    `i1` tensor of the values' shape.

    ```mlir
    %z = dlc.select %m, %x, %y : tensor<4xi1>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Dlc_BoolTensor:$condition, Dlc_Tensor:$on_true,
                   Dlc_Tensor:$on_false);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` type($condition) `,`
    custom<ElementwiseTypes>(type($on_true), type($on_false))
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Element type and constants
//===----------------------------------------------------------------------===//

def Dlc_CastOp : Dlc_Op<"cast", [Dlc_Differentiable]> {
  let summary = "element type conversion";
  let description = [{
    Converts each element to the result's element type, as NumPy's `astype`:
    float to integer truncates toward zero, integer to `i1` and float to `i1`
    test for non-zero, `i1` converts to 0/1. The shapes must match.

    ```mlir
    %y = dlc.cast %x : tensor<4xf32> -> tensor<4xi32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Dlc_ConstantOp : Dlc_InferredOp<"constant", [ConstantLike]> {
  let summary = "a tensor of constant elements";
  let description = [{
    ```mlir
    %c = dlc.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Dlc_BroadcastToOp : Dlc_Op<"broadcast_to", [Dlc_Differentiable]> {
  let summary = "broadcast a tensor to a larger shape (NumPy rules)";
  let description = [{
    NumPy's `broadcast_to`: shapes are aligned on the right; each input
    dimension must equal the result dimension or be 1; the result may add
    leading dimensions. This is the only dlc op that broadcasts.

    ```mlir
    %y = dlc.broadcast_to %b : tensor<3xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Dlc_ReshapeOp : Dlc_Op<"reshape", [Dlc_Differentiable]> {
  let summary = "reinterpret a tensor's elements with a new shape";
  let description = [{
    Row-major reshape; the element count and element type are unchanged.

    ```mlir
    %y = dlc.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Dlc_TransposeOp : Dlc_InferredOp<"transpose", [Dlc_Differentiable]> {
  let summary = "permute dimensions";
  let description = [{
    `result.shape[i] = input.shape[permutation[i]]`, as NumPy's
    `transpose(x, axes=permutation)`.

    ```mlir
    %y = dlc.transpose %x permutation = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $input `permutation` `=` $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Dlc_SliceOp : Dlc_InferredOp<"slice", [Dlc_Differentiable]> {
  let summary = "strided static slice";
  let description = [{
    NumPy's `x[start:limit:stride]` per dimension, with
    `0 <= start <= limit <= dim` and `stride >= 1`; the result dimension is
    `ceil((limit - start) / stride)`.

    ```mlir
    %y = dlc.slice %x start = [0, 1] limit = [4, 5] strides = [2, 1]
        : tensor<4x6xf32> -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input, DenseI64ArrayAttr:$start,
                   DenseI64ArrayAttr:$limit, DenseI64ArrayAttr:$strides);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $input `start` `=` $start `limit` `=` $limit `strides` `=` $strides attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Dlc_ConcatOp : Dlc_InferredOp<"concat", [Dlc_Differentiable]> {
  let summary = "join tensors along an axis";
  let description = [{
    NumPy's `concatenate`: all inputs have the same rank and element type and
    agree on every dimension except `axis`.

    ```mlir
    %y = dlc.concat %a, %b axis = 0 : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Variadic<Dlc_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` `=` $axis attr-dict `:` functional-type($inputs, $result)
  }];
  let hasFolder = 1;
}

def Dlc_PadOp : Dlc_InferredOp<"pad", [Dlc_Differentiable]> {
  let summary = "pad with a constant value";
  let description = [{
    Adds `low[i]` elements before and `high[i]` after dimension `i`, all equal
    to `value` (an attribute of the element type), as NumPy's
    `pad(mode='constant')`.

    ```mlir
    %y = dlc.pad %x low = [0, 1] high = [0, 2] value = 0.0 : f32
        : tensor<2x3xf32> -> tensor<2x6xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input, DenseI64ArrayAttr:$low,
                   DenseI64ArrayAttr:$high, TypedAttrInterface:$value);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $input `low` `=` $low `high` `=` $high `value` `=` $value attr-dict
    `:` type($input) `->` type($result)
  }];
}

def Dlc_GatherOp : Dlc_InferredOp<"gather", [Dlc_Differentiable]> {
  let summary = "embedding lookup: take rows of a table along axis 0";
  let description = [{
    `result[i..., j...] = table[indices[i...], j...]`, as NumPy's
    `take(table, indices, axis=0)`. The result shape is
    `indices.shape + table.shape[1:]`. An index outside `[0, table.shape[0])`
    yields a row of NaN (float tables) or zeros (integer tables), never a read
    out of bounds.

    ```mlir
    %e = dlc.gather %table, %ids : (tensor<1000x64xf32>, tensor<8x16xi64>) -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$table, Dlc_IndexTensor:$indices);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Dlc_ScatterAddOp : Dlc_Op<"scatter_add"> {
  let summary = "sum rows into a zero table at integer indices (gather's adjoint)";
  let description = [{
    The transpose of `dlc.gather`: starts from a zero tensor of the result
    type and adds `updates[i..., j...]` into `result[indices[i...], j...]`;
    repeated indices accumulate, an index outside `[0, result.shape[0])` is
    ignored. `updates` has the shape `indices.shape + result.shape[1:]` and
    the result's element type. This is the gradient of an embedding lookup
    with respect to its table (PyTorch's `embedding_backward`).

    ```mlir
    %t = dlc.scatter_add %g, %ids : (tensor<8x16x64xf32>, tensor<8x16xi64>) -> tensor<1000x64xf32>
    ```
  }];
  let arguments = (ins Dlc_NumericTensor:$updates, Dlc_IndexTensor:$indices);
  let results = (outs Dlc_NumericTensor:$result);
  let assemblyFormat = [{
    $updates `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions, convolution and pooling
//===----------------------------------------------------------------------===//

def Dlc_MatmulOp : Dlc_InferredOp<"matmul", [Dlc_Differentiable]> {
  let summary = "matrix product, 2-D or batched";
  let description = [{
    `[..., M, K] x [..., K, N] -> [..., M, N]`. Both operands have the same
    rank (>= 2), the same element type and equal batch dimensions (no
    broadcasting). f16/bf16 products accumulate in f32.

    ```mlir
    %c = dlc.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    ```
  }];
  let arguments = (ins Dlc_NumericTensor:$lhs, Dlc_NumericTensor:$rhs);
  let results = (outs Dlc_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Dlc_Conv2DOp : Dlc_InferredOp<"conv2d", [Dlc_Differentiable]> {
  let summary = "2-D convolution, NCHW input and OIHW filter";
  let description = [{
    Cross-correlation as PyTorch's `conv2d`. The input is `[N, C, H, W]`, the
    filter `[O, C / groups, KH, KW]`; `C` and `O` must be divisible by
    `groups`. `padding` is `[top, bottom, left, right]` (zeros); `strides` and
    `dilation` are `[h, w]`. The output is `[N, O, OH, OW]` with
    `OH = (H + top + bottom - dilation_h * (KH - 1) - 1) / stride_h + 1`.

    ```mlir
    %y = dlc.conv2d %x, %w strides = [1, 1] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1
        : (tensor<8x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<8x64x56x56xf32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$input, Dlc_FloatTensor:$filter,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                   DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter `strides` `=` $strides `padding` `=` $padding
    `dilation` `=` $dilation `groups` `=` $groups attr-dict
    `:` functional-type(operands, results)
  }];
}

class Dlc_Pool2DOp<string mnemonic, string what>
    : Dlc_InferredOp<mnemonic, [Dlc_Differentiable]> {
  let summary = "2-D " # what # " pooling over NCHW";
  let description = "Pooling as PyTorch's `" # mnemonic # "` over the last two "
    # "dimensions of an `[N, C, H, W]` input; `kernel` and `strides` are "
    # "`[h, w]`, `padding` is `[top, bottom, left, right]`. Padded positions "
    # "never win a max and count as zeros in an average (PyTorch's default "
    # "`count_include_pad=True`). Each padding must be smaller than the kernel "
    # "so that every window sees real data.\n\n```mlir\n%y = dlc." # mnemonic
    # " %x kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]\n"
    # "    : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>\n```";
  let arguments = (ins Dlc_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `kernel` `=` $kernel `strides` `=` $strides `padding` `=` $padding
    attr-dict `:` type($input) `->` type($result)
  }];
}

def Dlc_MaxPool2DOp : Dlc_Pool2DOp<"max_pool2d", "max">;
def Dlc_AvgPool2DOp : Dlc_Pool2DOp<"avg_pool2d", "average">;

// The adjoints of conv2d and the poolings: ops of their own so that the
// backward pass lowers to convolutions, matmuls and vectorized slices rather
// than to loops expanded by the autodiff pass.

def Dlc_Conv2DInputGradOp : Dlc_Op<"conv2d_input_grad"> {
  let summary = "gradient of conv2d with respect to its input (a transposed convolution)";
  let description = [{
    Given the cotangent `grad` of a `dlc.conv2d` result and the conv's filter
    and attributes, computes the cotangent of the conv's input, whose type is
    the result type (it is not implied by the other operands when a stride
    drops trailing rows). This is PyTorch's `conv_transpose2d` with the same
    attributes. The verifier checks that `dlc.conv2d` of an input of the
    result type gives `grad`'s type.

    Lowered to a stride-1 `conv2d` of the zero-interleaved (by the stride) and
    padded cotangent with the spatially flipped, channel-transposed filter, so
    it goes through the same tiling and vectorization as the forward conv.

    ```mlir
    %dx = dlc.conv2d_input_grad %g, %w strides = [2, 2] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1
        : (tensor<8x16x14x14xf32>, tensor<16x3x3x3xf32>) -> tensor<8x3x28x28xf32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$grad, Dlc_FloatTensor:$filter,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                   DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $filter `strides` `=` $strides `padding` `=` $padding
    `dilation` `=` $dilation `groups` `=` $groups attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Dlc_Conv2DFilterGradOp : Dlc_Op<"conv2d_filter_grad"> {
  let summary = "gradient of conv2d with respect to its filter";
  let description = [{
    Given the conv's input and the cotangent `grad` of its result, computes
    the cotangent of the filter, whose type is the result type:
    `result[o, c, kh, kw] = sum over n, oh, ow of grad[n, o, oh, ow] *
    padded_input[n, group(o) * C/groups + c, oh * sh + kh * dh, ow * sw + kw * dw]`.
    The verifier checks that `dlc.conv2d` of the input with a filter of the
    result type gives `grad`'s type.

    Lowered to an im2col gather (a `linalg.generic`) and one matmul per group,
    `[C/g * KH * KW, N * OH * OW] x [N * OH * OW, O/g]`, so the reduction over
    the batch and the image runs on the tiled, vectorized matmul path.

    ```mlir
    %dw = dlc.conv2d_filter_grad %x, %g strides = [1, 1] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1
        : (tensor<8x3x28x28xf32>, tensor<8x16x28x28xf32>) -> tensor<16x3x3x3xf32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$input, Dlc_FloatTensor:$grad,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                   DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad `strides` `=` $strides `padding` `=` $padding
    `dilation` `=` $dilation `groups` `=` $groups attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Dlc_MaxPool2DGradOp : Dlc_Op<"max_pool2d_grad"> {
  let summary = "gradient of max_pool2d with respect to its input";
  let description = [{
    Routes each element of `grad` (the cotangent of a `dlc.max_pool2d` of
    `input` with these attributes) to the first maximum of its window, in
    row-major window order, as PyTorch does; overlapping windows accumulate.
    Padded positions never win. The result has the input's type.

    ```mlir
    %dx = dlc.max_pool2d_grad %x, %g kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
        : (tensor<1x3x8x8xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$input, Dlc_FloatTensor:$grad,
                   DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$padding);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad `kernel` `=` $kernel `strides` `=` $strides
    `padding` `=` $padding attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Dlc_AvgPool2DGradOp : Dlc_Op<"avg_pool2d_grad"> {
  let summary = "gradient of avg_pool2d with respect to its input";
  let description = [{
    Spreads each element of `grad` (the cotangent of a `dlc.avg_pool2d` with
    these attributes, whose input has the result type) evenly over its window,
    divided by the full kernel area (`count_include_pad`); overlapping windows
    accumulate.

    ```mlir
    %dx = dlc.avg_pool2d_grad %g kernel = [3, 3] strides = [1, 1] padding = [1, 1, 1, 1]
        : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$grad, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `kernel` `=` $kernel `strides` `=` $strides `padding` `=` $padding
    attr-dict `:` type($grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Dlc_ReduceOp<string mnemonic, string what, Type type>
    : Dlc_InferredOp<mnemonic, [Dlc_Differentiable]> {
  let summary = what # " over a list of axes";
  let description = "Reduces the listed `axes` (distinct, in `[0, rank)`) with "
    # what # ", as NumPy's `" # !subst("reduce_", "", mnemonic)
    # "(x, axis=axes, keepdims=...)`. With `keepdims` the reduced dimensions "
    # "stay as size 1.\n\n```mlir\n%s = dlc." # mnemonic
    # " %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>\n%k = dlc." # mnemonic
    # " %x axes = [0, 1] keepdims : tensor<4x8xf32> -> tensor<1x1xf32>\n```";
  let arguments = (ins type:$input, DenseI64ArrayAttr:$axes, UnitAttr:$keepdims);
  let results = (outs type:$result);
  let assemblyFormat = [{
    $input `axes` `=` $axes (`keepdims` $keepdims^)? attr-dict
    `:` type($input) `->` type($result)
  }];
}

def Dlc_ReduceSumOp : Dlc_ReduceOp<"reduce_sum", "a sum", Dlc_NumericTensor>;
def Dlc_ReduceMeanOp : Dlc_ReduceOp<"reduce_mean", "a mean", Dlc_FloatTensor>;
def Dlc_ReduceMaxOp : Dlc_ReduceOp<"reduce_max", "a maximum (NaN propagates)",
                                   Dlc_NumericTensor>;
def Dlc_ReduceMinOp : Dlc_ReduceOp<"reduce_min", "a minimum (NaN propagates)",
                                   Dlc_NumericTensor>;

def Dlc_ArgmaxOp : Dlc_InferredOp<"argmax"> {
  let summary = "index of the maximum along one axis";
  let description = [{
    NumPy's `argmax(x, axis, keepdims)`: the first index of the maximum; a NaN
    counts as the maximum. The result is `i64`.

    ```mlir
    %i = dlc.argmax %x axis = 1 : tensor<4x10xf32> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Dlc_NumericTensor:$input, I64Attr:$axis, UnitAttr:$keepdims);
  let results = (outs StaticShapeTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `axis` `=` $axis (`keepdims` $keepdims^)? attr-dict
    `:` type($input) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Composites
//===----------------------------------------------------------------------===//

class Dlc_SoftmaxLikeOp<string mnemonic, string what>
    : Dlc_InferredOp<mnemonic, [Dlc_Differentiable]> {
  let summary = what # " along an axis";
  let description = what # " along `axis`, computed stably: the maximum along "
    # "the axis is subtracted before exponentiating, so large logits stay "
    # "finite. f16/bf16 inputs are computed in f32.\n\n```mlir\n%y = dlc."
    # mnemonic # " %x axis = 1 : tensor<4x10xf32>\n```";
  let arguments = (ins Dlc_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($input)";
}

def Dlc_SoftmaxOp : Dlc_SoftmaxLikeOp<"softmax", "softmax">;
def Dlc_LogSoftmaxOp : Dlc_SoftmaxLikeOp<"log_softmax", "log of softmax">;

def Dlc_LayerNormOp : Dlc_InferredOp<"layer_norm", [AttrSizedOperandSegments,
                                                    Dlc_Differentiable]> {
  let summary = "layer normalization over the last axis";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias` over the last axis, with
    the biased variance, as PyTorch's `layer_norm(x, [D])`. `scale` and `bias`
    are optional `[D]` tensors. Statistics accumulate in f32 (f64 for f64).

    ```mlir
    %y = dlc.layer_norm %x scale %g bias %b epsilon = 1.0e-05
        : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$input, Optional<Dlc_FloatTensor>:$scale,
                   Optional<Dlc_FloatTensor>:$bias, F64Attr:$epsilon);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` $scale^)? (`bias` $bias^)? `epsilon` `=` $epsilon attr-dict
    `:` functional-type(operands, results)
  }];
}

def Dlc_SoftmaxCrossEntropyOp : Dlc_InferredOp<"softmax_cross_entropy", [Dlc_Differentiable]> {
  let summary = "mean softmax cross-entropy of logits against integer labels";
  let description = [{
    `mean_n(logsumexp(logits[n, :]) - logits[n, labels[n]])` for logits
    `[N, C]` and labels `[N]` (i32 or i64); the result is a rank-0 tensor of
    the logits' element type. Computed stably in f32 or wider. A label outside
    `[0, C)` makes the loss NaN rather than reading out of bounds.

    ```mlir
    %l = dlc.softmax_cross_entropy %logits, %labels
        : (tensor<32x10xf32>, tensor<32xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$logits, Dlc_IndexTensor:$labels);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
}

def Dlc_MseLossOp : Dlc_InferredOp<"mse_loss", [Dlc_Differentiable]> {
  let summary = "mean squared error";
  let description = [{
    `mean((input - target)^2)` over all elements; both operands have the same
    type; the result is a rank-0 tensor.

    ```mlir
    %l = dlc.mse_loss %y, %t : (tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$input, Dlc_FloatTensor:$target);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Automatic differentiation
//===----------------------------------------------------------------------===//

class Dlc_GradLikeOp<string mnemonic, string what>
    : Dlc_Op<mnemonic, [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let description = what # [{

    `callee` names a `func.func` of the module that returns exactly one
    rank-0 float tensor (the loss); the operands are its arguments, with its
    argument types. `wrt` lists the distinct indices of the float arguments
    to differentiate with respect to; there is one gradient per index, of
    that argument's type. Integer and `i1` values carry no gradient (as in
    JAX): an argmax, a comparison or a cast from an integer contributes
    nothing, so `gather(table, argmax(x))` differentiates with respect to
    `table` only.

    `dlc-autodiff`, the first pass of every pipeline, replaces the op with a
    call to a generated function holding the forward computation and its
    reverse-mode derivative.
  }];
  let arguments = (ins Variadic<Dlc_Tensor>:$operands, FlatSymbolRefAttr:$callee,
                   DenseI64ArrayAttr:$wrt);
  let assemblyFormat = [{
    $callee `(` $operands `)` `wrt` `=` $wrt attr-dict `:` functional-type($operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The number of leading results that are not gradients (the value).
    static unsigned getNumValueResults();
  }];
}

def Dlc_GradOp : Dlc_GradLikeOp<"grad", [{
    The gradient of a scalar function with respect to some of its arguments.

    ```mlir
    %g0, %g1 = dlc.grad @loss(%w, %x, %labels) wrt = [0, 1]
        : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> (tensor<6x4xf32>, tensor<4x3xf32>)
    ```
  }]> {
  let summary = "gradient of a scalar function";
  // Any tensor type, so that the verifier's message about `wrt` wins.
  let results = (outs Variadic<Dlc_Tensor>:$gradients);
}

def Dlc_ValueAndGradOp : Dlc_GradLikeOp<"value_and_grad", [{
    The value of a scalar function and its gradient with respect to some of
    its arguments, as JAX's `value_and_grad`: the first result is the value,
    the rest are the gradients.

    ```mlir
    %v, %g0 = dlc.value_and_grad @loss(%w, %x, %labels) wrt = [0]
        : (tensor<6x4xf32>, tensor<4x3xf32>, tensor<6xi64>) -> (tensor<f32>, tensor<6x4xf32>)
    ```
  }]> {
  let summary = "value and gradient of a scalar function";
  let results = (outs Dlc_Tensor:$value, Variadic<Dlc_Tensor>:$gradients);
}

#endif // DLC_DIALECT_DLC_IR_DLCOPS_TD
