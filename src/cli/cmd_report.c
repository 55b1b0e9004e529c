#include "cli_opts.h"

#include <stdlib.h>
#include <time.h>

static const cli_choice papers[] = {{"A4", "A4"}, {"A3", "A3"}, {NULL, NULL}};

static const cli_opt opts[] = {
    {"output", 'o', CLI_STRING, CLI_AT(pm_report_opts, out_path, const char *), "OUT",
     "the report, one .html file", CLI_REQUIRED, 0, 0, NULL, NULL},
    CLI_LAYER(pm_report_opts, "the layer of parks (default: parks)"),
    CLI_STR(pm_report_opts, title, "title", "TEXT",
            "the page's title (default: the layer and database)"),
    CLI_NUM(pm_report_opts, target_km2, "target-km2", "KM2", "the planned total (default 43)"),
    CLI_NUM(pm_report_opts, tolerance_pct, "tolerance-pct", "PCT",
            "how far the total may be off the target (default 1)"),
    {"paper", 0, CLI_CHOICE, CLI_AT(pm_report_opts, paper, const char *), "SIZE",
     "A4 (default) or A3: the page the browser's print and \"Save as PDF\" use", 0, 0, 0, NULL,
     papers},
    CLI_SET(pm_report_opts, overwrite, "overwrite", "replace an existing OUT"),
    CLI_END};

static const cli_cmd report = {
    "report",
    "Write one self-contained HTML report that opens from disk with no network: the\n"
    "verdict (the union's ellipsoidal area against --target-km2), an interactive map of\n"
    "the parks, district outline, QA findings, shared boundaries and clusters (pan, zoom,\n"
    "layer switches, a park's attributes and measures on click), sortable tables of the\n"
    "parks, findings, adjacency, clusters and layout indicators, a print stylesheet\n"
    "(--paper) and the provenance. Runs check and layout without writing tables, so the\n"
    "database may be read-only; shared boundaries and cluster shapes are drawn from the\n"
    "adjacency and clusters tables when the database has them. Park colours come from\n"
    "--style (default: styles/default.json). An existing OUT is replaced only with\n"
    "--overwrite; the file is written beside and moved into place. The report's date is\n"
    "today (UTC), or SOURCE_DATE_EPOCH's when set. See docs/report.md.\n",
    CLI_STYLE | CLI_DB_READ | CLI_PROGRESS | CLI_INTERRUPTS, opts};

/* The report's date: today, unless a reproducible build fixes it. */
static void report_date(char *out, size_t n)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    time_t t = time(NULL);
    if (sde && *sde) {
        long long v = strtoll(sde, &end, 10);
        if (*end == '\0' && v >= 0)
            t = (time_t)v;
    }
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, n, "%Y-%m-%d", &tm))
        snprintf(out, n, "unknown");
}

int cmd_report(int argc, char **argv)
{
    pm_report_opts o = PM_REPORT_OPTS_INIT;
    char date[32];
    const char *extra[] = {"json-c", json_c_version(), NULL};
    cli_run r;
    int status = cli_start(&r, &report, &o, argc, argv);
    if (status != CLI_GO)
        goto done;
    report_date(date, sizeof date);
    o.generated_at = date;
    o.extra_versions = extra;
    o.style = r.style;
    o.progress = cli_progress_fn;
    o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_report_write(r.ctx, r.st, &o))))
        goto done;
    printf("wrote %s\n", o.out_path);
done:
    return cli_end(&r, status);
}
