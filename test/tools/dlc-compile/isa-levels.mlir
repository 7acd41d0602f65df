// Code for each x86-64 ISA level uses that level's vectors and nothing newer,
// whatever CPU the suite runs on (compile-only: the host need not run it).
// RUN: dlc-compile %s --cpu=x86-64-v4 --emit=asm -o - | FileCheck %s --check-prefix=V4
// RUN: dlc-compile %s --cpu=x86-64-v3 --emit=asm -o - | FileCheck %s --check-prefix=V3 --implicit-check-not=zmm
// RUN: dlc-compile %s --cpu=x86-64 --emit=asm -o - | FileCheck %s --check-prefix=V1 --implicit-check-not=ymm --implicit-check-not=zmm --implicit-check-not=vfmadd

// V4-LABEL: dense:
// V4: vfmadd231ps {{.*}}%zmm{{[0-9]+}}, %zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// V3-LABEL: dense:
// V3: vfmadd231ps {{.*}}%ymm{{[0-9]+}}, %ymm{{[0-9]+}}, %ymm{{[0-9]+}}
// V1-LABEL: dense:
// V1: mulps %xmm{{[0-9]+}}, %xmm{{[0-9]+}}
// V1: addps %xmm{{[0-9]+}}, %xmm{{[0-9]+}}
func.func @dense(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>, %bias: tensor<64xf32>) -> tensor<64x64xf32> {
  %0 = dlc.matmul %a, %b : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
  %1 = dlc.broadcast_to %bias : tensor<64xf32> -> tensor<64x64xf32>
  %2 = dlc.add %0, %1 : tensor<64x64xf32>
  return %2 : tensor<64x64xf32>
}
