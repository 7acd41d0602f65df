// RUN: dlc-opt %s --dlc-tile-for-gpu=wgmma | FileCheck %s
// RUN: dlc-opt %s --dlc-tile-for-gpu | FileCheck %s --check-prefix=SM80

// sm_90a (wgmma): the products dlc-lower-to-wgmma takes after bufferization
// are marked dlc.wgmma and left as they are, their zero fill with them; the
// others get the tiled schedule as before. Without the option nothing is
// marked.

// f16/bf16 A [M, K] and B [K, N], M and N multiples of 128, K of 64, into a
// zero-filled f32 C: marked.
// CHECK-LABEL: func.func @takes
// CHECK: %[[FILL:.+]] = linalg.fill
// CHECK: linalg.matmul {dlc.wgmma} ins(%{{.+}}, %{{.+}} : tensor<256x192xbf16>, tensor<192x384xbf16>) outs(%[[FILL]] : tensor<256x384xf32>)
// CHECK-NOT: scf.forall
// SM80-LABEL: func.func @takes
// SM80-NOT: dlc.wgmma
// SM80: scf.forall
func.func @takes(%a: tensor<256x192xbf16>, %b: tensor<192x384xbf16>) -> tensor<256x384xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<256x384xf32>
  %c = linalg.fill ins(%zero : f32) outs(%empty : tensor<256x384xf32>) -> tensor<256x384xf32>
  %d = linalg.matmul ins(%a, %b : tensor<256x192xbf16>, tensor<192x384xbf16>) outs(%c : tensor<256x384xf32>) -> tensor<256x384xf32>
  return %d : tensor<256x384xf32>
}

// The elementwise op that alone uses the product (a bias from a row
// vector, a rounding to bf16) is marked too: the kernel's epilogue.
// CHECK-LABEL: func.func @with_epilogue
// CHECK: %[[PRODUCT:.+]] = linalg.matmul {dlc.wgmma}
// CHECK: linalg.generic {{.*}} ins(%[[PRODUCT]], %{{.+}} : tensor<128x256xf32>, tensor<256xf32>) {{.*}} attrs = {dlc.wgmma}
// CHECK-NOT: scf.forall
func.func @with_epilogue(%a: tensor<128x64xbf16>, %b: tensor<64x256xbf16>, %bias: tensor<256xf32>) -> tensor<128x256xbf16> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<128x256xf32>
  %c = linalg.fill ins(%zero : f32) outs(%empty : tensor<128x256xf32>) -> tensor<128x256xf32>
  %d = linalg.matmul ins(%a, %b : tensor<128x64xbf16>, tensor<64x256xbf16>) outs(%c : tensor<128x256xf32>) -> tensor<128x256xf32>
  %out = tensor.empty() : tensor<128x256xbf16>
  %e = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%d, %bias : tensor<128x256xf32>, tensor<256xf32>) outs(%out : tensor<128x256xbf16>) {
  ^bb0(%x: f32, %y: f32, %o: bf16):
    %s = arith.addf %x, %y : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<128x256xbf16>
  return %e : tensor<128x256xbf16>
}

// Edges: M = 200, N = 136 and K = 72 (multiples of 8) take the kernel,
// its edge tiles' elements past them TMA's zeros; M = 64 (under a tile)
// stays on the tiled schedule.
// CHECK-LABEL: func.func @edges
// CHECK: linalg.matmul {dlc.wgmma} ins(%{{.+}}, %{{.+}} : tensor<200x72xbf16>, tensor<72x136xbf16>)
// CHECK: scf.forall
// CHECK-NOT: dlc.wgmma
// SM80-LABEL: func.func @edges
// SM80-NOT: dlc.wgmma
func.func @edges(%a: tensor<200x72xbf16>, %b: tensor<72x136xbf16>, %s: tensor<64x72xbf16>) -> (tensor<200x136xf32>, tensor<64x136xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<200x136xf32>
  %c0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<200x136xf32>) -> tensor<200x136xf32>
  %p = linalg.matmul ins(%a, %b : tensor<200x72xbf16>, tensor<72x136xbf16>) outs(%c0 : tensor<200x136xf32>) -> tensor<200x136xf32>
  %e1 = tensor.empty() : tensor<64x136xf32>
  %c1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<64x136xf32>) -> tensor<64x136xf32>
  %q = linalg.matmul ins(%s, %b : tensor<64x72xbf16>, tensor<72x136xbf16>) outs(%c1 : tensor<64x136xf32>) -> tensor<64x136xf32>
  return %p, %q : tensor<200x136xf32>, tensor<64x136xf32>
}

// K = 100 (rows of A not a multiple of 16 bytes: no TMA map), f32
// operands, a C that is not zero-filled, an A that is a slice (a view once
// bufferized): tiled as before.
// CHECK-LABEL: func.func @leaves
// CHECK-NOT: dlc.wgmma
// CHECK-COUNT-4: scf.forall
// CHECK-NOT: dlc.wgmma
func.func @leaves(%a: tensor<128x100xf16>, %b: tensor<100x128xf16>, %f: tensor<128x64xf32>, %g: tensor<64x128xf32>, %acc: tensor<128x128xf32>, %big: tensor<128x128xf16>, %h: tensor<64x128xf16>) -> (tensor<128x128xf32>, tensor<128x128xf32>, tensor<128x128xf32>, tensor<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<128x128xf32>
  %c0 = linalg.fill ins(%zero : f32) outs(%empty : tensor<128x128xf32>) -> tensor<128x128xf32>
  %k100 = linalg.matmul ins(%a, %b : tensor<128x100xf16>, tensor<100x128xf16>) outs(%c0 : tensor<128x128xf32>) -> tensor<128x128xf32>
  %c1 = linalg.fill ins(%zero : f32) outs(%empty : tensor<128x128xf32>) -> tensor<128x128xf32>
  %f32 = linalg.matmul ins(%f, %g : tensor<128x64xf32>, tensor<64x128xf32>) outs(%c1 : tensor<128x128xf32>) -> tensor<128x128xf32>
  %accumulated = linalg.matmul ins(%big, %big : tensor<128x128xf16>, tensor<128x128xf16>) outs(%acc : tensor<128x128xf32>) -> tensor<128x128xf32>
  %slice = tensor.extract_slice %big[0, 64] [128, 64] [1, 1] : tensor<128x128xf16> to tensor<128x64xf16>
  %c2 = linalg.fill ins(%zero : f32) outs(%empty : tensor<128x128xf32>) -> tensor<128x128xf32>
  %sliced = linalg.matmul ins(%slice, %h : tensor<128x64xf16>, tensor<64x128xf16>) outs(%c2 : tensor<128x128xf32>) -> tensor<128x128xf32>
  return %k100, %f32, %accumulated, %sliced : tensor<128x128xf32>, tensor<128x128xf32>, tensor<128x128xf32>, tensor<128x128xf32>
}
