//===- TensorMapArguments.cpp - tensor maps as kernel pointers -------------===//
//
// Upstream lowers nvgpu before outlining (gpu-lower-to-nvvm-pipeline), so
// a kernel never has a tensor-map argument; dlc's kernels are outlined
// first, and their tensor-map arguments are left for this pass once
// convert-nvgpu-to-nvvm has made their uses pointers.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"
#include "dlc/Conversion/TensorMapArguments/TensorMapArguments.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

namespace dlc {
#define GEN_PASS_DEF_CONVERTTENSORMAPARGUMENTS
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// `value` if it is a pointer cast to a tensor map, else null.
Value castPointer(Value value, Type pointer) {
  auto cast = value.getDefiningOp<UnrealizedConversionCastOp>();
  if (!cast || cast->getNumOperands() != 1 ||
      cast->getOperand(0).getType() != pointer)
    return Value();
  return cast->getOperand(0);
}

} // namespace

void dlc::tensorMapArgumentsAsPointers(gpu::GPUFuncOp kernel) {
  MLIRContext *context = kernel.getContext();
  auto pointer = LLVM::LLVMPointerType::get(context);
  SmallVector<Type> inputs;
  for (BlockArgument arg : kernel.getArguments()) {
    if (isa<nvgpu::TensorMapDescriptorType>(arg.getType()) &&
        llvm::all_of(arg.getUsers(), [&](Operation *user) {
          auto cast = dyn_cast<UnrealizedConversionCastOp>(user);
          return cast && cast->getNumResults() == 1 &&
                 cast->getResult(0).getType() == pointer;
        })) {
      arg.setType(pointer);
      for (Operation *user : llvm::make_early_inc_range(arg.getUsers())) {
        user->getResult(0).replaceAllUsesWith(arg);
        user->erase();
      }
    }
    inputs.push_back(arg.getType());
  }
  kernel.setFunctionType(FunctionType::get(context, inputs, {}));
}

namespace {

struct ConvertTensorMapArguments
    : public dlc::impl::ConvertTensorMapArgumentsBase<
          ConvertTensorMapArguments> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto pointer = LLVM::LLVMPointerType::get(&getContext());
    for (auto gpuModule : module.getOps<gpu::GPUModuleOp>())
      for (auto kernel : gpuModule.getOps<gpu::GPUFuncOp>())
        dlc::tensorMapArgumentsAsPointers(kernel);
    module.walk([&](gpu::LaunchFuncOp launch) {
      for (OpOperand &operand : launch.getKernelOperandsMutable())
        if (isa<nvgpu::TensorMapDescriptorType>(operand.get().getType()))
          if (Value ptr = castPointer(operand.get(), pointer))
            operand.set(ptr);
    });
  }
};

} // namespace
