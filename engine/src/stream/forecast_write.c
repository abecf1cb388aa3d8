/*
 * forecast_write.c -- layer: stream (over core and io; forecasting through
 * civicast.h, as plan does).  civ_forecast_panel_write: a forecast batch whose
 * outputs stream to their files in chunks of series, so memory holds one
 * chunk of results whatever the panel size (issue 18 item 9).
 *
 * For each chunk (civ_forecast_panel_chunks, in series order): its forecast
 * rows and fitted rows are appended to their files (table_stream.h); its
 * report rows go to an anonymous spill file (in TMPDIR, unlinked when opened:
 * gone with the process, whatever happens), because the report's parameter columns are the union
 * of every series' parameters, known only at the end.  Then the spill is
 * read back chunk by chunk into the report file with the final columns: the
 * fixed ones, the parameters in order of first appearance and
 * initial_states last -- the table civ_forecast_report_table gives for the
 * whole panel, so every file is byte-identical to the whole-result path.
 * Files are committed (renamed into place) only after every chunk is
 * written; an error removes every temporary file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "c_locale.h"
#include "error.h"
#include "strmap.h"
#include "stream.h"
#include "table_stream.h"


static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

civ_status civ_name_set_add(name_set *s, const char *name, size_t *index)
{
    size_t at;
    if (civ_strmap_get(&s->map, name, &at)) {
        *index = at;
        return CIV_OK;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 32;
        char **nn = realloc(s->names, cap * sizeof *nn);
        if (nn)
            s->names = nn;
        size_t *nc = realloc(s->counts, cap * sizeof *nc);
        if (nc)
            s->counts = nc;
        if (!nn || !nc)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for names");
        s->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for names");
    civ_status st = civ_strmap_put(&s->map, copy, s->n, NULL);
    if (st) {
        free(copy);
        return st;
    }
    s->names[s->n] = copy;
    s->counts[s->n] = 0;
    *index = s->n++;
    return CIV_OK;
}

void civ_name_set_free(name_set *s)
{
    for (size_t k = 0; k < s->n; k++)
        free(s->names[k]);
    free(s->names);
    free(s->counts);
    civ_strmap_free(&s->map);
}

typedef struct writer {
    const civ_panel *panel;
    civ_table_stream *fc, *fitted;
    FILE *spill;              /* report chunks, or NULL without a report */
    name_set report_cols;     /* report columns in order of first appearance */
    name_set models;          /* model -> series count */
    civ_forecast_write_stats *stats;
} writer;

/* ---- the spill: report chunks as (columns, rows) records ----------------- */

static int put_u64(FILE *fp, uint64_t v) { return fwrite(&v, sizeof v, 1, fp) == 1; }
static int get_u64(FILE *fp, uint64_t *v) { return fread(v, sizeof *v, 1, fp) == 1; }

static int put_text(FILE *fp, const char *t)
{
    size_t len = t ? strlen(t) : 0;
    return put_u64(fp, len) && (len == 0 || fwrite(t, 1, len, fp) == len);
}

static civ_status spill_error(const char *what)
{
    return civ_fail(CIV_ERR_IO, "the report's spill file (in TMPDIR): cannot %s", what);
}

/* The spill: a file in TMPDIR (else /tmp) unlinked as soon as it is open,
 * so it disappears with the process whatever happens (tmpfile(3) would
 * ignore TMPDIR). */
static civ_status spill_open(FILE **out)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !dir[0])
        dir = "/tmp";
    char path[4096];
    if (civ_snprintf(path, sizeof path, "%s/.civicast-report-XXXXXX", dir) >= (int)sizeof path)
        return spill_error("create it (TMPDIR is too long)");
    int fd = mkstemp(path);
    if (fd < 0) {
        civ_where w = {.file = dir};
        return civ_fail_at(CIV_ERR_IO, &w, "cannot create the report's spill file in TMPDIR: %s", strerror(errno));
    }
    unlink(path);
    *out = fdopen(fd, "w+b");
    if (!*out) {
        close(fd);
        return spill_error("open it");
    }
    return CIV_OK;
}

static civ_status spill_table(writer *w, const civ_table *t)
{
    size_t nc = civ_table_n_columns(t), nr = civ_table_n_rows(t);
    int ok = put_u64(w->spill, nc) && put_u64(w->spill, nr);
    for (size_t c = 0; ok && c < nc; c++) {
        size_t idx;
        civ_status st = civ_name_set_add(&w->report_cols, civ_table_column_name(t, c), &idx);
        if (st)
            return st;
        const double *num = civ_table_numbers(t, c);
        w->report_cols.counts[idx] = num != NULL; /* here: 1 for a number column */
        ok = put_u64(w->spill, idx) && put_u64(w->spill, num != NULL);
        if (num)
            ok = ok && (nr == 0 || fwrite(num, sizeof *num, nr, w->spill) == nr);
        for (size_t r = 0; ok && !num && r < nr; r++)
            ok = put_text(w->spill, civ_table_text(t, r, c));
    }
    return ok ? CIV_OK : spill_error("write");
}

/* The columns civ_forecast_report_table puts after every parameter column
 * (initial_states, the demand classification, uncalibrated in conformal
 * runs), in its order. */
static int is_trailing_report_column(const char *name)
{
    static const char *const trailing[] = {"initial_states", "adi", "cv2", "demand_class", "uncalibrated"};
    for (size_t k = 0; k < sizeof trailing / sizeof *trailing; k++)
        if (!strcmp(name, trailing[k]))
            return 1;
    return 0;
}

/* The final report columns: first-seen order, with the trailing columns
 * (is_trailing_report_column) after every parameter a later chunk added,
 * as in the whole table. */
static civ_status report_template(const writer *w, size_t *order, civ_table **out)
{
    const name_set *s = &w->report_cols;
    civ_table *t = NULL;
    civ_status st = civ_table_create(&t);
    size_t col = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < s->n; k++)
            if (is_trailing_report_column(s->names[k]) == pass)
                order[k] = col++;
    for (size_t c = 0; c < s->n && !st; c++) {
        size_t k = 0;
        while (order[k] != c)
            k++;
        /* a column's type: number unless it is one of the text columns */
        st = civ_table_add_column(t, s->names[k], w->report_cols.counts[k] ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT,
                                  NULL);
    }
    if (st) {
        civ_table_free(t);
        return st;
    }
    *out = t;
    return CIV_OK;
}

/* One spilled chunk into a table with the final columns. */
static civ_status unspill_chunk(writer *w, const civ_table *tmpl, const size_t *order, civ_table **out,
                                char **text, size_t *text_cap)
{
    uint64_t nc, nr;
    if (!get_u64(w->spill, &nc) || !get_u64(w->spill, &nr))
        return spill_error("read");
    civ_table *t = NULL;
    civ_status st = civ_table_create(&t);
    for (size_t c = 0; c < civ_table_n_columns(tmpl) && !st; c++)
        st = civ_table_add_column(t, civ_table_column_name(tmpl, c), civ_table_column_type(tmpl, c), NULL);
    if (!st)
        st = civ_table_add_rows(t, (size_t)nr, NULL);
    for (uint64_t c = 0; c < nc && !st; c++) {
        uint64_t idx, is_num;
        if (!get_u64(w->spill, &idx) || !get_u64(w->spill, &is_num) || idx >= w->report_cols.n) {
            st = spill_error("read");
            break;
        }
        size_t to = order[idx];
        for (uint64_t r = 0; r < nr && !st; r++) {
            if (is_num) {
                double v;
                st = fread(&v, sizeof v, 1, w->spill) == 1 ? civ_table_set_number(t, r, to, v) : spill_error("read");
                continue;
            }
            uint64_t len;
            if (!get_u64(w->spill, &len) || len > ((uint64_t)1 << 31)) {
                st = spill_error("read");
                break;
            }
            if (len + 1 > *text_cap) {
                char *p = realloc(*text, len + 1);
                if (!p) {
                    st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the report");
                    break;
                }
                *text = p;
                *text_cap = len + 1;
            }
            if (len && fread(*text, 1, len, w->spill) != len) {
                st = spill_error("read");
                break;
            }
            (*text)[len] = '\0';
            st = civ_table_set_text(t, r, to, *text);
        }
    }
    if (st) {
        civ_table_free(t);
        return st;
    }
    *out = t;
    return CIV_OK;
}

/* Reads the spill back into the report file, left open for the caller to
 * commit with the others (*out). */
static civ_status write_report(writer *w, const char *path, const civ_csv_write_options *csv, size_t n_chunks,
                               civ_table_stream **out)
{
    size_t *order = malloc((w->report_cols.n ? w->report_cols.n : 1) * sizeof *order);
    civ_table *tmpl = NULL;
    civ_table_stream *ts = NULL;
    char *text = NULL;
    size_t text_cap = 0;
    civ_status st = order ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the report");
    if (!st)
        st = report_template(w, order, &tmpl);
    if (!st)
        st = fflush(w->spill) == 0 && fseek(w->spill, 0, SEEK_SET) == 0 ? CIV_OK : spill_error("rewind");
    if (!st)
        st = civ_table_stream_open(path, csv, &ts);
    for (size_t k = 0; k < n_chunks && !st; k++) {
        civ_table *t = NULL;
        st = unspill_chunk(w, tmpl, order, &t, &text, &text_cap);
        if (!st)
            st = civ_table_stream_append(ts, t);
        civ_table_free(t);
    }
    if (!st && n_chunks == 0) /* the header of an empty report */
        st = civ_table_stream_append(ts, tmpl);
    if (!st) {
        *out = ts;
        ts = NULL;
    }
    civ_table_stream_abort(ts);
    civ_table_free(tmpl);
    free(order);
    free(text);
    return st;
}

/* ---- the chunks ---------------------------------------------------------- */

typedef struct chunk_ctx {
    writer *w;
    size_t n_chunks;
} chunk_ctx;

static civ_status append_table(civ_status (*make)(const civ_forecast_result *, const civ_panel *, civ_table **),
                               const civ_forecast_result *r, const civ_panel *panel, civ_table_stream *ts)
{
    civ_table *t = NULL;
    civ_status st = make(r, panel, &t);
    if (!st)
        st = civ_table_stream_append(ts, t);
    civ_table_free(t);
    return st;
}

/* Model counts and the first failures, for the caller's summary. */
static civ_status count_chunk(writer *w, const civ_forecast_result *r)
{
    civ_forecast_write_stats *s = w->stats;
    size_t n = civ_forecast_result_n_series(r), first = civ_forecast_result_first(r);
    s->n_uncalibrated += civ_forecast_result_n_uncalibrated(r);
    for (size_t k = 0; k < n; k++) {
        s->n_series++;
        civ_demand_class cls;
        if (civ_forecast_result_demand(r, k, NULL, NULL, &cls) == CIV_OK && (unsigned)cls < 6)
            s->demand_counts[cls]++;
        if (civ_forecast_result_status(r, k) != CIV_OK) {
            if (s->n_failures < CIV_FORECAST_STATS_FAILURES) {
                civ_copy_truncated(s->failed_ids[s->n_failures], sizeof s->failed_ids[0],
                                   civ_panel_series_id(w->panel, first + k));
                civ_copy_truncated(s->failed_messages[s->n_failures], sizeof s->failed_messages[0],
                                   civ_forecast_result_message(r, k));
                s->n_failures++;
            }
            s->n_failed++;
            continue;
        }
        size_t idx;
        civ_status st = civ_name_set_add(&w->models, civ_forecast_result_model(r, k), &idx);
        if (st)
            return st;
        w->models.counts[idx]++;
    }
    return CIV_OK;
}

static civ_status on_chunk(const civ_forecast_result *r, void *user)
{
    chunk_ctx *c = user;
    writer *w = c->w;
    civ_status st = append_table(civ_forecast_result_table, r, w->panel, w->fc);
    if (!st && w->fitted)
        st = append_table(civ_forecast_fitted_table, r, w->panel, w->fitted);
    if (!st && w->spill) {
        civ_table *t = NULL;
        st = civ_forecast_report_table(r, w->panel, &t);
        if (!st)
            st = spill_table(w, t);
        civ_table_free(t);
    }
    if (!st)
        st = count_chunk(w, r);
    c->n_chunks++;
    return st;
}

/* The most used models into the stats: count descending, then name. */
static void top_models(writer *w)
{
    civ_forecast_write_stats *s = w->stats;
    name_set *m = &w->models;
    s->n_models = m->n;
    size_t shown = 0, listed = 0;
    while (shown < CIV_FORECAST_STATS_MODELS && shown < m->n) {
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < m->n; k++) {
            if (m->counts[k] == SIZE_MAX)
                continue; /* already listed */
            if (best == SIZE_MAX || m->counts[k] > m->counts[best] ||
                (m->counts[k] == m->counts[best] && strcmp(m->names[k], m->names[best]) < 0))
                best = k;
        }
        civ_copy_truncated(s->models[shown], sizeof s->models[0], m->names[best]);
        s->model_counts[shown] = m->counts[best];
        listed += m->counts[best];
        m->counts[best] = SIZE_MAX;
        shown++;
    }
    s->n_models_listed = shown;
    s->other_count = s->n_series - s->n_failed - listed;
}

static civ_status check_outputs(const civ_forecast_outputs *out)
{
    if (!out || !out->forecasts)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_panel_write: no forecasts path");
    return CIV_OK;
}

civ_status civ_forecast_panel_write(const civ_panel *panel, const civ_forecast_options *opt,
                                    const civ_forecast_outputs *out, civ_forecast_write_stats *stats)
{
    if (!panel)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_panel_write: NULL panel");
    civ_status st = check_outputs(out);
    if (st)
        return st;
    civ_forecast_options o;
    if (opt)
        o = *opt;
    else
        civ_forecast_options_init(&o);
    o.want_fitted = out->fitted != NULL;
    civ_forecast_write_stats local;
    writer w = {.panel = panel, .stats = stats ? stats : &local};
    memset(w.stats, 0, sizeof *w.stats);
    civ_table_stream *report = NULL;
    chunk_ctx c = {&w, 0};
    double t0 = now_seconds();
    st = civ_table_stream_open(out->forecasts, out->csv, &w.fc);
    if (!st && out->fitted)
        st = civ_table_stream_open(out->fitted, out->csv, &w.fitted);
    if (!st && out->report)
        st = spill_open(&w.spill);
    if (!st && o.intervals == CIV_INTERVALS_CONFORMAL) {
        /* Conformal intervals are calibrated over the whole panel: the whole
         * result, written as one chunk (memory holds every series' results). */
        civ_forecast_result *r = NULL;
        st = civ_forecast_panel(panel, &o, &r);
        if (!st)
            st = on_chunk(r, &c);
        civ_forecast_result_free(r);
    } else if (!st) {
        st = civ_forecast_panel_chunks(panel, &o, out->chunk_series, on_chunk, &c);
    }
    if (!st && c.n_chunks == 0) { /* an empty panel: one empty chunk gives the headers */
        civ_forecast_result *r = NULL;
        st = civ_forecast_panel(panel, &o, &r);
        if (!st)
            st = on_chunk(r, &c);
        civ_forecast_result_free(r);
    }
    if (!st && out->report)
        st = write_report(&w, out->report, out->csv, c.n_chunks, &report);
    if (!st) {
        st = civ_table_stream_commit(w.fc, NULL);
        w.fc = NULL;
    }
    if (!st && report) {
        st = civ_table_stream_commit(report, NULL);
        report = NULL;
    }
    if (!st && w.fitted) {
        st = civ_table_stream_commit(w.fitted, NULL);
        w.fitted = NULL;
    }
    civ_table_stream_abort(w.fc);
    civ_table_stream_abort(w.fitted);
    civ_table_stream_abort(report);
    if (w.spill)
        fclose(w.spill);
    if (!st)
        top_models(&w);
    w.stats->seconds = now_seconds() - t0;
    civ_name_set_free(&w.report_cols);
    civ_name_set_free(&w.models);
    if (!st)
        civ_clear_error();
    return st;
}
