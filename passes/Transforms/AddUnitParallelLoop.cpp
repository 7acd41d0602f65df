//===- AddUnitParallelLoop.cpp - a parallel loop for every linalg op -------===//

#include "dlc/Transforms/Passes.h"
#include "TilingUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc {
#define GEN_PASS_DEF_ADDUNITPARALLELLOOP
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// The generic of `op` with a leading parallel loop of extent 1 over views
/// of its outputs with a leading unit dimension.
LogicalResult addUnitLoop(RewriterBase &rewriter, linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics())
    return op.emitError("dlc-add-unit-parallel-loop: expected buffers");
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<Value> outputs;
  for (Value output : op.getDpsInits()) {
    auto type = cast<MemRefType>(output.getType());
    if (!type.getLayout().isIdentity())
      return op.emitError("dlc-add-unit-parallel-loop: an output with a "
                          "strided layout is not supported");
    // [1, shape...]: the unit dim grouped with the first (alone at rank 0).
    SmallVector<int64_t> shape = {1};
    llvm::append_range(shape, type.getShape());
    SmallVector<ReassociationIndices> groups;
    if (type.getRank() > 0) {
      groups.push_back({0, 1});
      for (int64_t i = 1; i < type.getRank(); ++i)
        groups.push_back({i + 1});
    }
    outputs.push_back(memref::ExpandShapeOp::create(
        rewriter, loc, MemRefType::get(shape, type.getElementType()), output,
        groups));
  }
  MLIRContext *ctx = rewriter.getContext();
  unsigned loops = op.getNumLoops();
  // Old dims shift by one; the new dim 0 indexes the outputs' unit dim.
  SmallVector<AffineMap> maps;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand).shiftDims(1);
    if (op.isDpsInit(&operand)) {
      SmallVector<AffineExpr> results = {getAffineDimExpr(0, ctx)};
      llvm::append_range(results, map.getResults());
      map = AffineMap::get(loops + 1, 0, results, ctx);
    }
    maps.push_back(map);
  }
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel};
  llvm::append_range(iterators, op.getIteratorTypesArray());
  auto generic = linalg::GenericOp::create(rewriter, loc, TypeRange{},
                                           op.getDpsInputs(), outputs, maps,
                                           iterators);
  rewriter.inlineRegionBefore(op.getRegion(), generic.getRegion(),
                              generic.getRegion().begin());
  // linalg.index values shift with the loops.
  generic.walk([&](linalg::IndexOp index) {
    if (index->getParentOp() == generic)
      rewriter.modifyOpInPlace(index,
                               [&] { index.setDim(index.getDim() + 1); });
  });
  rewriter.eraseOp(op);
  return success();
}

/// A host loop or branch around linalg ops (scatter_add's loop over its
/// indices, in order) becomes one sequential kernel: its linalg ops turn
/// into scf.for loops and the whole op goes into a one-iteration
/// scf.parallel.
LogicalResult serialize(RewriterBase &rewriter, Operation *op) {
  SmallVector<linalg::LinalgOp> inner;
  op->walk([&](linalg::LinalgOp linalgOp) { inner.push_back(linalgOp); });
  for (linalg::LinalgOp linalgOp : inner) {
    rewriter.setInsertionPoint(linalgOp);
    if (failed(linalg::linalgOpToLoops(rewriter, linalgOp)))
      return linalgOp->emitError("dlc-add-unit-parallel-loop: cannot lower "
                                 "to loops");
    rewriter.eraseOp(linalgOp);
  }
  rewriter.setInsertionPoint(op);
  Location loc = op->getLoc();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto unit = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                      ValueRange{one}, ValueRange{one});
  rewriter.moveOpBefore(op, unit.getBody()->getTerminator());
  return success();
}

/// `op`'s loops with the parallel ones first, each group in its order (as
/// interchangeGenericOp takes it: new loop i is old loop result[i]).
SmallVector<unsigned> parallelLoopsFirst(linalg::LinalgOp op) {
  SmallVector<unsigned> order;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] == utils::IteratorType::parallel)
      order.push_back(i);
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] != utils::IteratorType::parallel)
      order.push_back(i);
  return order;
}

SmallVector<unsigned> identityPermutation(unsigned n) {
  return llvm::to_vector(llvm::seq<unsigned>(0, n));
}

struct AddUnitParallelLoop
    : public dlc::impl::AddUnitParallelLoopBase<AddUnitParallelLoop> {
  void runOnOperation() override {
    // Host control flow around buffer code that reads or writes memory
    // itself (scatter_add's loop reads its indices): one sequential kernel
    // each. Control flow around linalg ops and kernels alone (the CPU's
    // per-chunk convolution loop) stays on the host, launching them.
    SmallVector<Operation *> serial;
    for (Operation &op : getOperation().getBody().front()) {
      if (!isa<scf::ForOp, scf::IfOp>(op) || op.getNumResults() != 0)
        continue;
      bool hasLinalg = false, accessesMemory = false;
      op.walk<WalkOrder::PreOrder>([&](Operation *inner) {
        if (isa<linalg::LinalgOp>(inner)) {
          hasLinalg = true;
          return WalkResult::skip();
        }
        if (isa<gpu::LaunchOp, scf::ForallOp>(inner))
          return WalkResult::skip();
        accessesMemory |= isa<memref::LoadOp, memref::StoreOp>(inner);
        return WalkResult::advance();
      });
      if (hasLinalg && accessesMemory)
        serial.push_back(&op);
    }
    IRRewriter serialRewriter(&getContext());
    for (Operation *op : serial)
      if (failed(serialize(serialRewriter, op)))
        return signalPassFailure();

    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.getNumParallelLoops() == 0 &&
          !op->getParentOfType<scf::ParallelOp>())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      FailureOr<linalg::GenericOp> generic =
          dlc::asGeneric(rewriter, op, getArgument());
      if (failed(generic) || failed(addUnitLoop(rewriter, *generic)))
        return signalPassFailure();
    }

    // Reductions over leading dims (a bias gradient: [N, C] -> [C]): their
    // parallel loops first. convert-linalg-to-parallel-loops keeps the
    // loop order, so a leading reduction loop would stay on the host,
    // launching a kernel per iteration. Each output's sum keeps its order.
    SmallVector<linalg::LinalgOp> reordered;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() &&
          !op->getParentOfType<scf::ParallelOp>() &&
          !op->getParentOfType<gpu::LaunchOp>() &&
          parallelLoopsFirst(op) != identityPermutation(op.getNumLoops()))
        reordered.push_back(op);
    });
    for (linalg::LinalgOp op : reordered) {
      FailureOr<linalg::GenericOp> generic =
          dlc::asGeneric(rewriter, op, getArgument());
      if (failed(generic))
        return signalPassFailure();
      if (failed(linalg::interchangeGenericOp(
              rewriter, *generic, parallelLoopsFirst(*generic)))) {
        (*generic)->emitError("dlc-add-unit-parallel-loop: cannot interchange");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
