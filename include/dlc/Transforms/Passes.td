//===- Passes.td - dlc transformation passes ---------------*- tablegen -*-===//

#ifndef DLC_TRANSFORMS_PASSES_TD
#define DLC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def Bufferize : Pass<"dlc-bufferize", "::mlir::ModuleOp"> {
  let summary = "Bufferize a module with destination-passing public functions";
  let description = [{
    Expects: a module on tensors (linalg, tensor, arith, math, func).

    Produces: the same program on memrefs, by upstream one-shot bufferization
    across function boundaries (identity layouts on function arguments), then
    with every memref result of a function turned into a trailing
    caller-allocated out-param (public functions included), so callers own
    every buffer they see. Buffer copies are `linalg.copy` rather than
    `memref.copy`: they lower to loops (or vectorize) like any other linalg op
    instead of calling the `memrefCopy` runtime-library function.

    Leaves alone: deallocation; run `buffer-deallocation-pipeline` after.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

#endif // DLC_TRANSFORMS_PASSES_TD
