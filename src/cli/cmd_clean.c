#include "report.h"
#include "cli_opts.h"

static json_object *move_elem(const void *ctx, size_t i)
{
    const pm_topo_move *m = &((const pm_topo_move *)ctx)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "fid", json_object_new_int64(m->fid));
    json_object_object_add(o, "x", cli_json_num(m->x));
    json_object_object_add(o, "y", cli_json_num(m->y));
    json_object_object_add(o, "to_x", cli_json_num(m->to_x));
    json_object_object_add(o, "to_y", cli_json_num(m->to_y));
    json_object_object_add(o, "moved_m", cli_json_num(m->moved_m));
    return o;
}

static json_object *reassign_elem(const void *ctx, size_t i)
{
    const pm_topo_reassign *r = &((const pm_topo_reassign *)ctx)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "kind", json_object_new_string(r->kind));
    json_object_object_add(o, "from_fid",
                           r->from_fid < 0 ? NULL : json_object_new_int64(r->from_fid));
    json_object_object_add(o, "to_fid", json_object_new_int64(r->to_fid));
    json_object_object_add(o, "area_m2", cli_json_num(r->area_m2));
    return o;
}

static json_object *change_elem(const void *ctx, size_t i)
{
    const struct pm_clean_change *c = &((const struct pm_clean_change *)ctx)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "fid", json_object_new_int64(c->fid));
    json_object_object_add(o, "before_m2", cli_json_num(c->before_m2));
    json_object_object_add(o, "after_m2", cli_json_num(c->after_m2));
    return o;
}

/* The text report lists this many moves; --json lists them all. */
#define SHOW_MOVES 20

static void print_report(const pm_clean_report *r)
{
    double total = 0;
    for (size_t i = 0; i < r->nreassigned; i++)
        total += r->reassigned[i].area_m2;
    printf("clean: %s -> %s, %zu features, tolerance %.3f m\n", r->layer, r->to, r->nfeatures,
           r->snap_m);
    printf("vertices moved:  %zu (largest %.3f m)\n", r->nmoves, r->max_moved_m);
    printf("vertices added:  %zu (where another park's vertex lay on an edge)\n",
           r->vertices_added);
    printf("area reassigned: %zu piece(s), %.1f m2\n", r->nreassigned, total);
    for (size_t i = 0; i < r->nreassigned; i++) {
        const pm_topo_reassign *a = &r->reassigned[i];
        if (a->from_fid < 0)
            printf("  %-8s %10.2f m2 of unclaimed ground to fid %lld\n", a->kind, a->area_m2,
                   (long long)a->to_fid);
        else
            printf("  %-8s %10.2f m2 from fid %lld to fid %lld\n", a->kind, a->area_m2,
                   (long long)a->from_fid, (long long)a->to_fid);
    }
    for (size_t i = 0; i < r->ncollapsed; i++)
        printf("  kept     fid %lld as it was: the whole park is smaller than the tolerance\n",
               (long long)r->collapsed[i]);
    printf("areas changed:   %zu park(s)\n", r->nchanged);
    for (size_t i = 0; i < r->nchanged && i < SHOW_MOVES; i++)
        printf("  area     fid %lld: %.2f -> %.2f m2 (%+.2f)\n", (long long)r->changed[i].fid,
               r->changed[i].before_m2, r->changed[i].after_m2,
               r->changed[i].after_m2 - r->changed[i].before_m2);
    if (r->nchanged > SHOW_MOVES)
        printf("  ... and %zu more area changes (--json lists every one)\n",
               r->nchanged - SHOW_MOVES);
    for (size_t i = 0; i < r->nmoves && i < SHOW_MOVES; i++) {
        const pm_topo_move *m = &r->moves[i];
        printf("  moved    fid %lld: %.3f %.3f -> %.3f %.3f (%.3f m)\n", (long long)m->fid, m->x,
               m->y, m->to_x, m->to_y, m->moved_m);
    }
    if (r->nmoves > SHOW_MOVES)
        printf("  ... and %zu more moves (--json lists every one)\n", r->nmoves - SHOW_MOVES);
}

static const cli_opt opts[] = {
    CLI_LAYER(pm_clean_opts, "the layer to repair (default: parks)"),
    CLI_LAYER_STR(pm_clean_opts, to, "to", "LAYER", "the repaired layer (default: <layer>_clean)"),
    CLI_NUM(pm_clean_opts, snap_m, "snap-m", "M", "the repair tolerance in metres (default 0.5)"),
    CLI_SET(pm_clean_opts, overwrite, "overwrite", "replace an existing layer named by --to"),
    CLI_END};

static const cli_cmd clean = {
    "clean",
    "Repair a layer's topology into a new layer (default <layer>_clean), all or nothing,\n"
    "keeping every attribute: vertices closer than --snap-m metres become one, an edge\n"
    "passing within --snap-m of another park's vertex gets that vertex (near-miss\n"
    "boundaries then coincide), overlaps thinner than --snap-m are left to the larger\n"
    "park and slivers of unclaimed ground narrower than --snap-m go to the neighbour\n"
    "that borders them longest. Thicker overlaps and wider gaps are planning questions\n"
    "and stay for check to report. Prints every vertex moved and every area reassigned\n"
    "(--json: {layer, to, snap_m, features, vertices_moved, max_moved_m, vertices_added,\n"
    "moves [{fid, x, y, to_x, to_y, moved_m}], reassigned [{kind, from_fid, to_fid,\n"
    "area_m2}], area_changes [{fid, before_m2, after_m2}], kept_collapsed [fid]}): a park\n"
    "smaller than the tolerance as a whole is kept as it was. Coordinates and the\n"
    "area changes (0.01 m2 or more) are in the layer's storage CRS, reassigned areas\n"
    "on the ellipsoid. Then run check with --layer on the repaired layer.\n",
    CLI_DB_WRITE | CLI_JSON | CLI_PROGRESS, opts};

int cmd_clean(int argc, char **argv)
{
    pm_clean_opts o = PM_CLEAN_OPTS_INIT;
    pm_clean_report *rep = NULL;
    cli_run r;
    int status = cli_start(&r, &clean, &o, argc, argv);
    if (status != CLI_GO)
        goto done;
    if (!r.write) {
        cli_warnings(r.ctx);
        fprintf(stderr, "parkmap: cannot write the repaired layer: %s (read-only)\n",
                pm_store_path(r.st));
        status = 4;
        goto done;
    }
    o.progress = cli_progress_fn;
    o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_analysis_clean(&rep, r.ctx, r.st, &o))))
        goto done;
    if (r.json) {
        js_open(NULL);
        js_field("layer", json_object_new_string(rep->layer));
        js_field("to", json_object_new_string(rep->to));
        js_field("snap_m", cli_json_num(rep->snap_m));
        js_field("features", json_object_new_int64((int64_t)rep->nfeatures));
        js_field("vertices_moved", json_object_new_int64((int64_t)rep->nmoves));
        js_field("max_moved_m", cli_json_num(rep->max_moved_m));
        js_field("vertices_added", json_object_new_int64((int64_t)rep->vertices_added));
        js_array("moves", rep->nmoves, move_elem, rep->moves);
        js_array("reassigned", rep->nreassigned, reassign_elem, rep->reassigned);
        js_array("area_changes", rep->nchanged, change_elem, rep->changed);
        json_object *kept = json_object_new_array();
        for (size_t i = 0; i < rep->ncollapsed; i++)
            json_object_array_add(kept, json_object_new_int64(rep->collapsed[i]));
        js_field("kept_collapsed", kept);
        js_close();
    } else {
        print_report(rep);
    }
done:
    pm_clean_report_free(rep);
    return cli_end(&r, status);
}
