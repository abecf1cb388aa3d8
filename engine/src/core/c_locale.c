/*
 * c_locale.c -- layer: core.  Text conversions that do not depend on the host
 * process's locale (see c_locale.h for why and where they are required).
 *
 * Numbers: when the calling thread's locale writes '.' as decimal separator
 * the C library is called directly; otherwise the call is bracketed by
 * uselocale(C) and uselocale(previous), which changes the locale of this
 * thread only and for the duration of the call (POSIX 2008), so other threads
 * of the host and the host's own settings are untouched.
 */
#include "c_locale.h"

#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>

static locale_t c_locale_object = (locale_t)0;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_create(void)
{
    /* glibc returns its static "C" locale here; elsewhere this may allocate
     * once for the life of the process. */
    c_locale_object = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* 1 when this thread's numbers are written as in "C" already: the common
 * case, which costs one table lookup. */
static int numbers_are_plain(void)
{
    const char *radix = nl_langinfo(RADIXCHAR);
    return radix && radix[0] == '.' && radix[1] == '\0';
}

civ_c_locale_scope civ_c_locale_enter(void)
{
    civ_c_locale_scope scope = {NULL};
    if (numbers_are_plain())
        return scope;
    pthread_once(&c_locale_once, c_locale_create);
    if (c_locale_object == (locale_t)0)
        return scope;
    locale_t before = uselocale(c_locale_object);
    if (before != (locale_t)0)
        scope.saved = (void *)before;
    return scope;
}

void civ_c_locale_leave(civ_c_locale_scope scope)
{
    if (scope.saved)
        uselocale((locale_t)scope.saved);
}

double civ_strtod(const char *text, char **end)
{
    civ_c_locale_scope scope = civ_c_locale_enter();
    double v = strtod(text, end);
    civ_c_locale_leave(scope);
    return v;
}

int civ_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    civ_c_locale_scope scope = civ_c_locale_enter();
    int n = vsnprintf(buf, size, fmt, ap);
    civ_c_locale_leave(scope);
    return n;
}

int civ_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = civ_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int civ_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    civ_c_locale_scope scope = civ_c_locale_enter();
    int n = vfprintf(f, fmt, ap);
    civ_c_locale_leave(scope);
    va_end(ap);
    return n;
}

int civ_ascii_tolower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int civ_ascii_toupper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

int civ_ascii_isalpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int civ_ascii_isdigit(int c)
{
    return c >= '0' && c <= '9';
}

int civ_ascii_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

int civ_ascii_ncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int x = civ_ascii_tolower((unsigned char)a[i]), y = civ_ascii_tolower((unsigned char)b[i]);
        if (x != y || x == 0)
            return x - y;
    }
    return 0;
}

int civ_ascii_casecmp(const char *a, const char *b)
{
    return civ_ascii_ncasecmp(a, b, (size_t)-1);
}
