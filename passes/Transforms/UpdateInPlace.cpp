//===- UpdateInPlace.cpp - in-out results computed in their arguments ------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc {
#define GEN_PASS_DEF_UPDATEINPLACE
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// In an all-parallel generic whose init is also an input read through the
/// same map, reads that input from the init's block argument and drops it:
/// after tiling, the op then reads and writes the same slice of one tensor
/// (an in-place elementwise update) instead of reading a slice of the
/// original while writing a slice of the loop-carried copy, which one-shot
/// bufferization cannot prove free of read-after-write conflicts.
void readInitInPlace(RewriterBase &rewriter, linalg::GenericOp op) {
  if (op.getNumParallelLoops() != op.getNumLoops())
    return;
  // Each input that is an init's value read through the init's map (one
  // init each: two results of a fused momentum and parameter update).
  DenseMap<OpOperand *, OpOperand *> initOf;
  for (OpOperand &init : op.getDpsInitsMutable())
    for (OpOperand *input : op.getDpsInputOperands())
      if (input->get() == init.get() &&
          op.getMatchingIndexingMap(input) == op.getMatchingIndexingMap(&init))
        initOf.try_emplace(input, &init);
  if (initOf.empty())
    return;
  Block *body = op.getBlock();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  llvm::BitVector dropArgs(body->getNumArguments());
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (OpOperand *init = initOf.lookup(input)) {
      BlockArgument arg = op.getMatchingBlockArgument(input);
      rewriter.replaceAllUsesWith(arg, op.getMatchingBlockArgument(init));
      dropArgs.set(arg.getArgNumber());
      continue;
    }
    inputs.push_back(input->get());
    maps.push_back(op.getMatchingIndexingMap(input));
  }
  for (OpOperand &init : op.getDpsInitsMutable())
    maps.push_back(op.getMatchingIndexingMap(&init));
  rewriter.modifyOpInPlace(op, [&] {
    op.getInputsMutable().assign(inputs);
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    body->eraseArguments(dropArgs);
  });
}

/// Materializes each in-out result in its argument, which becomes writable,
/// so that empty tensor elimination makes the argument the destination of
/// the op computing the result.
void materializeInOut(func::FuncOp func) {
  OpBuilder b(func.getContext());
  auto pairs = dlc::inOutPairs(func);
  for (auto [arg, result] : pairs)
    func.setArgAttr(arg, bufferization::BufferizationDialect::kWritableAttrName,
                    b.getBoolAttr(true));
  func.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    for (auto [arg, result] : pairs) {
      auto m = bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), ret.getOperand(result), func.getArgument(arg));
      ret.setOperand(result, m.getResult());
    }
  });
}

struct UpdateInPlacePass
    : public dlc::impl::UpdateInPlaceBase<UpdateInPlacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool any = false;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (dlc::inOutPairs(func).empty())
        continue;
      materializeInOut(func);
      any = true;
    }
    if (!any)
      return;
    IRRewriter rewriter(module.getContext());
    if (failed(bufferization::eliminateEmptyTensors(rewriter, module)))
      return signalPassFailure();
    module.walk([&](linalg::GenericOp op) {
      rewriter.setInsertionPoint(op);
      readInitInPlace(rewriter, op);
    });
    // The materializations have done their job (the destinations); left in,
    // their use of the argument's old value after tiling would look like a
    // read-after-write conflict to one-shot bufferization. dlc-bufferize
    // copies a result into its argument where it still lands elsewhere.
    module.walk([&](bufferization::MaterializeInDestinationOp op) {
      if (isa<BlockArgument>(op.getDest()) && op->hasOneUse() &&
          isa<func::ReturnOp>(*op->user_begin()))
        rewriter.replaceOp(op, op.getSource());
    });
  }
};

} // namespace
