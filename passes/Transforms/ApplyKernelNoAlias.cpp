//===- ApplyKernelNoAlias.cpp - dlc-apply-kernel-noalias ------------------===//
//
// The buffers dlc-outline-kernels found unwritten and not overlapped by any
// written buffer of the kernel: `noalias` on their pointers in the LLVM
// kernel, where convert-gpu-to-nvvm (which drops argument attributes of
// memrefs) has made them pointers.
//
//===----------------------------------------------------------------------===//

#include "TilingUtils.h"
#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace dlc {
#define GEN_PASS_DEF_APPLYKERNELNOALIAS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

struct ApplyKernelNoAlias
    : public dlc::impl::ApplyKernelNoAliasBase<ApplyKernelNoAlias> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<LLVM::LLVMFuncOp>()) {
      auto positions =
          func->getAttrOfType<DenseI64ArrayAttr>(dlc::kNoAliasArgsAttr);
      if (!positions)
        continue;
      func->removeAttr(dlc::kNoAliasArgsAttr);
      for (int64_t position : positions.asArrayRef()) {
        // (A memref's aligned pointer follows its allocated pointer.)
        if (position < 1 || position >= func.getNumArguments() ||
            !isa<LLVM::LLVMPointerType>(func.getArgumentTypes()[position]) ||
            !isa<LLVM::LLVMPointerType>(
                func.getArgumentTypes()[position - 1])) {
          func.emitError("dlc-apply-kernel-noalias: argument ")
              << position << " is not a memref's aligned pointer";
          return signalPassFailure();
        }
        func.setArgAttr(position, LLVM::LLVMDialect::getNoAliasAttrName(),
                        UnitAttr::get(&getContext()));
      }
    }
  }
};

} // namespace
