/*
 * threads.c -- layer: core.  The thread count of the library's parallel
 * regions, and the fork guard that keeps a forked child from waiting for
 * OpenMP workers it does not have (threads.h says why).
 *
 * Each thread remembers whether it asked for a team of two or more
 * (team_asked).  A pthread_atfork child handler, registered once, runs in the
 * child's only thread, the copy of the forking one: if that thread had asked
 * for a team, its pool is stale and it runs serially from then on
 * (pool_stale).  Both are thread-local, so no other thread is affected.
 */
#include "threads.h"

#include <omp.h>
#include <pthread.h>

static _Thread_local int team_asked = 0;
static _Thread_local int pool_stale = 0;
static pthread_once_t fork_guard_once = PTHREAD_ONCE_INIT;

static void after_fork_in_child(void)
{
    if (team_asked)
        pool_stale = 1;
}

static void fork_guard_register(void)
{
    (void)pthread_atfork(NULL, NULL, after_fork_in_child); /* ENOMEM: no guard, as before */
}

int civ_thread_count(int requested)
{
    pthread_once(&fork_guard_once, fork_guard_register);
    if (pool_stale)
        return 1;
    int threads = requested > 0 ? requested : omp_get_max_threads();
    if (threads < 1)
        threads = 1;
    if (threads > 1)
        team_asked = 1;
    return threads;
}
