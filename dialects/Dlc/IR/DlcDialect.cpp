//===- DlcDialect.cpp - dlc dialect registration ---------------------------===//

#include "dlc/Dialect/Dlc/IR/DlcDialect.h"
#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dlc;

#include "dlc/Dialect/Dlc/IR/DlcDialect.cpp.inc"
#include "dlc/Dialect/Dlc/IR/DlcEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dlc/Dialect/Dlc/IR/DlcAttrs.cpp.inc"

void DlcDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dlc/Dialect/Dlc/IR/DlcOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dlc/Dialect/Dlc/IR/DlcAttrs.cpp.inc"
      >();
}

Operation *DlcDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
