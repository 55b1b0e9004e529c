/* A command's run: after parsing, open what its table says it needs (the
 * context, the style, the store, the progress line), and release it all. */
#include "cli_opts.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int open_store(cli_run *r)
{
    int rw = (r->cmd->needs & CLI_DB_WRITE) != 0;
    if (pm_store_open(&r->st, r->ctx, r->db, rw) != 0)
        return cli_fail(r->ctx);
    /* Analysis still answers on a write-protected database; it just cannot
     * keep its result tables there. */
    if (r->write && !pm_store_writable(r->st)) {
        pm_warn(r->ctx, "%s is read-only: result tables not written", pm_store_path(r->st));
        r->write = 0;
    }
    return CLI_GO;
}

int cli_start(cli_run *r, const cli_cmd *cmd, void *opts, int argc, char **argv)
{
    int status = cli_parse(r, cmd, opts, argc, argv);
    return status == CLI_GO ? cli_open(r) : status;
}

int cli_open(cli_run *r)
{
    const cli_cmd *cmd = r->cmd;
    r->write = (cmd->needs & CLI_DB_WRITE) && !r->no_tables;
    /* Without CLI_PROGRESS the callback is still wired for interrupts, and
     * never draws. */
    cli_progress_init(&r->prog, r->quiet || !(cmd->needs & CLI_PROGRESS), cmd->name);
    if (cmd->needs & CLI_INTERRUPTS)
        cli_catch_interrupts();
    if (pm_ctx_new(&r->ctx))
        return 4;
    /* The style first: a typo in it should fail before anything is read. */
    if (cmd->needs & CLI_STYLE &&
        pm_style_load(&r->style, r->ctx, r->style_path ? r->style_path : cli_default_style()))
        return cli_fail(r->ctx);
    if (cmd->needs & (CLI_DB_READ | CLI_DB_WRITE))
        return open_store(r);
    return CLI_GO;
}

int cli_result(cli_run *r, int rc)
{
    cli_progress_end(&r->prog);
    if (rc)
        return cli_fail(r->ctx);
    cli_warnings(r->ctx);
    return 0;
}

int cli_end(cli_run *r, int status)
{
    cli_progress_end(&r->prog);
    pm_style_free(r->style);
    /* After a command that succeeded, the close is checked too: SQLite may
     * only now find it cannot finish (a statement left open is a bug to
     * report, not to hide). After a failure the first error stands. */
    int ok = status == 0 || status == 1;
    if (pm_store_close(ok ? r->ctx : NULL, r->st) && ok)
        status = cli_fail(r->ctx);
    pm_ctx_free(r->ctx);
    if (r->cmd && r->cmd->needs & CLI_INTERRUPTS)
        return cli_end_interrupted(status);
    return status;
}
