/* Microbenchmark: each of N threads calls one hooked libc function in a
 * loop; prints nanoseconds per call (per thread: the thread's own CPU time
 * for the loop divided by its calls, so that time spent waiting for a core
 * on a busy machine does not count). Run bare and under the shim; the
 * difference is the hook's cost.
 *   hook_loop rand_r <threads> <calls>   rand_r: a hooked call doing ~nothing
 *   hook_loop malloc <threads> <calls>   malloc + free of 32 bytes (two calls)
 *   hook_loop shared <threads> <calls>   reference: rand_r plus one shared atomic
 *                                         increment per call, what a hook counting in
 *                                         one global counter would add */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *mode;
static long calls;
static pthread_barrier_t start;
static _Atomic unsigned long shared_counter;
static double ns_per_call[64];

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *loop(void *arg)
{
    long index = (long)arg;
    unsigned seed = (unsigned)index + 1, sink = 0;
    pthread_barrier_wait(&start);
    double t0 = now_ns();
    if (strcmp(mode, "malloc") == 0) {
        for (long i = 0; i < calls; i++) {
            void *volatile p = malloc(32);
            free(p);
        }
    } else if (strcmp(mode, "shared") == 0) {
        for (long i = 0; i < calls; i++) {
            sink += (unsigned)rand_r(&seed);
            atomic_fetch_add_explicit(&shared_counter, 1, memory_order_relaxed);
        }
    } else {
        for (long i = 0; i < calls; i++)
            sink += (unsigned)rand_r(&seed);
    }
    ns_per_call[index] = (now_ns() - t0) / (double)calls;
    return (void *)(unsigned long)sink;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    mode = argv[1];
    int threads = atoi(argv[2]);
    calls = atol(argv[3]);
    if (threads < 1 || threads > 64)
        return 2;
    pthread_t t[64];
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    for (long i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, loop, (void *)i);
    double worst = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        if (ns_per_call[i] > worst)
            worst = ns_per_call[i];
    }
    printf("%.3f\n", worst);
    return 0;
}
