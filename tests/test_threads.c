/*
 * test_threads.c -- core/threads.c: the thread count of the library's
 * parallel regions, and the fork guard.  A process that ran an OpenMP team
 * and then forks (Python's multiprocessing does by default on Linux) must
 * not hang in the child: there the forking thread runs serially, and gives
 * the same forecasts as the parent.  Each child has an alarm, so a hang
 * fails the test (SIGALRM) instead of stopping the suite.
 */
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "civicast.h"
#include "threads.h"

enum { SERIES = 24, LENGTH = 48, HORIZON = 6, CHILD_SECONDS = 120 };

static civ_panel *make_panel(void)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[LENGTH];
    for (int i = 0; i < SERIES; i++) {
        for (int t = 0; t < LENGTH; t++)
            y[t] = 100 + 10 * i + 0.5 * t + 20 * sin(2 * M_PI * t / 12.0) + (double)((t * 7 + i * 13) % 11);
        char id[16];
        snprintf(id, sizeof id, "S%02d", i);
        assert_int_equal(civ_panel_add_series(p, id, 12 * 2020, y, LENGTH, NULL), CIV_OK);
    }
    return p;
}

/* ETS on every series with `threads` threads; the point forecasts into mean[SERIES * HORIZON].  Returns the
 * status (no cmocka asserts: also used in forked children). */
static civ_status forecast(const civ_panel *p, int threads, double *mean)
{
    civ_forecast_options opt;
    civ_status st = civ_forecast_options_init(&opt);
    if (st)
        return st;
    opt.model = "ets";
    opt.horizon = HORIZON;
    opt.threads = threads;
    opt.n_levels = 0;
    civ_forecast_result *res = NULL;
    if ((st = civ_forecast_panel(p, &opt, &res)) == CIV_OK)
        memcpy(mean, civ_forecast_result_mean(res), sizeof(double) * SERIES * HORIZON);
    civ_forecast_result_free(res);
    return st;
}

/* A child that forecasts with 2 threads and compares with the parent's means: exit 0 when equal, 2 when the
 * count was not clamped to `want`, 3 on a failed forecast, 4 on different numbers; killed by SIGALRM if it
 * hangs. */
static int child_forecast(const civ_panel *p, const double *expected, int want)
{
    alarm(CHILD_SECONDS);
    double mean[SERIES * HORIZON];
    if (forecast(p, 2, mean) != CIV_OK)
        return 3;
    if (civ_thread_count(2) != want)
        return 2;
    return memcmp(mean, expected, sizeof mean) ? 4 : 0;
}

static void expect_child_ok(pid_t pid)
{
    assert_true(pid > 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("the forked child died of signal %d (%s)", WTERMSIG(status),
                 WTERMSIG(status) == SIGALRM ? "it hung" : "a crash");
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_counts(void **state)
{
    (void)state;
    assert_int_equal(civ_thread_count(3), 3);
    assert_int_equal(civ_thread_count(1), 1);
    assert_int_equal(civ_thread_count(0), omp_get_max_threads());
    assert_int_equal(civ_thread_count(-5), omp_get_max_threads());
}

/* The parent runs a two-thread team, then forks: the child's copy of the forking thread forecasts serially,
 * with the parent's numbers (results do not depend on the thread count), and does not hang.  Before the
 * guard it waited for ever in the team's first barrier. */
static void test_fork_after_a_team(void **state)
{
    (void)state;
    civ_panel *p = make_panel();
    double parent[SERIES * HORIZON];
    assert_int_equal(forecast(p, 2, parent), CIV_OK);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_forecast(p, parent, 1));
    expect_child_ok(pid);
    double again[SERIES * HORIZON];
    assert_int_equal(forecast(p, 2, again), CIV_OK); /* the parent keeps its team */
    assert_memory_equal(parent, again, sizeof parent);
    civ_panel_free(p);
}

typedef struct fork_from_thread {
    const civ_panel *p;
    const double *expected;
    pid_t pid;
} fork_from_thread;

static void *fork_here(void *arg)
{
    fork_from_thread *f = arg;
    f->pid = fork();
    if (f->pid == 0)
        _exit(child_forecast(f->p, f->expected, 2));
    return NULL;
}

/* A thread that never asked for a team forks: its copy in the child has no stale pool and keeps two threads. */
static void test_fork_from_a_thread_without_a_team(void **state)
{
    (void)state;
    civ_panel *p = make_panel();
    double parent[SERIES * HORIZON];
    assert_int_equal(forecast(p, 2, parent), CIV_OK);
    fflush(NULL);
    fork_from_thread f = {p, parent, -1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fork_here, &f), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    expect_child_ok(f.pid);
    civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_fork_after_a_team),
        cmocka_unit_test(test_fork_from_a_thread_without_a_team),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
