/* Loads a dlc artifact with the C runtime alone (no MLIR, no LLVM), fills
 * every f32 input with x[i] = sin(0.1 * i), calls the entry point and prints
 * each output's first values and sum.
 *
 *   run_model MODEL.dlc ENTRY
 */
#include "example_tensors.h"

#include <dlc/runtime.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL.dlc ENTRY\n", argv[0]);
    return 2;
  }
  dlc_module *module = NULL;
  const dlc_function *fn = NULL;
  if (dlc_module_load(argv[1], &module) != DLC_OK ||
      dlc_module_lookup(module, argv[2], &fn) != DLC_OK) {
    fprintf(stderr, "error: %s\n", dlc_last_error());
    dlc_module_free(module);
    return 1;
  }
  size_t n_in = dlc_function_num_inputs(fn), n_out = dlc_function_num_outputs(fn);
  DLTensor *inputs = calloc(n_in, sizeof(DLTensor));
  DLTensor *outputs = calloc(n_out, sizeof(DLTensor));
  for (size_t i = 0; i < n_in + n_out; ++i) {
    dlc_tensor_spec spec = i < n_in ? dlc_function_input(fn, i)
                                    : dlc_function_output(fn, i - n_in);
    if (spec.dtype.code != kDLFloat || spec.dtype.bits != 32) {
      fprintf(stderr, "error: this example only handles f32 tensors\n");
      return 1;
    }
    float *data = malloc(sizeof(float) * (size_t)elements(&spec));
    for (int64_t k = 0; i < n_in && k < elements(&spec); ++k)
      data[k] = (float)sin(0.1 * (double)k);
    if (i < n_in)
      inputs[i] = make_tensor(&spec, data);
    else
      outputs[i - n_in] = make_tensor(&spec, data);
  }
  if (dlc_call(fn, inputs, n_in, outputs, n_out) != DLC_OK) {
    fprintf(stderr, "error: %s\n", dlc_last_error());
    return 1;
  }
  for (size_t o = 0; o < n_out; ++o) {
    dlc_tensor_spec spec = dlc_function_output(fn, o);
    const float *data = outputs[o].data;
    double sum = 0;
    for (int64_t k = 0; k < elements(&spec); ++k)
      sum += data[k];
    printf("output %zu: first", o);
    for (int64_t k = 0; k < elements(&spec) && k < 4; ++k)
      printf(" %.6f", data[k]);
    printf(", sum %.6f\n", sum);
  }
  for (size_t i = 0; i < n_in; ++i) {
    free(inputs[i].data);
    free(inputs[i].shape);
  }
  for (size_t o = 0; o < n_out; ++o) {
    free(outputs[o].data);
    free(outputs[o].shape);
  }
  free(inputs);
  free(outputs);
  dlc_module_free(module);
  return 0;
}
