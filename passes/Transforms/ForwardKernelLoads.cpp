//===- ForwardKernelLoads.cpp - dlc-forward-kernel-loads ------------------===//
//
// Each element of a kernel's read-only buffers loaded once: the loops that
// read such a buffer again elsewhere in the kernel (a row nest's passes
// over its row: max, sum, output) unrolled, and every load of an element
// already loaded on the way replaced by that load's value.
//
//===----------------------------------------------------------------------===//

#include "TilingUtils.h"
#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_FORWARDKERNELLOADS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Loops of at most this many steps and body ops are unrolled.
constexpr int64_t kMaxSteps = 32;
constexpr size_t kMaxBodyOps = 64;

/// The kernel argument marked read-only that `memref` views, or null.
Value readOnlyRoot(gpu::GPUFuncOp kernel, Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  auto arg = dyn_cast<BlockArgument>(memref);
  if (!arg || arg.getOwner() != &kernel.getBody().front() ||
      !kernel.getArgAttr(arg.getArgNumber(), dlc::kReadOnlyAttr))
    return Value();
  return arg;
}

/// Whether `loop` may be unrolled: constant bounds, at most kMaxSteps
/// steps, a body of plain ops (no nested regions, no barrier).
bool unrollable(scf::ForOp loop) {
  std::optional<APInt> steps = loop.getStaticTripCount();
  if (!steps || steps->isZero() || steps->ugt(kMaxSteps))
    return false;
  size_t ops = 0;
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (op.getNumRegions() || isa<gpu::BarrierOp>(op))
      return false;
    ++ops;
  }
  return ops <= kMaxBodyOps;
}

struct ForwardKernelLoads
    : public dlc::impl::ForwardKernelLoadsBase<ForwardKernelLoads> {
  void runOnOperation() override {
    for (auto kernel : getOperation().getOps<gpu::GPUFuncOp>()) {
      // On a copy, kept where a load was forwarded: unrolled loops whose
      // loads all read other elements (a GEMM's staging copies, before and
      // in its K loop) would only be longer code.
      auto copy = cast<gpu::GPUFuncOp>(kernel->clone());
      FailureOr<int64_t> forwarded = run(copy);
      if (succeeded(forwarded) && *forwarded > 0)
        kernel.getBody().takeBody(copy.getBody());
      copy->erase();
      if (failed(forwarded))
        return signalPassFailure();
    }
  }

  /// The number of loads forwarded in `kernel`.
  FailureOr<int64_t> run(gpu::GPUFuncOp kernel) {
    // Each read-only buffer's loads, by the unrollable loop they are in
    // (null: elsewhere).
    DenseMap<Value, SmallVector<std::pair<memref::LoadOp, scf::ForOp>>> loads;
    kernel.walk([&](memref::LoadOp load) {
      Value root = readOnlyRoot(kernel, load.getMemRef());
      if (!root)
        return;
      auto loop = dyn_cast<scf::ForOp>(load->getParentOp());
      loads[root].push_back({load, loop && unrollable(loop) ? loop : nullptr});
    });
    // The loops whose buffer is also read outside them.
    SetVector<scf::ForOp> loops;
    for (auto &[root, uses] : loads)
      for (auto [load, loop] : uses)
        if (loop && llvm::any_of(
                        uses, [&](auto other) { return other.second != loop; }))
          loops.insert(loop);
    if (loops.empty())
      return 0;
    for (scf::ForOp loop : loops)
      if (failed(loopUnrollFull(loop)))
        return loop.emitError("dlc-forward-kernel-loads: cannot unroll");
    // The unrolled steps' index arithmetic folded, equal loads equal ops.
    RewritePatternSet patterns(&getContext());
    for (RegisteredOperationName name : getContext().getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(kernel, std::move(patterns))))
      return kernel.emitError("dlc-forward-kernel-loads: canonicalization "
                              "did not converge");
    IRRewriter rewriter(&getContext());
    DominanceInfo dominance(kernel);
    eliminateCommonSubExpressions(rewriter, dominance, kernel);
    // A load of an element that a dominating load read: that load's value
    // (nothing writes the buffer while the kernel runs).
    SmallVector<memref::LoadOp> seen;
    SmallVector<memref::LoadOp> forwarded;
    kernel.walk<WalkOrder::PreOrder>([&](memref::LoadOp load) {
      if (!readOnlyRoot(kernel, load.getMemRef()))
        return;
      for (memref::LoadOp earlier : seen)
        if (earlier.getMemRef() == load.getMemRef() &&
            earlier.getIndices() == load.getIndices() &&
            dominance.properlyDominates(earlier.getOperation(), load)) {
          load.getResult().replaceAllUsesWith(earlier.getResult());
          forwarded.push_back(load);
          return;
        }
      seen.push_back(load);
    });
    for (memref::LoadOp load : forwarded)
      load.erase();
    return static_cast<int64_t>(forwarded.size());
  }
};

} // namespace
