# cython: language_level=3, boundscheck=False, wraparound=False
"""The compiled core: NumPy ufuncs over the C kernels, and the kernel-path switch.

The ufunc list and the loops come from the C tables generated from
gelu_c/registry.py (csrc/functions_generated.h, through ``gelu_c_ufunc_defs``);
this module only wraps them as ``numpy.ufunc`` objects.
"""
cimport numpy as cnp
from numpy cimport PyUFunc_FromFuncAndData, PyUFuncGenericFunction, PyUFunc_None

cdef extern from "numpy/ufuncobject.h":
    ctypedef struct PyUFuncObject:
        pass
    int PyUFunc_RegisterLoopForType(PyUFuncObject *ufunc, int usertype, PyUFuncGenericFunction function,
                                    const int *arg_types, void *data) except -1

cnp.import_array()
cnp.import_umath()

cdef extern from "threads.h":
    void gelu_c_set_num_threads(int n)
    int gelu_c_get_num_threads()
    void gelu_c_set_min_per_thread(cnp.npy_intp n)
    cnp.npy_intp gelu_c_get_min_per_thread()
    int gelu_c_threads_supported()

cdef extern from "dispatch.h":
    ctypedef void (*gelu_c_loop_fn)(char **, cnp.npy_intp *, cnp.npy_intp *, void *)
    ctypedef struct gelu_c_ufunc_def:
        const char *name
        int nin
        int nout
        gelu_c_loop_fn *loops   # float16, float32, float64, bfloat16
    const gelu_c_ufunc_def gelu_c_ufunc_defs[]
    const int gelu_c_n_ufuncs
    int gelu_c_n_paths()
    const char *gelu_c_path_name(int i)
    int gelu_c_path_available(int i)
    int gelu_c_set_path(const char *name)
    const char *gelu_c_get_path()
    const char *gelu_c_build_flags()
    const char *gelu_c_cpu_features()

# NumPy keeps these pointers: they must live as long as the process.
cdef void *no_data[3]
no_data[0] = NULL
no_data[1] = NULL
no_data[2] = NULL
cdef int user_types[8]

_keepalive = []


def make_ufuncs(specs):
    """Create every ufunc of the C table, with float16, float32 and float64 loops.

    ``specs`` maps each C name (``gelu``, ``fast_gelu``) to the ufunc's name and
    docstring; returns ``{C name: ufunc}``. A C name without a spec raises KeyError
    (the extension was built from another registry)."""
    cdef int i
    cdef bytes doc, name, types
    cdef int nargs
    out = {}
    for i in range(gelu_c_n_ufuncs):
        cname = gelu_c_ufunc_defs[i].name.decode()
        pyname, pydoc = specs[cname]
        name = pyname.encode()
        doc = pydoc.encode()
        _keepalive.append(name)         # NumPy keeps these pointers
        _keepalive.append(doc)
        # the type signatures, narrowest first (NumPy takes the first loop its inputs
        # cast to safely): every argument float16, then float32, then float64
        nargs = gelu_c_ufunc_defs[i].nin + gelu_c_ufunc_defs[i].nout
        types = bytes([cnp.NPY_FLOAT16] * nargs + [cnp.NPY_FLOAT32] * nargs
                      + [cnp.NPY_FLOAT64] * nargs)
        _keepalive.append(types)
        uf = PyUFunc_FromFuncAndData(
            <PyUFuncGenericFunction *>gelu_c_ufunc_defs[i].loops, no_data,
            <char *>types,
            3, gelu_c_ufunc_defs[i].nin, gelu_c_ufunc_defs[i].nout, PyUFunc_None,
            <char *>name, <char *>doc, 0)
        out[cname] = uf
    return out


def register_bfloat16(ufuncs, int typenum):
    """Add the bfloat16 loop (every argument of the user dtype ``typenum``, ml_dtypes'
    bfloat16) to every ufunc of ``ufuncs`` ({C name: ufunc}, from make_ufuncs)."""
    cdef int i, k
    for i in range(gelu_c_n_ufuncs):
        uf = ufuncs[gelu_c_ufunc_defs[i].name.decode()]
        for k in range(gelu_c_ufunc_defs[i].nin + gelu_c_ufunc_defs[i].nout):
            user_types[k] = typenum
        PyUFunc_RegisterLoopForType(<PyUFuncObject *>uf, typenum,
                                    <PyUFuncGenericFunction>gelu_c_ufunc_defs[i].loops[3],
                                    user_types, NULL)


def kernel_paths():
    """All known path names with their availability: ((name, available), ...)."""
    return tuple((gelu_c_path_name(i).decode(), bool(gelu_c_path_available(i)))
                 for i in range(gelu_c_n_paths()))


def set_path(str name):
    """Switch the kernel path; returns 0, -1 (unknown name) or -2 (not available)."""
    return gelu_c_set_path(name.encode())


def get_path():
    return gelu_c_get_path().decode()


def build_flags():
    return gelu_c_build_flags().decode()


def cpu_features():
    return gelu_c_cpu_features().decode()


def set_num_threads(int n):
    """Threads a large call may use (>= 1)."""
    gelu_c_set_num_threads(n)


def get_num_threads():
    return gelu_c_get_num_threads()


def set_min_per_thread(cnp.npy_intp n):
    """Elements per thread below which a call is not split further."""
    gelu_c_set_min_per_thread(n)


def get_min_per_thread():
    return gelu_c_get_min_per_thread()


def threads_supported():
    return bool(gelu_c_threads_supported())
