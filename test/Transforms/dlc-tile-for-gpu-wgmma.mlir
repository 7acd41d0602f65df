// RUN: dlc-opt %s --dlc-tile-for-gpu=wgmma | FileCheck %s
// RUN: dlc-opt %s --dlc-tile-for-gpu | FileCheck %s --check-prefix=SM80
// RUN: dlc-opt %s --dlc-tile-for-gpu="wgmma allow-tf32" | FileCheck %s --check-prefix=TF32

// sm_90a (wgmma): the products dlc-lower-to-wgmma takes after bufferization
// are marked dlc.wgmma and left as they are, their zero fill with them; the
// others get the tiled schedule as before. Without the option nothing is
// marked.

// (The maps of wgmma products reading A^T or B^T, for @f16_backward.)
// CHECK-DAG: #[[$KM:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$KN:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MK:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$NK:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$MN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

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

// allow-tf32: f32 products take the kernel too, rebuilt to read B^T [N, K]
// (TF32 wgmma reads both operands K-major): a transpose of B made for it
// where M (1024 or more) amortizes it, or W itself where B is W's
// transpose (the backward's dy W^T), that transpose gone. K = 98 (rows of
// 392 bytes: no TMA map) is tiled as before. Without allow-tf32 nothing
// f32 is marked.
// TF32-DAG: #[[$MK:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// TF32-DAG: #[[$NK:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// TF32-DAG: #[[$MN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// TF32-LABEL: func.func @tf32
// TF32-SAME: (%[[A:.+]]: tensor<1024x96xf32>, %[[B:.+]]: tensor<96x384xf32>, %[[X:.+]]: tensor<384x72xf32>, %[[W:.+]]: tensor<1032x72xf32>
// TF32: %[[BT:.+]] = scf.forall {{.*}} to (384, 96) {{.*}} -> (tensor<384x96xf32>)
// TF32: tensor.extract_slice %[[B]]
// TF32: linalg.matmul indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]] {dlc.wgmma} ins(%[[A]], %[[BT]] : tensor<1024x96xf32>, tensor<384x96xf32>)
// TF32-NOT: linalg.transpose
// TF32: linalg.matmul indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]] {dlc.wgmma} ins(%[[X]], %[[W]] : tensor<384x72xf32>, tensor<1032x72xf32>)
// TF32-NOT: dlc.wgmma
// TF32: scf.forall
// TF32-NOT: dlc.wgmma
// TF32: return
// CHECK-LABEL: func.func @tf32
// CHECK-NOT: dlc.wgmma
// CHECK: return
func.func @tf32(%a: tensor<1024x96xf32>, %b: tensor<96x384xf32>, %x: tensor<384x72xf32>, %w: tensor<1032x72xf32>, %y: tensor<128x98xf32>, %z: tensor<98x128xf32>) -> (tensor<1024x384xf32>, tensor<384x1032xf32>, tensor<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1024x384xf32>
  %c0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1024x384xf32>) -> tensor<1024x384xf32>
  %p = linalg.matmul ins(%a, %b : tensor<1024x96xf32>, tensor<96x384xf32>) outs(%c0 : tensor<1024x384xf32>) -> tensor<1024x384xf32>
  %et = tensor.empty() : tensor<72x1032xf32>
  %wt = linalg.transpose ins(%w : tensor<1032x72xf32>) outs(%et : tensor<72x1032xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<384x1032xf32>
  %c1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<384x1032xf32>) -> tensor<384x1032xf32>
  %q = linalg.matmul ins(%x, %wt : tensor<384x72xf32>, tensor<72x1032xf32>) outs(%c1 : tensor<384x1032xf32>) -> tensor<384x1032xf32>
  %e2 = tensor.empty() : tensor<128x128xf32>
  %c2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<128x128xf32>) -> tensor<128x128xf32>
  %r = linalg.matmul ins(%y, %z : tensor<128x98xf32>, tensor<98x128xf32>) outs(%c2 : tensor<128x128xf32>) -> tensor<128x128xf32>
  return %p, %q, %r : tensor<1024x384xf32>, tensor<384x1032xf32>, tensor<128x128xf32>
}

// W^T of a W that is a reshape (a view once bufferized, which TMA maps do
// not take): B^T is a transpose of B made for the product, not W.
// TF32-LABEL: func.func @tf32_reshaped
// TF32: %[[W:.+]] = tensor.collapse_shape
// TF32: %[[BT:.+]] = scf.forall {{.*}} -> (tensor<1032x72xf32>)
// TF32: linalg.matmul indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]] {dlc.wgmma} ins(%{{.+}}, %[[BT]] : tensor<1024x72xf32>, tensor<1032x72xf32>)
func.func @tf32_reshaped(%x: tensor<1024x72xf32>, %w3: tensor<1032x8x9xf32>) -> tensor<1024x1032xf32> {
  %zero = arith.constant 0.0 : f32
  %w = tensor.collapse_shape %w3 [[0], [1, 2]] : tensor<1032x8x9xf32> into tensor<1032x72xf32>
  %et = tensor.empty() : tensor<72x1032xf32>
  %wt = linalg.transpose ins(%w : tensor<1032x72xf32>) outs(%et : tensor<72x1032xf32>) permutation = [1, 0]
  %e = tensor.empty() : tensor<1024x1032xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1032xf32>) -> tensor<1024x1032xf32>
  %q = linalg.matmul ins(%x, %wt : tensor<1024x72xf32>, tensor<72x1032xf32>) outs(%c : tensor<1024x1032xf32>) -> tensor<1024x1032xf32>
  return %q : tensor<1024x1032xf32>
}

// A TF32 product of fewer than 1024 rows whose B^T would need a transpose
// kernel (five times the product's time at M = 128) is left to mma.sync:
// nothing marked, no transpose; the one reading W^T still takes wgmma.
// TF32-LABEL: func.func @tf32_few_rows
// TF32-NOT: dlc.wgmma
// TF32: linalg.matmul indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]] {dlc.wgmma} ins(%{{.+}}, %{{.+}} : tensor<128x512xf32>, tensor<784x512xf32>)
// TF32-NOT: dlc.wgmma
// TF32: return
func.func @tf32_few_rows(%x: tensor<128x784xf32>, %w: tensor<784x512xf32>, %dy: tensor<128x512xf32>) -> (tensor<128x512xf32>, tensor<128x784xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x512xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<128x512xf32>) -> tensor<128x512xf32>
  %y = linalg.matmul ins(%x, %w : tensor<128x784xf32>, tensor<784x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  %et = tensor.empty() : tensor<512x784xf32>
  %wt = linalg.transpose ins(%w : tensor<784x512xf32>) outs(%et : tensor<512x784xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<128x784xf32>
  %c1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<128x784xf32>) -> tensor<128x784xf32>
  %dx = linalg.matmul ins(%dy, %wt : tensor<128x512xf32>, tensor<512x784xf32>) outs(%c1 : tensor<128x784xf32>) -> tensor<128x784xf32>
  return %y, %dx : tensor<128x512xf32>, tensor<128x784xf32>
}

// f16 and bf16 wgmmas read either operand K-major or MN-major, so a linear
// layer's backward takes no transpose kernels: dW = x^T dy reads x as A^T
// [K, M] (maps (k, m), (k, n), (m, n)), dx = dy W^T reads W as B^T [N, K]
// ((m, k), (n, k), (m, n)), the transposes gone. Where A^T's rows are not
// of 16 bytes (M = 260) A stays a transpose (tiled, before the product).
// CHECK-LABEL: func.func @f16_backward
// CHECK-SAME: (%[[X:.+]]: tensor<256x512xf16>, %[[W:.+]]: tensor<512x384xf16>, %[[DY:.+]]: tensor<256x384xf16>, %[[X2:.+]]: tensor<256x260xf16>)
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul indexing_maps = [#[[$KM]], #[[$KN]], #[[$MN]]] {dlc.wgmma} ins(%[[X]], %[[DY]] : tensor<256x512xf16>, tensor<256x384xf16>) outs(%{{.+}} : tensor<512x384xf32>)
// CHECK: linalg.matmul indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]] {dlc.wgmma} ins(%[[DY]], %[[W]] : tensor<256x384xf16>, tensor<512x384xf16>) outs(%{{.+}} : tensor<256x512xf32>)
// CHECK: %[[X2T:.+]] = scf.forall {{.*}} -> (tensor<260x256xf16>)
// CHECK: linalg.matmul {dlc.wgmma} ins(%[[X2T]], %[[DY]] : tensor<260x256xf16>, tensor<256x384xf16>)
// CHECK: return
// SM80-LABEL: func.func @f16_backward
// SM80-NOT: dlc.wgmma
// SM80: return
func.func @f16_backward(%x: tensor<256x512xf16>, %w: tensor<512x384xf16>, %dy: tensor<256x384xf16>, %x2: tensor<256x260xf16>) -> (tensor<512x384xf32>, tensor<256x512xf32>, tensor<260x384xf32>) {
  %zero = arith.constant 0.0 : f32
  %ext = tensor.empty() : tensor<512x256xf16>
  %xt = linalg.transpose ins(%x : tensor<256x512xf16>) outs(%ext : tensor<512x256xf16>) permutation = [1, 0]
  %e0 = tensor.empty() : tensor<512x384xf32>
  %c0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<512x384xf32>) -> tensor<512x384xf32>
  %dw = linalg.matmul ins(%xt, %dy : tensor<512x256xf16>, tensor<256x384xf16>) outs(%c0 : tensor<512x384xf32>) -> tensor<512x384xf32>
  %ewt = tensor.empty() : tensor<384x512xf16>
  %wt = linalg.transpose ins(%w : tensor<512x384xf16>) outs(%ewt : tensor<384x512xf16>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<256x512xf32>
  %c1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<256x512xf32>) -> tensor<256x512xf32>
  %dx = linalg.matmul ins(%dy, %wt : tensor<256x384xf16>, tensor<384x512xf16>) outs(%c1 : tensor<256x512xf32>) -> tensor<256x512xf32>
  %ex2t = tensor.empty() : tensor<260x256xf16>
  %x2t = linalg.transpose ins(%x2 : tensor<256x260xf16>) outs(%ex2t : tensor<260x256xf16>) permutation = [1, 0]
  %e2 = tensor.empty() : tensor<260x384xf32>
  %c2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<260x384xf32>) -> tensor<260x384xf32>
  %dw2 = linalg.matmul ins(%x2t, %dy : tensor<260x256xf16>, tensor<256x384xf16>) outs(%c2 : tensor<260x384xf32>) -> tensor<260x384xf32>
  return %dw, %dx, %dw2 : tensor<512x384xf32>, tensor<256x512xf32>, tensor<260x384xf32>
}

// TF32 wgmma reads A only K-major: x^T dy's A stays a transpose (a kernel
// before the product), its B^T one made for it (M = 1024).
// TF32-LABEL: func.func @tf32_transposed_a
// TF32: %[[XT:.+]] = scf.forall {{.*}} -> (tensor<1024x256xf32>)
// TF32: %[[DYT:.+]] = scf.forall {{.*}} -> (tensor<384x256xf32>)
// TF32: linalg.matmul indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]] {dlc.wgmma} ins(%[[XT]], %[[DYT]] : tensor<1024x256xf32>, tensor<384x256xf32>)
func.func @tf32_transposed_a(%x: tensor<256x1024xf32>, %dy: tensor<256x384xf32>) -> tensor<1024x384xf32> {
  %zero = arith.constant 0.0 : f32
  %ext = tensor.empty() : tensor<1024x256xf32>
  %xt = linalg.transpose ins(%x : tensor<256x1024xf32>) outs(%ext : tensor<1024x256xf32>) permutation = [1, 0]
  %e = tensor.empty() : tensor<1024x384xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x384xf32>) -> tensor<1024x384xf32>
  %dw = linalg.matmul ins(%xt, %dy : tensor<1024x256xf32>, tensor<256x384xf32>) outs(%c : tensor<1024x384xf32>) -> tensor<1024x384xf32>
  return %dw : tensor<1024x384xf32>
}
