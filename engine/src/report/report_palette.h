/*
 * report_palette.h -- layer report: the colours of the report's charts, in one place, chosen so that the
 * categories a reader must tell apart stay apart printed in black and white (docs/REPORT.md).
 *
 * The figure after each colour is the grey it prints as: its ITU-R BT.601 luma, 0.299 R + 0.587 G +
 * 0.114 B on 0..255 (tests/test_report.c checks the separations from the generated specs).  Before
 * 2026-12-06 the waterfall's gained green #54a24b and lost red #e45756 were both 129, and the risk
 * matrix's 低 #a6d96a and 较高 #fdae61 both 189.
 */
#ifndef CIV_REPORT_PALETTE_H
#define CIV_REPORT_PALETTE_H

/* The main marks: bars, interval bands, a status met, the waterfall's net change (112). */
#define REP_BLUE "#4c78a8"
/* Lines and ticks over blue marks: the forecast mean, the median tick, the Lorenz curve after the
 * constraints (57). */
#define REP_DARK "#1f3b73"
/* What falls short or is taken away: a status missed, the waterfall's lost, the fund's dashed line over
 * the need bars, the nominal level over the coverage bars (61; 51 darker than REP_BLUE). */
#define REP_RED "#a50f15"
/* The waterfall's gained (163; 51 lighter than REP_BLUE, 102 than REP_RED). */
#define REP_GREEN "#74c476"
/* A second line beside REP_BLUE or REP_DARK marks: the subsidy standard's steps, the Lorenz curve before
 * the constraints (154). */
#define REP_ORANGE "#f58518"

/* The risk matrix's levels, lowest first: light yellow-green to dark red, darker at every step.  Up to five
 * levels are spread over these five (227, 180, 138, 97, 54: 41 to 47 apart). */
#define REP_RISK_RAMP5 "#e0f29a", "#fba44b", "#ef6637", "#d73027", "#a50026"
/* Six to eight levels are spread over these eight (227 to 30, 27 to 30 apart: eight greys 40 apart do not
 * fit between white and black). */
#define REP_RISK_RAMP8 "#e0f29a", "#fcc062", "#f9984a", "#f26b3a", "#e3482c", "#c52a23", "#a80626", "#5a0018"
/* The counts written on the risk matrix's cells: dark on a light cell, white on a cell darker than
 * REP_INK_LIGHT_BELOW (the luma under which dark text loses its contrast). */
#define REP_INK_DARK "#1d1d1f"
#define REP_INK_LIGHT "#ffffff"
#define REP_INK_LIGHT_BELOW 128

#endif
