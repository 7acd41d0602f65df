//===- LowerToMmaSync.cpp - dlc-lower-to-mma-sync ---------------------------===//
//
// Tensor cores for the warp tiles of dlc-tile-for-gpu. A warp's product is
// one vector.contract of up to 64 x 32 x BK; upstream's conversion to
// nvgpu.mma.sync (convertVectorToNVVMCompatibleMMASync) takes contractions
// of the instruction's own shape only, so the contraction, its reads and
// its accumulator's read and write are first unrolled to that shape, and
// the accumulators hoisted out of the K loop (the conversion carries them
// through scf.for as per-lane fragments). The conversion is given the
// products alone (an scf.execute_region around them), and bf16 products,
// which upstream neither loads nor lowers, are staged as f16 bits and
// issued here as NVVM bf16 mma.sync.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Conversion/VectorToGPU/VectorToGPU.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/NVGPU/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_LOWERTOMMASYNC
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using dlc::addCanonicalization;

namespace {

/// Where the native shape of an op to unroll is kept while unrolling (an
/// attribute rather than a map from ops: unrolling erases ops, and a new op
/// may take an erased one's address).
constexpr llvm::StringLiteral kNativeShapeAttr = "dlc.native_shape";

/// Marks each vector of `contract` (marked with its mma.sync shape) with its
/// native shape: the contraction's iteration space, and each operand's read
/// and the result's write in the dims its indexing map gives it.
void markNativeShapes(vector::ContractionOp contract, ArrayRef<int64_t> mma) {
  // Iteration dims: parallel m, n (the last two parallel), reduction k.
  SmallVector<int64_t> bounds;
  contract.getIterationBounds(bounds);
  SmallVector<int64_t> native(bounds.size(), 1);
  SmallVector<unsigned> parallel, reduction;
  for (auto [i, type] : llvm::enumerate(contract.getIteratorTypesArray()))
    (type == vector::IteratorType::parallel ? parallel : reduction)
        .push_back(i);
  if (parallel.size() < 2 || reduction.size() != 1)
    return;
  native[parallel[parallel.size() - 2]] = mma[0];
  native[parallel.back()] = mma[1];
  native[reduction.front()] = mma[2];
  Builder b(contract.getContext());
  contract->setAttr(kNativeShapeAttr, b.getDenseI64ArrayAttr(native));
  auto mark = [&](Operation *op, AffineMap map) {
    SmallVector<int64_t> shape;
    for (AffineExpr expr : map.getResults())
      shape.push_back(native[cast<AffineDimExpr>(expr).getPosition()]);
    op->setAttr(kNativeShapeAttr, b.getDenseI64ArrayAttr(shape));
  };
  SmallVector<AffineMap> maps = contract.getIndexingMapsArray();
  Value operands[] = {contract.getLhs(), contract.getRhs(), contract.getAcc()};
  for (auto [operand, map] : llvm::zip(operands, maps))
    if (Operation *def = operand.getDefiningOp();
        def && isa<vector::TransferReadOp>(def))
      mark(def, map);
  for (Operation *user : contract->getUsers())
    if (isa<vector::TransferWriteOp>(user))
      mark(user, maps[2]);
}

/// Moves the ops of `kernel`'s body from the first to the last that holds
/// a contraction or an accumulator transfer (hoisted next to the K loop)
/// into an scf.execute_region, returned. Upstream's conversion starts from
/// every contraction and every scalar float op (a fused consumer's addf)
/// under the op it is given, and fails on the latter: it is given this
/// region only. Values the region defines and later ops use are yielded.
FailureOr<scf::ExecuteRegionOp> isolateProducts(RewriterBase &rewriter,
                                                gpu::LaunchOp kernel) {
  Block &body = kernel.getBody().front();
  Operation *first = nullptr, *last = nullptr;
  auto include = [&](Operation *op) {
    Operation *top = body.findAncestorOpInBlock(*op);
    if (!top)
      return;
    if (!first || top->isBeforeInBlock(first))
      first = top;
    if (!last || last->isBeforeInBlock(top))
      last = top;
  };
  kernel.walk([&](vector::ContractionOp contract) {
    include(contract);
    for (Operation *user : contract->getUsers())
      include(user);
    // Operands: reads (A and B fragments, shared between contractions),
    // and constants (a zero accumulator), cloned next to their user so the
    // region need not reach back to the kernel's constants.
    for (OpOperand &operand : contract->getOpOperands()) {
      Operation *def = operand.get().getDefiningOp();
      if (!def)
        continue;
      if (isa<arith::ConstantOp>(def)) {
        rewriter.setInsertionPoint(contract);
        Operation *clone = rewriter.clone(*def);
        rewriter.modifyOpInPlace(
            contract, [&] { operand.set(clone->getResult(0)); });
        continue;
      }
      include(def);
    }
    // The K loop's accumulators, read before it and written after.
    if (auto loop = contract->getParentOfType<scf::ForOp>()) {
      for (Value init : loop.getInitArgs())
        if (Operation *def = init.getDefiningOp())
          include(def);
      for (Operation *user : loop->getUsers())
        include(user);
    }
  });
  if (!first)
    return failure();
  SmallVector<Operation *> ops;
  for (Operation *op = first; op != last->getNextNode(); op = op->getNextNode())
    ops.push_back(op);
  SmallVector<Value> escaping;
  for (Operation *op : ops)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            Operation *top = body.findAncestorOpInBlock(*user);
            return top && last->isBeforeInBlock(top);
          }))
        escaping.push_back(result);
  rewriter.setInsertionPoint(first);
  SmallVector<Type> types = llvm::map_to_vector(
      escaping, [](Value v) { return v.getType(); });
  auto region =
      scf::ExecuteRegionOp::create(rewriter, first->getLoc(), types);
  auto *block = new Block();
  region.getRegion().push_back(block);
  for (Operation *op : ops)
    op->moveBefore(block, block->end());
  rewriter.setInsertionPointToEnd(block);
  scf::YieldOp::create(rewriter, first->getLoc(), escaping);
  for (auto [value, result] : llvm::zip(escaping, region.getResults()))
    rewriter.replaceUsesWithIf(value, result, [&](OpOperand &use) {
      return !region->isAncestor(use.getOwner());
    });
  return region;
}

/// Upstream's addresses for an A fragment read by `ldmatrix.x4.trans` (A
/// stored [K, M]: a transposed LHS) take the four 8 x 8 tiles in the order
/// (k 0-7, m 0-7), (k 8-15, m 0-7), (k 0-7, m 8-15), (k 8-15, m 8-15) of the
/// untransposed case, while mma.sync's A registers are rows 0-7, rows
/// 8-15, columns 8-15, ... (the PTX ISA's m16n8k16 fragment layout): the
/// middle two registers come swapped. Found by the SIMT emulator
/// (convert-gpu-to-simt-emulator); a shuffle puts them back.
void fixTransposedFragmentsA(RewriterBase &rewriter, gpu::LaunchOp kernel) {
  SmallVector<nvgpu::LdMatrixOp> loads;
  kernel.walk([&](nvgpu::LdMatrixOp load) {
    if (load.getTranspose() && load.getNumTiles() == 4 &&
        !load->use_empty() &&
        llvm::all_of(load->getUses(), [](OpOperand &use) {
          auto mma = dyn_cast<nvgpu::MmaSyncOp>(use.getOwner());
          return mma && use.get() == mma.getMatrixA() &&
                 use.getOperandNumber() == 0;
        }))
      loads.push_back(load);
  });
  for (nvgpu::LdMatrixOp load : loads) {
    rewriter.setInsertionPointAfter(load);
    Value fragment = load.getRes();
    auto shuffle = vector::ShuffleOp::create(rewriter, load.getLoc(), fragment,
                                             fragment,
                                             ArrayRef<int64_t>{0, 2, 1, 3});
    rewriter.replaceAllUsesExcept(fragment, shuffle.getResult(), shuffle);
  }
}

/// The TF32 products' A and B fragments rounded to TF32 (cvt.rna, as
/// cuBLAS rounds), once per fragment: mma.sync itself ignores the low 13
/// bits of each f32, a truncation biased toward zero that adds up over long
/// sums. Measured in the SIMT emulator: a 512-term product of [-1, 1]
/// values off by 4.1e-3 on average, 1.6e-3 rounded; the benchmark MLP's
/// loss off by 2.2e-3, 1.7e-6 rounded (NumPy, for a 50,176-term sum of
/// positive-mean products such as a conv's weight gradient: 7e-4 relative,
/// 3e-6 rounded).
void roundToTF32(RewriterBase &rewriter, gpu::LaunchOp kernel) {
  llvm::SetVector<Value> fragments;
  kernel.walk([&](nvgpu::MmaSyncOp mma) {
    if (mma.getTf32Enabled()) {
      fragments.insert(mma.getMatrixA());
      fragments.insert(mma.getMatrixB());
    }
  });
  Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
  for (Value fragment : fragments) {
    if (auto *def = fragment.getDefiningOp())
      rewriter.setInsertionPointAfter(def);
    else
      rewriter.setInsertionPointToStart(fragment.getParentBlock());
    Location loc = fragment.getLoc();
    auto type = cast<VectorType>(fragment.getType());
    SmallVector<Value> elements;
    for (int64_t i = 0; i < type.getDimSize(0); ++i)
      for (int64_t j = 0; j < type.getDimSize(1); ++j) {
        Value element = vector::ExtractOp::create(
            rewriter, loc, fragment, ArrayRef<int64_t>{i, j});
        Value bits = NVVM::ConvertFloatToTF32Op::create(
            rewriter, loc, i32, element, NVVM::FPRoundingMode::RNA);
        elements.push_back(arith::BitcastOp::create(rewriter, loc, f32, bits));
      }
    Value rounded = vector::FromElementsOp::create(rewriter, loc, type, elements);
    rewriter.replaceUsesWithIf(fragment, rounded, [&](OpOperand &use) {
      auto mma = dyn_cast<nvgpu::MmaSyncOp>(use.getOwner());
      return mma && mma.getTf32Enabled() && use.getOperandNumber() < 2;
    });
  }
}

/// `mma` (f16 fragments holding bf16 bits) as the NVVM bf16 product:
/// fragments in 32-bit registers (2 bf16 each, the same layout as f16's),
/// the accumulators as f32 scalars. (convert-nvgpu-to-nvvm has no bf16.)
void rewriteAsBF16(RewriterBase &rewriter, nvgpu::MmaSyncOp mma) {
  Location loc = mma.getLoc();
  rewriter.setInsertionPoint(mma);
  Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
  auto registers = [&](Value fragment) {
    SmallVector<Value> regs;
    auto type = cast<VectorType>(fragment.getType());
    for (int64_t i = 0; i < type.getDimSize(0); ++i) {
      Value row = vector::ExtractOp::create(rewriter, loc, fragment, i);
      Value bits = vector::BitCastOp::create(
          rewriter, loc, VectorType::get({1}, i32), row);
      regs.push_back(vector::ExtractOp::create(rewriter, loc, bits, 0));
    }
    return regs;
  };
  SmallVector<Value> acc;
  auto accType = cast<VectorType>(mma.getMatrixC().getType());
  for (int64_t i = 0; i < accType.getDimSize(0); ++i)
    for (int64_t j = 0; j < accType.getDimSize(1); ++j)
      acc.push_back(vector::ExtractOp::create(
          rewriter, loc, mma.getMatrixC(), ArrayRef<int64_t>{i, j}));
  auto resultType = LLVM::LLVMStructType::getLiteral(
      rewriter.getContext(), SmallVector<Type>(acc.size(), f32));
  auto product = NVVM::MmaOp::create(
      rewriter, loc, resultType, registers(mma.getMatrixA()),
      registers(mma.getMatrixB()), acc, mma.getMmaShapeAsArray(),
      /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                    NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> sums;
  for (int64_t i = 0; i < static_cast<int64_t>(acc.size()); ++i)
    sums.push_back(
        LLVM::ExtractValueOp::create(rewriter, loc, product, i));
  rewriter.replaceOpWithNewOp<vector::FromElementsOp>(mma, accType, sums);
}

struct LowerToMmaSync : public dlc::impl::LowerToMmaSyncBase<LowerToMmaSync> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    SetVector<gpu::LaunchOp> kernels;
    DenseSet<Operation *> bf16Kernels;
    func.walk([&](vector::ContractionOp contract) {
      if (contract->hasAttr(dlc::kMmaShapeAttr))
        if (auto launch = contract->getParentOfType<gpu::LaunchOp>()) {
          kernels.insert(launch);
          if (contract->hasAttr(dlc::kMmaBF16Attr))
            bf16Kernels.insert(launch);
        }
    });
    if (kernels.empty())
      return;

    // Unrolled to the instruction's shape, reads and writes with it.
    for (gpu::LaunchOp kernel : kernels)
      kernel.walk([&](vector::ContractionOp contract) {
        if (auto mma = contract->getAttrOfType<DenseI64ArrayAttr>(
                dlc::kMmaShapeAttr))
          markNativeShapes(contract, mma.asArrayRef());
      });
    auto nativeShape =
        [](Operation *op) -> std::optional<SmallVector<int64_t>> {
      auto shape = op->getAttrOfType<DenseI64ArrayAttr>(kNativeShapeAttr);
      if (!shape)
        return std::nullopt;
      return llvm::to_vector(shape.asArrayRef());
    };
    for (gpu::LaunchOp kernel : kernels) {
      RewritePatternSet patterns(ctx);
      vector::populateVectorUnrollPatterns(
          patterns, vector::UnrollVectorOptions()
                        .setNativeShapeFn(nativeShape)
                        .setFilterConstraint([&](Operation *op) {
                          return success(nativeShape(op).has_value());
                        }));
      // A batch matmul's unit batch dim dropped (2-D fragments).
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      addCanonicalization(patterns);
      if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
        kernel->emitError("dlc-lower-to-mma-sync: unrolling did not converge");
        return signalPassFailure();
      }
      kernel.walk([&](Operation *op) { op->removeAttr(kNativeShapeAttr); });
    }
    // Accumulators in registers across the K loop.
    IRRewriter rewriter(ctx);
    DominanceInfo dominance(func);
    eliminateCommonSubExpressions(rewriter, dominance, func);
    dlc::hoistAccumulators(rewriter, func);

    for (gpu::LaunchOp kernel : kernels) {
      // Contractions in mma.sync's form (A row-major, B column-major):
      // transposes folded into the reads.
      {
        RewritePatternSet patterns(ctx);
        populatePrepareVectorToMMAPatterns(patterns, /*useNvGpu=*/true);
        addCanonicalization(patterns);
        if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
          kernel->emitError("dlc-lower-to-mma-sync: preparing contractions "
                            "did not converge");
          return signalPassFailure();
        }
      }
      FailureOr<scf::ExecuteRegionOp> products =
          isolateProducts(rewriter, kernel);
      if (failed(products)) {
        kernel->emitError("dlc-lower-to-mma-sync: no contraction left");
        return signalPassFailure();
      }
      if (failed(convertVectorToNVVMCompatibleMMASync(rewriter, *products))) {
        kernel->emitError("dlc-lower-to-mma-sync: conversion to mma.sync "
                          "failed");
        return signalPassFailure();
      }
      // The conversion leaves the vector ops it replaced, a loop-carried
      // cycle of them through the K loop: canonicalization drops them.
      {
        RewritePatternSet patterns(ctx);
        addCanonicalization(patterns);
        if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
          kernel->emitError("dlc-lower-to-mma-sync: cleanup did not converge");
          return signalPassFailure();
        }
      }
      bool left = false;
      kernel.walk([&](vector::ContractionOp contract) {
        contract->emitError("dlc-lower-to-mma-sync: contraction not "
                            "converted to mma.sync");
        left = true;
      });
      if (left)
        return signalPassFailure();
      fixTransposedFragmentsA(rewriter, kernel);
      if (bf16Kernels.contains(kernel)) {
        SmallVector<nvgpu::MmaSyncOp> products;
        kernel.walk([&](nvgpu::MmaSyncOp mma) { products.push_back(mma); });
        for (nvgpu::MmaSyncOp mma : products)
          rewriteAsBF16(rewriter, mma);
      }
      // f32 operands as TF32 (the planner only marks f32 with allow-tf32).
      RewritePatternSet patterns(ctx);
      nvgpu::populateMmaSyncF32ToTF32Patterns(patterns);
      if (failed(applyPatternsGreedily(kernel, std::move(patterns)))) {
        kernel->emitError("dlc-lower-to-mma-sync: TF32 did not converge");
        return signalPassFailure();
      }
      roundToTF32(rewriter, kernel);
    }
  }
};

} // namespace
