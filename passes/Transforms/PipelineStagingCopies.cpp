//===- PipelineStagingCopies.cpp - multi-stage GEMM K loops ---------------===//
//
// dlc-pipeline-staging-copies: the K loop of a GPU contraction block
// (dlc-tile-for-gpu, on buffers) with its A and B tiles in S buffers each,
// the copies of step i + S - 1 issued before the product of step i, so that
// the loads of the next steps are in flight while the tensor cores (or
// FMAs) work. With async copies (sm_80 and later) the copies are cp.async
// in one commit group per step; a wait for all but the newest S - 1 groups
// and one barrier precede each product.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace dlc {
#define GEN_PASS_DEF_PIPELINESTAGINGCOPIES
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// One staged tile of the K loop: its buffer (allocated in the loop body,
/// freed there), the forall that fills it each step, and that forall's
/// copy (or bitcast copy) into a subview of the buffer.
struct StagedTile {
  Operation *buffer; // memref.alloc or memref.alloca
  scf::ForallOp fill;
  linalg::LinalgOp copy;
  memref::DeallocOp dealloc; // none for an alloca
  int64_t pad;               // elements added to each row of a stage
  int64_t bytes;             // one stage, padded to 64 bytes
};

int64_t bytesOf(MemRefType type) {
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

/// Elements to add to each row of a stage of `type` so that its row stride
/// is an odd number of 16-byte units: then the 8 rows that an ldmatrix
/// phase (or a warp's fragment loads) reads at one column fall in 8
/// different groups of 4 banks. Rows of 64 or 128 bytes (a 128 x 32 f16 A
/// tile, a 32 x 64 f16 B tile) put 4 or 8 of them in the same banks. None
/// for rows that are not a multiple of 16 bytes (scalar copies) or already
/// an odd one.
int64_t rowPad(MemRefType type) {
  int64_t bits = type.getElementTypeBitWidth();
  if (type.getRank() < 2 || 128 % bits)
    return 0;
  int64_t rowBits = type.getShape().back() * bits;
  if (rowBits % 128 || (rowBits / 128) % 2)
    return 0;
  return 128 / bits;
}

/// `type` with `pad` more elements in each row.
SmallVector<int64_t> paddedShape(MemRefType type, int64_t pad) {
  SmallVector<int64_t> shape(type.getShape());
  shape.back() += pad;
  return shape;
}

/// The subviews of `value` (and theirs), with result types inferred again
/// from their sources: `value` now has padded rows.
void retypeSubviews(Value value) {
  for (Operation *user : value.getUsers()) {
    auto view = dyn_cast<memref::SubViewOp>(user);
    if (!view || view.getSource() != value)
      continue;
    MemRefType type = memref::SubViewOp::inferRankReducedResultType(
        view.getType().getShape(), cast<MemRefType>(value.getType()),
        view.getStaticOffsets(), view.getStaticSizes(),
        view.getStaticStrides());
    if (type == view.getType())
      continue;
    view.getResult().setType(type);
    retypeSubviews(view.getResult());
  }
}

/// `buffer`'s filling copy: the only use of `buffer` inside `forall` is a
/// subview whose only user is a linalg op with one input, that subview as
/// its init and identity maps (a copy, or a copy of the bits as another
/// type).
linalg::LinalgOp fillingCopy(scf::ForallOp forall, Value buffer) {
  linalg::LinalgOp copy;
  for (OpOperand &use : buffer.getUses()) {
    if (!forall->isProperAncestor(use.getOwner()))
      continue;
    auto view = dyn_cast<memref::SubViewOp>(use.getOwner());
    if (copy || !view || !view->hasOneUse())
      return nullptr;
    auto op = dyn_cast<linalg::LinalgOp>(*view->user_begin());
    if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
        op.getDpsInits()[0] != view.getResult() ||
        op.getNumLoops() != op.getNumParallelLoops() ||
        !llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return nullptr;
    copy = op;
  }
  return copy;
}

/// The tiles `loop` stages: buffers allocated in its body whose first use
/// (in body order) is a forall that overwrites them whole with a copy,
/// then read by later ops of the body, and freed at its end.
SmallVector<StagedTile> stagedTiles(scf::ForOp loop, bool padRows) {
  SmallVector<StagedTile> tiles;
  Block *body = loop.getBody();
  for (Operation &op : body->without_terminator()) {
    if (!isa<memref::AllocOp, memref::AllocaOp>(op))
      continue;
    Value buffer = op.getResult(0);
    auto type = cast<MemRefType>(buffer.getType());
    if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
        op.getNumOperands() != 0)
      continue;
    int64_t pad = padRows ? rowPad(type) : 0;
    MemRefType padded = MemRefType::get(paddedShape(type, pad),
                                        type.getElementType());
    StagedTile tile{&op, nullptr, nullptr, nullptr, pad,
                    static_cast<int64_t>(llvm::alignTo(bytesOf(padded), 64))};
    bool ok = true;
    for (Operation *user : buffer.getUsers()) {
      Operation *top = body->findAncestorOpInBlock(*user);
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user);
          dealloc && top == user) {
        ok &= !tile.dealloc;
        tile.dealloc = dealloc;
        continue;
      }
      auto forall = dyn_cast<scf::ForallOp>(top);
      if (!forall || forall->isBeforeInBlock(&op)) {
        ok = false;
        continue;
      }
      if (!tile.fill || forall->isBeforeInBlock(tile.fill))
        tile.fill = forall;
    }
    if (!ok || !tile.fill || (isa<memref::AllocOp>(op) && !tile.dealloc))
      continue;
    // The copy is the fill's only use; every other use comes after it.
    tile.copy = fillingCopy(tile.fill, buffer);
    if (!tile.copy ||
        llvm::any_of(buffer.getUsers(), [&](Operation *user) {
          Operation *top = body->findAncestorOpInBlock(*user);
          return top != tile.fill && !isa<memref::DeallocOp>(user) &&
                 !tile.fill->isBeforeInBlock(top);
        }))
      continue;
    // Its source: not a buffer of the loop body.
    Value source = tile.copy.getDpsInputs()[0];
    while (auto view = source.getDefiningOp<memref::SubViewOp>())
      source = view.getSource();
    if (auto *def = source.getDefiningOp(); def && body->findAncestorOpInBlock(*def))
      continue;
    tiles.push_back(tile);
  }
  return tiles;
}

/// The ops of `loop`'s body that `fill` needs (its operands and the values
/// its regions use, transitively), in body order, other than `buffer`; none
/// when one of them has effects.
FailureOr<SmallVector<Operation *>> fillSlice(scf::ForOp loop,
                                              scf::ForallOp fill,
                                              Value buffer) {
  Block *body = loop.getBody();
  llvm::SetVector<Operation *> slice;
  SmallVector<Value> work(fill->getOperands());
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(fill->getRegions(), above);
  work.append(above.begin(), above.end());
  while (!work.empty()) {
    Value v = work.pop_back_val();
    Operation *def = v.getDefiningOp();
    if (v == buffer || !def || def->getBlock() != body)
      continue;
    if (!isPure(def) || def->getNumRegions())
      return failure();
    if (slice.insert(def))
      work.append(def->operand_begin(), def->operand_end());
  }
  SmallVector<Operation *> ordered(slice.begin(), slice.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  });
  return ordered;
}

struct PipelineStagingCopies
    : public dlc::impl::PipelineStagingCopiesBase<PipelineStagingCopies> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      // K loops of contraction blocks: directly in a block forall.
      auto parent = dyn_cast<scf::ForallOp>(loop->getParentOp());
      if (parent && parent.getMapping() &&
          llvm::all_of(*parent.getMapping(), [](Attribute a) {
            return isa<gpu::GPUBlockMappingAttr>(a);
          }))
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops)
      pipeline(loop);
  }

  void pipeline(scf::ForOp loop) {
    std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()),
                           ub = getConstantIntValue(loop.getUpperBound()),
                           step = getConstantIntValue(loop.getStep());
    if (!lb || !ub || !step || *step <= 0 || loop.getNumRegionIterArgs())
      return;
    int64_t trips = llvm::divideCeil(*ub - *lb, *step);
    SmallVector<StagedTile> tiles = stagedTiles(loop, padRows);
    if (tiles.empty() || trips < 2)
      return;
    // As many stages as the block's shared memory allows (the other
    // buffers of the block stay as they are), at most `stages`. An
    // accumulator tile (its fill tagged by dlc-tile-for-gpu) is dead during
    // the K loop once its accumulators are in registers, and
    // dlc-place-shared-memory gives its bytes to the stages: it does not
    // count (a 128 x 128 block's 64 KiB f32 tile left room for one stage,
    // so its K loop had none and no cp.async).
    Operation *block = loop->getParentOp();
    int64_t staged = 0, others = 0;
    for (const StagedTile &tile : tiles)
      staged += tile.bytes;
    auto isAccumulatorTile = [](Operation *alloc) {
      SmallVector<Value> views = {alloc->getResult(0)};
      while (!views.empty()) {
        Value view = views.pop_back_val();
        for (Operation *user : view.getUsers()) {
          if (user->hasAttr(dlc::kAccumulatorInitAttr))
            return true;
          if (isa<memref::SubViewOp>(user))
            views.push_back(user->getResult(0));
        }
      }
      return false;
    };
    block->walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::AllocaOp>(op) &&
          !isAccumulatorTile(op) &&
          llvm::none_of(tiles, [&](const StagedTile &t) {
            return t.buffer == op;
          }))
        if (auto type = dyn_cast<MemRefType>(op->getResult(0).getType());
            type && type.hasStaticShape())
          others += llvm::alignTo(bytesOf(type), 64);
    });
    int64_t count = std::min<int64_t>({stages, trips,
                                       (sharedBytes - others) / staged});
    if (count < 2)
      return;
    SmallVector<SmallVector<Operation *>> slices;
    for (const StagedTile &tile : tiles) {
      FailureOr<SmallVector<Operation *>> slice =
          fillSlice(loop, tile.fill, tile.buffer->getResult(0));
      if (failed(slice))
        return;
      slices.push_back(*slice);
    }

    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();
    OpBuilder b(loop);
    Value iv = loop.getInductionVar();
    AffineExpr d0 = getAffineDimExpr(0, ctx);
    // Stage buffers: `count` tiles in one byte buffer each, before the loop.
    SmallVector<Value> bytes;
    for (const StagedTile &tile : tiles) {
      auto type = MemRefType::get(
          {count * tile.bytes}, b.getI8Type(), AffineMap(),
          cast<MemRefType>(tile.buffer->getResult(0).getType())
              .getMemorySpace());
      IntegerAttr alignment = b.getI64IntegerAttr(64);
      Value buffer =
          isa<memref::AllocaOp>(tile.buffer)
              ? memref::AllocaOp::create(b, loc, type, alignment).getResult()
              : memref::AllocOp::create(b, loc, type, alignment).getResult();
      if (tile.dealloc) {
        OpBuilder after(ctx);
        after.setInsertionPointAfter(loop);
        memref::DeallocOp::create(after, loc, buffer);
      }
      bytes.push_back(buffer);
    }
    // The stage of step `k` (a K offset): ((k - lb) / step) mod count; with
    // padded rows, the tile's part of them.
    auto stageView = [&](OpBuilder &at, Value k, unsigned t,
                         Type element) -> Value {
      Value offset = affine::makeComposedAffineApply(
                         at, loc,
                         ((d0 - *lb).floorDiv(*step) % count) *
                             tiles[t].bytes,
                         {getAsOpFoldResult(k)})
                         .getResult();
      auto type = cast<MemRefType>(tiles[t].buffer->getResult(0).getType());
      Value view = memref::ViewOp::create(
          at, loc,
          MemRefType::get(paddedShape(type, tiles[t].pad), element,
                          AffineMap(), type.getMemorySpace()),
          bytes[t], offset, ValueRange{});
      if (!tiles[t].pad)
        return view;
      SmallVector<OpFoldResult> zeros(type.getRank(), at.getIndexAttr(0)),
          ones(type.getRank(), at.getIndexAttr(1)), sizes;
      for (int64_t size : type.getShape())
        sizes.push_back(at.getIndexAttr(size));
      return memref::SubViewOp::create(at, loc, view, zeros, sizes, ones);
    };
    // The fills of step `k` at `at`: the slices and foralls cloned with k
    // for the induction variable, each copy into the stage's buffer (a
    // bitcast copy as a plain copy into a view of the source's type: the
    // same bits).
    auto emitFills = [&](OpBuilder &at, Value k) {
      for (auto [t, tile] : llvm::enumerate(tiles)) {
        IRMapping map;
        map.map(iv, k);
        Type element = getElementTypeOrSelf(tile.copy.getDpsInits()[0]);
        Type sourceElement = getElementTypeOrSelf(tile.copy.getDpsInputs()[0]);
        Value stage = stageView(at, k, t, element);
        map.map(tile.buffer->getResult(0), stage);
        Value sourceView =
            element == sourceElement ? Value() : stageView(at, k, t, sourceElement);
        for (Operation *op : slices[t])
          at.clone(*op, map);
        auto fill = cast<scf::ForallOp>(at.clone(*tile.fill, map));
        retypeSubviews(stage);
        if (async)
          fill->setAttr(dlc::kAsyncCopiesAttr, at.getUnitAttr());
        auto copy = cast<linalg::LinalgOp>(map.lookup(tile.copy.getOperation()));
        if (sourceView || async) {
          auto target = copy.getDpsInits()[0].getDefiningOp<memref::SubViewOp>();
          OpBuilder inner(copy);
          Value into = target.getResult();
          if (sourceView)
            into = memref::SubViewOp::create(
                inner, loc, sourceView, target.getMixedOffsets(),
                target.getMixedSizes(), target.getMixedStrides());
          auto plain = linalg::CopyOp::create(inner, loc,
                                              copy.getDpsInputs()[0], into);
          if (async)
            plain->setAttr(dlc::kAsyncCopyAttr, inner.getUnitAttr());
          copy->erase();
          if (target.use_empty())
            target->erase();
        }
      }
    };

    // Prologue: steps 0 .. count - 2, a commit group each.
    for (int64_t s = 0; s + 1 < count; ++s) {
      emitFills(b, arith::ConstantIndexOp::create(b, loc, *lb + s * *step));
      if (async)
        NVVM::CpAsyncCommitGroupOp::create(b, loc);
    }

    // The loop: step i + count - 1's fills (if there is one), then step i's
    // product in stage i's buffers.
    OpBuilder in = OpBuilder::atBlockBegin(loop.getBody());
    Value ahead = affine::makeComposedAffineApply(
                      in, loc, d0 + (count - 1) * *step, {getAsOpFoldResult(iv)})
                      .getResult();
    Value more = arith::CmpIOp::create(in, loc, arith::CmpIPredicate::slt,
                                       ahead, loop.getUpperBound());
    auto guard = scf::IfOp::create(in, loc, more, /*withElseRegion=*/false);
    OpBuilder then = OpBuilder::atBlockTerminator(guard.thenBlock());
    emitFills(then, ahead);
    if (async) {
      // Every thread commits one group per step (empty past the last), so
      // that "all but the newest count - 1 groups" means "up to step i";
      // then one barrier makes every thread's copies visible.
      NVVM::CpAsyncCommitGroupOp::create(in, loc);
      NVVM::CpAsyncWaitGroupOp::create(in, loc, count - 1);
      gpu::BarrierOp::create(in, loc);
    }
    // The rest of the body reads stage i.
    in.setInsertionPointToStart(loop.getBody());
    for (const StagedTile &tile : tiles) {
      Value buffer = tile.buffer->getResult(0);
      Value stage = stageView(in, iv, &tile - tiles.data(),
                              getElementTypeOrSelf(buffer));
      buffer.replaceAllUsesWith(stage);
      retypeSubviews(stage);
    }
    for (const StagedTile &tile : tiles) {
      tile.fill->erase();
      if (tile.dealloc)
        tile.dealloc->erase();
    }
    for (const StagedTile &tile : tiles)
      tile.buffer->erase();
    // Slices the product does not share are dead now.
    llvm::SetVector<Operation *> sliced;
    for (const SmallVector<Operation *> &slice : slices)
      sliced.insert(slice.begin(), slice.end());
    SmallVector<Operation *> ordered(sliced.begin(), sliced.end());
    llvm::sort(ordered, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    for (Operation *op : llvm::reverse(ordered))
      if (op->use_empty())
        op->erase();
  }
};

} // namespace
