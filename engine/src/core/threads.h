/*
 * threads.h -- layer: core.  How many OpenMP threads a parallel region of the
 * library runs: the one place that decides it, so that a process forked from
 * one that ran a team does not hang.
 *
 * GNU OpenMP (libgomp) keeps a pool of worker threads per thread that started
 * a team.  fork() copies only the forking thread, so in the child that
 * thread's pool names workers that do not exist, and its next team waits for
 * them for ever: a notebook that forecast with threads=2 and then ran
 * multiprocessing.Pool (fork, Python's default on Linux) hung in every worker.
 * In such a child the forking thread runs the library's regions on one thread
 * (its other threads, and processes started with spawn or exec, keep their
 * teams).  Every parallel region of engine/src and models/ takes its thread
 * count from civ_thread_count (tests/layers/host_safe.py checks the pragmas).
 */
#ifndef CIV_THREADS_H
#define CIV_THREADS_H

/* The threads of a parallel region: `requested` when > 0, else OpenMP's
 * default (OMP_NUM_THREADS, else the cores); 1 in the thread that forked a
 * child from a process where that thread had asked for a team of 2 or more
 * (the child's copy of it, see above).  Never less than 1. */
int civ_thread_count(int requested);

#endif
