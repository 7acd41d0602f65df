//===- AddUnitParallelLoop.cpp - a parallel loop for every linalg op -------===//

#include "dlc/Transforms/Passes.h"
#include "TilingUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"

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

/// The positions of an ordered host loop (`op`, see serialize) that run in
/// parallel: the common static shape S of the linalg ops inside, when each
/// of them is elementwise over S (all-parallel, identity maps, no
/// positions) on operands that are either buffers of shape S allocated
/// inside `op` or views of whole trailing rows of a buffer from outside (a
/// table row [r, 0..S) picked by an index). Element j of S then only ever
/// touches element j of each row, whichever row the loop picks, so the
/// loop can run once per element, in its own order. Empty when `op` does
/// not qualify (other writes, other views, shapes that differ, a scalar
/// read of a buffer the linalg ops write: another element's thread may
/// not have written it yet).
SmallVector<int64_t> elementwiseRowShape(Operation *op) {
  SmallVector<int64_t> shape;
  bool ok = true;
  auto base = [](Value v) {
    while (auto view = v.getDefiningOp<memref::SubViewOp>())
      v = view.getSource();
    return v;
  };
  DenseSet<Value> written;
  SmallVector<memref::LoadOp> loads;
  op->walk<WalkOrder::PreOrder>([&](Operation *inner) {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(inner);
    if (!linalgOp) {
      // Beside the linalg ops: scalar reads, views, temporaries, control.
      if (auto load = dyn_cast<memref::LoadOp>(inner))
        loads.push_back(load);
      else if (!isPure(inner) &&
               !isa<memref::AllocOp, memref::DeallocOp, scf::ForOp,
                    scf::IfOp, scf::YieldOp>(inner))
        ok = false;
      return ok ? WalkResult::advance() : WalkResult::interrupt();
    }
    SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
    if (!linalgOp.hasPureBufferSemantics() || ranges.empty() ||
        ShapedType::isDynamicShape(ranges) ||
        linalgOp.getNumParallelLoops() != linalgOp.getNumLoops() ||
        !llvm::all_of(linalgOp.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }) ||
        linalgOp.hasIndexSemantics() || (!shape.empty() && shape != ranges))
      ok = false;
    shape = ranges;
    for (Value init : linalgOp.getDpsInits())
      written.insert(base(init));
    for (Value operand : linalgOp->getOperands()) {
      if (!ok)
        break;
      Operation *def = operand.getDefiningOp();
      if (auto alloc = dyn_cast_or_null<memref::AllocOp>(def)) {
        ok = op->isProperAncestor(alloc) && alloc.getType().hasStaticShape() &&
             alloc.getType().getLayout().isIdentity();
        continue;
      }
      auto view = dyn_cast_or_null<memref::SubViewOp>(def);
      if (!view ||
          op->isAncestor(view.getSource().getParentBlock()->getParentOp())) {
        ok = false;
        break;
      }
      // Leading dims dropped (picked by offsets, any), the rest whole.
      MemRefType source = view.getSourceType();
      int64_t lead = source.getRank() - static_cast<int64_t>(ranges.size());
      llvm::SmallBitVector dropped = view.getDroppedDims();
      for (int64_t d = 0; d < source.getRank() && ok; ++d) {
        bool leading = d < lead;
        ok = dropped.test(d) == leading && view.getStaticStrides()[d] == 1 &&
             (leading || (view.getStaticOffsets()[d] == 0 &&
                          view.getStaticSizes()[d] == source.getDimSize(d)));
      }
    }
    return ok ? WalkResult::skip() : WalkResult::interrupt();
  });
  if (ok && llvm::any_of(loads, [&](memref::LoadOp load) {
        return written.contains(base(load.getMemRef()));
      }))
    ok = false;
  if (!ok)
    shape.clear();
  return shape;
}

/// An ordered host loop (`op`) whose linalg ops are elementwise over rows
/// (elementwiseRowShape: scatter_add's row updates) as a parallel loop over
/// the row's elements, each running the whole loop for its element: its
/// linalg ops become loads, their body and stores at that element, its
/// temporaries are allocated once outside. An embedding's gradient, [V, D]
/// from N rows, is D threads of N steps instead of one thread of N x D.
void parallelOverRows(RewriterBase &rewriter, Operation *op,
                      ArrayRef<int64_t> shape) {
  Location loc = op->getLoc();
  // Temporaries before the loop, freed after it.
  SmallVector<Operation *> allocs, deallocs;
  op->walk([&](Operation *inner) {
    if (isa<memref::AllocOp>(inner))
      allocs.push_back(inner);
    else if (isa<memref::DeallocOp>(inner))
      deallocs.push_back(inner);
  });
  for (Operation *alloc : allocs)
    rewriter.moveOpBefore(alloc, op);
  for (Operation *dealloc : llvm::reverse(deallocs))
    rewriter.moveOpAfter(dealloc, op);
  rewriter.setInsertionPoint(op);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  SmallVector<Value> lbs(shape.size(), zero), steps(shape.size(), one), ubs;
  for (int64_t size : shape)
    ubs.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
  auto parallel = scf::ParallelOp::create(rewriter, loc, lbs, ubs, steps);
  rewriter.moveOpBefore(op, parallel.getBody()->getTerminator());
  SmallVector<Value> at(parallel.getInductionVars());
  SmallVector<linalg::LinalgOp> ops;
  op->walk([&](linalg::LinalgOp linalgOp) { ops.push_back(linalgOp); });
  for (linalg::LinalgOp linalgOp : ops) {
    rewriter.setInsertionPoint(linalgOp);
    Block *body = linalgOp.getBlock();
    IRMapping map;
    for (OpOperand &operand : linalgOp->getOpOperands()) {
      BlockArgument arg = body->getArgument(operand.getOperandNumber());
      if (arg.use_empty())
        continue;
      map.map(arg, memref::LoadOp::create(rewriter, loc, operand.get(), at));
    }
    for (Operation &inner : body->without_terminator())
      rewriter.clone(inner, map);
    for (auto [value, init] : llvm::zip(body->getTerminator()->getOperands(),
                                        linalgOp.getDpsInits()))
      memref::StoreOp::create(rewriter, loc, map.lookupOrDefault(value), init,
                              at);
    rewriter.eraseOp(linalgOp);
  }
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
    for (Operation *op : serial) {
      if (SmallVector<int64_t> shape = elementwiseRowShape(op); !shape.empty())
        parallelOverRows(serialRewriter, op, shape);
      else if (failed(serialize(serialRewriter, op)))
        return signalPassFailure();
    }

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
