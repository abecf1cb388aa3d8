/*
 * signals.c -- layer CLI (a client of civicast.h only): SIGINT and SIGTERM.
 * The handler removes every temporary file, staging folder and HDF5 guard
 * folder that is registered with civ_cleanup_register (the library registers
 * its own; hdf5_guard.c registers its folder) and exits 130 (SIGINT) or 143
 * (SIGTERM), as a shell reports a process killed by that signal; SIGHUP
 * (the terminal closed) the same way, exit 129.  Only
 * async-signal-safe calls: civ_cleanup_now (open, getdents64, unlinkat,
 * close), write and _exit.  The outputs of a run are published only when it
 * is complete (civ_staging_*), so an interrupted run leaves the previous
 * outputs as they were.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"

static volatile sig_atomic_t guard_child; /* civ_cli_set_guard_child */

void civ_cli_set_guard_child(pid_t pid) { guard_child = (sig_atomic_t)pid; }

static void on_signal(int sig)
{
    pid_t child = (pid_t)guard_child;
    if (child > 0) { /* kill, then reap: only then is nothing writing into the guard's folder */
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    civ_cleanup_now();
    static const char msg_int[] = "\ncivicast: interrupted; nothing was written, the previous outputs are intact\n";
    static const char msg_term[] = "civicast: terminated; nothing was written, the previous outputs are intact\n";
    ssize_t ignored = sig == SIGINT   ? write(STDERR_FILENO, msg_int, sizeof msg_int - 1)
                      : sig == SIGHUP ? 0
                                      : write(STDERR_FILENO, msg_term, sizeof msg_term - 1);
    (void)ignored;
    _exit(128 + sig);
}

void civ_cli_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask); /* one handler at a time */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct sigaction old;
    if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler != SIG_IGN) /* nohup stays nohup */
        sigaction(SIGHUP, &sa, NULL);
}

void civ_cli_default_signals(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}
