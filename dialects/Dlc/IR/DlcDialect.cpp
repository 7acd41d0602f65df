//===- DlcDialect.cpp - dlc dialect registration ---------------------------===//

#include "dlc/Dialect/Dlc/IR/DlcDialect.h"
#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/IR/Builders.h"
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
