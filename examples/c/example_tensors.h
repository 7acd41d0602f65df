/* Helpers shared by the C examples: DLTensors described by the manifest. */
#ifndef DLC_EXAMPLE_TENSORS_H
#define DLC_EXAMPLE_TENSORS_H

#include <dlc/runtime.h>

#include <stdlib.h>

static int64_t elements(const dlc_tensor_spec *spec) {
  int64_t n = 1;
  for (int i = 0; i < spec->ndim; ++i)
    n *= spec->shape[i];
  return n;
}

/* A CPU DLTensor of `spec`'s dtype and shape over `data`. */
static DLTensor make_tensor(const dlc_tensor_spec *spec, float *data) {
  DLTensor t = {0};
  t.data = data;
  t.device.device_type = kDLCPU;
  t.ndim = spec->ndim;
  t.dtype = spec->dtype;
  /* DLTensor's shape is non-const: give it a copy of the manifest's. */
  t.shape = malloc(sizeof(int64_t) * (spec->ndim > 0 ? (size_t)spec->ndim : 1u));
  for (int i = 0; i < spec->ndim; ++i)
    t.shape[i] = spec->shape[i];
  return t;
}

#endif /* DLC_EXAMPLE_TENSORS_H */
