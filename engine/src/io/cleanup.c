/*
 * cleanup.c -- layer: io.  The registry of temporary files and staging
 * folders that a SIGINT/SIGTERM handler removes (civ_cleanup_register,
 * civ_cleanup_unregister, civ_cleanup_now; civicast.h).
 *
 * Why a fixed table: the handler may run at any instant, on any thread, so
 * it can use neither malloc nor locks nor stdio nor opendir (which
 * allocates).  Each slot is a path buffer with an atomic state; the handler
 * only reads slots whose state is ACTIVE and removes them with open,
 * getdents64, unlinkat and close, which are async-signal-safe.  The
 * signals wait (civ_cleanup_hold) from mkstemp or mkdtemp to the
 * registration of the path, so a signal on that thread cannot leave a path
 * the handler does not know (cli_transactions once found one: a staging
 * folder left by SIGINT under load).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "civicast.h"
#include "staging.h"

enum { SLOTS = 64, PATH_BYTES = 4096, FREE = 0, BUSY = 1, ACTIVE = 2 };

typedef struct slot {
    atomic_int state;
    int is_dir;
    char path[PATH_BYTES];
} slot;

static slot slots[SLOTS];

int civ_cleanup_register(const char *path, int is_dir)
{
    if (!path || !path[0])
        return -1;
    size_t n = strlen(path);
    if (n >= PATH_BYTES)
        return -1;
    for (int k = 0; k < SLOTS; k++) {
        int expected = FREE;
        if (atomic_compare_exchange_strong(&slots[k].state, &expected, BUSY)) {
            memcpy(slots[k].path, path, n + 1);
            slots[k].is_dir = is_dir;
            atomic_store(&slots[k].state, ACTIVE);
            return k;
        }
    }
    return -1;
}

void civ_cleanup_unregister(int k)
{
    if (k < 0 || k >= SLOTS)
        return;
    atomic_store(&slots[k].state, BUSY); /* the handler no longer looks at it */
    slots[k].path[0] = '\0';
    atomic_store(&slots[k].state, FREE);
}

/* The kernel's struct linux_dirent64 (getdents64(2)). */
struct dirent64_raw {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Removes everything inside the folder open as `dfd`, folders to `depth`
 * levels (civicast's staging folders hold one level: charts/). */
static void empty_dir(int dfd, int depth)
{
    char buf[4096];
    for (int pass = 0; pass < 8; pass++) { /* again while a pass removed something */
        int removed = 0;
        long n;
        while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
            for (long off = 0; off < n;) {
                struct dirent64_raw *e = (struct dirent64_raw *)(buf + off);
                off += e->d_reclen;
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                    continue;
                if (unlinkat(dfd, e->d_name, 0) == 0) {
                    removed++;
                    continue;
                }
                int sub = depth > 0 ? openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
                if (sub >= 0) {
                    empty_dir(sub, depth - 1);
                    close(sub);
                    removed += unlinkat(dfd, e->d_name, AT_REMOVEDIR) == 0;
                }
            }
        }
        if (!removed)
            return;
        lseek(dfd, 0, SEEK_SET);
    }
}

void civ_cleanup_now(void)
{
    for (int k = 0; k < SLOTS; k++) {
        if (atomic_load(&slots[k].state) != ACTIVE)
            continue;
        const char *p = slots[k].path;
        if (!slots[k].is_dir) {
            unlink(p);
            continue;
        }
        int dfd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0) {
            empty_dir(dfd, 3);
            close(dfd);
        }
        rmdir(p);
    }
}

void civ_cleanup_remove_tree(const char *path)
{
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd >= 0) {
        empty_dir(dfd, 3);
        close(dfd);
    }
    rmdir(path);
}

void civ_cleanup_hold(sigset_t *saved)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, saved);
}

void civ_cleanup_release(const sigset_t *saved)
{
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}
