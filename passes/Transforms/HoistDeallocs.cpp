//===- HoistDeallocs.cpp - free buffers right after their last use ---------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace dlc {
#define GEN_PASS_DEF_HOISTDEALLOCS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Appends `buffer` and every view of it (transitively) to `values`; fails if
/// an op could alias the buffer in a way that is not a view.
LogicalResult collectViews(Value buffer, SmallVectorImpl<Value> &values) {
  values.push_back(buffer);
  for (size_t i = 0; i < values.size(); ++i) {
    for (Operation *user : values[i].getUsers()) {
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (view && view.getViewSource() == values[i]) {
        llvm::append_range(values, user->getResults());
        continue;
      }
      if (user->hasTrait<OpTrait::IsTerminator>() ||
          isa<CallOpInterface>(user) ||
          llvm::any_of(user->getResultTypes(),
                       llvm::IsaPred<BaseMemRefType>))
        return failure();
    }
  }
  return success();
}

/// Moves `dealloc` to just after the last op of its block that uses the
/// buffer it frees.
void hoist(memref::DeallocOp dealloc) {
  auto alloc = dealloc.getMemref().getDefiningOp<memref::AllocOp>();
  Block *block = dealloc->getBlock();
  if (!alloc || alloc->getBlock() != block)
    return;
  SmallVector<Value> values;
  if (failed(collectViews(alloc, values)))
    return;
  Operation *last = alloc;
  for (Value value : values) {
    for (Operation *user : value.getUsers()) {
      if (user == dealloc)
        continue;
      Operation *top = block->findAncestorOpInBlock(*user);
      if (!top || dealloc->isBeforeInBlock(top))
        return;
      if (last->isBeforeInBlock(top))
        last = top;
    }
  }
  if (last->getNextNode() != dealloc)
    dealloc->moveAfter(last);
}

struct HoistDeallocs : public dlc::impl::HoistDeallocsBase<HoistDeallocs> {
  void runOnOperation() override {
    SmallVector<memref::DeallocOp> deallocs;
    getOperation().walk(
        [&](memref::DeallocOp dealloc) { deallocs.push_back(dealloc); });
    for (memref::DeallocOp dealloc : deallocs)
      hoist(dealloc);
  }
};

} // namespace
