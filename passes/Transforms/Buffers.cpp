//===- Buffers.cpp - buffer lifetimes: dlc-hoist-deallocs, dlc-plan-buffers ===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace dlc {
#define GEN_PASS_DEF_HOISTDEALLOCS
#define GEN_PASS_DEF_PLANBUFFERS
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

/// The last op of the block of `dealloc` that uses the buffer it frees (the
/// allocation itself if none), or null if the buffer may be aliased beyond
/// its views or used outside the block before `dealloc`.
Operation *lastUse(memref::DeallocOp dealloc) {
  auto alloc = dealloc.getMemref().getDefiningOp<memref::AllocOp>();
  Block *block = dealloc->getBlock();
  if (!alloc || alloc->getBlock() != block)
    return nullptr;
  SmallVector<Value> values;
  if (failed(collectViews(alloc, values)))
    return nullptr;
  Operation *last = alloc;
  for (Value value : values) {
    for (Operation *user : value.getUsers()) {
      if (user == dealloc)
        continue;
      Operation *top = block->findAncestorOpInBlock(*user);
      if (!top || dealloc->isBeforeInBlock(top))
        return nullptr;
      if (last->isBeforeInBlock(top))
        last = top;
    }
  }
  return last;
}

/// Moves `dealloc` to just after the last op of its block that uses the
/// buffer it frees.
void hoist(memref::DeallocOp dealloc) {
  Operation *last = lastUse(dealloc);
  if (last && last->getNextNode() != dealloc)
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

namespace {

/// A buffer of the function's body with its lifetime (positions of its
/// allocation and deallocation in the body) and its place in the arena.
struct Interval {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t bytes, start, end, offset = 0;
};

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// Places buffers largest first, each at the lowest offset that overlaps no
/// placed buffer whose lifetime overlaps its own (the greedy-by-size
/// planner of TFLite's arena). Returns the arena's size.
int64_t place(MutableArrayRef<Interval> buffers, int64_t alignment) {
  SmallVector<Interval *> order =
      llvm::map_to_vector(buffers, [](Interval &b) { return &b; });
  llvm::stable_sort(order, [](Interval *a, Interval *b) {
    return a->bytes > b->bytes;
  });
  SmallVector<Interval *> placed;
  int64_t total = 0;
  for (Interval *buffer : order) {
    SmallVector<Interval *> live;
    for (Interval *other : placed)
      if (other->start <= buffer->end && buffer->start <= other->end)
        live.push_back(other);
    llvm::sort(live,
               [](Interval *a, Interval *b) { return a->offset < b->offset; });
    int64_t offset = 0;
    for (Interval *other : live) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset = std::max(offset,
                        alignTo(other->offset + other->bytes, alignment));
    }
    buffer->offset = offset;
    total = std::max(total, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return total;
}

void planBuffers(func::FuncOp func) {
  if (func.isExternal())
    return;
  Block &body = func.getBody().front();
  DenseMap<Operation *, int64_t> position;
  int64_t index = 0;
  for (Operation &op : body)
    position[&op] = index++;
  SmallVector<Interval> buffers;
  int64_t alignment = 64;
  for (auto alloc : body.getOps<memref::AllocOp>()) {
    MemRefType type = alloc.getType();
    Type element = type.getElementType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
        type.getMemorySpace() || !element.isIntOrFloat() ||
        element.getIntOrFloatBitWidth() % 8)
      continue;
    // One unconditional free in the body, after every use.
    SmallVector<memref::DeallocOp> deallocs;
    for (Operation *user : alloc->getUsers())
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user))
        deallocs.push_back(dealloc);
    if (deallocs.size() != 1 || !lastUse(deallocs.front()))
      continue;
    memref::DeallocOp dealloc = deallocs.front();
    alignment = std::max<int64_t>(alignment, alloc.getAlignment().value_or(1));
    buffers.push_back({alloc, dealloc,
                       type.getNumElements() * element.getIntOrFloatBitWidth() /
                           8,
                       position[alloc], position[dealloc]});
  }
  if (buffers.size() < 2)
    return;
  int64_t total = place(buffers, alignment);

  OpBuilder b(&body, body.begin());
  Location loc = func.getLoc();
  Value arena = memref::AllocOp::create(
      b, loc, MemRefType::get({total}, b.getI8Type()), ValueRange{},
      b.getI64IntegerAttr(alignment));
  for (Interval &buffer : buffers) {
    b.setInsertionPoint(buffer.alloc);
    Value shift = arith::ConstantIndexOp::create(b, buffer.alloc.getLoc(),
                                                 buffer.offset);
    Value view = memref::ViewOp::create(b, buffer.alloc.getLoc(),
                                        buffer.alloc.getType(), arena, shift,
                                        ValueRange{});
    buffer.alloc.getResult().replaceAllUsesWith(view);
    buffer.dealloc.erase();
    buffer.alloc.erase();
  }
  b.setInsertionPoint(body.getTerminator());
  memref::DeallocOp::create(b, loc, arena);
}

struct PlanBuffers : public dlc::impl::PlanBuffersBase<PlanBuffers> {
  void runOnOperation() override { planBuffers(getOperation()); }
};

} // namespace
