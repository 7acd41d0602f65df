// RUN: dlc-opt %s --split-input-file --pass-pipeline='builtin.module(gpu.module(dlc-pin-register-count))' --verify-diagnostics | FileCheck %s

// A kernel whose warpgroups hand registers to each other (setmaxnreg) runs
// one block an SM (PTX .minnctapersm 1), so that ptxas gives its threads
// the block's share of the register file at entry; a kernel without
// setmaxnreg and a device function are left as they are.
// CHECK-LABEL: gpu.module @kernels
// CHECK: llvm.func @hands_registers() attributes {nvvm.kernel, nvvm.maxntid = array<i32: 384, 1, 1>, nvvm.minctasm = 1 : i32}
// CHECK: llvm.func @plain() attributes {nvvm.kernel, nvvm.maxntid = array<i32: 256, 1, 1>}
// CHECK: llvm.func @helper()
// CHECK-NOT: nvvm.minctasm
gpu.module @kernels {
  llvm.func @hands_registers() attributes {nvvm.kernel, nvvm.maxntid = array<i32: 384, 1, 1>} {
    nvvm.setmaxregister decrease 48
    llvm.return
  }
  llvm.func @plain() attributes {nvvm.kernel, nvvm.maxntid = array<i32: 256, 1, 1>} {
    llvm.return
  }
  llvm.func @helper() {
    nvvm.setmaxregister increase 224
    llvm.return
  }
}

// -----

// Such a kernel already bound to two blocks an SM cannot take it.
gpu.module @bound {
  // expected-error @+1 {{dlc-pin-register-count: a kernel that hands registers between warpgroups (setmaxnreg) must run one block an SM, not 2}}
  llvm.func @two_blocks() attributes {nvvm.kernel, nvvm.minctasm = 2 : i32} {
    nvvm.setmaxregister decrease 48
    llvm.return
  }
}
