/* consumer.c -- an outside program built against an installed civicast. */
#include <civicast.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    if (civ_version_number() != CIV_VERSION_NUMBER || strcmp(civ_version(), CIV_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s but library %s\n", CIV_VERSION_STRING, civ_version());
        return 1;
    }
    civ_panel *panel = NULL;
    double y[3] = {1.0, 2.0, 3.0};
    if (civ_panel_create(CIV_FREQ_MONTHLY, &panel) || civ_panel_add_series(panel, "社区-1", 24240, y, 3, NULL)) {
        fprintf(stderr, "%s\n", civ_last_error_message());
        return 1;
    }
    printf("consumer ok: civicast %s, %zu series\n", civ_version(), civ_panel_n_series(panel));
    civ_panel_free(panel);
    return 0;
}
