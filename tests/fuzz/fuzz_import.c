/* libFuzzer target: arbitrary bytes as a GeoJSON source -> pm_import into a
 * fresh database. Any outcome but a crash, a sanitizer report or a leak is
 * fine: bad input must end in an error, never in undefined behaviour. */
#define _POSIX_C_SOURCE 200809L
#include "parkmap/pipeline.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char src[128], db[128];
    if (!dir[0]) {
        /* Some GDAL drivers follow references to URLs (/vsicurl/): keep a
         * fuzz run off the network and from waiting on it. */
        setenv("GDAL_HTTP_TIMEOUT", "1", 0);
        setenv("GDAL_HTTP_MAX_RETRY", "0", 0);
        setenv("http_proxy", "http://127.0.0.1:9", 0);
        setenv("https_proxy", "http://127.0.0.1:9", 0);
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/pm_fuzz_XXXXXX", t && strlen(t) < 32 ? t : "/tmp");
        if (!mkdtemp(dir))
            abort();
    }
    snprintf(src, sizeof src, "%s/in.geojson", dir);
    snprintf(db, sizeof db, "%s/out.db", dir);
    FILE *f = fopen(src, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();
    unlink(db);
    pm_ctx *ctx = NULL;
    if (pm_ctx_new(&ctx))
        abort();
    pm_import_opts o = PM_IMPORT_OPTS_INIT;
    o.src_path = src;
    o.db_path = db;
    o.skip_invalid = size > 0 && (data[size - 1] & 1);
    pm_import_report rep;
    int rc = pm_import(&rep, ctx, &o);
    /* A failure must say what went wrong; a success must have stored something. */
    if (rc != 0 && (pm_ctx_code(ctx) == 0 || !*pm_ctx_what(ctx)))
        abort();
    if (rc == 0 && rep.imported <= 0)
        abort();
    pm_ctx_free(ctx);
    unlink(db);
    unlink(src);
    return 0;
}
