//===- OutlineKernels.cpp - dlc-outline-kernels
//----------------------------===//
//
// Upstream's gpu-kernel-outlining, and what the launches know carried to
// their kernels: each launch's occupancy hint (outlining makes a new
// gpu.launch_func and gpu.func and keeps none of the launch's attributes),
// and which of a kernel's buffers no other buffer it writes can overlap.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/PassManager.h"

namespace dlc {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// The buffer `value` views: a memref.alloc or gpu.alloc, or an argument of
/// a public function that no function of the module calls (an entry point:
/// its caller passes no written buffer that overlaps another of the call,
/// dlc/runtime.h); null otherwise.
Value bufferRoot(Value value, const DenseSet<Operation *> &called) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    return func && func.isPublic() && !called.contains(func) &&
                   arg.getOwner()->isEntryBlock()
               ? value
               : Value();
  }
  return isa_and_nonnull<memref::AllocOp, gpu::AllocOp>(value.getDefiningOp())
             ? value
             : Value();
}

/// Whether an integer may become a pointer: it reaches another op than
/// arithmetic and branch conditions (an alignment test of a staging copy
/// does not).
bool mayBecomePointer(Value value) {
  for (Operation *user : value.getUsers()) {
    if (isa<scf::IfOp>(user))
      continue;
    if (!isa<arith::ArithDialect>(user->getDialect()))
      return true;
    if (llvm::any_of(user->getResults(), mayBecomePointer))
      return true;
  }
  return false;
}

/// Whether the kernel may write `memref` (or a view of it): an op writes or
/// frees it, or takes it without saying what it does with it (a call, a
/// pointer taken from it that may be written through).
bool mayWrite(Value memref) {
  for (OpOperand &use : memref.getUses()) {
    Operation *user = use.getOwner();
    auto view = dyn_cast<ViewLikeOpInterface>(user);
    if (view && view.getViewSource() == memref) {
      for (Value result : user->getResults())
        if (isa<BaseMemRefType>(result.getType()) && mayWrite(result))
          return true;
      continue;
    }
    if (isa<memref::DimOp>(user))
      continue;
    if (auto pointer = dyn_cast<memref::ExtractAlignedPointerAsIndexOp>(user)) {
      if (mayBecomePointer(pointer.getResult()))
        return true;
      continue;
    }
    auto effects = dyn_cast<MemoryEffectOpInterface>(user);
    if (!effects)
      return true;
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    bool said = false;
    for (const MemoryEffects::EffectInstance &effect : list) {
      if (effect.getValue() != memref)
        continue;
      said = true;
      if (!isa<MemoryEffects::Read>(effect.getEffect()))
        return true;
    }
    if (!said)
      return true;
  }
  return false;
}

/// Positions, in the kernel's LLVM signature after convert-gpu-to-nvvm, of
/// the aligned pointers of the memref arguments in `args` (a memref
/// becomes allocated pointer, aligned pointer, offset, sizes, strides;
/// anything else one argument); empty where a type is not one of those.
SmallVector<int64_t> alignedPointerPositions(gpu::GPUFuncOp kernel,
                                             ArrayRef<unsigned> args) {
  SmallVector<int64_t> starts;
  int64_t position = 0;
  for (Type type : kernel.getArgumentTypes()) {
    starts.push_back(position);
    if (isa<UnrankedMemRefType>(type))
      return {};
    auto memref = dyn_cast<MemRefType>(type);
    position += memref ? 3 + 2 * memref.getRank() : 1;
  }
  return llvm::map_to_vector(args,
                             [&](unsigned arg) { return starts[arg] + 1; });
}

/// Marks on each kernel the buffers it only reads and that no buffer it
/// writes overlaps at any of its launches (different allocations or entry
/// arguments): kReadOnlyAttr on those arguments (dlc-forward-kernel-loads
/// then reads each of their elements once: a softmax's row, for its max,
/// sum and output), kNoAliasArgsAttr on the kernel (NVPTX then reads them
/// through the non-coherent cache, ld.global.nc).
void markNoAlias(ModuleOp module) {
  // (A function called inside the module may be given views of one
  // buffer.)
  DenseSet<Operation *> called;
  module.walk([&](CallOpInterface call) {
    if (Operation *callee = call.resolveCallable())
      called.insert(callee);
  });
  llvm::MapVector<Operation *, SmallVector<gpu::LaunchFuncOp>> launches;
  module.walk([&](gpu::LaunchFuncOp launch) {
    if (auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
            launch, launch.getKernel()))
      launches[kernel].push_back(launch);
  });
  for (auto &[op, sites] : launches) {
    auto kernel = cast<gpu::GPUFuncOp>(op);
    // (Pointers of other kinds, a TMA descriptor, may write anything.)
    if (!llvm::all_of(kernel.getArgumentTypes(), [](Type type) {
          return isa<MemRefType, IndexType, IntegerType, FloatType>(type);
        }))
      continue;
    SmallVector<unsigned> readOnly, written;
    for (BlockArgument arg : kernel.getArguments()) {
      if (!isa<MemRefType>(arg.getType()))
        continue;
      (mayWrite(arg) ? written : readOnly).push_back(arg.getArgNumber());
    }
    SmallVector<unsigned> noAlias;
    for (unsigned arg : readOnly) {
      bool disjoint = llvm::all_of(sites, [&](gpu::LaunchFuncOp launch) {
        if (launch.getKernelOperands().size() != kernel.getNumArguments())
          return false;
        Value root = bufferRoot(launch.getKernelOperands()[arg], called);
        return root && llvm::all_of(written, [&](unsigned other) {
                 Value otherRoot =
                     bufferRoot(launch.getKernelOperands()[other], called);
                 return otherRoot && otherRoot != root;
               });
      });
      if (disjoint)
        noAlias.push_back(arg);
    }
    for (unsigned arg : noAlias)
      kernel.setArgAttr(arg, dlc::kReadOnlyAttr,
                        UnitAttr::get(module.getContext()));
    SmallVector<int64_t> positions = alignedPointerPositions(kernel, noAlias);
    if (!positions.empty())
      kernel->setAttr(dlc::kNoAliasArgsAttr,
                      DenseI64ArrayAttr::get(module.getContext(), positions));
  }
}

struct OutlineKernels : public dlc::impl::OutlineKernelsBase<OutlineKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Each launch's hint (or none), launches already outlined included, in
    // walk order: outlining puts each gpu.launch_func where its gpu.launch
    // was, so the order of launch_funcs after it is the same.
    SmallVector<IntegerAttr> hints;
    module.walk([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        hints.push_back(
            op->getAttrOfType<IntegerAttr>(dlc::kMinBlocksPerSMAttr));
      else if (isa<gpu::LaunchFuncOp>(op))
        hints.push_back(nullptr);
    });
    OpPassManager outlining(ModuleOp::getOperationName());
    outlining.addPass(createGpuKernelOutliningPass());
    if (failed(runPipeline(outlining, module)))
      return signalPassFailure();
    SmallVector<gpu::LaunchFuncOp> launches;
    module.walk([&](gpu::LaunchFuncOp launch) { launches.push_back(launch); });
    if (launches.size() != hints.size()) {
      module.emitError("dlc-outline-kernels: ")
          << hints.size() << " launches before outlining, " << launches.size()
          << " after";
      return signalPassFailure();
    }
    for (auto [launch, hint] : llvm::zip(launches, hints)) {
      if (!hint)
        continue;
      auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
          launch, launch.getKernel());
      if (!kernel) {
        launch.emitError("dlc-outline-kernels: the launched kernel is missing");
        return signalPassFailure();
      }
      // (convert-gpu-to-nvvm keeps it on the llvm.func: PTX .minnctapersm.)
      kernel->setAttr(
          NVVM::NVVMDialect::getMinctasmAttrName(),
          IntegerAttr::get(IntegerType::get(&getContext(), 32), hint.getInt()));
    }
    markNoAlias(module);
  }
};

} // namespace
