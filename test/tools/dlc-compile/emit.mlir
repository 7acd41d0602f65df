// Every stage dlc-compile can print, and MLIR's standard flags.
// RUN: dlc-compile %s --emit=linalg | FileCheck %s --check-prefix=LINALG
// RUN: dlc-compile %s --emit=llvm-dialect | FileCheck %s --check-prefix=LLVMDIALECT
// RUN: dlc-compile %s --emit=llvm-ir | FileCheck %s --check-prefix=LLVMIR
// RUN: dlc-compile %s --emit=asm --cpu=x86-64-v3 | FileCheck %s --check-prefix=ASM
// RUN: dlc-compile %s --emit=obj -o %t.o && llvm-nm %t.o | FileCheck %s --check-prefix=OBJ
// RUN: dlc-compile %s -o %t.dlc && head -c 8 %t.dlc | FileCheck %s --check-prefix=ARTIFACT
// RUN: dlc-compile %s -o %t.dlc --mlir-print-ir-after=convert-dlc-to-linalg 2>&1 | FileCheck %s --check-prefix=PRINT

// LINALG: linalg.matmul
// LINALG: linalg.generic
// LINALG: arith.maximumf
// LINALG-NOT: dlc.

// Functions are renamed _dlc_<name> for lowering (libm names stay free).
// LLVMDIALECT: llvm.func @_dlc_dense(
// LLVMDIALECT: llvm.func @_mlir_ciface__dlc_dense(

// The packed entry point loads each descriptor pointer and calls the wrapper.
// LLVMIR: define void @dlc_entry_dense(ptr
// LLVMIR-COUNT-4: load ptr

// ASM: dlc_entry_dense:
// ASM: retq

// OBJ: T dlc_entry_dense

// ARTIFACT: DLCARTF

// PRINT: IR Dump After ConvertDlcToLinalg
// PRINT: linalg.matmul

func.func @dense(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = dlc.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = dlc.broadcast_to %b : tensor<16xf32> -> tensor<4x16xf32>
  %2 = dlc.add %0, %1 : tensor<4x16xf32>
  %3 = dlc.relu %2 : tensor<4x16xf32>
  return %3 : tensor<4x16xf32>
}
