//===- DeclareDynamicSharedMemory.cpp - dlc-declare-dynamic-shared-memory -===//
//
// A kernel module's dynamic shared memory as CUDA declares it: an external
// zero-sized shared array, 1024-byte aligned.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace dlc {
#define GEN_PASS_DEF_DECLAREDYNAMICSHAREDMEMORY
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// The 128-byte swizzle's pattern repeats every 8 rows of 128 bytes: TMA
/// writes and wgmma reads a tile at such a boundary (CUTLASS aligns its
/// shared storage so too).
constexpr uint64_t kAlignment = 1024;

struct DeclareDynamicSharedMemory
    : public dlc::impl::DeclareDynamicSharedMemoryBase<
          DeclareDynamicSharedMemory> {
  void runOnOperation() override {
    for (auto global : getOperation().getOps<LLVM::GlobalOp>()) {
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      if (!array || array.getNumElements() != 0 ||
          global.getAddrSpace() !=
              static_cast<unsigned>(NVVM::NVVMMemorySpace::Shared) ||
          global.getValueOrNull() || !global.getInitializerRegion().empty())
        continue;
      global.setLinkage(LLVM::Linkage::External);
      global.setAlignment(
          std::max<uint64_t>(global.getAlignment().value_or(1), kAlignment));
    }
  }
};

} // namespace
