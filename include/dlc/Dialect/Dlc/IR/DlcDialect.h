//===- DlcDialect.h - dlc dialect ----------------------------------*- C++ -*-===//

#ifndef DLC_DIALECT_DLC_IR_DLCDIALECT_H
#define DLC_DIALECT_DLC_IR_DLCDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "dlc/Dialect/Dlc/IR/DlcDialect.h.inc"
#include "dlc/Dialect/Dlc/IR/DlcEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dlc/Dialect/Dlc/IR/DlcAttrs.h.inc"

#endif // DLC_DIALECT_DLC_IR_DLCDIALECT_H
