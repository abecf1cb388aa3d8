/*
 * team.c -- layer: forecast.  The thread team of a parallel loop over series
 * or backtest tasks: how many threads it runs, one workspace (arena and
 * mt19937 generator) per thread, and OpenBLAS pinned to one thread for the
 * loop's duration (the loop is the parallelism; BLAS threads inside it would
 * oversubscribe the cores); and the loop's ticker, which reports progress to
 * the caller and stops the loop when the caller's callback asks (Ctrl-C in a
 * notebook).  The batch driver (driver.c) and the backtest (backtest.c) both
 * run their loops through it.
 */
#include <omp.h>
#include <stdlib.h>

#include "error.h"
#include "forecast.h"
#include "threads.h"

/* OpenBLAS's thread controls, if OpenBLAS is linked into the process. */
extern void openblas_set_num_threads(int n) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

static void workspaces_free(civ_workspace *ws, int threads)
{
    for (int t = 0; ws && t < threads; t++) {
        civ_arena_free(&ws[t].arena);
        if (ws[t].rng)
            gsl_rng_free(ws[t].rng);
    }
    free(ws);
}

civ_status civ_team_begin(civ_team *team, int requested, size_t tasks)
{
    int threads = civ_thread_count(requested);
    if ((size_t)threads > tasks)
        threads = tasks > 0 ? (int)tasks : 1;
    civ_workspace *ws = calloc((size_t)threads, sizeof *ws);
    int ok = ws != NULL;
    for (int t = 0; ok && t < threads; t++)
        ok = (ws[t].rng = gsl_rng_alloc(gsl_rng_mt19937)) != NULL;
    if (!ok) {
        workspaces_free(ws, threads);
        *team = (civ_team){0};
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %d thread workspaces", threads);
    }
    team->threads = threads;
    team->ws = ws;
    team->blas_threads = 0;
    if (openblas_get_num_threads && openblas_set_num_threads) {
        team->blas_threads = openblas_get_num_threads();
        openblas_set_num_threads(1);
    }
    return CIV_OK;
}

void civ_team_end(civ_team *team)
{
    if (openblas_set_num_threads && team->blas_threads > 0)
        openblas_set_num_threads(team->blas_threads);
    workspaces_free(team->ws, team->threads);
    *team = (civ_team){0};
}

/* ---- the loop's progress and its stop ------------------------------------------ */

void civ_ticker_start(civ_ticker *t, civ_progress_fn fn, void *user, size_t total)
{
    t->fn = fn;
    t->user = user;
    t->total = total;
    t->every = total / 100 > 0 ? total / 100 : 1;
    t->reported = 0;
    t->last = omp_get_wtime();
    atomic_init(&t->done, 0);
    atomic_init(&t->stop, 0);
}

int civ_ticker_stopped(civ_ticker *t) { return atomic_load_explicit(&t->stop, memory_order_relaxed); }

void civ_ticker_tick(civ_ticker *t)
{
    size_t now = atomic_fetch_add(&t->done, 1) + 1;
    if (!t->fn || omp_get_thread_num() != 0 || now >= t->total || civ_ticker_stopped(t))
        return;
    double tw = omp_get_wtime();
    if (now - t->reported < t->every && tw - t->last < 0.1)
        return;
    t->reported = now;
    t->last = tw;
    if (t->fn(now, t->total, t->user) != 0)
        atomic_store_explicit(&t->stop, 1, memory_order_relaxed);
}

civ_status civ_ticker_verdict(civ_ticker *t, const char *units)
{
    if (!civ_ticker_stopped(t))
        return CIV_OK;
    return civ_fail(CIV_ERR_CANCELLED, "stopped by the progress callback after %zu of %zu %s; nothing was kept",
                    atomic_load(&t->done), t->total, units);
}

void civ_ticker_finish(civ_ticker *t)
{
    if (t->fn)
        (void)t->fn(t->total, t->total, t->user);
}
