//===- DlcInterfaces.td - dlc op interfaces ----------------*- tablegen -*-===//

#ifndef DLC_DIALECT_DLC_IR_DLCINTERFACES_TD
#define DLC_DIALECT_DLC_IR_DLCINTERFACES_TD

include "mlir/IR/OpBase.td"

def Dlc_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::dlc";
  let description = [{
    An op with a reverse-mode derivative. `dlc-autodiff` walks a function
    backwards and asks each op on the path from the differentiated arguments
    to the loss for its vector-Jacobian product: given the cotangents of the
    op's results, the op builds the cotangents of its operands out of dlc ops,
    at the builder's insertion point, which is after the whole forward
    computation (so every forward value may be read).

    Rules live next to their ops (`dialects/Dlc/IR/DlcVJP.cpp`). Integer and
    `i1` values never carry gradients: the pass never asks for them.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the cotangents of the operands. `resultCotangents` has one
        value per result, of the result's type. `needed[i]` says whether
        operand `i` needs a cotangent; the rule appends one value per operand
        to `operandCotangents`, of the operand's type, or a null value where
        it is not needed. Returns failure (with a diagnostic) where the rule
        does not cover the op's configuration.
      }],
      "::llvm::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultCotangents,
           "::llvm::ArrayRef<bool>":$needed,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandCotangents)>
  ];
}

#endif // DLC_DIALECT_DLC_IR_DLCINTERFACES_TD
