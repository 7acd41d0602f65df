//===- AllocateOnDevice.cpp - host buffers of the GPU path in device memory ===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace dlc {
#define GEN_PASS_DEF_ALLOCATEONDEVICE
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

struct AllocateOnDevice
    : public dlc::impl::AllocateOnDeviceBase<AllocateOnDevice> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<Operation *> ops;
    bool hostAccess = false;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (isa<memref::AllocOp, memref::DeallocOp, memref::GetGlobalOp>(op))
        ops.push_back(op);
      // The function's buffers are device memory: host code must not touch
      // them. A loop left outside every kernel would read device pointers
      // on the host.
      if (isa<memref::LoadOp, memref::StoreOp>(op)) {
        op->emitError("dlc-gpu-pipeline: this access was not mapped to a GPU "
                      "kernel (it would read device memory on the host)");
        hostAccess = true;
      }
      return WalkResult::advance();
    });
    if (hostAccess)
      return signalPassFailure();
    SmallVector<Value> constants;
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        rewriter.replaceOpWithNewOp<gpu::AllocOp>(
            alloc, alloc.getType(), /*asyncToken=*/Type(),
            /*asyncDependencies=*/ValueRange{}, alloc.getDynamicSizes(),
            /*symbolOperands=*/ValueRange{});
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        rewriter.replaceOpWithNewOp<gpu::DeallocOp>(
            dealloc, /*asyncToken=*/Type(), ValueRange{}, dealloc.getMemref());
      } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        // Kernels cannot read host globals: a device copy per call.
        rewriter.setInsertionPointAfter(global);
        auto device = gpu::AllocOp::create(rewriter, global.getLoc(),
                                           global.getType(), Type(),
                                           ValueRange{}, ValueRange{},
                                           ValueRange{});
        rewriter.replaceAllUsesWith(global.getResult(), device.getMemref());
        gpu::MemcpyOp::create(rewriter, global.getLoc(), Type(), ValueRange{},
                              device.getMemref(), global.getResult());
        constants.push_back(device.getMemref());
      }
    }
    func.walk([&](func::ReturnOp ret) {
      rewriter.setInsertionPoint(ret);
      for (Value constant : constants)
        gpu::DeallocOp::create(rewriter, ret.getLoc(), Type(), ValueRange{},
                               constant);
    });
  }
};

} // namespace
