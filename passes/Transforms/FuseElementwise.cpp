//===- FuseElementwise.cpp - elementwise fusion that keeps contractions ----===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// A named linalg op with reductions: matmul, batch_matmul, convolutions.
bool isNamedContraction(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp && !isa<linalg::GenericOp>(op) &&
         linalgOp.getNumReductionLoops() > 0;
}

/// An all-parallel generic with one result (an elementwise op).
bool isElementwise(linalg::GenericOp op) {
  return op.getNumDpsInits() == 1 && op->getNumResults() == 1 &&
         op.getNumLoops() == op.getNumParallelLoops() &&
         op.hasPureTensorSemantics();
}

/// An elementwise producer whose result is a function result besides an
/// input of its elementwise consumer (a training step's new momentum, which
/// its parameter's update reads) and the consumer become one generic with
/// both results. Upstream's fusion takes producers of one use only; with
/// another use it would compute the producer twice.
struct FuseIntoTwoResults : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    if (!isElementwise(consumer))
      return failure();
    for (OpOperand *operand : consumer.getDpsInputOperands()) {
      auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
      if (!producer || !isElementwise(producer) ||
          producer.getStaticLoopRanges() != consumer.getStaticLoopRanges() ||
          llvm::any_of(producer.getStaticLoopRanges(),
                       ShapedType::isDynamic) ||
          !producer.getIndexingMapsArray().back().isIdentity() ||
          !consumer.getMatchingIndexingMap(operand).isIdentity())
        continue;
      Value produced = producer->getResult(0);
      bool returned = false, other = false;
      for (OpOperand &use : produced.getUses()) {
        if (isa<func::ReturnOp>(use.getOwner()))
          returned = true;
        else if (use.getOwner() != consumer.getOperation() ||
                 !consumer.isDpsInput(&use) ||
                 !consumer.getMatchingIndexingMap(&use).isIdentity())
          other = true;
      }
      if (!returned || other)
        continue;
      return fuse(rewriter, producer, consumer, produced);
    }
    return failure();
  }

  LogicalResult fuse(PatternRewriter &rewriter, linalg::GenericOp producer,
                     linalg::GenericOp consumer, Value produced) const {
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *input : producer.getDpsInputOperands()) {
      inputs.push_back(input->get());
      maps.push_back(producer.getMatchingIndexingMap(input));
    }
    SmallVector<OpOperand *> kept;
    for (OpOperand *input : consumer.getDpsInputOperands())
      if (input->get() != produced) {
        kept.push_back(input);
        inputs.push_back(input->get());
        maps.push_back(consumer.getMatchingIndexingMap(input));
      }
    OpOperand *producerInit = producer.getDpsInitOperand(0),
              *consumerInit = consumer.getDpsInitOperand(0);
    maps.push_back(producer.getMatchingIndexingMap(producerInit));
    maps.push_back(consumer.getMatchingIndexingMap(consumerInit));
    auto fused = linalg::GenericOp::create(
        rewriter, consumer.getLoc(),
        TypeRange{producer->getResultTypes()[0],
                  consumer->getResultTypes()[0]},
        inputs, ValueRange{producerInit->get(), consumerInit->get()}, maps,
        consumer.getIteratorTypesArray());
    // The body: the producer's, then the consumer's on its value.
    Block *block = rewriter.createBlock(&fused.getRegion());
    IRMapping map;
    auto addArg = [&](Value from) {
      map.map(from, block->addArgument(getElementTypeOrSelf(from.getType()),
                                       from.getLoc()));
    };
    Block *producerBody = producer.getBlock(), *consumerBody = consumer.getBlock();
    for (OpOperand *input : producer.getDpsInputOperands())
      addArg(producer.getMatchingBlockArgument(input));
    for (OpOperand *input : kept)
      addArg(consumer.getMatchingBlockArgument(input));
    addArg(producer.getMatchingBlockArgument(producerInit));
    addArg(consumer.getMatchingBlockArgument(consumerInit));
    rewriter.setInsertionPointToStart(block);
    for (Operation &op : producerBody->without_terminator())
      rewriter.clone(op, map);
    Value value = map.lookupOrDefault(
        producerBody->getTerminator()->getOperand(0));
    for (OpOperand *input : consumer.getDpsInputOperands())
      if (input->get() == produced)
        map.map(consumer.getMatchingBlockArgument(input), value);
    for (Operation &op : consumerBody->without_terminator())
      rewriter.clone(op, map);
    Value result = map.lookupOrDefault(
        consumerBody->getTerminator()->getOperand(0));
    linalg::YieldOp::create(rewriter, consumer.getLoc(),
                            ValueRange{value, result});
    rewriter.replaceOp(consumer, fused->getResult(1));
    rewriter.replaceOp(producer, fused->getResult(0));
    return success();
  }
};

struct FuseElementwisePass
    : public dlc::impl::FuseElementwiseBase<FuseElementwisePass> {
  using FuseElementwiseBase::FuseElementwiseBase;
  void runOnOperation() override {
    Operation *op = getOperation();
    MLIRContext *context = op->getContext();
    // Upstream's default: fuse only producers with one use.
    linalg::ControlFusionFn fuse = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse();
    };
    linalg::ControlFusionFn reshape = [fuse](OpOperand *fused) {
      return fuse(fused) && !isNamedContraction(fused->getOwner()) &&
             !isNamedContraction(fused->get().getDefiningOp());
    };
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, fuse);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, reshape);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, fuse);
    if (failed(applyPatternsGreedily(op, std::move(patterns))))
      return signalPassFailure();
    // Then producers that are also results, once chains are whole.
    if (!twoResults)
      return;
    RewritePatternSet twoResultPatterns(context);
    twoResultPatterns.add<FuseIntoTwoResults>(context);
    if (failed(applyPatternsGreedily(op, std::move(twoResultPatterns))))
      return signalPassFailure();
  }
};

} // namespace
