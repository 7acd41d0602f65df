//===- DlcDialect.cpp - dlc dialect registration ---------------------------===//

#include "dlc/Dialect/Dlc/IR/DlcDialect.h"
#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/InliningUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dlc;

#include "dlc/Dialect/Dlc/IR/DlcDialect.cpp.inc"
#include "dlc/Dialect/Dlc/IR/DlcEnums.cpp.inc"
#include "dlc/Dialect/Dlc/IR/DlcInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dlc/Dialect/Dlc/IR/DlcAttrs.cpp.inc"

namespace {
/// Every dlc op is pure and region-free: calls to functions of dlc ops (the
/// gradient functions of dlc-autodiff, user helpers) can always be inlined.
struct DlcInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void DlcDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dlc/Dialect/Dlc/IR/DlcOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dlc/Dialect/Dlc/IR/DlcAttrs.cpp.inc"
      >();
  addInterfaces<DlcInlinerInterface>();
}

Operation *DlcDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

LogicalResult DlcDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                   unsigned argIndex,
                                                   NamedAttribute attr) {
  if (attr.getName() != getInOutAttrName())
    return success();
  auto fn = dyn_cast<FunctionOpInterface>(op);
  auto index = dyn_cast<IntegerAttr>(attr.getValue());
  if (!fn || !index)
    return op->emitOpError("'")
           << getInOutAttrName()
           << "' must be an integer result index on a function argument";
  int64_t result = index.getInt();
  ArrayRef<Type> results = fn.getResultTypes();
  if (result < 0 || result >= static_cast<int64_t>(results.size()))
    return op->emitOpError("argument ")
           << argIndex << " is in-out with result " << result
           << ", but the function has " << results.size() << " results";
  Type argType = fn.getArgumentTypes()[argIndex];
  if (results[result] != argType)
    return op->emitOpError("argument ")
           << argIndex << " of type " << argType
           << " is in-out with result " << result << " of another type "
           << results[result];
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    if (auto other = fn.getArgAttrOfType<IntegerAttr>(i, getInOutAttrName()))
      if (i != argIndex && other.getInt() == result)
        return op->emitOpError("arguments ")
               << std::min(i, argIndex) << " and " << std::max(i, argIndex)
               << " are both in-out with result " << result;
  return success();
}
