#include "cli_opts.h"

#include <stdlib.h>

/* The library's options and what only the command line has. */
typedef struct {
    pm_render_opts o;
    const char *format; /* -f: the extension to write */
} render_args;

static const cli_choice formats[] = {
    {"png", ".png"}, {"svg", ".svg"}, {"pdf", ".pdf"}, {NULL, NULL}};

static const cli_opt opts[] = {
    {"output", 'o', CLI_STRING, CLI_AT(render_args, o.out_path, const char *), "OUT",
     "the map: .png, .svg or .pdf", CLI_REQUIRED, 0, 0, NULL, NULL},
    {"format", 'f', CLI_CHOICE, CLI_AT(render_args, format, const char *), "FORMAT",
     "png, svg or pdf, for an OUT whose extension says none (the extension is added)", 0, 0, 0,
     NULL, formats},
    {"width", 0, CLI_INT, CLI_AT(render_args, o.width_px, int), "PX",
     "page width in pixels (default: the style's page block)", 0, 16, 20000, "pixels", NULL},
    {"height", 0, CLI_INT, CLI_AT(render_args, o.height_px, int), "PX",
     "page height in pixels (default: the style's page block)", 0, 16, 20000, "pixels", NULL},
    {"dpi", 0, CLI_DOUBLE, CLI_AT(render_args, o.dpi, double), "N",
     "resolution (default: the style's page block)", 0, 10, 2400, NULL, NULL},
    CLI_SET(render_args, o.overwrite, "overwrite", "replace an existing OUT"),
    CLI_END};

static const cli_cmd render = {
    "render",
    "Draw a map of the database's layers as the style says (default: styles/default.json:\n"
    "parks coloured by industry over the district outline, Chinese labels, legend, scale\n"
    "bar, north arrow). Size and DPI default to the style's page block. An existing OUT\n"
    "is replaced only with --overwrite; the file is written beside and moved into place.\n",
    CLI_STYLE | CLI_DB_READ | CLI_INTERRUPTS, opts};

int cmd_render(int argc, char **argv)
{
    render_args a = {PM_RENDER_OPTS_INIT, NULL};
    a.o.overwrite = 0; /* the library's default; the command line asks */
    char *path = NULL;
    cli_run r;
    int status = cli_parse(&r, &render, &a, argc, argv);
    if (status == CLI_GO)
        status = cli_output_path(&a.o.out_path, &path, "render", a.format, formats);
    if (status == CLI_GO)
        status = cli_open(&r);
    if (status != CLI_GO)
        goto done;
    a.o.progress = cli_progress_fn; /* no bar: only for interrupts */
    a.o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_render_map(r.ctx, r.st, r.style, &a.o))))
        goto done;
    printf("wrote %s\n", a.o.out_path);
done:
    free(path);
    return cli_end(&r, status);
}
