#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: parkmap render --db DB -o OUT.png|.svg|.pdf [--style FILE] [--width PX]\n"
    "                      [--height PX] [--dpi N] [--overwrite]\n"
    "\n"
    "Draw a map of the database's layers as the style says (default: styles/default.json:\n"
    "parks coloured by industry over the district outline, Chinese labels, legend, scale\n"
    "bar, north arrow). Size and DPI default to the style's page block. An existing OUT\n"
    "is replaced only with --overwrite; the file is written beside and moved into place.\n";

const char *cli_default_style(void);

/* The shipped default style: $PARKMAP_STYLE_DIR, ./styles, or the source
 * tree this binary was built from. */
const char *cli_default_style(void)
{
    static char path[4096];
    const char *dirs[] = {getenv("PARKMAP_STYLE_DIR"), "styles", PM_STYLE_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        if (!dirs[i])
            continue;
        snprintf(path, sizeof path, "%s/default.json", dirs[i]);
        if (access(path, R_OK) == 0)
            return path;
    }
    return PM_STYLE_DIR "/default.json";
}

int cmd_render(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},     {"style", required_argument, 0, 's'},
        {"output", required_argument, 0, 'o'}, {"width", required_argument, 0, 'W'},
        {"height", required_argument, 0, 'H'}, {"dpi", required_argument, 0, 'r'},
        {"overwrite", no_argument, 0, 'f'},    {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = NULL, *style_path = NULL;
    pm_render_opts o = PM_RENDER_OPTS_INIT;
    double w = 0, h = 0;
    int c, status = 0;
    o.overwrite = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 's': style_path = optarg; break;
        case 'o': o.out_path = optarg; break;
        case 'W':
            if (cli_parse_number(optarg, &w) || w < 16 || w > 20000)
                return cli_usage("render", "--width must be 16..20000 pixels", optarg);
            o.width_px = (int)w;
            break;
        case 'H':
            if (cli_parse_number(optarg, &h) || h < 16 || h > 20000)
                return cli_usage("render", "--height must be 16..20000 pixels", optarg);
            o.height_px = (int)h;
            break;
        case 'r':
            if (cli_parse_number(optarg, &o.dpi) || o.dpi < 10 || o.dpi > 2400)
                return cli_usage("render", "--dpi must be 10..2400", optarg);
            break;
        case 'f': o.overwrite = 1; break;
        case 'h': fputs(help, stdout); return 0;
        default: return cli_usage("render", "unknown or incomplete option", argv[optind - 1]);
        }
    }
    if (!db || !o.out_path || optind != argc)
        return cli_usage("render", "--db and -o are required", NULL);
    pm_ctx *ctx = NULL;
    pm_store *st = NULL;
    pm_style *style = NULL;
    if (pm_ctx_new(&ctx))
        return 4;
    if (pm_style_load(&style, ctx, style_path ? style_path : cli_default_style())) {
        status = cli_fail(ctx);
        goto done;
    }
    if (!(st = cli_open_db(ctx, db, &status)))
        goto done;
    if (pm_render_map(ctx, st, style, &o)) {
        status = cli_fail(ctx);
        goto done;
    }
    cli_warnings(ctx);
    printf("wrote %s\n", o.out_path);
done:
    pm_style_free(style);
    pm_store_free(st);
    pm_ctx_free(ctx);
    return status;
}
