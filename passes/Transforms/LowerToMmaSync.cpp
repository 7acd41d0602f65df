//===- LowerToMmaSync.cpp - dlc-lower-to-mma-sync ---------------------------===//
//
// Tensor cores for the warp tiles of dlc-tile-for-gpu. A warp's product is
// one vector.contract of up to 32 x 32 x BK; upstream's conversion to
// nvgpu.mma.sync (convertVectorToNVVMCompatibleMMASync) takes contractions
// of the instruction's own shape only, so the contraction, its reads and
// its accumulator's read and write are first unrolled to that shape, and
// the accumulators hoisted out of the K loop (the conversion carries them
// through scf.for as per-lane fragments).
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Conversion/VectorToGPU/VectorToGPU.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/NVGPU/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_LOWERTOMMASYNC
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

void addCanonicalization(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
}

/// The native shape of each vector of `contract` (marked with its mma.sync
/// shape): the contraction's iteration space, and each operand's read or
/// result's write in the dims its indexing map gives it.
void nativeShapes(vector::ContractionOp contract, ArrayRef<int64_t> mma,
                  DenseMap<Operation *, SmallVector<int64_t>> &shapes) {
  // Iteration dims: parallel m, n (the last two parallel), reduction k.
  SmallVector<int64_t> bounds;
  contract.getIterationBounds(bounds);
  SmallVector<int64_t> native(bounds.size(), 1);
  SmallVector<unsigned> parallel, reduction;
  for (auto [i, type] : llvm::enumerate(contract.getIteratorTypesArray()))
    (type == vector::IteratorType::parallel ? parallel : reduction)
        .push_back(i);
  if (parallel.size() < 2 || reduction.size() != 1)
    return;
  native[parallel[parallel.size() - 2]] = mma[0];
  native[parallel.back()] = mma[1];
  native[reduction.front()] = mma[2];
  shapes[contract] = native;
  auto operandShape = [&](AffineMap map) {
    SmallVector<int64_t> shape;
    for (AffineExpr expr : map.getResults())
      shape.push_back(native[cast<AffineDimExpr>(expr).getPosition()]);
    return shape;
  };
  SmallVector<AffineMap> maps = contract.getIndexingMapsArray();
  Value operands[] = {contract.getLhs(), contract.getRhs(), contract.getAcc()};
  for (auto [operand, map] : llvm::zip(operands, maps))
    if (Operation *def = operand.getDefiningOp();
        def && isa<vector::TransferReadOp, arith::ExtFOp>(def))
      shapes[def] = operandShape(map);
  for (Operation *user : contract->getUsers())
    if (isa<vector::TransferWriteOp>(user))
      shapes[user] = operandShape(maps[2]);
}

struct LowerToMmaSync : public dlc::impl::LowerToMmaSyncBase<LowerToMmaSync> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    SetVector<gpu::LaunchOp> kernels;
    func.walk([&](vector::ContractionOp contract) {
      if (contract->hasAttr(dlc::kMmaShapeAttr))
        if (auto launch = contract->getParentOfType<gpu::LaunchOp>())
          kernels.insert(launch);
    });
    if (kernels.empty())
      return;

    // f16/bf16 reads widened to f32 for the contraction: the widening
    // folded into it (mma.sync takes the narrow operands).
    {
      RewritePatternSet patterns(ctx);
      vector::populateFoldArithExtensionPatterns(patterns);
      for (gpu::LaunchOp kernel : kernels)
        if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
          kernel->emitError("dlc-lower-to-mma-sync: folding extensions did "
                            "not converge");
          return signalPassFailure();
        }
    }
    // Unrolled to the instruction's shape, reads and writes with it.
    DenseMap<Operation *, SmallVector<int64_t>> shapes;
    for (gpu::LaunchOp kernel : kernels)
      kernel.walk([&](vector::ContractionOp contract) {
        if (auto mma = contract->getAttrOfType<DenseI64ArrayAttr>(
                dlc::kMmaShapeAttr))
          nativeShapes(contract, mma.asArrayRef(), shapes);
      });
    for (gpu::LaunchOp kernel : kernels) {
      RewritePatternSet patterns(ctx);
      vector::populateVectorUnrollPatterns(
          patterns, vector::UnrollVectorOptions().setNativeShapeFn(
                        [&](Operation *op)
                            -> std::optional<SmallVector<int64_t>> {
                          auto it = shapes.find(op);
                          if (it == shapes.end())
                            return std::nullopt;
                          return it->second;
                        }));
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      addCanonicalization(patterns);
      if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
        kernel->emitError("dlc-lower-to-mma-sync: unrolling did not converge");
        return signalPassFailure();
      }
    }
    // Accumulators in registers across the K loop.
    IRRewriter rewriter(ctx);
    DominanceInfo dominance(func);
    eliminateCommonSubExpressions(rewriter, dominance, func);
    linalg::hoistRedundantVectorTransfers(func);

    for (gpu::LaunchOp kernel : kernels) {
      // Contractions in mma.sync's form (A row-major, B column-major):
      // transposes folded into the reads.
      {
        RewritePatternSet patterns(ctx);
        populatePrepareVectorToMMAPatterns(patterns, /*useNvGpu=*/true);
        addCanonicalization(patterns);
        if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
          kernel->emitError("dlc-lower-to-mma-sync: preparing contractions "
                            "did not converge");
          return signalPassFailure();
        }
      }
      rewriter.setInsertionPoint(kernel);
      if (failed(convertVectorToNVVMCompatibleMMASync(rewriter, kernel))) {
        kernel->emitError("dlc-lower-to-mma-sync: conversion to mma.sync "
                          "failed");
        return signalPassFailure();
      }
      // The conversion leaves the vector ops it replaced, a loop-carried
      // cycle of them through the K loop: canonicalization drops them.
      {
        RewritePatternSet patterns(ctx);
        addCanonicalization(patterns);
        if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
          kernel->emitError("dlc-lower-to-mma-sync: cleanup did not converge");
          return signalPassFailure();
        }
      }
      bool left = false;
      kernel.walk([&](vector::ContractionOp contract) {
        contract->emitError("dlc-lower-to-mma-sync: contraction not "
                            "converted to mma.sync");
        left = true;
      });
      if (left)
        return signalPassFailure();
      // f32 operands as TF32 (the planner only marks f32 with allow-tf32).
      RewritePatternSet patterns(ctx);
      nvgpu::populateMmaSyncF32ToTF32Patterns(patterns);
      if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
        kernel->emitError("dlc-lower-to-mma-sync: TF32 did not converge");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
