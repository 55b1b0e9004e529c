#include "cli_opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const cli_cmd info = {"info",
                             "List the database's layers with feature count, CRS, extent and the\n"
                             "source each came from (path, SHA-256, import time).\n",
                             CLI_DB_READ | CLI_JSON, NULL};

static const char *const meta_keys[] = {"source_path", "source_sha256", "imported_at", "source_crs",
                                        "storage_crs"};

int cmd_info(int argc, char **argv)
{
    char **layers = NULL;
    size_t n = 0;
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    cli_run r;
    int status = cli_start(&r, &info, NULL, argc, argv);
    if (status != CLI_GO)
        goto done;
    status = 0;
    const char *db = pm_store_path(r.st); /* a server: never its password */
    pm_ctx *ctx = r.ctx;
    pm_store *st = r.st;
    if (pm_store_layers(&layers, &n, ctx, st)) {
        status = cli_fail(ctx);
        goto done;
    }
    if (!r.json)
        printf("database %s: %zu layer%s\n", db, n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        long count = 0;
        double bb[4];
        int srid = 0;
        if (pm_store_layer_stats(&count, bb, ctx, st, layers[i]) ||
            pm_store_layer_srid(&srid, ctx, st, layers[i])) {
            status = cli_fail(ctx);
            goto done;
        }
        json_object *lo = json_object_new_object();
        json_object_object_add(lo, "name", json_object_new_string(layers[i]));
        json_object_object_add(lo, "features", json_object_new_int64(count));
        json_object_object_add(lo, "srid", json_object_new_int(srid));
        json_object *ext = json_object_new_array();
        for (int k = 0; k < 4; k++)
            json_object_array_add(ext, cli_json_num(bb[k]));
        json_object_object_add(lo, "extent", ext);
        if (!r.json)
            printf("\n%s: %ld features, EPSG:%d, extent %.1f %.1f %.1f %.1f\n", layers[i], count,
                   srid, bb[0], bb[1], bb[2], bb[3]);
        for (size_t k = 0; k < sizeof meta_keys / sizeof *meta_keys; k++) {
            char *v = NULL;
            if (pm_store_meta_get(&v, ctx, st, layers[i], meta_keys[k])) {
                status = cli_fail(ctx);
                json_object_put(lo);
                goto done;
            }
            json_object_object_add(lo, meta_keys[k], v ? json_object_new_string(v) : NULL);
            if (!r.json && v)
                printf("  %-14s %.200s\n", meta_keys[k], v);
            free(v);
        }
        json_object_array_add(arr, lo);
    }
    if (r.json) {
        json_object_object_add(root, "database", json_object_new_string(db));
        json_object_object_add(root, "layers", arr);
        arr = NULL;
        cli_print_json(root);
        root = NULL;
    }
done:
    json_object_put(arr);
    json_object_put(root);
    pm_strv_free(layers, n);
    return cli_end(&r, status);
}
