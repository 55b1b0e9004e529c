#include "report.h"
#include "cli_opts.h"

#include <math.h>

/* The library's options and the second database, which only this command
 * opens. */
typedef struct {
    pm_compare_opts o;
    const char *against;
} compare_args;

static const cli_opt opts[] = {
    {"against", 0, CLI_STRING, CLI_AT(compare_args, against, const char *), "B",
     "the later layout's database (the changes layer is written there)", CLI_REQUIRED, 0, 0, NULL,
     NULL},
    CLI_LAYER_STR(compare_args, o.layer, "layer", "NAME",
                  "the layer of parks in both databases (default: parks)"),
    CLI_STR(compare_args, o.key, "key", "FIELD",
            "match parks by FIELD (default: id when both layers have it, else name)"),
    CLI_NUM(compare_args, o.target_km2, "target-km2", "KM2",
            "the planned total; given, exit 1 when B's union misses it (default 43, no exit 1)"),
    CLI_NUM(compare_args, o.tolerance_pct, "tolerance-pct", "PCT",
            "how far a total may be off the target (default 1)"),
    CLI_NUM(compare_args, o.cluster_m, "cluster-m", "M",
            "parks at most M metres apart are one cluster (default 500)"),
    CLI_STR(compare_args, o.by, "by", "FIELD",
            "layout indicators per value of FIELD (default: industry)"),
    CLI_NUM(compare_args, o.tolerance_m, "tolerance-m", "M",
            "parks within M metres count as adjacent (default 0: touching)"),
    CLI_NUM(compare_args, o.hausdorff_m, "hausdorff-m", "M",
            "a boundary that moved more than M metres has changed (default 0.05)"),
    CLI_NUM(compare_args, o.area_m2, "area-m2", "M2",
            "an area that differs by more than M2 has changed (default 1)"),
    CLI_END};

static const cli_cmd compare = {
    "compare",
    "Compare two layouts of the same parks: --db A (before) with --against B (after).\n"
    "Parks are matched by --key (default: id when both layers have it, else name); a key\n"
    "found twice in one layer is an error (exit 3). For each park: added, removed,\n"
    "changed (boundary moved more than --hausdorff-m, area differs more than --area-m2,\n"
    "or name, industry or planned_area_km2 differ) or unchanged, with its ellipsoidal\n"
    "area before and after, the change in km2 and %, and the Hausdorff distance\n"
    "between its two boundaries in ground metres. Then adjacency gained and lost,\n"
    "clusters merged (one cluster of B holds parks of several clusters of A) and\n"
    "split (the reverse), every layout indicator before and after, and the union\n"
    "against --target-km2 before and after. The comparison replaces the changes\n"
    "layer of B (one feature per park with key, name, status, what, area_change_km2,\n"
    "hausdorff_m, plus each changed park's old boundary as status before) unless\n"
    "--no-tables: draw it with render --db B --style styles/compare.json.\n"
    "Exit status 0, or 1 when --target-km2 is given and B's union is off it by more\n"
    "than --tolerance-pct. --csv prints one row per park: key,name,status,what,\n"
    "area_before_km2,area_after_km2,change_km2,change_pct,hausdorff_m. --json prints\n"
    "one object: layer, key, counts, before and after (totals and layout), pass,\n"
    "parks, adjacency, clusters. See docs/compare.md.\n",
    CLI_DB_READ | CLI_TABLES | CLI_JSON | CLI_CSV | CLI_PROGRESS, opts};

int cmd_compare(int argc, char **argv)
{
    compare_args a = {PM_COMPARE_OPTS_INIT, NULL};
    pm_compare *c = NULL;
    pm_store *b = NULL;
    cli_run r;
    /* Unset until given: only a target the user named decides the exit status. */
    a.o.target_km2 = NAN;
    int status = cli_start(&r, &compare, &a, argc, argv);
    if (status != CLI_GO)
        goto done;
    int given = !isnan(a.o.target_km2);
    if (!given)
        a.o.target_km2 = 43.0;
    /* B is opened for writing only to keep the changes layer. */
    int write = !r.no_tables;
    if (pm_store_open(&b, r.ctx, a.against, write)) {
        status = cli_fail(r.ctx);
        goto done;
    }
    if (write && !pm_store_writable(b)) {
        pm_warn(r.ctx, "%s is read-only: the changes layer is not written", pm_store_path(b));
        write = 0;
    }
    a.o.write_table = write;
    a.o.progress = cli_progress_fn;
    a.o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_analysis_compare(&c, r.ctx, r.st, b, &a.o))))
        goto done;
    if (r.json)
        report_compare_json(c, pm_store_path(r.st), pm_store_path(b));
    else if (r.csv)
        report_compare_csv(c);
    else
        report_compare_table(c);
    status = given && !c->total_after.pass ? 1 : 0;
    /* Writing into B is only finished once SQLite closes it cleanly. */
    int rc = pm_store_close(r.ctx, b);
    b = NULL;
    if (rc)
        status = cli_fail(r.ctx);
done:
    pm_store_free(b);
    pm_compare_free(c);
    return cli_end(&r, status);
}
