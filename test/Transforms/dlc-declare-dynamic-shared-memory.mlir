// RUN: dlc-opt %s --pass-pipeline='builtin.module(gpu.module(dlc-declare-dynamic-shared-memory))' | FileCheck %s

// The dynamic shared memory that convert-gpu-to-nvvm made (an internal
// zero-sized shared array, 16-byte aligned) becomes an external
// declaration aligned to 1024 bytes, which NVPTX prints as
// `.extern .shared .align 1024 .b8 __dynamic_shmem__0[]`; the static
// shared arrays (mbarriers), a zero-sized global array and an already more
// aligned one are left as they are (the last only made external). The
// PTX: test/Target/CUDA/hopper-kernels-ptx.test.
// CHECK-LABEL: gpu.module @kernels
// CHECK-DAG: llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// CHECK-DAG: llvm.mlir.global internal @__mbarrier() {addr_space = 3 : i32, alignment = 8 : i64} : !llvm.array<3 x i64>
// CHECK-DAG: llvm.mlir.global internal @global_zero() {addr_space = 1 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK-DAG: llvm.mlir.global external @__dynamic_shmem__1() {addr_space = 3 : i32, alignment = 4096 : i64} : !llvm.array<0 x i8>
gpu.module @kernels {
  llvm.mlir.global internal @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
  llvm.mlir.global internal @__mbarrier() {addr_space = 3 : i32, alignment = 8 : i64} : !llvm.array<3 x i64>
  llvm.mlir.global internal @global_zero() {addr_space = 1 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
  llvm.mlir.global internal @__dynamic_shmem__1() {addr_space = 3 : i32, alignment = 4096 : i64} : !llvm.array<0 x i8>
}
