//===- InitAll.cpp - register everything dlc tools need --------------------===//

#include "dlc/InitAll.h"

#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/Dlc/IR/DlcDialect.h"
#include "dlc/Pipelines/Pipelines.h"
#include "dlc/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void dlc::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<DlcDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR (NVVM) in place.
  mlir::registerAllGPUToLLVMIRTranslations(registry);
}

void dlc::registerAllPasses() {
  mlir::registerAllPasses();
  registerDlcConversionPasses();
  registerDlcTransformsPasses();
  registerPipelines();
}
