/* The kernels, written once over the vector layer: the stages, the two function
 * families and the public kernels, included in the order they build on each other
 * (see docs/design.md, "Overview" for the layers, "Accuracy plan" for the method).
 *
 * Included once per (ISA, dtype) pair, after dtype_<key>.h, vec_<isa>.h and dword.h
 * (instantiate.h does it for the paths; tools/count_ops.c and tools/subnormal_check.c
 * over layers of their own). Nothing here knows the lane count or the dtype width: the
 * same text is the scalar float32, scalar float64, AVX2 float32 and AVX2 float64
 * kernel. Leaves FN(k_<name>) defined for every function of funcs.h and #undefs the
 * per-instantiation macros below, so that the next instantiation in the same file
 * starts clean. */

#define K(name) GC_CAT(name, GC_KEY)          /* per-dtype constant/table */

#include "exp_dw.h"         /* exp of a double-word argument; SCALED */
#include "piece_poly.h"     /* the piecewise polynomial tables R and D */
#include "rounding.h"       /* VALUE, the limits, and the single final rounding */
#include "fast_rounding.h"  /* the fast tier's wrappers around that rounding */
#include "family_gelu.h"    /* Phi, GELU, GELU' */
#include "family_sigmoid.h" /* the tanh and sigmoid forms, SiLU, and derivatives */
#include "fast_family_gelu.h" /* the fast tier's Phi, GELU, GELU', dy*GELU' */
#include "fast_family_sigmoid.h"   /* fast tier (<= 4 ulp): the sigmoid family as a VALUE */
#include "fast_rounding_sigmoid.h" /* fast tier: its whole kernels (fast path, else VALUE) */
#include "gelu_f32via64.h"  /* exact Phi, GELU: float32 through float64 */
#include "sigmoid_f32via64.h"  /* exact sigmoid family: float32 through float64 */
#include "gelu_grad_f32via64.h"  /* exact GELU', dy GELU': float32 through float64 */
#include "kernels_exact.h"  /* the public kernels FN(k_<name>) */
#include "gelu_general.h"   /* x Phi((x - mu)/sigma) and its derivatives, both tiers */

#undef SCALED
#undef VALUE
#undef K
