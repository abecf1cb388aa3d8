/*
 * model_label.c -- layer io: the names of fitted models that people read (model_label.h), one rule for the
 * report's titles, legends and model mix (report/report_text.c, public as civ_model_short_name) and for the
 * monitoring workbook's demand sheet (monitor/workbook.c): a combination by its components' families, a single
 * model without its trailing words, and the default combination by the name the plan gives it, `auto`.  Moved
 * here from report_text.c on 2026-12-07 so that the monitor layer names models as the report does.
 */
#include "model_label.h"
#include "c_locale.h"

#include <string.h>

/* 1 when spec is an ETS model with a damped trend ("ETS(A,Ad,N)", "ETS(M,Md,M)"). */
static int is_damped_ets(const char *spec)
{
    if (strncmp(spec, "ETS(", 4) != 0)
        return 0;
    const char *t = strchr(spec + 4, ',');
    return t && (t[1] == 'A' || t[1] == 'M') && t[2] == 'd' && t[3] == ',';
}

void civ_model_label_family(char *buf, size_t size, const char *spec)
{
    /* the damped-trend ETS member of `auto` is a family of its own
     * (combination.c's display name "DampedETS"), so the model mix tells it
     * from the ETS member, as the short names do */
    if (is_damped_ets(spec)) {
        civ_snprintf(buf, size, "DampedETS");
        return;
    }
    size_t n = 0;
    while (spec[n] && (civ_ascii_isalpha((unsigned char)spec[n]) || spec[n] == '_'))
        n++;
    civ_snprintf(buf, size, "%.*s", (int)(n ? n : strlen(spec)), spec);
}

void civ_model_label_components(const char *model, void (*fn)(const char *spec, void *arg), void *arg)
{
    const char *open = strchr(model, '[');
    size_t len = strlen(model);
    /* A combination: "Name[a,b,c]" with the brackets closing at the end. */
    if (!open || len < 2 || model[len - 1] != ']' || open == model || strchr(model, '(') < open) {
        fn(model, arg);
        return;
    }
    char part[256];
    size_t o = 0;
    int depth = 0;
    for (const char *p = open + 1; p < model + len - 1; p++) {
        if (*p == '(' || *p == '[')
            depth++;
        if (*p == ')' || *p == ']')
            depth--;
        if (*p == ',' && depth == 0) {
            part[o] = '\0';
            fn(part, arg);
            o = 0;
            continue;
        }
        if (o + 1 < sizeof part)
            part[o++] = *p;
    }
    part[o] = '\0';
    fn(part, arg);
}

typedef struct short_acc {
    char *buf;
    size_t size, used, n;
} short_acc;

static void add_family(const char *spec, void *arg)
{
    short_acc *a = arg;
    char fam[64];
    civ_model_label_family(fam, sizeof fam, spec); /* "ETS, ..., DampedETS", not "ETS" twice */
    if (a->used < a->size)
        a->used += (size_t)civ_snprintf(a->buf + a->used, a->size - a->used, "%s%s", a->n++ ? ", " : "", fam);
}

void civ_model_label_short(char *buf, size_t size, const char *model)
{
    const char *open = strchr(model, '[');
    const char *paren = strchr(model, '(');
    if (open && open != model && (!paren || paren > open) && model[strlen(model) - 1] == ']') {
        char name[64];
        civ_snprintf(name, sizeof name, "%.*s", (int)(open - model), model);
        const char *shown = !strncmp(name, "Combo", 5) && name[5] ? name + 5 : name;
        int n = civ_snprintf(buf, size, "%s(", shown);
        short_acc a = {buf, size, n > 0 && (size_t)n < size ? (size_t)n : size, 0};
        civ_model_label_components(model, add_family, &a);
        if (a.used + 1 < size)
            strcat(buf, ")");
        return;
    }
    /* a single model: drop trailing words ("with non-zero mean") */
    const char *sp = strchr(model, ' ');
    civ_snprintf(buf, size, "%.*s", (int)(sp ? (size_t)(sp - model) : strlen(model)), model);
}

typedef struct auto_match {
    size_t n;
    int same;
} auto_match;

/* The families of `auto`'s smooth route, in its order (models/auto.c, AUTO_SMOOTH_SPEC: ets, arima, theta, damped,
 * dotm).  The automatic ETS member may choose a damped trend, and the damped member falls back to an undamped one,
 * so either ETS slot takes either family (on the demo city: Median(DampedETS, ARIMA, Theta, DampedETS, DOTM) for
 * 41 communities, Median(ETS, ARIMA, Theta, ETS, DOTM) for 5). */
static const char *const AUTO_FAMILIES[] = {"ETS", "ARIMA", "Theta", "DampedETS", "DOTM"};

static void match_auto(const char *spec, void *arg)
{
    auto_match *m = arg;
    char fam[64];
    civ_model_label_family(fam, sizeof fam, spec);
    int ets_slot = m->n == 0 || m->n == 3, ets = !strcmp(fam, "ETS") || !strcmp(fam, "DampedETS");
    m->same &= m->n < sizeof AUTO_FAMILIES / sizeof *AUTO_FAMILIES &&
               (ets_slot ? ets : !strcmp(fam, AUTO_FAMILIES[m->n]));
    m->n++;
}

void civ_model_label_reader(char *buf, size_t size, const char *model)
{
    auto_match m = {0, 1};
    if (!strncmp(model, "ComboMedian[", 12)) {
        civ_model_label_components(model, match_auto, &m);
        if (m.same && m.n == sizeof AUTO_FAMILIES / sizeof *AUTO_FAMILIES) {
            civ_snprintf(buf, size, "auto");
            return;
        }
    }
    civ_model_label_short(buf, size, model);
}
