#include "cli_opts.h"

#include <stdlib.h>
#include <time.h>

static const cli_choice papers[] = {{"A4", "A4"}, {"A3", "A3"}, {NULL, NULL}};

/* The library's options and the second database of a comparison report,
 * which only this command opens. */
typedef struct {
    pm_report_opts o;
    const char *against;
} report_args;

static const cli_opt opts[] = {
    {"output", 'o', CLI_STRING, CLI_AT(report_args, o.out_path, const char *), "OUT",
     "the report, one .html file", CLI_REQUIRED, 0, 0, NULL, NULL},
    CLI_LAYER_STR(report_args, o.layer, "layer", "NAME", "the layer of parks (default: parks)"),
    CLI_STR(report_args, o.title, "title", "TEXT",
            "the page's title (default: the layer and database)"),
    CLI_NUM(report_args, o.target_km2, "target-km2", "KM2", "the planned total (default 43)"),
    CLI_NUM(report_args, o.tolerance_pct, "tolerance-pct", "PCT",
            "how far the total may be off the target (default 1)"),
    {"paper", 0, CLI_CHOICE, CLI_AT(report_args, o.paper, const char *), "SIZE",
     "A4 (default) or A3: the page the browser's print and \"Save as PDF\" use", 0, 0, 0, NULL,
     papers},
    CLI_STR(report_args, against, "against", "DB2",
            "a comparison report: the layout in DB2 (after) against DB's (before), as "
            "parkmap compare; read only"),
    CLI_STR(report_args, o.compare_key, "key", "FIELD",
            "with --against: match parks by FIELD (default: id when both have it, else name)"),
    CLI_SET(report_args, o.overwrite, "overwrite", "replace an existing OUT"),
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
    "today (UTC), or SOURCE_DATE_EPOCH's when set. With --against DB2 the page also\n"
    "compares the two layouts as parkmap compare does (DB before, DB2 after): totals,\n"
    "parks added, removed and changed with their area change and Hausdorff distance,\n"
    "adjacency gained and lost, clusters merged and split, indicators before and after,\n"
    "and a \"changes\" map layer. See docs/report.md.\n",
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
    report_args a = {PM_REPORT_OPTS_INIT, NULL};
    pm_report_opts *o = &a.o;
    pm_store *b = NULL;
    char date[32];
    const char *extra[] = {"json-c", json_c_version(), NULL};
    cli_run r;
    int status = cli_start(&r, &report, &a, argc, argv);
    if (status != CLI_GO)
        goto done;
    if (o->compare_key && !a.against) {
        pm_err(r.ctx, PM_EUSAGE, "--key needs --against", "report",
               "it names the field that matches parks between the two databases");
        status = cli_fail(r.ctx);
        goto done;
    }
    if (a.against && pm_store_open(&b, r.ctx, a.against, 0)) {
        status = cli_fail(r.ctx);
        goto done;
    }
    o->against = b;
    report_date(date, sizeof date);
    o->generated_at = date;
    o->extra_versions = extra;
    o->style = r.style;
    o->progress = cli_progress_fn;
    o->progress_user = &r.prog;
    if ((status = cli_result(&r, pm_report_write(r.ctx, r.st, o))))
        goto done;
    printf("wrote %s\n", o->out_path);
done:
    pm_store_free(b); /* read only: nothing to lose on close */
    return cli_end(&r, status);
}
