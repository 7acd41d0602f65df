//===- Bufferize.cpp - dlc-bufferize ---------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Transforms.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallPtrSet.h"

#include "dlc/Dialect/Dlc/IR/DlcDialect.h"

namespace dlc {
#define GEN_PASS_DEF_BUFFERIZE
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

LogicalResult createLinalgCopy(OpBuilder &b, Location loc, Value from,
                               Value to) {
  linalg::CopyOp::create(b, loc, from, to);
  return success();
}

} // namespace

/// (argument, result) pairs of `dlc.inout` arguments.
SmallVector<std::pair<unsigned, unsigned>> dlc::inOutPairs(func::FuncOp func) {
  SmallVector<std::pair<unsigned, unsigned>> pairs;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (auto result = func.getArgAttrOfType<IntegerAttr>(
            i, dlc::DlcDialect::getInOutAttrName()))
      pairs.push_back({i, static_cast<unsigned>(result.getInt())});
  return pairs;
}

namespace {

/// After bufferization: in-out results are dropped from the signature (the
/// caller's argument buffer holds them). Where the returned buffer is not
/// the argument itself (dlc-update-in-place did not run, or bufferization
/// had to compute the value out of place), it is copied there at the end,
/// after every read of the old value.
void dropInOutResults(func::FuncOp func) {
  auto pairs = dlc::inOutPairs(func);
  if (pairs.empty() || func.isExternal())
    return;
  llvm::BitVector drop(func.getNumResults());
  func.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    for (auto [arg, result] : pairs) {
      Value value = ret.getOperand(result);
      if (value != func.getArgument(arg))
        (void)createLinalgCopy(b, ret.getLoc(), value, func.getArgument(arg));
      drop.set(result);
    }
    ret->eraseOperands(drop);
  });
  (void)func.eraseResults(drop);
  for (auto [arg, result] : pairs)
    func.removeArgAttr(arg, dlc::DlcDialect::getInOutAttrName());
}

/// Returns each tensor at most once: promoting results to out-params cannot
/// give one buffer to two out-params (upstream's promotion crashes on it), so
/// a repeated result (`return %0, %0`, or equal constants CSE merged) is
/// returned as a copy.
void copyRepeatedResults(func::FuncOp func) {
  func.walk([](func::ReturnOp ret) {
    OpBuilder b(ret);
    llvm::SmallPtrSet<Value, 8> seen;
    for (OpOperand &operand : ret->getOpOperands()) {
      Value value = operand.get();
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || seen.insert(value).second)
        continue;
      Value empty = tensor::EmptyOp::create(b, ret.getLoc(), type.getShape(),
                                            type.getElementType());
      operand.set(
          linalg::CopyOp::create(b, ret.getLoc(), value, empty).getResult(0));
    }
  });
}

/// A result that is a reshaped view of a fresh buffer (a computation done
/// on [rows, cols] and returned as [batch, tokens, cols]) is returned as
/// the buffer itself, allocated in the result's shape and viewed reshaped
/// where it is written: out-param promotion then writes into the caller's
/// buffer instead of copying the view into it.
void returnBuffersNotViews(func::FuncOp func) {
  func.walk([](func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands()) {
      // expand_shape(collapse_shape(%buffer)) back to its shape, or
      // collapse_shape(expand_shape(%buffer)) (a scalar loss written as
      // [1]): %buffer (the ops' own folders).
      Operation *reshape = operand.get().getDefiningOp();
      SmallVector<OpFoldResult> folded;
      if (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(
              reshape) &&
          succeeded(reshape->fold(folded)) && folded.size() == 1 &&
          isa<Value>(folded.front())) {
        operand.set(cast<Value>(folded.front()));
        if (reshape->use_empty())
          reshape->erase();
        continue;
      }
      auto view = operand.get().getDefiningOp<memref::ExpandShapeOp>();
      auto alloc = view ? view.getSrc().getDefiningOp<memref::AllocOp>()
                        : memref::AllocOp();
      if (!alloc || !alloc.getType().hasStaticShape() ||
          !alloc.getType().getLayout().isIdentity() ||
          !view.getType().getLayout().isIdentity() || !view->hasOneUse())
        continue;
      OpBuilder b(alloc);
      auto whole = memref::AllocOp::create(b, alloc.getLoc(), view.getType(),
                                           alloc.getAlignmentAttr());
      Value viewOfWhole = memref::CollapseShapeOp::create(
          b, alloc.getLoc(), alloc.getType(), whole,
          view.getReassociationIndices());
      alloc.getResult().replaceAllUsesWith(viewOfWhole);
      operand.set(whole);
      view->erase();
      alloc->erase();
    }
  });
}

struct Bufferize : public dlc::impl::BufferizeBase<Bufferize> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    module.walk([](tensor::EmptyOp empty) {
      empty->removeAttr(dlc::DlcDialect::getDistinctAttrName());
    });
    for (auto func : module.getOps<func::FuncOp>())
      copyRepeatedResults(func);
    bufferization::OneShotBufferizationOptions options;
    options.bufferizeFunctionBoundaries = true;
    options.setFunctionBoundaryTypeConversion(
        bufferization::LayoutMapOption::IdentityLayoutMap);
    options.memCpyFn = createLinalgCopy;
    bufferization::BufferizationState state;
    if (failed(bufferization::runOneShotModuleBufferize(module, options,
                                                        state)))
      return signalPassFailure();

    for (auto func : module.getOps<func::FuncOp>()) {
      dropInOutResults(func);
      returnBuffersNotViews(func);
    }

    bufferization::BufferResultsToOutParamsOpts outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    outParams.memCpyFn = createLinalgCopy;
    if (failed(bufferization::promoteBufferResultsToOutParams(module,
                                                              outParams)))
      return signalPassFailure();
  }
};

} // namespace
