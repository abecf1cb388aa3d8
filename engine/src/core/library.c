/*
 * library.c -- layer: core.  Process-wide set-up done once when the shared or static
 * library is loaded.
 *
 * GSL's default error handler calls abort(); civicast promises never to abort,
 * so the handler is switched off before any civicast code can reach GSL.  GSL
 * functions then return error codes, which civicast turns into civ_status.
 * This is process-wide (GSL has no per-library handler); a host that installs
 * its own handler afterwards takes responsibility for it.
 */
#include <gsl/gsl_errno.h>

__attribute__((constructor)) static void civ_library_init(void)
{
    gsl_set_error_handler_off();
}
