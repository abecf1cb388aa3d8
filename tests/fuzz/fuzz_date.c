/*
 * fuzz_date.c -- libFuzzer harness of the date parser and period formatter
 * (engine/src/core/date.c).
 *
 * Oracles: a date that parses formats back (in the frequency of its form) to
 * text that parses to the same value; an ISO date without a time of the
 * canonical length is its own canonical text (spreadsheet forms such as
 * "2024/7/1 0:00" only round-trip by value).  The first 8 bytes also drive civ_period_format over
 * every frequency and phase: it must either refuse (CIV_ERR_DOMAIN) or write
 * a date that parses back to the period.
 */
#include "fuzz_common.h"

static civ_frequency fuzz_freq_of(civ_date_form form)
{
    switch (form) {
    case CIV_DATE_YEAR: return CIV_FREQ_YEARLY;
    case CIV_DATE_QUARTER: return CIV_FREQ_QUARTERLY;
    case CIV_DATE_MONTH: return CIV_FREQ_MONTHLY;
    default: return CIV_FREQ_DAILY;
    }
}

static int fuzz_date(const uint8_t *data, size_t size)
{
    civ_date_form form;
    int64_t value;
    char buf[32];
    if (civ_date_parse((const char *)data, size, &form, &value) == CIV_OK) {
        civ_frequency f = fuzz_freq_of(form);
        FUZZ_CHECK(civ_period_format(f, 0, value, buf, sizeof buf) == CIV_OK);
        civ_date_form form2;
        int64_t value2;
        FUZZ_CHECK(civ_date_parse(buf, strlen(buf), &form2, &value2) == CIV_OK);
        FUZZ_CHECK(form2 == form && value2 == value);
        /* an ISO date alone is its own canonical text; spreadsheet forms
         * ("2024/7/1", "2024-7-1", "2024.07"), English month names
         * ("1-Jan-2025", as long as its ISO text) and midnight times parse to
         * the same value as their canonical text (checked above) */
        int iso = !memchr(data, '/', size) && !memchr(data, '.', size) &&
                  !civ_date_time_separator((const char *)data, size);
        for (size_t i = 0; iso && i < size; i++)
            iso = !((data[i] | 0x20) >= 'a' && (data[i] | 0x20) <= 'z');
        if (iso && size == strlen(buf) && (form == CIV_DATE_DAY || form == CIV_DATE_MONTH || form == CIV_DATE_YEAR))
            FUZZ_CHECK(memcmp(buf, data, size) == 0);
    }
    if (size >= 9) {
        int64_t period;
        memcpy(&period, data, sizeof period);
        int phase = data[8] % 7;
        for (int f = CIV_FREQ_YEARLY; f <= CIV_FREQ_DAILY; f++) {
            civ_status s = civ_period_format((civ_frequency)f, phase, period, buf, sizeof buf);
            FUZZ_CHECK(s == CIV_OK || s == CIV_ERR_DOMAIN);
            if (s != CIV_OK)
                continue;
            FUZZ_CHECK(civ_date_parse(buf, strlen(buf), &form, &value) == CIV_OK);
            if (f == CIV_FREQ_WEEKLY)
                FUZZ_CHECK(value == period * 7 + phase);
            else
                FUZZ_CHECK(value == period);
        }
        /* A short buffer and an unknown frequency are refused, never written past. */
        char small[10];
        FUZZ_CHECK(civ_period_format(CIV_FREQ_DAILY, 0, period, small, sizeof small) == CIV_ERR_INVALID_ARGUMENT);
        FUZZ_CHECK(civ_period_format((civ_frequency)(6 + data[8]), 0, period, buf, sizeof buf) ==
                   CIV_ERR_INVALID_ARGUMENT);
    }
    return 0;
}

#ifndef CIV_FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_date(data, size);
}
#endif
