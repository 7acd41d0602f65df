//===- DlcBase.td - dlc dialect definition, types and enums -*- tablegen -*-===//

#ifndef DLC_DIALECT_DLC_IR_DLCBASE_TD
#define DLC_DIALECT_DLC_IR_DLCBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Dlc_Dialect : Dialect {
  let name = "dlc";
  let cppNamespace = "::dlc";
  let summary = "High-level deep-learning operations on statically shaped tensors.";
  let description = [{
    The `dlc` dialect holds the operations a model is written in: elementwise
    math, shape manipulation, contractions, convolutions, reductions and a few
    composites (softmax, layer norm, losses) kept whole so that later passes
    can fuse and differentiate them well.

    Conventions:
    * Tensors are ranked with static shapes; element types are f16, bf16, f32,
      f64, i1, i32 and i64.
    * Broadcasting is explicit: binary elementwise operands have identical
      types, and `dlc.broadcast_to` is the only op that broadcasts.
    * Result types are inferred wherever the operands and attributes determine
      them; every shape or dtype rule is checked by the verifier.
    * Reference semantics are NumPy's.
  }];
  let hasConstantMaterializer = 1;
  let hasRegionArgAttrVerify = 1;
  let extraClassDeclaration = [{
    /// `dlc.inout = N` on a function argument: result N is the argument's
    /// updated value, written in place into the argument's buffer (training
    /// state: parameters and optimizer moments).
    static ::llvm::StringRef getInOutAttrName() { return "dlc.inout"; }
    /// `dlc.distinct = distinct[N]<unit>` on a `tensor.empty`: keeps CSE from
    /// merging it with another (see convert-dlc-to-linalg).
    static ::llvm::StringRef getDistinctAttrName() { return "dlc.distinct"; }
  }];
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Dlc_Float : AnyTypeOf<[F16, BF16, F32, F64]>;
def Dlc_SignedInt : AnyTypeOf<[I32, I64]>;
def Dlc_Element : AnyTypeOf<[F16, BF16, F32, F64, I1, I32, I64]>;

def Dlc_Tensor : StaticShapeTensorOf<[F16, BF16, F32, F64, I1, I32, I64]>;
def Dlc_FloatTensor : StaticShapeTensorOf<[F16, BF16, F32, F64]>;
// Integers where the op has a natural signed-integer meaning (neg, add, max...).
def Dlc_NumericTensor : StaticShapeTensorOf<[F16, BF16, F32, F64, I32, I64]>;
def Dlc_IndexTensor : StaticShapeTensorOf<[I32, I64]>;
def Dlc_BoolTensor : StaticShapeTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Dlc_CompareDirection : I32EnumAttr<"CompareDirection",
    "comparison direction", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::dlc";
  let genSpecializedAttr = 0;
}
def Dlc_CompareDirectionAttr
    : EnumAttr<Dlc_Dialect, Dlc_CompareDirection, "compare_direction"> {
  let assemblyFormat = "`<` $value `>`";
}

def Dlc_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "approximation used by gelu", [
      I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"tanh", 1>]> {
  let cppNamespace = "::dlc";
  let genSpecializedAttr = 0;
}
def Dlc_GeluApproximationAttr
    : EnumAttr<Dlc_Dialect, Dlc_GeluApproximation, "gelu_approximation"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // DLC_DIALECT_DLC_IR_DLCBASE_TD
