//===- TileParallelLoops.cpp - dlc-tile-parallel-loops ----------------------===//
//
// The GPU pipeline's route for linalg ops that no kernel schedule took: each
// op's scf.parallel, one thread per output element. Upstream's
// scf-parallel-loop-tiling applies one list of tile sizes to the leading
// dims of every loop, so with 8 x 32 a rank-3 or higher loop had a unit tile
// on its last dim (thread x, the coalesced one, over a unit dim) and the
// dims past the third became serial loops in each thread (the im2col of a
// [32, 3, 3, 64, 14, 14] column matrix ran 288 threads of 12544 steps).
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc {
#define GEN_PASS_DEF_TILEPARALLELLOOPS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Threads per block of a collapsed loop.
constexpr int64_t kThreads = 256;

/// Whether every bound and step of `loop` is a constant.
bool isStatic(scf::ParallelOp loop) {
  auto constant = [](Value v) { return getConstantIntValue(v).has_value(); };
  return llvm::all_of(loop.getLowerBound(), constant) &&
         llvm::all_of(loop.getUpperBound(), constant) &&
         llvm::all_of(loop.getStep(), constant);
}

/// A reduction loop of a thread (an `scf.for` that loads one element of
/// the op's output, adds to it and stores it back each step, as
/// convert-linalg-to-parallel-loops writes it) with the element carried in
/// a register instead: loaded before the loop, stored after it. Where the
/// store and load stayed in the loop, each step waited for its previous
/// step's store to global memory (LLVM cannot keep the value in a register:
/// the loop's other loads might alias it); a conv weight gradient's
/// partials of 896 steps were 896 such round trips a thread. Taken where
/// the loop's only write is that store, at indices defined outside the
/// loop, after a load of the same element, and no other access in the loop
/// goes to the same memref value. (The other memrefs are the op's inputs,
/// distinct buffers from its output after bufferization.)
void accumulateInRegister(RewriterBase &rewriter, scf::ForOp loop) {
  Block *body = loop.getBody();
  memref::StoreOp store;
  for (Operation &op : body->without_terminator()) {
    if (auto s = dyn_cast<memref::StoreOp>(op)) {
      if (store)
        return; // two stores
      store = s;
    }
  }
  if (!store || !loop.isDefinedOutsideOfLoop(store.getMemRef()) ||
      !llvm::all_of(store.getIndices(), [&](Value index) {
        return loop.isDefinedOutsideOfLoop(index);
      }))
    return;
  memref::LoadOp load;
  bool other = false;
  loop.getBody()->walk([&](Operation *op) {
    if (op == store.getOperation())
      return;
    if (auto l = dyn_cast<memref::LoadOp>(op)) {
      if (l.getMemRef() != store.getMemRef())
        return;
      if (!load && l.getIndices() == store.getIndices() &&
          l->getBlock() == body && l->isBeforeInBlock(store))
        load = l;
      else
        other = true;
      return;
    }
    // Any other write (or an op of unknown effects) could touch the element.
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects ? op->getNumRegions() == 0 && !op->hasTrait<OpTrait::IsTerminator>()
                 : effects.hasEffect<MemoryEffects::Write>())
      other = true;
  });
  if (!load || other)
    return;
  rewriter.setInsertionPoint(loop);
  Value initial = memref::LoadOp::create(rewriter, load.getLoc(),
                                         store.getMemRef(), store.getIndices());
  Value stored = store.getValueToStore();
  FailureOr<LoopLikeOpInterface> carried = loop.replaceWithAdditionalYields(
      rewriter, initial, /*replaceInitOperandUsesInLoop=*/false,
      [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
        return SmallVector<Value>{stored};
      });
  if (failed(carried))
    return;
  auto newLoop = cast<scf::ForOp>(carried->getOperation());
  rewriter.replaceAllUsesWith(load.getResult(),
                              newLoop.getRegionIterArgs().back());
  rewriter.setInsertionPointAfter(newLoop);
  memref::StoreOp::create(rewriter, store.getLoc(), newLoop.getResults().back(),
                          store.getMemRef(), store.getIndices());
  rewriter.eraseOp(store);
  rewriter.eraseOp(load);
}

struct TileParallelLoops
    : public dlc::impl::TileParallelLoopsBase<TileParallelLoops> {
  using TileParallelLoopsBase::TileParallelLoopsBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Host emulation: the linalg ops outside tiled nests to parallel loops
    // here (the GPU pipeline has convert-linalg-to-parallel-loops do it).
    if (hostEmulation) {
      SmallVector<linalg::LinalgOp> ops;
      getOperation().walk([&](linalg::LinalgOp op) {
        if (!op->getParentOfType<scf::ForallOp>() &&
            !op->getParentOfType<scf::ParallelOp>() &&
            op.hasPureBufferSemantics())
          ops.push_back(op);
      });
      for (linalg::LinalgOp op : ops) {
        rewriter.setInsertionPoint(op);
        if (failed(linalg::linalgOpToParallelLoops(rewriter, op))) {
          op->emitError("dlc-tile-parallel-loops: cannot lower to loops");
          return signalPassFailure();
        }
        rewriter.eraseOp(op);
      }
    }
    // Reductions inside the threads' loops: the accumulator in a register
    // (inner loops first, so that a nest's carries its element outwards).
    SmallVector<scf::ForOp> reductions;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop->getParentOfType<scf::ParallelOp>() &&
          !loop->getParentOfType<scf::ForallOp>() &&
          !loop->getParentOfType<gpu::LaunchOp>())
        reductions.push_back(loop);
    });
    for (scf::ForOp loop : reductions)
      accumulateInRegister(rewriter, loop);

    // The loops of one op each: outermost, outside kernels and tiled nests,
    // with no parallel loop inside (as upstream's tiling takes them).
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (loop->getParentOfType<scf::ParallelOp>() ||
          loop->getParentOfType<scf::ForallOp>() ||
          loop->getParentOfType<gpu::LaunchOp>() || loop.getNumReductions())
        return;
      bool nested = false;
      loop.getBody()->walk([&](scf::ParallelOp) { nested = true; });
      if (!nested)
        loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops) {
      if (!isStatic(loop)) {
        // (Dynamic bounds: upstream's tiles, as before.)
        scf::tileParallelLoop(loop, {8, 32}, /*noMinMaxBounds=*/true);
        continue;
      }
      // All dims as one, in loop order: consecutive threads take
      // consecutive elements of the last dim, and every element its own
      // thread (1-D grids hold 2^31 - 1 blocks).
      if (loop.getNumLoops() > 1) {
        std::vector<unsigned> all(loop.getNumLoops());
        std::iota(all.begin(), all.end(), 0);
        rewriter.setInsertionPoint(loop);
        // (collapseParallelLoops replaces the loop.)
        scf::ParallelOp collapsed;
        Operation *previous = loop->getPrevNode();
        Block *block = loop->getBlock();
        collapseParallelLoops(rewriter, loop, {all});
        Operation *first = previous ? previous->getNextNode() : &block->front();
        for (Operation *op = first; op; op = op->getNextNode())
          if ((collapsed = dyn_cast<scf::ParallelOp>(op)))
            break;
        if (!collapsed) {
          getOperation()->emitError(
              "dlc-tile-parallel-loops: collapsing a loop failed");
          return signalPassFailure();
        }
        loop = collapsed;
      }
      scf::tileParallelLoop(loop, {kThreads}, /*noMinMaxBounds=*/true);
    }
  }
};

} // namespace
