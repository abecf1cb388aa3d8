/*
 * blas_threads.c -- keep OpenBLAS single-threaded in the `civicast` command,
 * from before OpenBLAS starts (CLI layer).
 *
 * Why: civicast parallelises with OpenMP over series and calls BLAS only on
 * small matrices (ARIMA's Kalman start-up), so OpenBLAS's own thread pool
 * brings nothing.  Worse, the pthread build of OpenBLAS starts its workers
 * when the library is loaded; under a memory limit (ulimit -v) a worker that
 * cannot get its buffer retries forever and blas_thread_shutdown_ waits for
 * it at exit, so the process never ends (issue 18, item 2).  The number of
 * workers is read from OPENBLAS_NUM_THREADS by OpenBLAS's own constructor,
 * which runs before main() and before any constructor of libcivicast, so the
 * variable has to be in the environment the process starts with.
 *
 * A function in the executable's .preinit_array runs before every shared
 * library's constructor (System V gABI, DT_PREINIT_ARRAY).  setenv() there
 * is useless (libc's own initialiser, which runs after it, resets environ to
 * the array the kernel passed), but that array itself can be edited: an
 * existing OPENBLAS_NUM_THREADS entry is pointed at "=1" in place; when there
 * is none, the command re-executes itself once (/proc/self/exe, same argv)
 * with the variable added.  The value overrides the user's: more OpenBLAS
 * threads would only compete with the OpenMP threads (docs/FORECASTING.md,
 * "Threads").  Under valgrind (its preload library in LD_PRELOAD) nothing is
 * re-executed, so the memory checker keeps following the real process.
 * Child processes (the HDF5 guard) inherit the setting.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLAS_VAR "OPENBLAS_NUM_THREADS="

static void civ_cli_blas_single_thread(int argc, char **argv, char **envp)
{
    (void)argc;
    static char one[] = BLAS_VAR "1";
    size_t n = 0, len = strlen(BLAS_VAR);
    for (; envp[n]; n++) {
        if (!strncmp(envp[n], BLAS_VAR, len)) {
            envp[n] = one; /* the array libc adopts as environ */
            return;
        }
        if (!strncmp(envp[n], "LD_PRELOAD=", 11) && strstr(envp[n], "vgpreload"))
            return;
    }
    char **env = malloc((n + 2) * sizeof *env);
    if (!env)
        return; /* run as before: OpenBLAS with its default threads */
    memcpy(env, envp, n * sizeof *env);
    env[n] = one;
    env[n + 1] = NULL;
    execve("/proc/self/exe", argv, env);
    free(env); /* no /proc: run as before */
}
__attribute__((section(".preinit_array"), used)) static void (*const civ_cli_preinit)(int, char **, char **) =
    civ_cli_blas_single_thread;
