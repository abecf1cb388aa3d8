/*
 * c_locale.h -- layer: core.  Text conversions that do not depend on the
 * host process's locale.
 *
 * civicast is a library: its host decides the locale.  Python sets LC_CTYPE
 * from the environment at start-up, and a notebook, a Qt application or any C
 * host may call setlocale(LC_ALL, "") and so set LC_NUMERIC too.  The C
 * library's strtod and printf then read and write numbers with the host's
 * decimal separator ("0,5" under de_DE, fr_FR, ru_RU, ...), and strcasecmp,
 * tolower and toupper follow the host's case rules (under tr_TR "ARIMA" and
 * "arima" differ: I lowers to a dotless ı).  civicast's files, specs and
 * pages are locale-free text, so the library converts only through this
 * header (tests/layers/host_safe.py checks that engine/src and models/ call
 * nothing else), and its results are the same under every locale.
 *
 * Costs nothing when the calling thread's locale already uses '.' as decimal
 * separator (the "C" locale, zh_CN, en_US, ...); otherwise each call runs
 * under the "C" locale on its own thread (uselocale) and restores the
 * caller's afterwards, so the host's own locale is never changed.
 */
#ifndef CIV_C_LOCALE_H
#define CIV_C_LOCALE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__)
#define CIV_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CIV_PRINTF_LIKE(fmt, args)
#endif

/* strtod as in the "C" locale: '.' is the decimal separator whatever the
 * host's LC_NUMERIC.  Same arguments, result, errno and *end as strtod. */
double civ_strtod(const char *text, char **end);

/* snprintf, vsnprintf and fprintf as in the "C" locale (%f, %g, %e, %a write
 * '.'); same arguments and return values as the C library's. */
int civ_snprintf(char *buf, size_t size, const char *fmt, ...) CIV_PRINTF_LIKE(3, 4);
int civ_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) CIV_PRINTF_LIKE(3, 0);
int civ_fprintf(FILE *f, const char *fmt, ...) CIV_PRINTF_LIKE(2, 3);

/* The scope of a call into another library that formats or parses numbers
 * with the C library (libxlsxwriter writes cells with snprintf): enter before
 * the calls, leave after them, on the same thread.  Nested scopes are fine.
 * Never fails: without a "C" locale object (out of memory) the calls run in
 * the host's locale as before. */
typedef struct civ_c_locale_scope {
    void *saved; /* the thread's locale before enter (locale_t), or NULL: nothing to restore */
} civ_c_locale_scope;
civ_c_locale_scope civ_c_locale_enter(void);
void civ_c_locale_leave(civ_c_locale_scope scope);

/* ASCII case and classes, whatever the host's LC_CTYPE: only 'A'..'Z' and
 * 'a'..'z' change case; bytes of 0x80 and above are never letters, digits or
 * spaces (so the bytes of a UTF-8 character are left alone). */
int civ_ascii_tolower(int c);
int civ_ascii_toupper(int c);
int civ_ascii_isalpha(int c);
int civ_ascii_isdigit(int c);
int civ_ascii_isspace(int c); /* ' ', '\t', '\n', '\v', '\f', '\r' */

/* strcasecmp and strncasecmp with ASCII case folding: <0, 0 or >0 as the
 * strings compare after civ_ascii_tolower of every byte. */
int civ_ascii_casecmp(const char *a, const char *b);
int civ_ascii_ncasecmp(const char *a, const char *b, size_t n);

#endif
