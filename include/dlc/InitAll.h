//===- InitAll.h - register everything dlc tools need --------------*- C++ -*-===//

#ifndef DLC_INITALL_H
#define DLC_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace dlc {

/// The dlc dialect plus every upstream dialect and extension, so that
/// `dlc-opt` reads anything the pipelines produce or `mlir-opt` accepts.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Every dlc pass and named pipeline, plus the upstream passes.
void registerAllPasses();

} // namespace dlc

#endif // DLC_INITALL_H
