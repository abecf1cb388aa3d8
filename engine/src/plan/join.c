/*
 * join.c -- layer plan: a merged or renamed community's demand forecast from its predecessors' history.  When
 * the spec names [data] predecessors, the forecast stage forecasts the panel of civ_panel_join_predecessors
 * (each such community's series continues its predecessors' summed months; their own series are left out: no
 * community this year), and each such community's explanation says where its demand history came from, counted
 * in the panel's periods (months, quarters, years: 个月, 个季度, 年) (docs/FORECASTING.md and docs/ALLOCATION.md,
 * "When the map changes").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "plan.h"

civ_status civ_plan_join_predecessors(const civ_alloc_spec *spec, const civ_table *comm, const char *comm_path,
                                      const civ_panel **panel, civ_panel **joined, civ_table **joins,
                                      civ_plan_stats *stats)
{
    const char *col = civ_alloc_spec_predecessors_column(spec);
    size_t at;
    if (!col || !comm || !*panel)
        return CIV_OK;
    if (civ_table_find_column(comm, col, &at)) { /* the allocation's binding names it, at the spec's key */
        civ_clear_error();
        return CIV_OK;
    }
    civ_status s = civ_panel_join_predecessors_shares(*panel, comm, civ_alloc_spec_id_column(spec), col,
                                                      civ_alloc_spec_predecessor_shares_column(spec), joined, joins);
    if (s) {
        if (!civ_last_error()->file[0] && comm_path && comm_path[0]) {
            civ_error e = *civ_last_error();
            civ_snprintf(e.file, sizeof e.file, "%.511s", comm_path);
            s = civ_error_restore(&e);
        }
        return s;
    }
    size_t cs, cid, csh, cg, appended = 0, i;
    civ_table_find_column(*joins, "status", &cs);
    civ_table_find_column(*joins, "unique_id", &cid);
    civ_table_find_column(*joins, "shares", &csh);
    civ_table_find_column(*joins, "gap_periods", &cg);
    for (size_t r = 0; r < civ_table_n_rows(*joins); r++) {
        int ok = !strcmp(civ_table_text(*joins, r, cs), "joined");
        double gap = civ_table_number(*joins, r, cg);
        stats->n_joined += ok;
        stats->n_not_joined += !ok;
        stats->n_joined_by_share += ok && civ_table_text(*joins, r, csh)[0];
        stats->n_join_gaps += gap > 0;
        stats->n_join_gap_periods += gap > 0 ? (size_t)gap : 0;
        if (ok && civ_panel_find_series(*panel, civ_table_text(*joins, r, cid), &i)) {
            civ_clear_error();
            appended++; /* a community with no months of its own: its series is the sum */
        }
    }
    stats->n_predecessor_series = civ_panel_n_series(*panel) + appended - civ_panel_n_series(*joined);
    *panel = *joined;
    return CIV_OK;
}

/* The panel's period, as the explanations count it: kind 0 after a number in Chinese ("30 个月", "8 个季度",
 * "3 年"), kind 1 the plural after a number in English, kind 2 the singular, kind 3 the Chinese of "its own
 * months" (自有月份, 自有季度, 自有年份). */
static const char *period_word(civ_frequency f, int kind)
{
    static const char *const words[][4] = {
        {"期", "periods", "period", "各期"},    {"年", "years", "year", "年份"},   {"个季度", "quarters", "quarter", "季度"},
        {"个月", "months", "month", "月份"},    {"周", "weeks", "week", "周"},     {"天", "days", "day", "日期"}};
    return words[f >= CIV_FREQ_YEARLY && f <= CIV_FREQ_DAILY ? f : 0][kind];
}

/* "<n> <periods>" in English (1 month, 30 months) or Chinese (30 个月), into buf. */
static const char *count(double n, civ_frequency f, int zh, char *buf, size_t size)
{
    civ_snprintf(buf, size, "%.0f %s", n, period_word(f, zh ? 0 : n == 1 ? 2 : 1));
    return buf;
}

/* The note of joins row r, in Chinese or English. */
static void note(const civ_table *j, size_t r, int zh, civ_frequency f, char *buf, size_t size)
{
    size_t c[11];
    const char *names[11] = {"predecessors", "status", "joined_periods", "joined_from", "joined_to", "blocking",
                             "reason", "shares", "gap_periods", "gap_from", "gap_to"};
    for (int k = 0; k < 11; k++)
        civ_table_find_column(j, names[k], &c[k]);
    const char *shares = civ_table_text(j, r, c[7]), *gf = civ_table_text(j, r, c[9]);
    const char *gt = civ_table_text(j, r, c[10]);
    double gap = civ_table_number(j, r, c[8]);
    char sh[160] = "", gp[200] = "", cn[32]; /* no clause separator ("; ", "；") inside: explanations split on them */
    if (shares[0])
        civ_snprintf(sh, sizeof sh, zh ? "（份额 %s）" : " (shares %s)", shares);
    if (gap > 0)
        civ_snprintf(gp, sizeof gp,
                     zh ? "，%s..%s 共 %s前身与本社区均无数据，按缺失处理" : ", %s..%s, %s, missing: "
                                                              "neither its predecessors nor it reported",
                     gf, gt, count(gap, f, zh, cn, sizeof cn));
    const char *pred = civ_table_text(j, r, c[0]), *st = civ_table_text(j, r, c[1]);
    const char *from = civ_table_text(j, r, c[3]), *to = civ_table_text(j, r, c[4]);
    const char *bad = civ_table_text(j, r, c[5]);
    double n = civ_table_number(j, r, c[2]);
    const char *own = period_word(f, 3);
    if (!strcmp(st, "joined"))
        civ_snprintf(buf, size, zh ? "（需求历史接续自 %s%s：%s %s..%s%s）" : " (demand history joined from %s%s: %s %s..%s%s)",
                     pred, sh, count(n, f, zh, cn, sizeof cn), from, to, gp);
    else if (!zh)
        civ_snprintf(buf, size, " (demand from its own %s only: %s)", period_word(f, 1), civ_table_text(j, r, c[6]));
    else if (!strcmp(st, "split"))
        civ_snprintf(buf, size, "（需求仅按本社区自有%s预测：%s 同时是其他社区的前身"
                                "（拆分：无份额可分摊其历史））", own, bad);
    else if (!strcmp(st, "no_series"))
        civ_snprintf(buf, size, "（需求仅按本社区自有%s预测：%s 在面板中无序列）", own, bad);
    else
        civ_snprintf(buf, size, "（需求仅按本社区自有%s预测：各前身在本社区自有%s之前"
                                "无共同上报的%s）", own, own, own);
}

civ_status civ_plan_explain_joins(const civ_table *joins, int zh, civ_frequency freq, civ_table *allocation)
{
    size_t cid, ex, aid;
    if (!allocation || civ_table_find_column(allocation, "explanation", &ex) ||
        civ_table_find_column(allocation, "unique_id", &aid)) {
        civ_clear_error();
        return CIV_OK; /* no explanations to add to */
    }
    civ_status s = civ_table_find_column(joins, "unique_id", &cid);
    const char *sep = zh ? "\xef\xbc\x9b" : "; "; /* the clauses' separator: the note ends the first clause */
    for (size_t r = 0; r < civ_table_n_rows(joins) && !s; r++) {
        const char *id = civ_table_text(joins, r, cid);
        size_t row = SIZE_MAX;
        for (size_t a = 0; a < civ_table_n_rows(allocation) && row == SIZE_MAX; a++)
            if (!strcmp(civ_table_text(allocation, a, aid), id))
                row = a;
        if (row == SIZE_MAX)
            continue;
        char add[768];
        note(joins, r, zh, freq, add, sizeof add);
        const char *old = civ_table_text(allocation, row, ex), *cut = strstr(old, sep);
        size_t head = cut ? (size_t)(cut - old) : strlen(old);
        char *text = malloc(strlen(old) + strlen(add) + 1);
        if (!text)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the explanation of '%s'", id);
        memcpy(text, old, head);
        strcpy(text + head, add);
        strcat(text, old + head);
        s = civ_table_set_text(allocation, row, ex, text);
        free(text);
    }
    return s;
}
