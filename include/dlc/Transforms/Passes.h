//===- Passes.h - dlc transformation passes ------------------------*- C++ -*-===//

#ifndef DLC_TRANSFORMS_PASSES_H
#define DLC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace dlc {

#define GEN_PASS_DECL
#include "dlc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dlc/Transforms/Passes.h.inc"

/// Marks the products dlc-tile-for-gpu leaves for dlc-lower-to-wgmma
/// (sm_90a), and which passes between them leave alone.
constexpr llvm::StringLiteral kWgmmaAttr = "dlc.wgmma";

/// The (argument, result) pairs of a function's `dlc.inout` arguments.
llvm::SmallVector<std::pair<unsigned, unsigned>>
inOutPairs(mlir::func::FuncOp func);

} // namespace dlc

#endif // DLC_TRANSFORMS_PASSES_H
