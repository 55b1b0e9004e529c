#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <string.h>

static const char help[] =
    "usage: parkmap import SRC --db DB [options]\n"
    "\n"
    "Load a vector source (anything GDAL reads) into a layer of a SpatiaLite database,\n"
    "reprojected with PROJ to a CRS fit for measuring. All or nothing: on any error the\n"
    "database is left exactly as it was.\n"
    "\n"
    "  --db DB            database to create or add to (required)\n"
    "  --layer NAME       table to write (default: parks; not adjacency, qa_issues or\n"
    "                     clusters, which analysis writes)\n"
    "  --src-layer NAME   layer of SRC to read (default: the first)\n"
    "  --s-srs CRS        the source's CRS, overriding what it declares (EPSG:n, WKT, PROJ)\n"
    "  --t-srs auto|CRS   storage CRS, 2D geographic or projected (default auto: the\n"
    "                     local CGCS2000 3-degree Gauss-Kruger zone in China, else\n"
    "                     the UTM zone)\n"
    "  --overwrite        replace the layer if it exists\n"
    "  --skip-invalid     skip features without a usable polygon instead of failing\n"
    "  --allow-invalid    store self-intersecting polygons as they are (for QA)\n"
    "  --quiet            no progress bar\n";

int cmd_import(int argc, char **argv)
{
    enum { O_DB = 256, O_LAYER, O_SRCLAYER, O_SSRS, O_TSRS, O_OVER, O_SKIP, O_ALLOW, O_QUIET };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},        {"layer", required_argument, 0, O_LAYER},
        {"src-layer", required_argument, 0, O_SRCLAYER},
        {"s-srs", required_argument, 0, O_SSRS},   {"t-srs", required_argument, 0, O_TSRS},
        {"overwrite", no_argument, 0, O_OVER},     {"skip-invalid", no_argument, 0, O_SKIP},
        {"allow-invalid", no_argument, 0, O_ALLOW}, {"quiet", no_argument, 0, O_QUIET},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0}};
    pm_import_opts o = PM_IMPORT_OPTS_INIT;
    int quiet = 0, c, status = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: o.db_path = optarg; break;
        case O_LAYER: o.layer = optarg; break;
        case O_SRCLAYER: o.src_layer = optarg; break;
        case O_SSRS: o.s_srs = optarg; break;
        case O_TSRS: o.t_srs = optarg; break;
        case O_OVER: o.overwrite = 1; break;
        case O_SKIP: o.skip_invalid = 1; break;
        case O_ALLOW: o.allow_invalid = 1; break;
        case O_QUIET: quiet = 1; break;
        case 'h': fputs(help, stdout); return 0;
        default: return cli_usage("import", "unknown or incomplete option", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage("import", "exactly one source file is needed", NULL);
    if (!o.db_path)
        return cli_usage("import", "--db is required", NULL);
    o.src_path = argv[optind];
    cli_progress prog;
    cli_progress_init(&prog, quiet, "import");
    o.progress = cli_progress_fn;
    o.progress_user = &prog;
    /* Past RLIMIT_FSIZE (a quota, a full small filesystem) write() should
     * fail with EFBIG so the import reports it and removes its temporary
     * copy, rather than the process dying of SIGXFSZ. */
    signal(SIGXFSZ, SIG_IGN);
    cli_catch_interrupts();
    pm_ctx *ctx = NULL;
    if (pm_ctx_new(&ctx))
        return 4;
    pm_import_report rep;
    if (pm_import(&rep, ctx, &o) != 0) {
        cli_progress_end(&prog);
        status = cli_fail(ctx);
    } else {
        cli_progress_end(&prog);
        cli_warnings(ctx);
        printf("imported %ld features from %s into %s layer %s (%s -> %s)", rep.imported,
               o.src_path, o.db_path, o.layer, rep.source_crs_name, rep.storage_crs);
        if (rep.skipped)
            printf(", skipped %ld", rep.skipped);
        putchar('\n');
    }
    pm_ctx_free(ctx);
    return cli_end_interrupted(status);
}
