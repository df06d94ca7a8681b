/* The thread pool behind gelu_c_parallel (threads.h).
 *
 * Workers are POSIX threads started lazily, on the first call that splits, and only as
 * many as the configured count minus one (the caller works too). One call at a time uses
 * the pool (`busy`, taken with a try-lock); a call that finds it taken, or another gelu_c
 * call in flight (`inflight`), runs on its own thread, so concurrent callers (several
 * Python threads, Dask's threaded scheduler) never multiply threads: at most one call is
 * split, and only while it is alone. After fork() the child has no workers: an atfork
 * handler resets the pool, which the child restarts on its first split call.
 * Without POSIX threads (Windows builds) every call runs on its caller's thread. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <string.h>
#include "overlap.h"
#include "threads.h"

static int num_threads = 1;
static intptr_t min_per_thread = (intptr_t)1 << 18;   /* measured: docs/performance.md */

void gelu_c_set_num_threads(int n) { num_threads = n < 1 ? 1 : n; }
int gelu_c_get_num_threads(void) { return num_threads; }
void gelu_c_set_min_per_thread(intptr_t n) { min_per_thread = n < 1 ? 1 : n; }
intptr_t gelu_c_get_min_per_thread(void) { return min_per_thread; }

#if defined(_WIN32) || defined(GELU_C_NO_THREADS)

int gelu_c_threads_supported(void) { return 0; }

void gelu_c_parallel(int nin, int nout, intptr_t elsize, char **args, const intptr_t *steps,
                     intptr_t n, gelu_c_part_fn body, gelu_c_any_fn kernel)
{
    (void)nin, (void)nout, (void)elsize;
    body(args, steps, n, kernel);
}

#else
#include <fenv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define GC_MAX_WORKERS 255
/* A worker spins this long for the next job before it sleeps, and the caller this long
 * for the workers' parts: waking a sleeping thread costs 10-20 us here, as much as the
 * whole of a 2^16-element call, while back-to-back large calls are the common case. */
#define GC_SPIN_NS 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;     /* the job and counters */
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;   /* a new job */
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;   /* its last part done */
static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;     /* one split call at a time */
static int workers;                      /* started */
static atomic_ulong generation;          /* jobs posted */
static int sleepers;                     /* workers waiting on work_cv */
static int inflight;                     /* gelu_c calls running (any size) */
static int atfork_set;

static struct {
    gelu_c_part_fn body;
    gelu_c_any_fn kernel;
    int nargs, parts, next;
    atomic_int done;
    int flags;                  /* floating-point exception flags the workers' parts raised */
    char *args[GELU_C_MAX_ARGS];
    intptr_t steps[GELU_C_MAX_ARGS];
    intptr_t n, per_part;
} job;

int gelu_c_threads_supported(void) { return 1; }

/* Run part p of the job (lock not held). Floating-point exception flags belong to the
 * thread that raises them, and NumPy reads the calling thread's after the loop
 * (np.errstate): a worker collects its part's into job.flags, which the caller raises
 * as its own. */
static void run_part(int p, int worker)
{
    intptr_t lo = p * job.per_part;
    intptr_t m = job.n - lo < job.per_part ? job.n - lo : job.per_part;
    char *a[GELU_C_MAX_ARGS];
    for (int k = 0; k < job.nargs; k++)
        a[k] = job.args[k] + lo * job.steps[k];
    if (worker)
        feclearexcept(FE_ALL_EXCEPT);
    job.body(a, job.steps, m, job.kernel);
    if (worker) {
        int raised = fetestexcept(FE_ALL_EXCEPT);
        if (raised) {
            pthread_mutex_lock(&lock);
            job.flags |= raised;
            pthread_mutex_unlock(&lock);
        }
    }
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Spin up to GC_SPIN_NS while cond() is false; returns cond() */
#define GC_SPIN_WHILE_NOT(cond)                                                   \
    do {                                                                          \
        long long t0_ = now_ns();                                                 \
        for (int i_ = 1; !(cond); i_++) {                                         \
            cpu_relax();                                                          \
            if ((i_ & 63) == 0 && now_ns() - t0_ > GC_SPIN_NS)                    \
                break;                                                            \
        }                                                                         \
    } while (0)

/* Take and run parts until none is left (called with the lock held; returns with it) */
static void drain(int worker)
{
    while (job.next < job.parts) {
        int p = job.next++;
        pthread_mutex_unlock(&lock);
        run_part(p, worker);
        pthread_mutex_lock(&lock);
        if (atomic_fetch_add(&job.done, 1) + 1 == job.parts)
            pthread_cond_signal(&done_cv);
    }
}

static void *worker(void *arg)
{
    (void)arg;
    unsigned long seen = atomic_load(&generation);
    for (;;) {
        GC_SPIN_WHILE_NOT(atomic_load_explicit(&generation, memory_order_acquire) != seen);
        pthread_mutex_lock(&lock);
        while (atomic_load(&generation) == seen) {
            sleepers++;
            pthread_cond_wait(&work_cv, &lock);
            sleepers--;
        }
        seen = atomic_load(&generation);
        drain(1);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

/* In a forked child the workers do not exist and any lock may be held by a thread that
 * does not either: start over. */
static void after_fork_child(void)
{
    pthread_mutex_init(&lock, NULL);
    pthread_mutex_init(&busy, NULL);
    pthread_cond_init(&work_cv, NULL);
    pthread_cond_init(&done_cv, NULL);
    workers = 0;
    sleepers = 0;
    atomic_store(&generation, 0);
    inflight = 0;
    job.parts = job.next = 0;
    atomic_store(&job.done, 0);
}

/* Start workers up to `want` (lock held); returns how many there are */
static int ensure_workers(int want)
{
    if (!atfork_set) {
        pthread_atfork(NULL, NULL, after_fork_child);
        atfork_set = 1;
    }
    if (want > GC_MAX_WORKERS)
        want = GC_MAX_WORKERS;
    while (workers < want) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &attr, worker, NULL);
        pthread_attr_destroy(&attr);
        if (rc != 0)
            break;
        workers++;
    }
    return workers;
}

void gelu_c_parallel(int nin, int nout, intptr_t elsize, char **args, const intptr_t *steps,
                     intptr_t n, gelu_c_part_fn body, gelu_c_any_fn kernel)
{
    int nargs = nin + nout;
    int threads = num_threads;
    intptr_t per = min_per_thread;
    if (threads < 2 || n < 2 * per || nargs > GELU_C_MAX_ARGS) {
        body(args, steps, n, kernel);
        return;
    }
    /* an output meeting an input (or another output) other than element for element
     * has sequential semantics: one thread */
    for (int o = nin; o < nargs; o++)
        for (int k = 0; k < o; k++)
            if (gelu_c_overlaps(args[k], steps[k], args[o], steps[o], n, (size_t)elsize)) {
                body(args, steps, n, kernel);
                return;
            }
    pthread_mutex_lock(&lock);
    int alone = inflight == 0;
    inflight++;
    pthread_mutex_unlock(&lock);
    if (!alone || pthread_mutex_trylock(&busy) != 0) {
        body(args, steps, n, kernel);
        pthread_mutex_lock(&lock);
        inflight--;
        pthread_mutex_unlock(&lock);
        return;
    }
    intptr_t parts = n / per;
    if (parts > threads)
        parts = threads;
    pthread_mutex_lock(&lock);
    int have = ensure_workers((int)parts - 1);
    if (parts > have + 1)
        parts = have + 1;
    /* parts of whole 64-element blocks (the last one takes the rest) */
    intptr_t pp = (n + parts - 1) / parts;
    pp = (pp + 63) & ~(intptr_t)63;
    job.body = body;
    job.kernel = kernel;
    job.nargs = nargs;
    job.n = n;
    job.per_part = pp;
    job.parts = (int)((n + pp - 1) / pp);
    job.next = 0;
    job.flags = 0;
    atomic_store(&job.done, 0);
    memcpy(job.args, args, (size_t)nargs * sizeof args[0]);
    memcpy(job.steps, steps, (size_t)nargs * sizeof steps[0]);
    atomic_fetch_add_explicit(&generation, 1, memory_order_release);
    if (sleepers)
        pthread_cond_broadcast(&work_cv);
    drain(0);
    if (atomic_load(&job.done) < job.parts) {
        pthread_mutex_unlock(&lock);
        GC_SPIN_WHILE_NOT(atomic_load_explicit(&job.done, memory_order_acquire) >= job.parts);
        pthread_mutex_lock(&lock);
        while (atomic_load(&job.done) < job.parts)
            pthread_cond_wait(&done_cv, &lock);
    }
    int flags = job.flags;
    inflight--;
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&busy);
    if (flags)
        feraiseexcept(flags);
}
#endif
