//===- dlc-opt.cpp - mlir-opt with the dlc dialect, passes and pipelines ---===//

#include "dlc/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  dlc::registerAllPasses();
  mlir::DialectRegistry registry;
  dlc::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dlc optimizer driver\n", registry));
}
