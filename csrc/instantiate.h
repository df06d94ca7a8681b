/* One (ISA, dtype) instantiation: include after dtype_<key>.h and vec_<isa>.h.
 * Leaves the loops FN(name) defined and clears the per-type macros. */
#include "overlap.h"
#include "dword.h"
#include "kernels.h"
#include "loops.h"
#undef DW
#include "vec_undef.h"
#include "dtype_undef.h"
