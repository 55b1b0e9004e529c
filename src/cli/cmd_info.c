#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char help[] = "usage: parkmap info --db DB [--json]\n"
                           "\n"
                           "List the database's layers with feature count, CRS, extent and the\n"
                           "source each came from (path, SHA-256, import time).\n";

static const char *const meta_keys[] = {"source_path", "source_sha256", "imported_at",
                                        "source_crs", "storage_crs"};

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL;
    int json = 0, c, status = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(help, stdout); return 0;
        default: return cli_usage("info", "unknown or incomplete option", argv[optind - 1]);
        }
    }
    if (!db || optind != argc)
        return cli_usage("info", "--db is required and takes no other arguments", NULL);
    pm_ctx *ctx = NULL;
    pm_store *st = NULL;
    char **layers = NULL;
    size_t n = 0;
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    if (pm_ctx_new(&ctx))
        return 4;
    if (!(st = cli_open_db(ctx, db, &status)))
        goto done;
    if (pm_store_layers(&layers, &n, ctx, st)) {
        status = cli_fail(ctx);
        goto done;
    }
    if (!json)
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
        if (!json)
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
            if (!json && v)
                printf("  %-14s %.200s\n", meta_keys[k], v);
            free(v);
        }
        json_object_array_add(arr, lo);
    }
    if (json) {
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
    pm_store_free(st);
    pm_ctx_free(ctx);
    return status;
}
