/* The PostGIS store backend against a real server (issue 14).
 *
 * Run through tests/pg/run_pg_test.sh, which starts a throwaway cluster
 * with scripts/pg_cluster.sh and exports its coordinates (PM_PG_URL,
 * PM_PG_SOCKET, PM_PG_PORT, PM_PG_PW_USER, PM_PG_PASSWORD); without them
 * the program skips (77). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "parkmap/crs.h"
#include "parkmap/parkmap.h"
#include "store/pg/store_pg.h"

#define PM_PI 3.14159265358979323846

static const char *env_or_die(const char *k)
{
    const char *v = getenv(k);
    assert_non_null(v);
    return v;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    assert_true(n >= 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

/* The error as the CLI prints it. Caller frees. */
static char *err_line(pm_ctx *ctx)
{
    return fmt("parkmap: %s: %s (%s)", pm_ctx_what(ctx), pm_ctx_where(ctx), pm_ctx_why(ctx));
}

static pm_pg *connect_ok(const char *db)
{
    pm_ctx *ctx = NULL;
    pm_pg *pg = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    int rc = pm_pg_connect(&pg, ctx, db);
    if (rc) {
        char *l = err_line(ctx);
        print_error("%s\n", l);
        free(l);
    }
    assert_int_equal(rc, 0);
    assert_non_null(pg);
    pm_ctx_free(ctx);
    return pg;
}

/* Connect expecting failure; returns the error line (caller frees). */
static char *connect_fails(const char *db, int want, const char *want_what)
{
    pm_ctx *ctx = NULL;
    pm_pg *pg = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_pg_connect(&pg, ctx, db), want);
    assert_null(pg);
    char *l = err_line(ctx);
    print_message("    %s\n", l);
    if (want_what)
        assert_string_equal(pm_ctx_what(ctx), want_what);
    assert_null(strchr(l, '\n'));
    pm_ctx_free(ctx);
    return l;
}

static void test_connect_forms(void **state)
{
    (void)state;
    const char *sock = env_or_die("PM_PG_SOCKET"), *port = env_or_die("PM_PG_PORT");
    const char *pwuser = env_or_die("PM_PG_PW_USER"), *pw = env_or_die("PM_PG_PASSWORD");
    char *user = strdup(env_or_die("PGUSER"));
    char *forms[] = {
        strdup(env_or_die("PM_PG_URL")),
        fmt("postgres://%s@/parkmap?host=%s&port=%s", user, sock, port),
        fmt("host=%s port=%s user=%s dbname=parkmap", sock, port, user),
        fmt("PG:host=%s port=%s user=%s dbname=parkmap", sock, port, user),
        fmt("PG:\"dbname='parkmap' host='%s' port=%s user=%s\"", sock, port, user),
        fmt("postgresql://%s:%s@127.0.0.1:%s/parkmap", pwuser, pw, port),
        fmt("host=127.0.0.1 port=%s user=%s password=%s dbname=parkmap", port, pwuser, pw),
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        assert_true(pm_pg_is_target(forms[i]));
        pm_pg *pg = connect_ok(forms[i]);
        const char *r = pm_pg_redacted(pg);
        print_message("    %s -> %s (PostGIS %s)\n", i >= 5 ? "(with password)" : forms[i], r,
                      pm_pg_postgis_version(pg));
        assert_null(strstr(r, pw));
        assert_non_null(strstr(r, "/parkmap"));
        assert_true(strncmp(pm_pg_postgis_version(pg), "3.", 2) == 0);
        /* application_name and the timeout policy are in force. */
        PGresult *res = PQexec(pm_pg_conn(pg), "SELECT current_setting('application_name'), "
                                               "current_setting('lock_timeout'), "
                                               "current_setting('statement_timeout')");
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        assert_string_equal(PQgetvalue(res, 0, 0), "parkmap");
        assert_string_equal(PQgetvalue(res, 0, 1), "1min");
        assert_string_equal(PQgetvalue(res, 0, 2), "1h");
        PQclear(res);
        pm_pg_free(pg);
        free(forms[i]);
    }
    /* The connection's own options win over the policy. */
    char *opt = fmt("%s&options=-c%%20lock_timeout%%3D250ms", env_or_die("PM_PG_URL"));
    pm_pg *pg = connect_ok(opt);
    PGresult *res = PQexec(pm_pg_conn(pg), "SELECT current_setting('lock_timeout')");
    assert_string_equal(PQgetvalue(res, 0, 0), "250ms");
    PQclear(res);
    pm_pg_free(pg);
    free(opt);
    assert_false(pm_pg_is_target("out/parks.sqlite"));
    assert_false(pm_pg_is_target("parks.db"));
    pm_pg_free(NULL);
    free(user);
}

static void test_wrong_password(void **state)
{
    (void)state;
    const char *port = env_or_die("PM_PG_PORT"), *sock = env_or_die("PM_PG_SOCKET");
    const char *pwuser = env_or_die("PM_PG_PW_USER"), *pw = env_or_die("PM_PG_PASSWORD");
    const char *bad = "Wr0ng-s3cret-pw";
    /* In the URI, over TCP and over the socket. */
    char *db = fmt("postgresql://%s:%s@127.0.0.1:%s/parkmap", pwuser, bad, port);
    char *l = connect_fails(db, PM_EIO, "wrong password");
    assert_null(strstr(l, bad));
    assert_non_null(strstr(l, "127.0.0.1"));
    free(l);
    free(db);
    db = fmt("host=%s port=%s user=%s password=%s dbname=parkmap", sock, port, pwuser, bad);
    l = connect_fails(db, PM_EIO, "wrong password");
    assert_null(strstr(l, bad));
    free(l);
    free(db);
    /* From PGPASSWORD. */
    setenv("PGPASSWORD", bad, 1);
    db = fmt("postgresql://%s@127.0.0.1:%s/parkmap", pwuser, port);
    l = connect_fails(db, PM_EIO, "wrong password");
    assert_null(strstr(l, bad));
    free(l);
    /* The right one from PGPASSWORD: connected, and not in the name. */
    setenv("PGPASSWORD", pw, 1);
    pm_pg *pg = connect_ok(db);
    assert_null(strstr(pm_pg_redacted(pg), pw));
    pm_pg_free(pg);
    unsetenv("PGPASSWORD");
    /* No password at all. */
    l = connect_fails(db, PM_EIO, "password needed");
    free(l);
    free(db);
}

/* A loopback port nothing listens on: bound, then closed. */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &n), 0);
    close(s);
    return ntohs(a.sin_port);
}

static void test_unreachable(void **state)
{
    (void)state;
    char *db = fmt("postgresql://nobody:Secr3tpw@127.0.0.1:%d/parkmap", free_port());
    char *l = connect_fails(db, PM_EIO, "server unreachable");
    assert_null(strstr(l, "Secr3tpw"));
    free(l);
    free(db);
    db = fmt("host=/nonexistent/socket/dir port=5432 dbname=parkmap");
    l = connect_fails(db, PM_EIO, "server unreachable");
    free(l);
    free(db);
    l = connect_fails("postgresql://u@h/db?nosuchoption=1", PM_EUSAGE,
                      "bad PostgreSQL connection string");
    free(l);
}

static void test_no_postgis(void **state)
{
    (void)state;
    const char *port = env_or_die("PM_PG_PORT"), *sock = env_or_die("PM_PG_SOCKET");
    char *db = fmt("host=%s port=%s dbname=nopostgis", sock, port);
    char *l = connect_fails(db, PM_EIO, "PostGIS extension missing");
    assert_non_null(strstr(l, "postgis"));
    assert_non_null(strstr(l, "nopostgis"));
    free(l);
    free(db);
    db = fmt("host=%s port=%s dbname=nosuchdb", sock, port);
    l = connect_fails(db, PM_EIO, "no such database");
    free(l);
    free(db);
}

/* ---- data ---------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double jitter(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0; /* [0,1), all 53 bits */
}

static void ring_square(pm_ring *r, double x, double y, double w, int cw)
{
    r->n = 5;
    r->xy = malloc(10 * sizeof(double));
    double pts[5][2] = {{x, y}, {x + w, y}, {x + w, y + w}, {x, y + w}, {x, y}};
    for (int i = 0; i < 5; i++) {
        int k = cw ? 4 - i : i;
        r->xy[2 * i] = pts[k][0];
        r->xy[2 * i + 1] = pts[k][1];
    }
}

/* Feature i: a square with full-precision coordinates near Pudong; every
 * 7th with a hole, every 11th a two-part multipolygon. */
static pm_geom *make_geom(int i)
{
    pm_geom *g = calloc(1, sizeof *g);
    g->kind = PM_GEOM_POLYGON;
    int multi = i % 11 == 3, hole = i % 7 == 2;
    g->nparts = multi ? 2 : 1;
    g->parts = calloc(g->nparts, sizeof(pm_part));
    double x = 121.5 + (i % 20) * 0.01 + jitter() * 1e-3,
           y = 31.1 + (i / 20) * 0.01 + jitter() * 1e-3;
    double w = 0.004 + jitter() * 1e-3;
    for (size_t p = 0; p < g->nparts; p++) {
        pm_part *pt = &g->parts[p];
        pt->nrings = (hole && p == 0) ? 2 : 1;
        pt->rings = calloc(pt->nrings, sizeof(pm_ring));
        ring_square(&pt->rings[0], x + p * 0.005, y, p ? w / 3 : w, 0);
        if (pt->nrings == 2)
            ring_square(&pt->rings[1], x + w / 4, y + w / 4, w / 3, 1);
    }
    return g;
}

#define NFEAT 300

static void make_schema(pm_schema *s, pm_ctx *ctx)
{
    memset(s, 0, sizeof *s);
    assert_int_equal(pm_schema_add(s, ctx, "name", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(s, ctx, "enterprises", PM_FIELD_INTEGER), 0);
    assert_int_equal(pm_schema_add(s, ctx, "planned_area_km2", PM_FIELD_REAL), 0);
    assert_int_equal(pm_schema_add(s, ctx, "o'dd \"col\" 名称", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(s, ctx, "GEOM", PM_FIELD_INTEGER), 0); /* renamed GEOM_2 */
}

static void make_feature(pm_feature *f, int i)
{
    memset(f, 0, sizeof *f);
    f->fid = 1000 + i;
    f->nvalues = 5;
    f->values = calloc(5, sizeof(pm_value));
    pm_value *v = f->values;
    v[0].type = PM_FIELD_TEXT;
    v[0].s = fmt("园区 %d O'Brien \"q\" \\ %s", i, i % 2 ? "张江" : "金桥");
    v[1].type = PM_FIELD_INTEGER;
    v[1].i = i == 0 ? INT64_MIN : i == 1 ? INT64_MAX : (int64_t)i * 37 - 500;
    v[2].type = PM_FIELD_REAL;
    v[2].d = i == 0 ? -0.0 : i == 1 ? 1e-300 : i == 2 ? 1.0 / 3 : jitter() * 1e6;
    v[3].type = PM_FIELD_TEXT;
    v[3].is_null = i % 5 == 0;
    if (!v[3].is_null)
        v[3].s = fmt("line1\nline2\ttab\r\\N %d 浦东\\", i);
    v[4].type = PM_FIELD_INTEGER;
    v[4].is_null = i % 3 == 0;
    v[4].i = i;
    f->geom = make_geom(i);
}

static void geom_equal(const pm_geom *a, const pm_geom *b)
{
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->nparts, b->nparts);
    for (size_t p = 0; p < a->nparts; p++) {
        assert_int_equal(a->parts[p].nrings, b->parts[p].nrings);
        for (size_t r = 0; r < a->parts[p].nrings; r++) {
            const pm_ring *x = &a->parts[p].rings[r], *y = &b->parts[p].rings[r];
            assert_int_equal(x->n, y->n);
            assert_memory_equal(x->xy, y->xy, 2 * x->n * sizeof(double)); /* bit-identical */
        }
    }
}

static pm_pg *owner_conn(void)
{
    return connect_ok(env_or_die("PM_PG_URL"));
}

static long count_sql(pm_pg *pg, const char *sql, const char *param)
{
    const char *p[] = {param};
    PGresult *r = PQexecParams(pm_pg_conn(pg), sql, param ? 1 : 0, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        print_error("%s: %s\n", sql, PQresultErrorMessage(r));
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    long n = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

/* Import n features (0..n-1) into layer; the feature at `fail_at` (or none
 * when <0) has a name that is not UTF-8, which the server refuses (at the
 * end of the COPY), or with fail_ring an unclosed ring, which the import
 * refuses on the spot. */
static int fail_ring;
static int import_n(pm_pg *pg, pm_ctx *ctx, const char *layer, int n, int fail_at, int srid,
                    int overwrite)
{
    pm_schema s;
    make_schema(&s, ctx);
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    o.layer = layer;
    o.srid = srid;
    o.source_path = "fixtures/parks.geojson";
    o.source_sha256 = "00ff";
    o.source_crs = "EPSG:4326";
    o.storage_crs = "EPSG:4326";
    o.overwrite = overwrite;
    pm_pg_import *imp = NULL;
    int rc = pm_pg_import_begin(&imp, ctx, pg, &o, &s);
    for (int i = 0; !rc && i < n; i++) {
        pm_feature f;
        make_feature(&f, i);
        if (i == fail_at && fail_ring) {
            f.geom->parts[0].rings[0].xy[9] += 1e-3; /* last point != first */
        } else if (i == fail_at) {
            free(f.values[0].s);
            f.values[0].s = strdup("\xff\xfe not UTF-8");
        }
        rc = pm_pg_import_add(imp, ctx, &f);
        pm_feature_clear(&f);
    }
    long count = -1;
    if (!rc)
        rc = pm_pg_import_commit(imp, ctx, 1, &count);
    if (!rc)
        assert_int_equal(count, n);
    pm_pg_import_free(imp);
    pm_schema_clear(&s);
    return rc;
}

static const char *LAYER = "浦东 parks";

static void test_roundtrip(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    pm_pg *pg = owner_conn();
    rng = 0x9E3779B97F4A7C15ull;
    int rc = import_n(pg, ctx, LAYER, NFEAT, -1, 4326, 1);
    if (rc)
        print_error("%s\n", err_line(ctx));
    assert_int_equal(rc, 0);
    for (size_t w = 0; w < pm_ctx_nwarnings(ctx); w++)
        print_message("    warning: %s\n", pm_ctx_warning(ctx, w));
    assert_int_equal(pm_pg_has_layer(pg, ctx, LAYER), 1);
    assert_int_equal(pm_pg_has_layer(pg, ctx, "浦东 PARKS"), 1);
    assert_int_equal(pm_pg_has_layer(pg, ctx, "nope"), 0);
    int srid = 0;
    assert_int_equal(pm_pg_layer_srid(&srid, ctx, pg, LAYER), 0);
    assert_int_equal(srid, 4326);
    char **names = NULL;
    size_t nn = 0;
    assert_int_equal(pm_pg_layers(&names, &nn, ctx, pg), 0);
    int seen = 0;
    for (size_t i = 0; i < nn; i++)
        seen |= strcmp(names[i], LAYER) == 0;
    assert_true(seen);
    pm_strv_free(names, nn);
    char *v = NULL;
    assert_int_equal(pm_pg_meta_get(&v, ctx, pg, LAYER, "feature_count"), 0);
    assert_string_equal(v, "300");
    free(v);
    assert_int_equal(pm_pg_meta_get(&v, ctx, pg, LAYER, "source_path"), 0);
    assert_string_equal(v, "fixtures/parks.geojson");
    free(v);
    assert_int_equal(pm_pg_meta_get(&v, ctx, pg, "", "schema_version"), 0);
    assert_string_equal(v, "1");
    free(v);
    assert_int_equal(pm_pg_meta_get(&v, ctx, pg, LAYER, "no_such_key"), 0);
    assert_null(v);
    /* A GiST index on geom. */
    assert_int_equal(count_sql(pg,
                               "SELECT count(*) FROM pg_indexes WHERE tablename = $1 AND "
                               "indexdef LIKE '%USING gist (geom)%'",
                               LAYER),
                     1);

    pm_pg_cursor *c = NULL;
    assert_int_equal(pm_pg_cursor_open(&c, ctx, pg, LAYER), 0);
    const pm_schema *cs = pm_pg_cursor_schema(c);
    assert_int_equal(cs->nfields, 5);
    assert_string_equal(cs->fields[3].name, "o'dd \"col\" 名称");
    assert_string_equal(cs->fields[4].name, "GEOM_2");
    assert_int_equal(cs->fields[0].type, PM_FIELD_TEXT);
    assert_int_equal(cs->fields[1].type, PM_FIELD_INTEGER);
    assert_int_equal(cs->fields[2].type, PM_FIELD_REAL);
    rng = 0x9E3779B97F4A7C15ull; /* the same sequence as the import */
    int n = 0;
    pm_feature got;
    while ((rc = pm_pg_cursor_next(c, ctx, &got)) == 1) {
        pm_feature want;
        make_feature(&want, n);
        assert_int_equal(got.fid, want.fid);
        assert_int_equal(got.nvalues, want.nvalues);
        for (size_t i = 0; i < want.nvalues; i++) {
            const pm_value *a = &got.values[i], *b = &want.values[i];
            assert_int_equal(a->is_null, b->is_null);
            if (b->is_null)
                continue;
            assert_int_equal(a->type, b->type);
            if (b->type == PM_FIELD_TEXT)
                assert_string_equal(a->s, b->s);
            else if (b->type == PM_FIELD_INTEGER)
                assert_true(a->i == b->i);
            else
                assert_memory_equal(&a->d, &b->d, sizeof(double));
        }
        geom_equal(got.geom, want.geom);
        pm_feature_clear(&got);
        pm_feature_clear(&want);
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, NFEAT);
    pm_pg_cursor_free(c);
    assert_int_equal(PQtransactionStatus(pm_pg_conn(pg)), PQTRANS_IDLE);
    /* No password in provenance, no staging table left. */
    assert_int_equal(count_sql(pg,
                               "SELECT count(*) FROM pg_class WHERE relname LIKE "
                               "'parkmap_stage%'",
                               NULL),
                     0);
    /* Without overwrite the layer is kept. */
    pm_err_clear(ctx);
    assert_int_equal(import_n(pg, ctx, LAYER, 3, -1, 4326, 0), PM_EEXIST);
    pm_pg_free(pg);
    pm_ctx_free(ctx);
}

static void test_failed_import(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    pm_pg *pg = owner_conn();
    long tables0 = count_sql(pg, "SELECT count(*) FROM pg_class", NULL);
    long meta0 = count_sql(pg, "SELECT count(*) FROM parkmap_meta", NULL);
    /* A new layer: error on the 100th feature. */
    int rc = import_n(pg, ctx, "failing", 150, 99, 4326, 1);
    assert_int_equal(rc, PM_EIO);
    char *l = err_line(ctx);
    print_message("    %s\n", l);
    assert_non_null(strstr(l, "feature 1099"));
    free(l);
    assert_int_equal(PQtransactionStatus(pm_pg_conn(pg)), PQTRANS_IDLE);
    assert_int_equal(pm_pg_has_layer(pg, ctx, "failing"), 0);
    assert_int_equal(count_sql(pg, "SELECT count(*) FROM pg_class", NULL), tables0);
    assert_int_equal(count_sql(pg, "SELECT count(*) FROM parkmap_meta", NULL), meta0);
    /* Overwriting an existing layer: it stays as it was. */
    pm_err_clear(ctx);
    assert_int_equal(import_n(pg, ctx, "kept", 5, -1, 4326, 1), 0);
    char *before = NULL, *after = NULL;
    assert_int_equal(pm_pg_meta_get(&before, ctx, pg, "kept", "imported_at"), 0);
    tables0 = count_sql(pg, "SELECT count(*) FROM pg_class", NULL);
    meta0 = count_sql(pg, "SELECT count(*) FROM parkmap_meta", NULL);
    sleep(1); /* imported_at has one-second resolution */
    assert_int_equal(import_n(pg, ctx, "kept", 150, 99, 4326, 1), PM_EIO);
    pm_err_clear(ctx);
    assert_int_equal(count_sql(pg, "SELECT count(*) FROM kept", NULL), 5);
    assert_int_equal(pm_pg_meta_get(&after, ctx, pg, "kept", "imported_at"), 0);
    assert_string_equal(before, after);
    assert_int_equal(count_sql(pg, "SELECT count(*) FROM pg_class", NULL), tables0);
    assert_int_equal(count_sql(pg, "SELECT count(*) FROM parkmap_meta", NULL), meta0);
    free(before);
    free(after);
    /* An unclosed ring is refused by the import itself (PostGIS's text
     * input of EWKB does not check rings), the layer stays as it was. */
    fail_ring = 1;
    assert_int_equal(import_n(pg, ctx, "kept", 150, 99, 4326, 1), PM_EINPUT);
    fail_ring = 0;
    l = err_line(ctx);
    print_message("    %s\n", l);
    assert_non_null(strstr(l, "feature 1099"));
    free(l);
    pm_err_clear(ctx);
    assert_int_equal(count_sql(pg, "SELECT count(*) FROM kept", NULL), 5);
    assert_int_equal(count_sql(pg, "SELECT count(*) FROM pg_class", NULL), tables0);
    /* The connection is usable after the rollback. */
    assert_int_equal(import_n(pg, ctx, "kept", 7, -1, 4326, 1), 0);
    assert_int_equal(count_sql(pg, "SELECT count(*) FROM kept", NULL), 7);
    pm_pg_free(pg);
    pm_ctx_free(ctx);
}

/* ---- two imports at once ------------------------------------------------- */

typedef struct {
    const char *db;
    int n, rc;
    volatile int started, finished;
    char err[1024];
} import_job;

static void *import_thread(void *arg)
{
    import_job *j = arg;
    pm_ctx *ctx = NULL;
    pm_pg *pg = NULL;
    pm_ctx_new(&ctx);
    j->started = 1;
    if (!(j->rc = pm_pg_connect(&pg, ctx, j->db)))
        j->rc = import_n(pg, ctx, "concurrent", j->n, -1, 4326, 1);
    if (j->rc)
        snprintf(j->err, sizeof j->err, "%s: %s (%s)", pm_ctx_what(ctx), pm_ctx_where(ctx),
                 pm_ctx_why(ctx));
    pm_pg_free(pg);
    pm_ctx_free(ctx);
    j->finished = 1;
    return NULL;
}

/* The first import, held open between its features and its commit. */
static pm_pg_import *begin_held(pm_pg *pg, pm_ctx *ctx, pm_schema *s, pm_store_import_opts *o,
                                int n)
{
    make_schema(s, ctx);
    o->layer = "concurrent";
    o->srid = 4326;
    o->source_path = "first";
    o->overwrite = 1;
    pm_pg_import *imp = NULL;
    int rc = pm_pg_import_begin(&imp, ctx, pg, o, s);
    if (rc) {
        char *l = err_line(ctx);
        print_error("%s\n", l);
        free(l);
    }
    assert_int_equal(rc, 0);
    for (int i = 0; i < n; i++) {
        pm_feature f;
        make_feature(&f, i);
        assert_int_equal(pm_pg_import_add(imp, ctx, &f), 0);
        pm_feature_clear(&f);
    }
    return imp;
}

static void test_concurrent_wait(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    pm_pg *a = owner_conn(), *watch = owner_conn();
    assert_int_equal(count_sql(watch,
                               "SELECT count(*) FROM (SELECT 1 FROM parkmap_meta) m, "
                               "(SELECT 1 AS x) d WHERE to_regclass('concurrent') IS NOT NULL",
                               NULL),
                     0); /* a fresh cluster: no layer yet */
    pm_schema s;
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    pm_pg_import *imp = begin_held(a, ctx, &s, &o, 50);
    /* Nothing of it is visible yet. */
    assert_int_equal(pm_pg_has_layer(watch, ctx, "concurrent"), 0);
    import_job j = {.db = env_or_die("PM_PG_URL"), .n = 70};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, import_thread, &j), 0);
    /* The second waits on the layer's lock while the first is open. */
    for (int i = 0; i < 50 && !j.started; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    nanosleep(&(struct timespec){0, 700000000}, NULL);
    assert_false(j.finished);
    assert_int_equal(count_sql(watch,
                               "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                               "NOT granted",
                               NULL),
                     1);
    long count = 0;
    assert_int_equal(pm_pg_import_commit(imp, ctx, 1, &count), 0);
    assert_int_equal(count, 50);
    pm_pg_import_free(imp);
    pthread_join(t, NULL);
    if (j.rc)
        print_error("second import: %s\n", j.err);
    assert_int_equal(j.rc, 0);
    /* The second replaced the first whole: 70 rows, its own metadata. */
    assert_int_equal(count_sql(watch, "SELECT count(*) FROM concurrent", NULL), 70);
    char *v = NULL;
    assert_int_equal(pm_pg_meta_get(&v, ctx, watch, "concurrent", "feature_count"), 0);
    assert_string_equal(v, "70");
    free(v);
    pm_schema_clear(&s);
    pm_pg_free(a);
    pm_pg_free(watch);
    pm_ctx_free(ctx);
}

static void test_concurrent_timeout(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    pm_pg *a = owner_conn(), *watch = owner_conn();
    long before = count_sql(watch, "SELECT count(*) FROM concurrent", NULL);
    pm_schema s;
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    pm_pg_import *imp = begin_held(a, ctx, &s, &o, 40);
    char *db = fmt("%s&options=-c%%20lock_timeout%%3D300ms", env_or_die("PM_PG_URL"));
    import_job j = {.db = db, .n = 90};
    import_thread(&j); /* in this thread: it must give up, not wait */
    print_message("    second import: %s\n", j.err);
    assert_int_equal(j.rc, PM_EIO);
    assert_non_null(strstr(j.err, "layer is being imported"));
    /* The first is unharmed, and the layer was never half-written. */
    assert_int_equal(count_sql(watch, "SELECT count(*) FROM concurrent", NULL), before);
    long count = 0;
    assert_int_equal(pm_pg_import_commit(imp, ctx, 1, &count), 0);
    pm_pg_import_free(imp);
    assert_int_equal(count_sql(watch, "SELECT count(*) FROM concurrent", NULL), 40);
    free(db);
    pm_schema_clear(&s);
    pm_pg_free(a);
    pm_pg_free(watch);
    pm_ctx_free(ctx);
}

/* ---- areas ----------------------------------------------------------------- */

static void test_area_parity(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    pm_pg *pg = owner_conn();
    /* A 1 km² square at Pudong (31.22 N, 121.54 E): sides of 1000 m along
     * the meridian and the parallel, in degrees on WGS 84. */
    double lat = 31.22, lon = 121.54;
    double a = 6378137.0, fl = 1 / 298.257223563, e2 = fl * (2 - fl);
    double phi = lat * PM_PI / 180, s2 = sin(phi) * sin(phi);
    double m_per_deg_lat = PM_PI / 180 * a * (1 - e2) / pow(1 - e2 * s2, 1.5);
    double m_per_deg_lon = PM_PI / 180 * a * cos(phi) / sqrt(1 - e2 * s2);
    double dlat = 1000 / m_per_deg_lat, dlon = 1000 / m_per_deg_lon;
    pm_geom sq = {PM_GEOM_POLYGON, 1, NULL};
    pm_part part = {1, NULL};
    pm_ring ring = {5, (double[]){lon, lat, lon + dlon, lat, lon + dlon, lat + dlat, lon,
                                  lat + dlat, lon, lat}};
    part.rings = &ring;
    sq.parts = &part;
    double want = pm_geod_area(&sq);

    pm_schema s = {0};
    assert_int_equal(pm_schema_add(&s, ctx, "name", PM_FIELD_TEXT), 0);
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    o.layer = "area_parity";
    o.srid = 4326;
    o.overwrite = 1;
    pm_pg_import *imp = NULL;
    assert_int_equal(pm_pg_import_begin(&imp, ctx, pg, &o, &s), 0);
    pm_value nv = {0, PM_FIELD_TEXT, 0, 0, "square"};
    pm_feature f = {1, 1, &nv, &sq};
    assert_int_equal(pm_pg_import_add(imp, ctx, &f), 0);
    /* And the test data's shapes: holes, two parts. */
    pm_geom *shapes[40];
    for (int i = 0; i < 40; i++) {
        shapes[i] = make_geom(i);
        pm_value v2 = {1, PM_FIELD_TEXT, 0, 0, NULL};
        pm_feature g = {2 + i, 1, &v2, shapes[i]};
        assert_int_equal(pm_pg_import_add(imp, ctx, &g), 0);
    }
    assert_int_equal(pm_pg_import_commit(imp, ctx, 0, NULL), 0);
    pm_pg_import_free(imp);

    /* Measured by analysis in C over the store's cursor, as on SpatiaLite. */
    pm_store *st = NULL;
    assert_int_equal(pm_store_open(&st, ctx, env_or_die("PM_PG_URL"), 0), 0);
    pm_area_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(pm_analysis_area_rows(&rows, &n, ctx, st, "area_parity", NULL), 0);
    assert_int_equal(n, 41);
    assert_string_equal(rows[0].name, "square");
    assert_string_equal(rows[1].name, "#2");
    double rel = fabs(rows[0].ellipsoidal_m2 - want) / want, worst = rel;
    print_message("    1 km2 square at Pudong: GeographicLib (PROJ geod_polygonarea) %.9f m2, "
                  "measured over the PostGIS cursor %.9f m2, relative difference %.3g\n",
                  want, rows[0].ellipsoidal_m2, rel);
    for (size_t i = 1; i < n; i++) {
        double w = pm_geod_area(shapes[i - 1]);
        double r = fabs(rows[i].ellipsoidal_m2 - w) / w;
        worst = r > worst ? r : worst;
    }
    print_message("    largest relative difference over %zu features (holes, multipolygons): "
                  "%.3g\n",
                  n, worst);
    /* The parity requirement (issue 14): 1e-9 relative. */
    assert_true(rel <= 1e-9);
    assert_true(worst <= 1e-9);
    pm_area_rows_free(rows, n);
    double up = 0, ue = 0;
    assert_int_equal(pm_topology_layer_union_area(&up, &ue, ctx, st, "area_parity"), 0);
    print_message("    union: planar %.6f deg2, ellipsoidal %.3f m2\n", up, ue);
    assert_true(ue > want);
    assert_int_equal(pm_store_close(ctx, st), 0);
    for (int i = 0; i < 40; i++)
        pm_geom_free(shapes[i]);
    pm_schema_clear(&s);
    pm_pg_free(pg);
    pm_ctx_free(ctx);
}

/* Does box a (xmin, ymin, xmax, ymax) meet box b? Touching counts. */
static int boxes_meet(const double a[4], const double b[4])
{
    return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

/* The store API on a server (pm_pg_ops): the path is redacted; a bbox
 * cursor returns exactly the features whose own boxes meet the window, in
 * stored order (the GiST index only preselects); fields subset; stats;
 * feature rows without areas; a derived line layer written, read back and
 * registered. */
static void test_store_ops(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_pg *pg = owner_conn();
    pm_store *st;
    pm_cursor *cur;
    pm_feature f;
    static double box[NFEAT][4];
    static int64_t fid[NFEAT];
    size_t n = 0;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(import_n(pg, ctx, "ops parks", NFEAT, -1, 4326, 1), 0);
    assert_int_equal(pm_store_open(&st, ctx, env_or_die("PM_PG_URL"), 1), 0);
    assert_int_equal(pm_store_backend_kind(st), PM_STORE_POSTGIS);
    assert_string_equal(pm_store_path(st), pm_pg_redacted(pg));
    assert_true(pm_store_writable(st));
    assert_int_equal(pm_store_cursor_open(&cur, ctx, st, "ops parks"), 0);
    assert_int_equal(pm_cursor_schema(cur)->nfields, 5);
    while (pm_cursor_next(&f, ctx, cur) == 1) {
        assert_true(n < NFEAT);
        fid[n] = f.fid;
        assert_int_equal(pm_geom_bbox(f.geom, &box[n][0], &box[n][1], &box[n][2], &box[n][3]), 1);
        n++;
        pm_feature_clear(&f);
    }
    pm_cursor_free(cur);
    assert_int_equal(n, NFEAT);
    long count;
    double ext[4], want[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    assert_int_equal(pm_store_layer_stats(&count, ext, ctx, st, "ops parks"), 0);
    assert_int_equal(count, NFEAT);
    for (size_t i = 0; i < n; i++) {
        want[0] = fmin(want[0], box[i][0]), want[1] = fmin(want[1], box[i][1]);
        want[2] = fmax(want[2], box[i][2]), want[3] = fmax(want[3], box[i][3]);
    }
    for (int k = 0; k < 4; k++)
        assert_true(ext[k] == want[k]); /* exact, not the index's float boxes */
    pm_geom_kind kind;
    assert_int_equal(pm_store_layer_geom_kind(&kind, ctx, st, "ops parks"), 0);
    assert_int_equal(kind, PM_GEOM_POLYGON);
    for (int q = 0; q < 40; q++) {
        double w[4];
        if (q < 20) {
            double x0 = ext[0] + (ext[2] - ext[0]) * jitter();
            double y0 = ext[1] + (ext[3] - ext[1]) * jitter();
            double sz = (ext[2] - ext[0]) * (0.01 + 0.3 * jitter());
            w[0] = x0, w[1] = y0, w[2] = x0 + sz, w[3] = y0 + sz;
        } else {
            /* An edge exactly on a feature's box edge: touching meets. */
            const double *b = box[(size_t)(jitter() * NFEAT)];
            if (q % 2)
                w[0] = b[2], w[1] = b[1] - 0.01, w[2] = b[2] + 0.01, w[3] = b[3] + 0.01;
            else
                w[0] = b[0] - 0.01, w[1] = b[3], w[2] = b[2] + 0.01, w[3] = b[3] + 0.01;
        }
        size_t k = 0, expect = 0, i = 0;
        for (size_t j = 0; j < n; j++)
            expect += boxes_meet(box[j], w);
        const char *const name_only[] = {"name"};
        assert_int_equal(pm_store_cursor_open_bbox(&cur, ctx, st, "ops parks",
                                                   q % 3 ? NULL : name_only, q % 3 ? 0 : 1, w),
                         0);
        assert_int_equal(pm_cursor_schema(cur)->nfields, q % 3 ? 5 : 1);
        while (pm_cursor_next(&f, ctx, cur) == 1) {
            while (i < n && !boxes_meet(box[i], w))
                i++;
            assert_true(i < n);
            assert_int_equal(f.fid, fid[i]);
            i++;
            k++;
            pm_feature_clear(&f);
        }
        pm_cursor_free(cur);
        assert_int_equal(k, expect);
        if (q >= 20)
            assert_true(expect >= 1);
    }
    /* No attribute at all. */
    assert_int_equal(pm_store_cursor_open_fields(&cur, ctx, st, "ops parks", NULL, 0), 0);
    assert_int_equal(pm_cursor_schema(cur)->nfields, 0);
    pm_cursor_free(cur);
    /* Feature rows: names and planned areas, no areas. */
    pm_area_row *rows = NULL;
    size_t nr = 0;
    assert_int_equal(pm_analysis_feature_rows(&rows, &nr, ctx, st, "ops parks", "enterprises"), 0);
    assert_int_equal(nr, NFEAT);
    assert_int_equal(rows[0].fid, 1000);
    assert_true(isnan(rows[0].planar_m2) && isnan(rows[0].ellipsoidal_m2));
    assert_string_equal(rows[0].group, "-9223372036854775808");
    pm_area_rows_free(rows, nr);
    /* A derived line layer. */
    pm_schema ls = {0};
    assert_int_equal(pm_schema_add(&ls, ctx, "relation", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(&ls, ctx, "shared_m", PM_FIELD_REAL), 0);
    pm_feature lf = {0};
    pm_value lv[2] = {{0}};
    lv[0].type = PM_FIELD_TEXT;
    lv[0].s = "touch";
    lv[1].type = PM_FIELD_REAL;
    lv[1].d = 1.0 / 3;
    lf.fid = 7;
    lf.nvalues = 2;
    lf.values = lv;
    pm_geom line = {0};
    pm_part lp = {0};
    pm_ring lr = {0};
    double xy[4] = {121.5, 31.1, 121.51, 31.11};
    lr.n = 2;
    lr.xy = xy;
    lp.nrings = 1;
    lp.rings = &lr;
    line.kind = PM_GEOM_LINE;
    line.nparts = 1;
    line.parts = &lp;
    lf.geom = &line;
    /* Through COPY: text with COPY's special characters, and a cursor read
     * on the same connection between two rows (it ends the COPY, the next
     * row starts another). */
    static const char *const odd = "touch\t\\N\\ 浦东\nx\r\\";
    lv[0].s = (char *)odd;
    pm_layer_writer *lw = NULL;
    assert_int_equal(
        pm_store_layer_begin(&lw, ctx, st, PM_LAYER_ADJACENCY, &ls, PM_GEOM_LINE, 4326), 0);
    assert_int_equal(pm_store_layer_add(ctx, lw, &lf), 0);
    assert_int_equal(pm_store_cursor_open(&cur, ctx, st, "ops parks"), 0);
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 1);
    pm_feature_clear(&f);
    pm_cursor_free(cur);
    lf.fid = 8;
    lv[1].is_null = 1;
    assert_int_equal(pm_store_layer_add(ctx, lw, &lf), 0);
    assert_int_equal(pm_store_layer_commit(ctx, lw, "ops parks"), 0);
    pm_layer_writer_free(lw);
    lf.fid = 7;
    lv[1].is_null = 0;
    lv[0].s = "touch";
    assert_int_equal(pm_store_cursor_open(&cur, ctx, st, PM_LAYER_ADJACENCY), 0);
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 1);
    assert_int_equal(f.fid, 7);
    assert_string_equal(f.values[0].s, odd);
    assert_true(f.values[1].d == 1.0 / 3);
    pm_feature_clear(&f);
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 1);
    assert_int_equal(f.fid, 8);
    assert_true(f.values[1].is_null);
    pm_feature_clear(&f);
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 0);
    pm_cursor_free(cur);
    assert_int_equal(pm_store_write_layer(ctx, st, PM_LAYER_ADJACENCY, &ls, PM_GEOM_LINE, 4326, &lf,
                                          1, "ops parks"),
                     0);
    assert_int_equal(pm_store_layer_geom_kind(&kind, ctx, st, PM_LAYER_ADJACENCY), 0);
    assert_int_equal(kind, PM_GEOM_LINE);
    char *from = NULL;
    assert_int_equal(pm_store_meta_get(&from, ctx, st, PM_LAYER_ADJACENCY, "derived_from"), 0);
    assert_string_equal(from, "ops parks");
    free(from);
    assert_int_equal(pm_store_cursor_open(&cur, ctx, st, PM_LAYER_ADJACENCY), 0);
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 1);
    assert_int_equal(f.fid, 7);
    assert_true(f.values[1].d == 1.0 / 3);
    assert_string_equal(f.values[0].s, "touch");
    pm_feature_clear(&f);
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 0);
    pm_cursor_free(cur);
    pm_schema_clear(&ls);
    assert_int_equal(pm_store_close(ctx, st), 0);
    pm_pg_free(pg);
    pm_ctx_free(ctx);
}

/* ---- validity and repair: the same C on both backends ---------------------- */

/* A polygon feature of one ring (closed here) in EPSG:32651. */
static pm_geom *ring_geom(const double *pts, size_t n)
{
    pm_geom *g = calloc(1, sizeof *g);
    assert_non_null(g);
    g->kind = PM_GEOM_POLYGON;
    g->nparts = 1;
    g->parts = calloc(1, sizeof(pm_part));
    g->parts[0].nrings = 1;
    g->parts[0].rings = calloc(1, sizeof(pm_ring));
    pm_ring *r = &g->parts[0].rings[0];
    r->n = n + 1;
    r->xy = malloc(2 * (n + 1) * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        r->xy[2 * i] = 355000 + pts[2 * i] + 0.001 * (jitter() - 0.5);
        r->xy[2 * i + 1] = 3456000 + pts[2 * i + 1] + 0.001 * (jitter() - 0.5);
    }
    r->xy[2 * n] = r->xy[0];
    r->xy[2 * n + 1] = r->xy[1];
    return g;
}

/* Import the same four parks (a bow-tie, a valid square, a shell looping
 * over itself, another bow-tie) into db. */
static void import_invalid(pm_ctx *ctx, const char *db, pm_geom *const *geoms)
{
    pm_schema s = {0};
    assert_int_equal(pm_schema_add(&s, ctx, "name", PM_FIELD_TEXT), 0);
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    o.db_path = db;
    o.layer = "repair parks";
    o.srid = 32651;
    o.source_path = "by hand";
    o.source_sha256 = "00";
    o.source_crs = "EPSG:32651";
    o.storage_crs = "EPSG:32651";
    o.overwrite = 1;
    pm_store_import *imp = NULL;
    assert_int_equal(pm_store_import_begin(&imp, ctx, &o, &s), 0);
    const char *names[] = {"Bow", "Fine", "Loop", "Bow 2"};
    for (int i = 0; i < 4; i++) {
        pm_value v = {0, PM_FIELD_TEXT, 0, 0, (char *)names[i]};
        pm_feature f = {10 + i, 1, &v, geoms[i]};
        assert_int_equal(pm_store_import_add(ctx, imp, &f), 0);
    }
    assert_int_equal(pm_store_import_commit(NULL, ctx, imp, 1), 0);
    pm_store_import_free(imp);
    pm_schema_clear(&s);
}

/* pm_topology_invalid and pm_topology_make_valid read through the cursor
 * and write through pm_store_update_*: on SpatiaLite and PostGIS the same
 * rows, reasons, markers and repaired geometries, bit for bit. */
static void test_repair_parity(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    const double bow[] = {0, 0, 100, 100, 100, 0, 0, 100};
    const double sq[] = {200, 0, 300, 0, 300, 100, 200, 100};
    /* A shell that runs out past its east side and back across itself. */
    const double loop[] = {400, 0,   500, 0,   500, 100, 400, 100, 400,
                           40,  550, 40,  550, 60,  420, 60,  420, 0};
    const double bow2[] = {600, 0, 700, 100, 700, 0, 600, 100};
    pm_geom *geoms[4] = {ring_geom(bow, 4), ring_geom(sq, 4), ring_geom(loop, 9),
                         ring_geom(bow2, 4)};
    char dir[] = "/tmp/pm_repair_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *file = fmt("%s/r.db", dir);
    const char *dbs[2] = {file, env_or_die("PM_PG_URL")};
    pm_store *st[2] = {NULL, NULL};
    pm_invalid_row *inv[2] = {NULL, NULL}, *fixed[2] = {NULL, NULL};
    size_t ninv[2], nfixed[2];
    for (int b = 0; b < 2; b++) {
        import_invalid(ctx, dbs[b], geoms);
        assert_int_equal(pm_store_open(&st[b], ctx, dbs[b], 1), 0);
        assert_int_equal(pm_topology_invalid(&inv[b], &ninv[b], ctx, st[b], "repair parks"), 0);
        /* The update: a fid the layer lacks fails; without commit, nothing
         * changed. */
        pm_store_update *u = NULL;
        assert_int_equal(pm_store_update_begin(&u, ctx, st[b], "repair parks"), 0);
        assert_int_equal(pm_store_update_geom(ctx, u, 11, geoms[0]), 0);
        assert_int_equal(pm_store_update_geom(ctx, u, 99, geoms[0]), PM_EINPUT);
        pm_store_update_free(u);
        assert_int_equal(pm_store_update_begin(&u, ctx, st[b], "no such layer"), PM_EUSAGE);
        assert_null(u);
        assert_int_equal(pm_topology_make_valid(&fixed[b], &nfixed[b], ctx, st[b], "repair parks"),
                         0);
    }
    assert_int_equal(ninv[0], 3);
    assert_int_equal(ninv[1], 3);
    assert_int_equal(nfixed[0], 3);
    assert_int_equal(nfixed[1], 3);
    const int64_t want_fid[] = {10, 12, 13};
    for (size_t i = 0; i < 3; i++) {
        print_message("    %s: %s\n", inv[0][i].name, inv[0][i].reason);
        assert_int_equal(inv[0][i].fid, want_fid[i]);
        assert_int_equal(inv[1][i].fid, want_fid[i]);
        assert_string_equal(inv[0][i].name, inv[1][i].name);
        assert_string_equal(inv[0][i].reason, inv[1][i].reason);
        assert_string_equal(fixed[0][i].reason, inv[0][i].reason);
        geom_equal(inv[0][i].where, inv[1][i].where);
    }
    /* The repaired layers, read back: identical; the square untouched. */
    pm_cursor *cur[2];
    pm_feature f[2];
    for (int b = 0; b < 2; b++)
        assert_int_equal(pm_store_cursor_open_fields(&cur[b], ctx, st[b], "repair parks", NULL, 0),
                         0);
    for (int i = 0; i < 4; i++) {
        for (int b = 0; b < 2; b++) {
            memset(&f[b], 0, sizeof f[b]);
            assert_int_equal(pm_cursor_next(&f[b], ctx, cur[b]), 1);
            assert_int_equal(f[b].fid, 10 + i);
            int valid = 0;
            assert_int_equal(pm_topology_geom_valid(&valid, NULL, NULL, ctx, f[b].geom), 0);
            assert_true(valid);
        }
        geom_equal(f[0].geom, f[1].geom);
        if (i == 1)
            geom_equal(f[0].geom, geoms[1]);
        pm_feature_clear(&f[0]);
        pm_feature_clear(&f[1]);
    }
    for (int b = 0; b < 2; b++) {
        pm_cursor_free(cur[b]);
        pm_invalid_rows_free(inv[b], ninv[b]);
        pm_invalid_rows_free(fixed[b], nfixed[b]);
        assert_int_equal(pm_store_close(ctx, st[b]), 0);
    }
    for (int i = 0; i < 4; i++)
        pm_geom_free(geoms[i]);
    unlink(file);
    rmdir(dir);
    free(file);
    pm_ctx_free(ctx);
}

int main(void)
{
    if (!getenv("PM_PG_URL")) {
        fprintf(stderr, "test_pg: no server (PM_PG_URL unset); run it through "
                        "tests/pg/run_pg_test.sh\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_forms),   cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_unreachable),     cmocka_unit_test(test_no_postgis),
        cmocka_unit_test(test_roundtrip),       cmocka_unit_test(test_failed_import),
        cmocka_unit_test(test_concurrent_wait), cmocka_unit_test(test_concurrent_timeout),
        cmocka_unit_test(test_area_parity),     cmocka_unit_test(test_store_ops),
        cmocka_unit_test(test_repair_parity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
