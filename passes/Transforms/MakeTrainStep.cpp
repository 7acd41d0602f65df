//===- MakeTrainStep.cpp - loss function -> training step ------------------===//

#include "dlc/Transforms/Passes.h"

#include "dlc/Dialect/Dlc/IR/DlcEmitter.h"
#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

namespace dlc {
#define GEN_PASS_DEF_MAKETRAINSTEP
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// The optimizers' arithmetic: dlc ops on one parameter's type.
struct Math : Emitter {
  Value axpy(double a, Value x, Value y) { return add(scale(x, a), y); }
  /// A rank-0 f32 value broadcast to `type` (converted to its element type).
  Value spread(Value scalar, RankedTensorType type) {
    return broadcast(castTo(scalar, type.getElementType()), type.getShape());
  }
};

struct MakeTrainStepPass
    : public dlc::impl::MakeTrainStepBase<MakeTrainStepPass> {
  using MakeTrainStepBase::MakeTrainStepBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(build(module)))
      signalPassFailure();
  }

  LogicalResult build(ModuleOp module) {
    SymbolTable symbols(module);
    auto loss = symbols.lookup<func::FuncOp>(lossName);
    if (!loss)
      return module.emitError("dlc-make-train-step: no function @")
             << lossName << " (choose the loss with loss=NAME)";
    auto lossType = loss.getResultTypes().size() == 1
                        ? dyn_cast<RankedTensorType>(loss.getResultTypes()[0])
                        : RankedTensorType();
    if (!lossType || lossType.getRank() != 0 ||
        !isa<FloatType>(lossType.getElementType()))
      return loss.emitError("dlc-make-train-step: @")
             << lossName << " must return one rank-0 float tensor";
    if (symbols.lookup(stepName))
      return loss.emitError("dlc-make-train-step: the module already has a @")
             << stepName << " (choose another name with name=NAME)";
    bool sgd = optimizer == "sgd", adam = optimizer == "adam",
         adamw = optimizer == "adamw";
    if (!sgd && !adam && !adamw)
      return module.emitError("dlc-make-train-step: unknown optimizer '")
             << optimizer << "' (sgd, adam or adamw)";
    if (nesterov && (!sgd || momentum <= 0))
      return module.emitError(
          "dlc-make-train-step: nesterov needs sgd with momentum > 0");
    if (!(lr > 0) || momentum < 0 || weightDecay < 0 || beta1 < 0 ||
        beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(eps > 0))
      return module.emitError("dlc-make-train-step: hyperparameters out of "
                              "range (lr > 0, momentum >= 0, weight-decay >= "
                              "0, 0 <= beta1, beta2 < 1, eps > 0)");

    // The parameters: listed, or marked on the loss.
    unsigned numArgs = loss.getNumArguments();
    SmallVector<unsigned> paramIndices(params.begin(), params.end());
    if (paramIndices.empty())
      for (unsigned i = 0; i < numArgs; ++i)
        if (loss.getArgAttr(i, "dlc.param"))
          paramIndices.push_back(i);
    if (paramIndices.empty())
      return loss.emitError("dlc-make-train-step: @")
             << lossName << " has no parameters: mark them with {dlc.param} "
                            "or list them with params=i,j,...";
    llvm::SmallBitVector isParam(numArgs);
    for (unsigned i : paramIndices) {
      if (i >= numArgs || isParam.test(i))
        return loss.emitError("dlc-make-train-step: parameter index ")
               << i << " is out of range or repeated (@" << lossName
               << " has " << numArgs << " arguments)";
      if (!isa<FloatType>(
              cast<RankedTensorType>(loss.getArgumentTypes()[i])
                  .getElementType()))
        return loss.emitError("dlc-make-train-step: parameter ")
               << i << " of @" << lossName << " is not a float tensor";
      isParam.set(i);
    }
    auto nameOf = [&](unsigned i) -> std::string {
      if (auto name = loss.getArgAttrOfType<StringAttr>(i, "dlc.name"))
        return name.str();
      return "param" + std::to_string(i);
    };

    // Signature: params, state, batch -> loss, params', state'.
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    auto f32Scalar = RankedTensorType::get({}, b.getF32Type());
    SmallVector<Type> inputs;
    SmallVector<std::string> names;
    for (unsigned i : paramIndices) {
      inputs.push_back(loss.getArgumentTypes()[i]);
      names.push_back(nameOf(i));
    }
    SmallVector<StringRef> stateKinds;
    if (sgd && momentum > 0)
      stateKinds = {"momentum"};
    if (adam || adamw)
      stateKinds = {"m", "v"};
    for (StringRef kind : stateKinds)
      for (unsigned i : paramIndices) {
        inputs.push_back(loss.getArgumentTypes()[i]);
        names.push_back(nameOf(i) + "." + kind.str());
      }
    unsigned numState = inputs.size() - paramIndices.size();
    if (adam || adamw) {
      inputs.push_back(f32Scalar);
      names.push_back("step");
      ++numState;
    }
    unsigned numUpdated = inputs.size();
    if (lrInput) {
      inputs.push_back(f32Scalar);
      names.push_back("lr");
    }
    unsigned firstBatch = inputs.size();
    SmallVector<unsigned> batchIndices;
    for (unsigned i = 0; i < numArgs; ++i)
      if (!isParam.test(i)) {
        batchIndices.push_back(i);
        inputs.push_back(loss.getArgumentTypes()[i]);
        names.push_back(loss.getArgAttrOfType<StringAttr>(i, "dlc.name")
                            ? nameOf(i)
                            : "input" + std::to_string(i));
      }
    SmallVector<Type> results{lossType};
    results.append(inputs.begin(), inputs.begin() + numUpdated);

    Location loc = loss.getLoc();
    b.setInsertionPointToEnd(module.getBody());
    auto step = func::FuncOp::create(b, loc, stepName,
                                     b.getFunctionType(inputs, results));
    for (unsigned i = 0; i < inputs.size(); ++i) {
      step.setArgAttr(i, "dlc.name", b.getStringAttr(names[i]));
      if (i < numUpdated)
        step.setArgAttr(i, DlcDialect::getInOutAttrName(),
                        b.getI64IntegerAttr(1 + i));
    }
    Block *block = step.addEntryBlock();
    b.setInsertionPointToEnd(block);

    // The loss and its gradient, with the loss's argument order.
    unsigned numParams = paramIndices.size();
    SmallVector<Value> lossArgs(numArgs);
    for (auto [k, i] : llvm::enumerate(paramIndices))
      lossArgs[i] = block->getArgument(k);
    for (auto [k, i] : llvm::enumerate(batchIndices))
      lossArgs[i] = block->getArgument(firstBatch + k);
    SmallVector<Type> gradTypes{lossType};
    for (unsigned i : paramIndices)
      gradTypes.push_back(loss.getArgumentTypes()[i]);
    SmallVector<int64_t> wrt(paramIndices.begin(), paramIndices.end());
    auto grad = ValueAndGradOp::create(b, loc, gradTypes, lossArgs,
                                       FlatSymbolRefAttr::get(loss.getNameAttr()),
                                       b.getDenseI64ArrayAttr(wrt));

    Math m{{b, loc}};
    // lr * x: the constant, or the `lr` input broadcast to x's type.
    Value lrValue = lrInput ? block->getArgument(numUpdated) : Value();
    auto timesLr = [&](Value x) {
      return lrValue ? m.mul(x, m.spread(lrValue, typeOf(x)))
                     : m.scale(x, lr);
    };
    SmallVector<Value> newParams, newState(numState);
    Value t, bc1, bc2Sqrt;
    if (adam || adamw) {
      // t' = t + 1; corrections 1 - beta^t' in f32.
      Value old = block->getArgument(numUpdated - 1);
      t = m.add(old, m.splat(f32Scalar, 1));
      auto power = [&](double base) {
        return PowOp::create(b, loc, m.splat(f32Scalar, base), t).getResult();
      };
      bc1 = m.sub(m.splat(f32Scalar, 1), power(beta1));
      bc2Sqrt = SqrtOp::create(b, loc, m.sub(m.splat(f32Scalar, 1),
                                             power(beta2)));
      newState.back() = t;
    }
    for (unsigned k = 0; k < numParams; ++k) {
      Value p = block->getArgument(k), g = grad.getGradients()[k];
      RankedTensorType type = typeOf(p);
      if (sgd) {
        if (weightDecay > 0)
          g = m.axpy(weightDecay, p, g);
        if (momentum > 0) {
          Value buf = m.axpy(momentum, block->getArgument(numParams + k), g);
          newState[k] = buf;
          g = nesterov ? m.axpy(momentum, buf, g) : buf;
        }
        newParams.push_back(m.sub(p, timesLr(g)));
        continue;
      }
      if (adamw && weightDecay > 0)
        p = lrValue ? m.sub(p, timesLr(m.scale(p, weightDecay)))
                    : m.scale(p, 1 - lr * weightDecay);
      else if (adam && weightDecay > 0)
        g = m.axpy(weightDecay, p, g);
      Value first = m.add(m.scale(block->getArgument(numParams + k), beta1),
                          m.scale(g, 1 - beta1));
      Value second =
          m.add(m.scale(block->getArgument(2 * numParams + k), beta2),
                m.scale(m.mul(g, g), 1 - beta2));
      newState[k] = first;
      newState[numParams + k] = second;
      Value denom = m.add(m.div(SqrtOp::create(b, loc, second),
                                m.spread(bc2Sqrt, type)),
                          m.splat(type, eps));
      Value stepSize =
          m.div(lrValue ? m.spread(lrValue, type) : m.splat(type, lr),
                m.spread(bc1, type));
      newParams.push_back(m.sub(p, m.mul(stepSize, m.div(first, denom))));
    }
    SmallVector<Value> returned{grad.getValue()};
    returned.append(newParams);
    returned.append(newState);
    func::ReturnOp::create(b, loc, returned);
    return success();
  }
};

} // namespace
