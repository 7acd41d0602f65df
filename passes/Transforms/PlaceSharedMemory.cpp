//===- PlaceSharedMemory.cpp - a kernel's shared buffers in one array -----===//
//
// dlc-place-shared-memory, and the folding of a GEMM block's accumulator
// fill that lets its accumulator tile share bytes with the K loop's stages.
// A block's shared buffers are live over different parts of the kernel
// (the stages of A and B during the K loop, the f32 accumulator tile that
// a fused consumer reads after it); placing them by live range is what
// CUTLASS's epilogue does with a union over the mainloop's storage. Less
// shared memory a block is more blocks an SM.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

namespace dlc {
#define GEN_PASS_DEF_PLACESHAREDMEMORY
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Static shared memory a kernel may have; more must be dynamic shared
/// memory, which a launch opts in to (the runtime raises the function's
/// limit).
constexpr int64_t kStaticSharedBytes = 48 * 1024;
/// Where buffers start (ldmatrix and cp.async take 16-byte rows).
constexpr int64_t kSharedAlignment = 16;

/// `root` and its views (subviews, views, casts, reshapes, base buffers).
llvm::SetVector<Value> viewsOf(Value root) {
  llvm::SetVector<Value> views;
  views.insert(root);
  for (size_t i = 0; i < views.size(); ++i)
    for (Operation *user : views[i].getUsers()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == views[i])
        views.insert(view->getResult(0));
      if (auto meta = dyn_cast<memref::ExtractStridedMetadataOp>(user))
        views.insert(meta.getBaseBuffer());
    }
  return views;
}

/// The buffer `value` is a view of, within `body` (a value defined outside,
/// an argument the kernel captures, counts as a buffer of its own: distinct
/// captured memrefs do not alias, as upstream's hoisting also assumes).
Value bufferOf(Value value, Block &body) {
  Operation *kernel = body.getParentOp();
  while (Operation *def = value.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view || !kernel->isProperAncestor(def))
      break;
    value = view.getViewSource();
  }
  return value;
}

struct Access {
  bool reads = false;
  bool writes = false;
  explicit operator bool() const { return reads || writes; }
};

/// What `op` and the ops nested in it do to memory through `views`. Taking
/// a view or an address is no access; an op without declared effects
/// reads and writes.
Access accessOf(Operation *op, const llvm::SetVector<Value> &views) {
  Access access;
  op->walk([&](Operation *nested) {
    if (isa<ViewLikeOpInterface, memref::ExtractStridedMetadataOp,
            memref::DimOp, memref::DeallocOp>(nested))
      return;
    for (Value operand : nested->getOperands()) {
      if (!views.contains(operand))
        continue;
      // (An address may be used for an access this walk cannot see.)
      if (isa<memref::ExtractAlignedPointerAsIndexOp>(nested)) {
        access.reads = access.writes = true;
        continue;
      }
      auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
      if (!effects) {
        access.reads = access.writes = true;
        continue;
      }
      SmallVector<MemoryEffects::EffectInstance> instances;
      effects.getEffectsOnValue(operand, instances);
      for (const MemoryEffects::EffectInstance &effect : instances) {
        if (isa<MemoryEffects::Read>(effect.getEffect()))
          access.reads = true;
        else
          access.writes = true;
      }
    }
  });
  return access;
}

/// A read of a whole vector or element (no mask, in bounds), replaceable by
/// a constant.
bool isPlainRead(Operation *op) {
  if (auto read = dyn_cast<vector::TransferReadOp>(op))
    return !read.getMask() && !read.hasOutOfBoundsDim();
  return isa<vector::LoadOp, memref::LoadOp>(op);
}

} // namespace

void dlc::forwardAccumulatorFills(RewriterBase &rewriter, Block &body) {
  SmallVector<Operation *> tagged;
  body.walk([&](Operation *op) {
    if (op->hasAttr(kAccumulatorInitAttr))
      tagged.push_back(op);
  });
  for (Operation *fill : tagged) {
    Operation *top = body.findAncestorOpInBlock(*fill);
    if (!top || !top->use_empty())
      continue;
    // The fill: stores of one constant into one buffer, and nothing else
    // that touches memory (loads left dead by the lowering to loops count
    // as nothing).
    Value buffer;
    TypedAttr value;
    bool ok = true;
    top->walk([&](Operation *op) {
      if (isMemoryEffectFree(op) || isOpTriviallyDead(op) ||
          op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
        return;
      auto store = dyn_cast<memref::StoreOp>(op);
      TypedAttr stored;
      if (!store || !matchPattern(store.getValue(), m_Constant(&stored)) ||
          (value && stored != value) ||
          (buffer && bufferOf(store.getMemRef(), body) != buffer)) {
        ok = false;
        return;
      }
      value = stored;
      buffer = bufferOf(store.getMemRef(), body);
    });
    if (!ok || !buffer)
      continue;
    // What follows: reads of the accumulators (hoisted out of the K loop),
    // then their write-back, which must not read. Anything else touching
    // the buffer in between (a K loop that still reads its accumulators
    // from memory) leaves the fill alone.
    llvm::SetVector<Value> views = viewsOf(buffer);
    SmallVector<Operation *> reads;
    Operation *writeBack = nullptr;
    for (Operation *op = top->getNextNode(); op; op = op->getNextNode()) {
      Access access = accessOf(op, views);
      if (!access)
        continue;
      if (!access.writes && isPlainRead(op)) {
        reads.push_back(op);
        continue;
      }
      if (!access.reads)
        writeBack = op;
      break;
    }
    if (reads.empty() || !writeBack)
      continue;
    for (Operation *read : reads) {
      rewriter.setInsertionPoint(read);
      Type type = read->getResult(0).getType();
      TypedAttr constant = value;
      if (auto vector = dyn_cast<VectorType>(type))
        constant = DenseElementsAttr::get(vector, value);
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(read, type, constant);
    }
    Operation *next = top->getNextNode();
    rewriter.eraseOp(top);
    // The barrier after the fill, if nothing before it touches memory now
    // (allocations aside), orders nothing.
    if (isa_and_nonnull<gpu::BarrierOp>(next) &&
        llvm::all_of(llvm::make_range(body.begin(), next->getIterator()),
                     [](Operation &op) {
                       auto effects = dyn_cast<MemoryEffectOpInterface>(op);
                       return isMemoryEffectFree(&op) ||
                              (effects &&
                               effects.onlyHasEffect<MemoryEffects::Allocate>());
                     }))
      rewriter.eraseOp(next);
  }
}

void dlc::hoistAccumulators(RewriterBase &rewriter, Operation *root) {
  linalg::hoistRedundantVectorTransfers(root);
  SmallVector<scf::ForOp> loops;
  root->walk([&](gpu::LaunchOp kernel) {
    for (auto loop : kernel.getBody().front().getOps<scf::ForOp>()) {
      // (A K loop whose tiles are not in stages frees them after its last
      // barrier: dlc-place-shared-memory later drops those deallocs.)
      Operation *last = loop.getBody()->getTerminator()->getPrevNode();
      while (isa_and_nonnull<memref::DeallocOp>(last))
        last = last->getPrevNode();
      if (isa_and_nonnull<gpu::BarrierOp>(last))
        loops.push_back(loop);
    }
  });
  for (scf::ForOp loop : loops) {
    // The write-back: writes of the loop's results, with the index
    // arithmetic and extractions between them.
    Operation *lastWrite = nullptr;
    for (Operation *op = loop->getNextNode(); op; op = op->getNextNode()) {
      if (isMemoryEffectFree(op))
        continue;
      Value target;
      if (auto write = dyn_cast<vector::TransferWriteOp>(op))
        target = write.getBase();
      else if (auto store = dyn_cast<vector::StoreOp>(op))
        target = store.getBase();
      if (!target)
        break;
      auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(
          cast<MemRefType>(target.getType()).getMemorySpace());
      if (space && space.getValue() == gpu::AddressSpace::Workgroup)
        lastWrite = op;
    }
    if (!lastWrite || isa_and_nonnull<gpu::BarrierOp>(lastWrite->getNextNode()))
      continue;
    rewriter.setInsertionPointAfter(lastWrite);
    gpu::BarrierOp::create(rewriter, lastWrite->getLoc());
  }
}

namespace {

/// A shared buffer of a kernel: its allocation, size, the top-level ops of
/// the kernel's body that first and last touch it, and where it goes.
struct SharedBuffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t padding = 0; // elements after each row (paddedRows)
  unsigned first = 0, last = 0;
  bool asyncCopies = false; // a cp.async target (its writes land late)
  int64_t offset = -1;
  bool liveWith(const SharedBuffer &other) const {
    return first <= other.last && other.first <= last;
  }
  bool overlaps(const SharedBuffer &other) const {
    return offset < other.offset + other.bytes &&
           other.offset < offset + bytes;
  }
};

/// The kernel's shared-memory allocations (static shapes, identity
/// layouts), or an error.
FailureOr<SmallVector<memref::AllocOp>> sharedAllocs(gpu::LaunchOp launch) {
  SmallVector<memref::AllocOp> allocs;
  WalkResult walk = launch.getBody().walk([&](memref::AllocOp alloc) {
    auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(
        alloc.getType().getMemorySpace());
    // In a kernel, a buffer in global memory is each thread's own (device
    // malloc): what one thread writes there no other sees.
    if (!alloc.getType().getMemorySpace()) {
      alloc->emitError("dlc-place-shared-memory: a global-memory buffer "
                       "allocated inside a kernel (each thread would "
                       "allocate its own)");
      return WalkResult::interrupt();
    }
    if (!space || space.getValue() != gpu::AddressSpace::Workgroup)
      return WalkResult::advance();
    if (!alloc.getType().hasStaticShape()) {
      alloc->emitError("dlc-place-shared-memory: shared memory of dynamic "
                       "size");
      return WalkResult::interrupt();
    }
    if (!alloc.getType().getLayout().isIdentity()) {
      alloc->emitError("dlc-place-shared-memory: a shared buffer with a "
                       "layout");
      return WalkResult::interrupt();
    }
    allocs.push_back(alloc);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return allocs;
}

/// Elements to leave after each row of `alloc`: 8 floats for a tensor-core
/// block's f32 accumulator tile (mma.sync fragments written back as 2
/// floats a lane, rows of a multiple of 128 bytes), accessed only by loads
/// and stores. A half warp then writes 4 rows 8 banks apart instead of in
/// the same banks: the SIMT emulator's memory profile counted 4x the
/// fewest wavefronts for that write-back.
int64_t paddedRows(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (type.getRank() != 2 || !type.getElementType().isF32() ||
      (type.getDimSize(1) * 4) % 128)
    return 0;
  bool fragments = false;
  for (Operation *user : alloc->getUsers()) {
    if (auto store = dyn_cast<vector::StoreOp>(user)) {
      fragments |= store.getVectorType().getNumElements() == 2;
      continue;
    }
    if (!isa<vector::LoadOp, memref::LoadOp, memref::StoreOp,
             memref::DeallocOp>(user))
      return 0;
  }
  return fragments ? 8 : 0;
}

/// Offsets for `buffers`, largest first, each at the lowest aligned offset
/// clear of the buffers live with it.
int64_t pack(MutableArrayRef<SharedBuffer> buffers) {
  SmallVector<SharedBuffer *> order = llvm::map_to_vector(
      buffers, [](SharedBuffer &buffer) { return &buffer; });
  llvm::stable_sort(order, [](SharedBuffer *a, SharedBuffer *b) {
    return a->bytes > b->bytes;
  });
  int64_t total = 0;
  SmallVector<SharedBuffer *> placed;
  for (SharedBuffer *buffer : order) {
    SmallVector<int64_t> candidates = {0};
    for (SharedBuffer *other : placed)
      if (buffer->liveWith(*other))
        candidates.push_back(other->offset + other->bytes);
    llvm::sort(candidates);
    for (int64_t candidate : candidates) {
      buffer->offset = candidate;
      if (llvm::none_of(placed, [&](SharedBuffer *other) {
            return buffer->liveWith(*other) && buffer->overlaps(*other);
          }))
        break;
    }
    placed.push_back(buffer);
    total = std::max(total, buffer->offset + buffer->bytes);
  }
  return total;
}

LogicalResult placeKernel(RewriterBase &rewriter, gpu::LaunchOp launch,
                          SymbolTable &symbols) {
  FailureOr<SmallVector<memref::AllocOp>> allocs = sharedAllocs(launch);
  if (failed(allocs))
    return failure();
  if (allocs->empty())
    return success();
  if (launch.getDynamicSharedMemorySize())
    return launch->emitError("dlc-place-shared-memory: the kernel has "
                             "dynamic shared memory already");
  Block &body = launch.getBody().front();
  SmallVector<Operation *> tops = llvm::map_to_vector(
      body.getOperations(), [](Operation &op) { return &op; });
  DenseMap<Operation *, unsigned> position;
  for (auto [i, op] : llvm::enumerate(tops))
    position[op] = i;

  // Live ranges, in top-level ops (all threads run each of them).
  SmallVector<SharedBuffer> buffers;
  for (memref::AllocOp alloc : *allocs) {
    SharedBuffer buffer;
    buffer.alloc = alloc;
    MemRefType type = alloc.getType();
    buffer.padding = paddedRows(alloc);
    int64_t elements = type.getNumElements();
    if (buffer.padding)
      elements += type.getDimSize(0) * buffer.padding;
    // (An i1 takes a byte, as the LLVM lowering stores it.)
    buffer.bytes = llvm::alignTo(
        elements * llvm::divideCeil(type.getElementTypeBitWidth(), 8),
        kSharedAlignment);
    Operation *at = body.findAncestorOpInBlock(*alloc);
    buffer.first = buffer.last = position.lookup(at);
    bool touched = false;
    llvm::SetVector<Value> views = viewsOf(alloc.getResult());
    for (Operation *top : tops) {
      if (!accessOf(top, views))
        continue;
      unsigned i = position[top];
      buffer.first = touched ? std::min(buffer.first, i) : i;
      buffer.last = touched ? std::max(buffer.last, i) : i;
      touched = true;
    }
    launch.getBody().walk([&](nvgpu::DeviceAsyncCopyOp copy) {
      if (views.contains(copy.getDst()))
        buffer.asyncCopies = true;
    });
    buffers.push_back(buffer);
  }
  int64_t total = pack(buffers);

  // A buffer taking bytes another used before it waits for that one's last
  // readers (a barrier) and, for cp.async targets, for its copies (a
  // cp.async.wait_group 0 first): top-level ops, so every thread reaches
  // them.
  llvm::SetVector<Operation *> barriersBefore, waitsBefore;
  for (SharedBuffer &later : buffers)
    for (SharedBuffer &earlier : buffers) {
      if (&later == &earlier || earlier.liveWith(later) ||
          earlier.last > later.first || !later.overlaps(earlier))
        continue;
      bool barrier = false, wait = !earlier.asyncCopies;
      for (unsigned i = earlier.last + 1; i < later.first; ++i) {
        if (auto group = dyn_cast<NVVM::CpAsyncWaitGroupOp>(tops[i]);
            group && group.getN() == 0)
          wait = true;
        if (isa<gpu::BarrierOp>(tops[i]) && wait)
          barrier = true;
      }
      if (barrier)
        continue;
      barriersBefore.insert(tops[later.first]);
      if (!wait)
        waitsBefore.insert(tops[later.first]);
    }
  for (Operation *op : barriersBefore) {
    rewriter.setInsertionPoint(op);
    if (waitsBefore.contains(op))
      NVVM::CpAsyncWaitGroupOp::create(rewriter, op->getLoc(), 0);
    gpu::BarrierOp::create(rewriter, op->getLoc());
  }

  // The array: a workgroup global up to the 48 KiB of static shared
  // memory (NVVM makes it .shared), dynamic shared memory beyond.
  Location loc = launch.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  rewriter.setInsertionPointToStart(&body);
  Value bytes;
  if (total <= kStaticSharedBytes) {
    auto type = MemRefType::get({total}, rewriter.getI8Type(), AffineMap(),
                                workgroup);
    memref::GlobalOp global;
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(
          &symbols.getOp()->getRegion(0).front());
      global = memref::GlobalOp::create(
          rewriter, loc, "__dlc_shared", rewriter.getStringAttr("private"),
          type, /*initial_value=*/Attribute(), /*constant=*/false,
          /*alignment=*/rewriter.getI64IntegerAttr(kSharedAlignment));
      symbols.insert(global); // a unique name
    }
    bytes = memref::GetGlobalOp::create(rewriter, loc, type,
                                        global.getSymName());
  } else {
    bytes = gpu::DynamicSharedMemoryOp::create(
        rewriter, loc,
        MemRefType::get({ShapedType::kDynamic}, rewriter.getI8Type(),
                        AffineMap(), workgroup));
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(launch);
    Value size = arith::ConstantIntOp::create(rewriter, loc,
                                              rewriter.getI32Type(), total);
    rewriter.modifyOpInPlace(launch, [&] {
      launch.getDynamicSharedMemorySizeMutable().assign(size);
    });
  }
  DenseMap<int64_t, Value> offsets;
  for (SharedBuffer &buffer : buffers) {
    memref::AllocOp alloc = buffer.alloc;
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        rewriter.eraseOp(user);
    Value &at = offsets[buffer.offset];
    if (!at) {
      rewriter.setInsertionPointAfter(bytes.getDefiningOp());
      at = arith::ConstantIndexOp::create(rewriter, loc, buffer.offset);
    }
    rewriter.setInsertionPoint(alloc);
    if (!buffer.padding) {
      rewriter.replaceOpWithNewOp<memref::ViewOp>(alloc, alloc.getType(),
                                                  bytes, at, ValueRange{});
      continue;
    }
    // The rows in a wider buffer: its [rows, cols] part, each row then
    // `padding` elements after the previous one's end.
    MemRefType type = alloc.getType();
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    auto wide = MemRefType::get({rows, cols + buffer.padding},
                                type.getElementType(), AffineMap(),
                                type.getMemorySpace());
    Value view = memref::ViewOp::create(rewriter, alloc.getLoc(), wide, bytes,
                                        at, ValueRange{});
    SmallVector<OpFoldResult> offsets(2, rewriter.getIndexAttr(0)),
        sizes = {rewriter.getIndexAttr(rows), rewriter.getIndexAttr(cols)},
        strides(2, rewriter.getIndexAttr(1));
    Value rowsView = memref::SubViewOp::create(rewriter, alloc.getLoc(), view,
                                               offsets, sizes, strides);
    // (Loads and stores only: they take the strided view as it is.)
    rewriter.replaceAllUsesWith(alloc.getResult(), rowsView);
    rewriter.eraseOp(alloc);
  }
  return success();
}

struct PlaceSharedMemory
    : public dlc::impl::PlaceSharedMemoryBase<PlaceSharedMemory> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());
    SymbolTable symbols(module);
    SmallVector<gpu::LaunchOp> launches;
    module.walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches) {
      if (failed(placeKernel(rewriter, launch, symbols)))
        return signalPassFailure();
      // A barrier just before the kernel's end (the deallocations that
      // followed it gone) orders nothing.
      Operation *end = launch.getBody().front().getTerminator();
      if (auto last = dyn_cast_or_null<gpu::BarrierOp>(end->getPrevNode()))
        rewriter.eraseOp(last);
    }
    // Shared memory anywhere else has no kernel to belong to.
    WalkResult stray = module.walk([&](memref::AllocOp alloc) {
      auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(
          alloc.getType().getMemorySpace());
      if (!space || space.getValue() != gpu::AddressSpace::Workgroup ||
          alloc->getParentOfType<gpu::LaunchOp>())
        return WalkResult::advance();
      alloc->emitError("dlc-place-shared-memory: shared memory outside a "
                       "kernel");
      return WalkResult::interrupt();
    });
    if (stray.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
