// Bad input gives a diagnostic on stderr and a non-zero exit, never a crash.
// `not` fails the test if dlc-opt crashed (it only accepts exit code 1).

// RUN: split-file %s %t
// RUN: not dlc-opt %t/syntax.mlir 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not dlc-opt %t/unknown-op.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not dlc-opt %t/shape.mlir 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not dlc-opt %t/shape.mlir --dlc-cpu-pipeline 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not dlc-opt %t/dtype.mlir 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not dlc-opt %t/empty-attr.mlir 2>&1 | FileCheck %s --check-prefix=ATTR
// RUN: not dlc-opt %t/missing-file.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dlc-opt %t/syntax.mlir --no-such-flag 2>&1 | FileCheck %s --check-prefix=FLAG
// RUN: not dlc-opt %t/garbage.mlir 2>&1 | FileCheck %s --check-prefix=GARBAGE

// SYNTAX: syntax.mlir:2:18: error: expected ':'
// UNKNOWN: unknown-op.mlir:2:8: error: custom op 'dlc.frobnicate' is unknown
// SHAPE: shape.mlir:2:8: error: 'dlc.matmul' op expects the contracted dimensions to match, but lhs 'tensor<2x3xf32>' has K = 3 and rhs 'tensor<4x5xf32>' has K = 4
// DTYPE: dtype.mlir:2:8: error: 'dlc.exp' op operand #0 must be statically shaped tensor of {{.*}} float {{.*}}, but got 'tensor<4xi32>'
// ATTR: empty-attr.mlir:2:8: error: 'dlc.transpose' op expects permutation to have 2 entries, but found 0: []
// MISSING: cannot open input file '{{.*}}missing-file.mlir': No such file or directory
// FLAG: Unknown command line argument '--no-such-flag'
// GARBAGE: garbage.mlir:1:9: error: invalid type identifier

//--- syntax.mlir
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dlc.exp %x tensor<4xf32>
  return %0 : tensor<4xf32>
}
//--- unknown-op.mlir
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dlc.frobnicate %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
//--- shape.mlir
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = dlc.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}
//--- dtype.mlir
func.func @f(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = dlc.exp %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}
//--- empty-attr.mlir
func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = dlc.transpose %x permutation = [] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
//--- garbage.mlir
garbage !@#$ 	 
