/*
 * history.c -- layer plan: history.csv, the last observed periods of every
 * series of the plan's panel (unique_id, ds, y), so that the plan report can
 * draw the actuals before the forecasts from the output folder alone
 * (docs/REPORT.md).  Public API only (civicast.h).
 */
#include <stdio.h>

#include "plan.h"

size_t civ_plan_history_periods(size_t horizon)
{
    return horizon > CIV_PLAN_HISTORY_MIN ? horizon : CIV_PLAN_HISTORY_MIN;
}

civ_status civ_plan_history_table(const civ_panel *panel, size_t periods, civ_table **out)
{
    *out = NULL;
    civ_table *t = NULL;
    size_t N = civ_panel_n_series(panel), rows = 0, c_id = 0, c_ds = 0, c_y = 0, row = 0;
    for (size_t i = 0; i < N; i++) {
        size_t n = 0;
        civ_panel_series(panel, i, NULL, &n, NULL);
        rows += n < periods ? n : periods;
    }
    civ_status s = civ_table_create(&t);
    if (!s)
        s = civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &c_id);
    if (!s)
        s = civ_table_add_column(t, "ds", CIV_COLUMN_TEXT, &c_ds);
    if (!s)
        s = civ_table_add_column(t, "y", CIV_COLUMN_NUMBER, &c_y);
    if (!s)
        s = civ_table_add_rows(t, rows, &row);
    civ_frequency freq = civ_panel_frequency(panel);
    int phase = civ_panel_phase(panel);
    civ_date_style style = civ_panel_date_style(panel);
    for (size_t i = 0; i < N && !s; i++) {
        const double *v = NULL;
        size_t n = 0;
        int64_t start = 0;
        s = civ_panel_series(panel, i, &v, &n, &start);
        const char *id = civ_panel_series_id(panel, i);
        for (size_t j = n > periods ? n - periods : 0; j < n && !s; j++, row++) {
            char ds[32];
            s = civ_period_format_style(freq, phase, &style, start + (int64_t)j, ds, sizeof ds);
            if (!s)
                s = civ_table_set_text(t, row, c_id, id);
            if (!s)
                s = civ_table_set_text(t, row, c_ds, ds);
            if (!s)
                s = civ_table_set_number(t, row, c_y, v[j]);
        }
    }
    if (s) {
        civ_table_free(t);
        return s;
    }
    *out = t;
    return CIV_OK;
}
