//===- Autodiff.cpp - reverse-mode differentiation of dlc functions --------===//
//
// dlc functions are straight-line SSA on immutable tensors, so reverse mode
// needs no tape: the gradient function computes the forward values, then
// walks the forward ops backwards, asking each active op for its VJP
// (DifferentiableOpInterface). Forward values the rules read simply stay
// live; later passes fuse and schedule the joint function as a whole.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringExtras.h"

namespace dlc {
#define GEN_PASS_DEF_AUTODIFF
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc;

namespace {

bool isFloatTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && isa<FloatType>(type.getElementType());
}

Value splat(OpBuilder &b, Location loc, Type type, double v) {
  auto tensor = cast<RankedTensorType>(type);
  return ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(tensor,
                             FloatAttr::get(tensor.getElementType(), v)));
}

class GradientBuilder {
public:
  GradientBuilder(ModuleOp module, SymbolTable &symbols)
      : module(module), symbols(symbols) {}

  /// The gradient function of `callee` with respect to `wrt`, built once per
  /// pair. `user` is the op that asked (for diagnostics).
  FailureOr<func::FuncOp> get(Operation *user, func::FuncOp callee,
                              ArrayRef<int64_t> wrt) {
    std::string key =
        (callee.getName() + "/" + llvm::join(llvm::map_range(wrt, [](int64_t i) {
           return std::to_string(i);
         }), ",")).str();
    auto it = cache.find(key);
    if (it != cache.end())
      return it->second;
    FailureOr<func::FuncOp> fn = build(user, callee, wrt);
    if (succeeded(fn))
      cache[key] = *fn;
    return fn;
  }

private:
  /// Clones `callee`'s body at the insertion point with its arguments bound
  /// to `args`, inlining the functions it calls, and returns the values of
  /// its results.
  FailureOr<SmallVector<Value>> inlineBody(OpBuilder &b, Operation *user,
                                           func::FuncOp callee,
                                           ValueRange args) {
    auto fail = [&](Location loc) {
      InFlightDiagnostic diag = emitError(loc);
      diag.attachNote(user->getLoc()) << "while differentiating for this op";
      return diag;
    };
    if (callee.isExternal()) {
      fail(callee.getLoc()) << "cannot differentiate through @"
                            << callee.getName() << ": it has no body";
      return failure();
    }
    if (!llvm::hasSingleElement(callee.getBody())) {
      fail(callee.getLoc()) << "cannot differentiate through @"
                            << callee.getName()
                            << ": only single-block functions are supported";
      return failure();
    }
    if (llvm::is_contained(stack, callee.getOperation())) {
      fail(callee.getLoc()) << "cannot differentiate through the recursive "
                               "call of @"
                            << callee.getName();
      return failure();
    }
    stack.push_back(callee);
    IRMapping mapping;
    mapping.map(callee.getArguments(), args);
    SmallVector<Value> results;
    for (Operation &op : callee.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (Value v : ret.getOperands())
          results.push_back(mapping.lookup(v));
        continue;
      }
      if (auto call = dyn_cast<func::CallOp>(op)) {
        auto inner = symbols.lookup<func::FuncOp>(call.getCallee());
        if (!inner) {
          fail(call.getLoc()) << "cannot differentiate through @"
                              << call.getCallee()
                              << ": no such function in the module";
          return failure();
        }
        SmallVector<Value> innerArgs;
        for (Value v : call.getOperands())
          innerArgs.push_back(mapping.lookup(v));
        FailureOr<SmallVector<Value>> values =
            inlineBody(b, user, inner, innerArgs);
        if (failed(values))
          return failure();
        mapping.map(call.getResults(), *values);
        continue;
      }
      b.clone(op, mapping);
    }
    stack.pop_back();
    return results;
  }

  FailureOr<func::FuncOp> build(Operation *user, func::FuncOp callee,
                                ArrayRef<int64_t> wrt) {
    Location loc = callee.getLoc();
    SmallVector<Type> resultTypes(callee.getResultTypes());
    for (int64_t i : wrt)
      resultTypes.push_back(callee.getArgumentTypes()[i]);
    std::string name = (callee.getName() + "_grad").str();
    for (int64_t i : wrt)
      name += "_" + std::to_string(i);

    OpBuilder b(module.getContext());
    auto fn = func::FuncOp::create(
        b, loc, name,
        b.getFunctionType(callee.getArgumentTypes(), resultTypes));
    fn.setPrivate();
    symbols.insert(fn); // renames on a clash
    Block *block = fn.addEntryBlock();
    b.setInsertionPointToEnd(block);

    FailureOr<SmallVector<Value>> values =
        inlineBody(b, user, callee, block->getArguments());
    if (failed(values)) {
      fn.erase();
      return failure();
    }
    Value loss = values->front();
    SmallVector<Operation *> forward =
        llvm::map_to_vector(*block, [](Operation &op) { return &op; });

    // Activity: float values that depend on a wrt argument...
    DenseSet<Value> varied;
    for (int64_t i : wrt)
      varied.insert(block->getArgument(i));
    for (Operation *op : forward)
      if (llvm::any_of(op->getOperands(),
                       [&](Value v) { return varied.contains(v); }))
        for (Value r : op->getResults())
          if (isFloatTensor(r))
            varied.insert(r);
    // ...and that the loss depends on.
    DenseSet<Value> useful{loss};
    for (Operation *op : llvm::reverse(forward))
      if (llvm::any_of(op->getResults(),
                       [&](Value v) { return useful.contains(v); }))
        useful.insert(op->operand_begin(), op->operand_end());
    auto isActive = [&](Value v) {
      return varied.contains(v) && useful.contains(v);
    };

    // The reverse sweep.
    DenseMap<Value, Value> adjoints;
    auto accumulate = [&](Value v, Value cotangent) {
      auto [it, inserted] = adjoints.try_emplace(v, cotangent);
      if (!inserted)
        it->second = AddOp::create(b, cotangent.getLoc(), it->second, cotangent);
    };
    if (isActive(loss))
      adjoints[loss] = splat(b, loc, loss.getType(), 1.0);
    for (Operation *op : llvm::reverse(forward)) {
      if (llvm::none_of(op->getResults(),
                        [&](Value r) { return adjoints.contains(r); }))
        continue;
      SmallVector<bool> needed = llvm::map_to_vector(
          op->getOperands(), [&](Value v) { return isActive(v); });
      if (llvm::none_of(needed, [](bool n) { return n; }))
        continue;
      auto rule = dyn_cast<DifferentiableOpInterface>(op);
      if (!rule) {
        InFlightDiagnostic diag =
            op->emitOpError("has no gradient rule, but a float value that "
                            "depends on the differentiated arguments flows "
                            "through it to the result of @")
            << callee.getName();
        diag.attachNote(user->getLoc()) << "differentiated for this op";
        fn.erase();
        return failure();
      }
      SmallVector<Value> cotangents;
      for (Value r : op->getResults()) {
        Value ct = adjoints.lookup(r);
        cotangents.push_back(ct ? ct : splat(b, op->getLoc(), r.getType(), 0));
      }
      SmallVector<Value> operandCotangents;
      if (failed(rule.buildVJP(b, cotangents, needed, operandCotangents))) {
        fn.erase();
        return failure();
      }
      if (operandCotangents.size() != op->getNumOperands()) {
        op->emitOpError("gradient rule returned ")
            << operandCotangents.size() << " cotangents for "
            << op->getNumOperands() << " operands";
        fn.erase();
        return failure();
      }
      for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
        Value ct = operandCotangents[i];
        if (!needed[i] || !ct)
          continue;
        if (ct.getType() != operand.getType()) {
          op->emitOpError("gradient rule built a cotangent of type ")
              << ct.getType() << " for operand " << i << " of type "
              << operand.getType();
          fn.erase();
          return failure();
        }
        accumulate(operand, ct);
      }
    }

    SmallVector<Value> results{loss};
    for (int64_t i : wrt) {
      Value arg = block->getArgument(i);
      Value grad = adjoints.lookup(arg);
      results.push_back(grad ? grad : splat(b, loc, arg.getType(), 0));
    }
    func::ReturnOp::create(b, loc, results);
    return fn;
  }

  ModuleOp module;
  SymbolTable &symbols;
  llvm::StringMap<func::FuncOp> cache;
  SmallVector<Operation *> stack;
};

struct AutodiffPass : public dlc::impl::AutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    GradientBuilder gradients(module, symbols);
    // Gradient functions may themselves hold grad ops (a loss that uses a
    // gradient): repeat until none is left.
    while (true) {
      SmallVector<Operation *> ops;
      module.walk([&](Operation *op) {
        if (isa<GradOp, ValueAndGradOp>(op))
          ops.push_back(op);
      });
      if (ops.empty())
        return;
      for (Operation *op : ops)
        if (failed(expand(op, symbols, gradients)))
          return signalPassFailure();
    }
  }

  LogicalResult expand(Operation *op, SymbolTable &symbols,
                       GradientBuilder &gradients) {
    auto calleeAttr = op->getAttrOfType<FlatSymbolRefAttr>("callee");
    auto wrt = op->getAttrOfType<DenseI64ArrayAttr>("wrt");
    auto callee = symbols.lookup<func::FuncOp>(calleeAttr.getValue());
    if (!callee)
      return op->emitOpError("callee ") << calleeAttr << " is not a func.func";
    FailureOr<func::FuncOp> fn = gradients.get(op, callee, wrt.asArrayRef());
    if (failed(fn))
      return failure();
    OpBuilder b(op);
    auto call = func::CallOp::create(b, op->getLoc(), *fn, op->getOperands());
    ValueRange results = call.getResults();
    if (isa<GradOp>(op))
      results = results.drop_front();
    op->replaceAllUsesWith(results);
    op->erase();
    return success();
  }
};

} // namespace
