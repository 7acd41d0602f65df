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

def TileAndFuse : Pass<"dlc-tile-and-fuse", "::mlir::func::FuncOp"> {
  let summary = "Tile, fuse and vectorize contractions for the CPU";
  let description = [{
    Expects: linalg on tensors with static shapes (after
    convert-dlc-to-linalg and elementwise fusion).

    Produces, for each 2-D `linalg.matmul` (the root), through upstream
    TilingInterface tiling (`scf::tileConsumerAndFuseProducersUsingSCF`,
    `scf::tileUsingSCF`) and `linalg::vectorize`:
    * an `scf.forall` over MC x NC blocks of the output (the parallel loop
      that becomes an OpenMP loop), into which the matmul's `linalg.fill` and
      its single elementwise consumer (bias, activation) are fused, so that
      matmul + bias + relu is one loop nest;
    * inside it, a K cache loop and an MR x NR register tile (k innermost,
      size 1) vectorized to a `vector.contract`; the fused fill and consumer
      are tiled to MR x NR and vectorized;
    * where B's rows are far apart (N >= 512), the KC x NC panel of B a block
      uses is first copied to a contiguous buffer (a vectorized linalg.copy).
    Tile sizes are chosen per shape as divisors of the dimensions (shapes
    such as 1000, 784 or 10 get full static tiles, never a scalar fallback);
    the register tile fits `vector-width`.

    Leaves alone: every other op, and matmuls that are batched, dynamic or
    not on tensors.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "unsigned", /*default=*/"256",
           "SIMD register width of the target in bits (128, 256 or 512)">,
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def LowerVectors : Pass<"dlc-lower-vectors", "::mlir::func::FuncOp"> {
  let summary = "Hoist and lower vector ops on buffers to FMAs, loads and stores";
  let description = [{
    Expects: vectorized code after bufferization.

    Produces: `vector.contract` turned into outer products and FMAs, with the
    accumulator tile hoisted out of the reduction loop (it stays in registers
    across k), and transfers lowered to plain vector loads/stores (fully
    unrolled to rank 1). This is the upstream recipe: reduction-to-contract,
    folding of memref aliases and CSE (which hoisting needs), then
    `linalg::hoistRedundantVectorTransfers`, then the lowering patterns.

    Leaves alone: everything that is not a vector op.
  }];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // DLC_TRANSFORMS_PASSES_TD
