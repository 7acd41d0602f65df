/*===- artifact_format.h - layout of a .dlc artifact file -----------*- C -*-===
 *
 * A dlc artifact is one file:
 *
 *   [header: 64 bytes][manifest: UTF-8 JSON][payload: ELF shared object]
 *
 * All integers are little-endian. `checksum` is the CRC-32 (zlib polynomial)
 * of the whole file computed with the checksum field set to zero; a loader
 * verifies it before mapping any code. See docs/ArtifactFormat.md.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_ARTIFACT_FORMAT_H
#define DLC_ARTIFACT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLC_ARTIFACT_MAGIC "DLCARTF"     /* 7 chars + NUL = 8 bytes */
#define DLC_ARTIFACT_FORMAT_VERSION 2u   /* bumped on any incompatible change */
/* 2: outputs may be in-out ("inout" in the manifest): updated in the buffer
   of an input, with no out-param of their own. */
#define DLC_ARTIFACT_HEADER_SIZE 64u

/* The CPU features a manifest may list and a loader checks, as LLVM and
 * GCC's __builtin_cpu_supports both name them. X-macro: X("avx2") ... */
#define DLC_ARTIFACT_CPU_FEATURES(X)                                           \
  X("sse4.2") X("avx") X("avx2") X("fma") X("f16c") X("bmi2") X("avx512f")     \
  X("avx512bw") X("avx512dq") X("avx512vl") X("avx512vnni") X("avx512bf16")   \
  X("avx512fp16") X("amx-tile")

typedef struct dlc_artifact_header {
  char magic[8];             /* DLC_ARTIFACT_MAGIC, NUL-terminated */
  uint32_t format_version;   /* DLC_ARTIFACT_FORMAT_VERSION of the writer */
  uint32_t header_size;      /* DLC_ARTIFACT_HEADER_SIZE */
  uint32_t machine;          /* ELF e_machine of the payload (62 = x86-64) */
  uint32_t flags;            /* 0; reserved */
  uint64_t manifest_offset;  /* from the start of the file */
  uint64_t manifest_size;
  uint64_t payload_offset;
  uint64_t payload_size;
  uint32_t checksum;         /* CRC-32 of the file with this field zeroed */
  uint32_t reserved;         /* 0 */
} dlc_artifact_header;

/* The payload exports `dlc_artifact_allocator dlc_allocator`, through which
 * compiled code allocates and frees its heap buffers (intermediates). Both
 * pointers start null, meaning aligned_alloc/free; a runtime sets them after
 * loading to its own allocator (the dlc runtime: a cache that reuses freed
 * blocks, so that a training step does not map fresh pages on every call).
 * `alloc` returns `size` bytes aligned to `alignment` (a power of two). */
typedef struct dlc_artifact_allocator {
  void *(*alloc)(size_t alignment, size_t size);
  void (*free)(void *ptr);
} dlc_artifact_allocator;
#define DLC_ARTIFACT_ALLOCATOR_SYMBOL "dlc_allocator"

#ifdef __cplusplus
static_assert(sizeof(dlc_artifact_header) == DLC_ARTIFACT_HEADER_SIZE,
              "artifact header layout");
}
#endif

#endif /* DLC_ARTIFACT_FORMAT_H */
