/* The float16 and bfloat16 loops of one ISA: loops_half.h over the ISA's half layer
 * (GC_HALF_LAYER: "half_scalar.h", "half_avx2.h"), once per format. Include after the
 * float64 instantiation (instantiate.h with dtype_f64.h) of the same ISA: the half
 * loops call its float64 loops. */
#include <fenv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "half_format.h"
#include "atomic_ptr.h"
#include "overlap.h"
#include "threads.h"

#define HN(name) GC_CAT(GC_CAT(name, HKEY), GC_ISA)

#define HKEY f16
#define HF_MBITS GC_F16_MBITS
#define HF_EMIN GC_F16_EMIN
#define HF_BF16 0
#define HF_DECODE gc_f16_to_f32
#include GC_HALF_LAYER
#include "loops_half.h"
#undef HKEY
#undef HF_MBITS
#undef HF_EMIN
#undef HF_BF16
#undef HF_DECODE

#define HKEY bf16
#define HF_MBITS GC_BF16_MBITS
#define HF_EMIN GC_BF16_EMIN
#define HF_BF16 1
#define HF_DECODE gc_bf16_to_f32
#include GC_HALF_LAYER
#include "loops_half.h"
#undef HKEY
#undef HF_MBITS
#undef HF_EMIN
#undef HF_BF16
#undef HF_DECODE

#undef HN
