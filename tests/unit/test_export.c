/* Export round trips: write every format from a small database made through
 * the store API, read it back with GDAL and compare with what went in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cpl_conv.h>
#include <dirent.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/export_internal.h"
#include "parkmap/crs.h"
#include "parkmap/export.h"
#include "parkmap/store.h"
#include "parkmap/style.h"

#include <cpl_minixml.h>

#define NPARKS 3

/* What goes into the database, and what every format must give back. */
typedef struct {
    int64_t fid;
    const char *name;
    const char *industry;
    double planned;
    int enterprises_null;
    int64_t enterprises;
    double area_m2; /* planar, EPSG:4550 */
} park;

static const park parks[NPARKS] = {
    {0, "张江人工智能岛", "人工智能", 1.0, 0, 120, 1.0e6},
    {1, "金桥经济技术开发区", "先进制造", 0.93, 1, 0, 1.0e6},
    /* &, quotes and a comma: XML escaping (KML) and CSV quoting; an
     * enterprise count beyond 32 bits: Integer64 all the way. */
    {2, "外高桥保税区 & 物流园", "国际贸易, \"物流\"", 1.25, 0, 3000000000LL, 1.21e6 - 1.0e4},
};

typedef struct {
    char dir[256];
    char db[300];
    pm_ctx *ctx;
    pm_store *st;
} fixture;

static fixture fx;

/* ---- building the database --------------------------------------------- */

static pm_ring ring(double x0, double y0, double x1, double y1)
{
    pm_ring r;
    r.n = 5;
    r.xy = malloc(10 * sizeof(double));
    double xy[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
    memcpy(r.xy, xy, sizeof xy);
    return r;
}

/* Park i's geometry in EPSG:4550: a 1 km square; two half-km² rectangles;
 * a 1.1 km square with a 100 m hole. */
static pm_geom *park_geom(int i)
{
    pm_geom *g = calloc(1, sizeof(*g));
    g->kind = PM_GEOM_POLYGON;
    if (i == 0) {
        g->nparts = 1;
        g->parts = calloc(1, sizeof(pm_part));
        g->parts[0].nrings = 1;
        g->parts[0].rings = calloc(1, sizeof(pm_ring));
        g->parts[0].rings[0] = ring(460000, 3450000, 461000, 3451000);
    } else if (i == 1) {
        g->nparts = 2;
        g->parts = calloc(2, sizeof(pm_part));
        for (int k = 0; k < 2; k++) {
            g->parts[k].nrings = 1;
            g->parts[k].rings = calloc(1, sizeof(pm_ring));
        }
        g->parts[0].rings[0] = ring(463000, 3453000, 464000, 3453500);
        g->parts[1].rings[0] = ring(463000, 3454000, 464000, 3454500);
    } else {
        g->nparts = 1;
        g->parts = calloc(1, sizeof(pm_part));
        g->parts[0].nrings = 2;
        g->parts[0].rings = calloc(2, sizeof(pm_ring));
        g->parts[0].rings[0] = ring(466000, 3456000, 467100, 3457100);
        g->parts[0].rings[1] = ring(466500, 3456500, 466600, 3456600);
    }
    return g;
}

static void import_layer(const char *db, const char *layer, int n)
{
    pm_schema schema = {0};
    pm_store_import *imp = NULL;
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    long count = 0;
    o.db_path = db;
    o.layer = layer;
    o.srid = 4550;
    o.source_path = "geodata/pudong_parks.geojson";
    o.source_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    o.source_crs = "EPSG:4326";
    o.storage_crs = "EPSG:4550";
    assert_int_equal(pm_schema_add(&schema, fx.ctx, "name", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(&schema, fx.ctx, "industry", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(&schema, fx.ctx, "planned_area_km2", PM_FIELD_REAL), 0);
    assert_int_equal(pm_schema_add(&schema, fx.ctx, "enterprises", PM_FIELD_INTEGER), 0);
    assert_int_equal(pm_store_import_begin(&imp, fx.ctx, &o, &schema), 0);
    for (int i = 0; i < n; i++) {
        pm_feature f = {0};
        f.fid = parks[i].fid;
        f.nvalues = 4;
        f.values = calloc(4, sizeof(pm_value));
        f.values[0].type = PM_FIELD_TEXT;
        f.values[0].s = strdup(parks[i].name);
        f.values[1].type = PM_FIELD_TEXT;
        f.values[1].s = strdup(parks[i].industry);
        f.values[2].type = PM_FIELD_REAL;
        f.values[2].d = parks[i].planned;
        f.values[3].type = PM_FIELD_INTEGER;
        f.values[3].is_null = parks[i].enterprises_null;
        f.values[3].i = parks[i].enterprises;
        f.geom = park_geom(i);
        assert_int_equal(pm_store_import_add(fx.ctx, imp, &f), 0);
        pm_feature_clear(&f);
    }
    assert_int_equal(pm_store_import_commit(&count, fx.ctx, imp, 0), 0);
    assert_int_equal(count, n);
    pm_store_import_free(imp);
    pm_schema_clear(&schema);
}

static void rm_rf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_rf(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* What analysis writes beside the parks: shared boundaries as lines
 * (adjacency, 2 features) and a layer that can be empty (qa_issues). */
#define NLINES 2
static const double line_len[NLINES] = {1000.0, 1500.0 + 500.0}; /* metres, EPSG:4550 */

static pm_geom *line_geom(int i)
{
    pm_geom *g = calloc(1, sizeof(*g));
    g->kind = PM_GEOM_LINE;
    g->nparts = 1;
    g->parts = calloc(1, sizeof(pm_part));
    g->parts[0].nrings = 1;
    g->parts[0].rings = calloc(1, sizeof(pm_ring));
    pm_ring *r = &g->parts[0].rings[0];
    if (i == 0) {
        double xy[] = {461000, 3450000, 461000, 3451000};
        r->n = 2;
        r->xy = malloc(sizeof xy);
        memcpy(r->xy, xy, sizeof xy);
    } else { /* an L: 1500 m east, 500 m north */
        double xy[] = {463000, 3453000, 464500, 3453000, 464500, 3453500};
        r->n = 3;
        r->xy = malloc(sizeof xy);
        memcpy(r->xy, xy, sizeof xy);
    }
    return g;
}

static void add_derived_layers(const char *db)
{
    pm_store *st = NULL;
    pm_schema sc = {0}, qa = {0};
    pm_feature fs[NLINES];
    memset(fs, 0, sizeof fs);
    assert_int_equal(pm_store_open(&st, fx.ctx, db, 1), 0);
    assert_int_equal(pm_schema_add(&sc, fx.ctx, "relation", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(&sc, fx.ctx, "shared_m", PM_FIELD_REAL), 0);
    for (int i = 0; i < NLINES; i++) {
        fs[i].fid = i;
        fs[i].nvalues = 2;
        fs[i].values = calloc(2, sizeof(pm_value));
        fs[i].values[0].type = PM_FIELD_TEXT;
        fs[i].values[0].s = strdup(i ? "overlaps" : "shares_edge");
        fs[i].values[1].type = PM_FIELD_REAL;
        fs[i].values[1].d = line_len[i];
        fs[i].geom = line_geom(i);
    }
    assert_int_equal(
        pm_store_write_layer(fx.ctx, st, "adjacency", &sc, PM_GEOM_LINE, 4550, fs, NLINES, "parks"),
        0);
    assert_int_equal(pm_schema_add(&qa, fx.ctx, "kind", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(&qa, fx.ctx, "detail", PM_FIELD_TEXT), 0);
    assert_int_equal(
        pm_store_write_layer(fx.ctx, st, "qa_issues", &qa, PM_GEOM_POLYGON, 4550, NULL, 0, "parks"),
        0);
    for (int i = 0; i < NLINES; i++)
        pm_feature_clear(&fs[i]);
    pm_schema_clear(&sc);
    pm_schema_clear(&qa);
    /* Written through: the close is checked. */
    assert_int_equal(pm_store_close(fx.ctx, st), 0);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(fx.dir, sizeof fx.dir, "%s/pm_export_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx.dir))
        return -1;
    snprintf(fx.db, sizeof fx.db, "%s/parks.db", fx.dir);
    if (pm_ctx_new(&fx.ctx))
        return -1;
    import_layer(fx.db, "parks", NPARKS);
    import_layer(fx.db, "zones", 1);
    add_derived_layers(fx.db);
    if (pm_store_open(&fx.st, fx.ctx, fx.db, 0))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pm_store_free(fx.st);
    pm_ctx_free(fx.ctx);
    if (getenv("PM_KEEP_TMP"))
        fprintf(stderr, "outputs kept in %s\n", fx.dir);
    else
        rm_rf(fx.dir);
    return 0;
}

/* A fresh context per test: the first error wins, so stale ones would hide
 * the error under test. */
static pm_ctx *fresh_ctx(void)
{
    pm_ctx_free(fx.ctx);
    assert_int_equal(pm_ctx_new(&fx.ctx), 0);
    return fx.ctx;
}

static void out_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", fx.dir, name);
}

static int export_to(const char *path, const char *const *layers, int overwrite)
{
    pm_export_opts o = PM_EXPORT_OPTS_INIT;
    o.out_path = path;
    o.layers = layers;
    o.overwrite = overwrite;
    return pm_export_layers(fresh_ctx(), fx.st, &o);
}

static void assert_export_ok(const char *path, const char *const *layers, int overwrite)
{
    int rc = export_to(path, layers, overwrite);
    if (rc)
        fail_msg("export %s: %s: %s (%s)", path, pm_ctx_what(fx.ctx), pm_ctx_where(fx.ctx),
                 pm_ctx_why(fx.ctx));
}

/* ---- reading back -------------------------------------------------------- */

typedef enum { CRS_4550, CRS_WGS84, CRS_NONE } crs_kind;

/* Field index by name; formats with short names (DBF) cut to 10 chars. */
static int field(OGRFeatureDefnH defn, const char *name)
{
    int i = OGR_FD_GetFieldIndex(defn, name);
    if (i < 0 && strlen(name) > 10) {
        char cut[11];
        memcpy(cut, name, 10);
        cut[10] = '\0';
        i = OGR_FD_GetFieldIndex(defn, cut);
    }
    if (i < 0)
        fail_msg("field %s not found", name);
    return i;
}

static double ring_area(const pm_ring *r)
{
    double a = 0;
    for (size_t k = 0; k + 1 < r->n; k++)
        a += r->xy[2 * k] * r->xy[2 * k + 3] - r->xy[2 * k + 2] * r->xy[2 * k + 1];
    return fabs(a) / 2;
}

/* Planar area in EPSG:4550 of a WGS 84 geometry, transformed back by PROJ. */
static double area_in_4550(OGRGeometryH g)
{
    OGRGeometryH m = OGR_G_ForceToMultiPolygon(OGR_G_Clone(g));
    size_t len = (size_t)OGR_G_WkbSize(m);
    unsigned char *wkb = malloc(len);
    pm_geom *pg = NULL;
    pm_transform *tr = NULL;
    double a = 0;
    assert_int_equal(OGR_G_ExportToIsoWkb(m, wkbNDR, wkb), OGRERR_NONE);
    assert_int_equal(pm_geom_from_wkb(&pg, fx.ctx, wkb, len), 0);
    assert_int_equal(pm_transform_new(&tr, fx.ctx, "EPSG:4326", "EPSG:4550"), 0);
    assert_int_equal(pm_transform_geom(tr, fx.ctx, pg), 0);
    for (size_t i = 0; i < pg->nparts; i++)
        for (size_t j = 0; j < pg->parts[i].nrings; j++)
            a += (j == 0 ? 1 : -1) * ring_area(&pg->parts[i].rings[j]);
    pm_transform_free(tr);
    pm_geom_free(pg);
    free(wkb);
    OGR_G_DestroyGeometry(m);
    return a;
}

static void assert_crs(OGRLayerH lyr, crs_kind crs)
{
    if (crs == CRS_NONE)
        return;
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    assert_non_null(srs);
    OGRSpatialReferenceH c = OSRClone(srs);
    (void)OSRAutoIdentifyEPSG(c);
    const char *code = OSRGetAuthorityCode(c, NULL);
    if (!code || strcmp(code, crs == CRS_4550 ? "4550" : "4326") != 0)
        fail_msg("CRS is %s, expected EPSG:%s", code ? code : "(unidentified)",
                 crs == CRS_4550 ? "4550" : "4326");
    OSRRelease(c);
}

/* Open path, find the layer (or the first), and compare it with parks[]. */
static void check_output(const char *path, const char *layer, crs_kind crs, int kml)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        fail_msg("cannot open %s: %s", path, CPLGetLastErrorMsg());
    OGRLayerH lyr = layer ? GDALDatasetGetLayerByName(ds, layer) : GDALDatasetGetLayer(ds, 0);
    assert_non_null(lyr);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), NPARKS);
    assert_crs(lyr, crs);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int i_fid = field(defn, "source_fid");
    int i_name = field(defn, kml ? "Name" : "name");
    int i_ind = field(defn, "industry");
    int i_plan = field(defn, "planned_area_km2");
    int i_ent = field(defn, "enterprises");
    int seen[NPARKS] = {0};
    OGRFeatureH fh;
    OGR_L_ResetReading(lyr);
    while ((fh = OGR_L_GetNextFeature(lyr))) {
        GIntBig fid = OGR_F_GetFieldAsInteger64(fh, i_fid);
        assert_true(fid >= 0 && fid < NPARKS);
        const park *p = &parks[fid];
        seen[fid]++;
        assert_string_equal(OGR_F_GetFieldAsString(fh, i_name), p->name);
        assert_string_equal(OGR_F_GetFieldAsString(fh, i_ind), p->industry);
        assert_true(fabs(OGR_F_GetFieldAsDouble(fh, i_plan) - p->planned) < 1e-12);
        if (p->enterprises_null)
            assert_false(OGR_F_IsFieldSetAndNotNull(fh, i_ent));
        else
            assert_int_equal(OGR_F_GetFieldAsInteger64(fh, i_ent), p->enterprises);
        OGRGeometryH g = OGR_F_GetGeometryRef(fh);
        assert_non_null(g);
        double a = crs == CRS_WGS84 ? area_in_4550(g) : OGR_G_Area(g);
        double tol = crs == CRS_WGS84 ? 1e-4 : 1e-6;
        if (fabs(a - p->area_m2) > tol * p->area_m2)
            fail_msg("%s feature %d: area %.6f, expected %.6f", path, (int)fid, a, p->area_m2);
        if (crs == CRS_WGS84) {
            /* lon/lat in that order, somewhere off Shanghai's coast */
            OGREnvelope env;
            OGR_G_GetEnvelope(g, &env);
            assert_true(env.MinX > 121 && env.MaxX < 124);
            assert_true(env.MinY > 30 && env.MaxY < 32);
        }
        OGR_F_Destroy(fh);
    }
    for (int i = 0; i < NPARKS; i++)
        assert_int_equal(seen[i], 1);
    GDALClose(ds); /* read-only */
}

static char *slurp(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (out_len)
        *out_len = got;
    return buf;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* No staging directory may outlive an export, successful or not. */
static void assert_no_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp-"))
            fail_msg("leftover %s/%s", dir, e->d_name);
    closedir(d);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_export_gpkg(void **state)
{
    (void)state;
    char p[512];
    out_path(p, sizeof p, "parks.gpkg");
    assert_export_ok(p, NULL, 0);
    check_output(p, "parks", CRS_4550, 0);

    /* Provenance: layer description and metadata. */
    GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayerByName(ds, "parks");
    const char *desc = GDALGetMetadataItem((GDALMajorObjectH)lyr, "DESCRIPTION", NULL);
    assert_non_null(desc);
    assert_non_null(strstr(desc, "geodata/pudong_parks.geojson"));
    assert_non_null(strstr(desc, "EPSG:4550"));
    const char *sha = GDALGetMetadataItem((GDALMajorObjectH)lyr, "PARKMAP_SOURCE_SHA256", NULL);
    assert_non_null(sha);
    assert_int_equal(strlen(sha), 64);
    assert_non_null(GDALGetMetadataItem((GDALMajorObjectH)lyr, "PARKMAP_IMPORTED_AT", NULL));
    assert_non_null(GDALGetMetadataItem(ds, "PARKMAP_VERSION", NULL));
    /* Types kept. */
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, field(defn, "enterprises"))),
                     OFTInteger64);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, field(defn, "planned_area_km2"))),
                     OFTReal);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, field(defn, "name"))), OFTString);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, field(defn, "source_fid"))),
                     OFTInteger64);
    GDALClose(ds);
    assert_no_leftovers(fx.dir);
}

static void test_export_shp(void **state)
{
    (void)state;
    char p[512], side[512];
    out_path(p, sizeof p, "parks.shp");
    assert_export_ok(p, NULL, 0);
    check_output(p, NULL, CRS_4550, 0);
    /* The format renames long fields; the user is told. */
    int renamed = 0;
    for (size_t i = 0; i < pm_ctx_nwarnings(fx.ctx); i++)
        renamed |= strstr(pm_ctx_warning(fx.ctx, i), "planned_area_km2") != NULL;
    assert_true(renamed);
    out_path(side, sizeof side, "parks.cpg");
    char *cpg = slurp(side, NULL);
    assert_non_null(cpg);
    assert_int_equal(strncmp(cpg, "UTF-8", 5), 0);
    free(cpg);
    out_path(side, sizeof side, "parks.prj");
    assert_true(exists(side));
    out_path(side, sizeof side, "parks.shx");
    assert_true(exists(side));
    out_path(side, sizeof side, "parks.dbf");
    assert_true(exists(side));

    GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    OGRwkbGeometryType t = wkbFlatten(OGR_FD_GetGeomType(OGR_L_GetLayerDefn(lyr)));
    assert_true(t == wkbPolygon || t == wkbMultiPolygon); /* SHPT=POLYGON either way */
    GDALClose(ds);
    assert_no_leftovers(fx.dir);
}

static void test_export_geojson(void **state)
{
    (void)state;
    char p[512];
    out_path(p, sizeof p, "parks.geojson");
    assert_export_ok(p, NULL, 0);
    check_output(p, NULL, CRS_WGS84, 0);
    char *text = slurp(p, NULL);
    assert_non_null(text);
    assert_null(strstr(text, "\"crs\"")); /* RFC 7946 has no crs member */
    assert_non_null(strstr(text, "张江人工智能岛"));
    assert_non_null(strstr(text, "\"description\"")); /* provenance */
    free(text);
}

static void test_export_kml(void **state)
{
    (void)state;
    char p[512];
    out_path(p, sizeof p, "parks.kml");
    assert_export_ok(p, NULL, 0);
    check_output(p, NULL, CRS_WGS84, 1);
    char *text = slurp(p, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "<name>张江人工智能岛</name>"));
    /* escaped or in CDATA: either way the reader gets "&" back (checked above) */
    assert_true(strstr(text, "外高桥保税区 &amp; 物流园") ||
                strstr(text, "<![CDATA[外高桥保税区 & 物流园]]>"));
    assert_non_null(strstr(text, "<ExtendedData>"));
    free(text);
}

static void test_export_fgb(void **state)
{
    (void)state;
    char p[512];
    out_path(p, sizeof p, "parks.fgb");
    assert_export_ok(p, NULL, 0);
    check_output(p, NULL, CRS_4550, 0);
}

static void test_export_csv(void **state)
{
    (void)state;
    char p[512], t[512];
    /* Not "parks.csv": its .prj would collide with parks.shp's. */
    out_path(p, sizeof p, "table.csv");
    assert_export_ok(p, NULL, 0);
    check_output(p, NULL, CRS_4550, 0); /* through the .prj GDAL writes */
    out_path(t, sizeof t, "table.csvt");
    char *csvt = slurp(t, NULL);
    assert_non_null(csvt);
    assert_non_null(strstr(csvt, "Integer64"));
    assert_non_null(strstr(csvt, "Real"));
    free(csvt);
}

static void test_export_exists_and_overwrite(void **state)
{
    (void)state;
    char p[512];
    size_t n1 = 0, n2 = 0;
    out_path(p, sizeof p, "again.gpkg");
    assert_export_ok(p, NULL, 0);
    char *before = slurp(p, &n1);
    assert_int_equal(export_to(p, NULL, 0), PM_EEXIST);
    assert_int_equal(pm_ctx_code(fx.ctx), PM_EEXIST);
    assert_string_equal(pm_ctx_where(fx.ctx), p);
    char *after = slurp(p, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    free(after);
    assert_export_ok(p, NULL, 1);
    check_output(p, "parks", CRS_4550, 0);
    free(before);
    assert_no_leftovers(fx.dir);
}

static void test_export_shp_sidecar_blocks_and_stale_removed(void **state)
{
    (void)state;
    char p[512], dbf[512], qix[512];
    out_path(p, sizeof p, "side.shp");
    out_path(dbf, sizeof dbf, "side.dbf");
    out_path(qix, sizeof qix, "side.qix");
    /* A lone .dbf is someone's data: not ours to replace silently. */
    FILE *f = fopen(dbf, "w");
    fputs("not ours", f);
    fclose(f);
    assert_int_equal(export_to(p, NULL, 0), PM_EEXIST);
    assert_string_equal(pm_ctx_where(fx.ctx), dbf);
    assert_false(exists(p));
    unlink(dbf);
    assert_export_ok(p, NULL, 0);
    /* A spatial index from an older export would describe the old .shp. */
    f = fopen(qix, "w");
    fputs("stale", f);
    fclose(f);
    assert_export_ok(p, NULL, 1);
    assert_false(exists(qix));
    check_output(p, NULL, CRS_4550, 0);
}

static int cancel_at_second(double frac, const char *msg, void *user)
{
    (void)frac;
    (void)msg;
    return ++*(int *)user < 2;
}

static void test_export_failure_keeps_old_output(void **state)
{
    (void)state;
    char p[512];
    size_t n1 = 0, n2 = 0;
    int calls = 0;
    out_path(p, sizeof p, "keep.gpkg");
    assert_export_ok(p, NULL, 0);
    char *before = slurp(p, &n1);
    pm_export_opts o = PM_EXPORT_OPTS_INIT;
    o.out_path = p;
    o.overwrite = 1;
    o.progress = cancel_at_second;
    o.progress_user = &calls;
    assert_int_equal(pm_export_layers(fresh_ctx(), fx.st, &o), PM_EIO);
    assert_int_equal(calls, 2);
    char *after = slurp(p, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    free(before);
    free(after);
    assert_no_leftovers(fx.dir);
}

static void test_export_missing_layer(void **state)
{
    (void)state;
    char p[512];
    const char *const layers[] = {"parks", "no_such_layer", NULL};
    out_path(p, sizeof p, "missing.gpkg");
    assert_int_equal(export_to(p, layers, 0), PM_EUSAGE);
    assert_non_null(strstr(pm_ctx_where(fx.ctx), "no_such_layer"));
    assert_non_null(strstr(pm_ctx_why(fx.ctx), "parks")); /* what there is instead */
    assert_false(exists(p));
    assert_no_leftovers(fx.dir);
}

static void test_export_bad_extension(void **state)
{
    (void)state;
    char p[512];
    out_path(p, sizeof p, "parks.xlsx");
    assert_int_equal(export_to(p, NULL, 0), PM_EUSAGE);
    assert_non_null(strstr(pm_ctx_why(fx.ctx), ".gpkg"));
    assert_non_null(strstr(pm_ctx_why(fx.ctx), ".geojson"));
    assert_false(exists(p));
}

static void test_export_multi_layer(void **state)
{
    (void)state;
    char p[512], q[512];
    const char *const layers[] = {"parks", "Zones", NULL}; /* matched as SQLite does */
    /* One GeoPackage holds both. */
    out_path(p, sizeof p, "both.gpkg");
    assert_export_ok(p, layers, 0);
    check_output(p, "parks", CRS_4550, 0);
    GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 2);
    OGRLayerH z = GDALDatasetGetLayerByName(ds, "zones");
    assert_non_null(z);
    assert_int_equal(OGR_L_GetFeatureCount(z, TRUE), 1);
    GDALClose(ds);
    /* Shapefiles: one set per layer in a directory named after the path. */
    out_path(p, sizeof p, "multi.shp");
    assert_export_ok(p, layers, 0);
    out_path(q, sizeof q, "multi/parks.shp");
    check_output(q, NULL, CRS_4550, 0);
    out_path(q, sizeof q, "multi/zones.cpg");
    assert_true(exists(q));
    out_path(q, sizeof q, "multi");
    assert_no_leftovers(q);
    /* and again: the directory exists, its files block without overwrite */
    assert_int_equal(export_to(p, layers, 0), PM_EEXIST);
    assert_export_ok(p, layers, 1);
    /* GeoJSON holds one layer per file too. */
    out_path(p, sizeof p, "multi.geojson");
    assert_export_ok(p, layers, 0);
    out_path(q, sizeof q, "multi/parks.geojson");
    check_output(q, NULL, CRS_WGS84, 0);
}

static void test_export_t_srs(void **state)
{
    (void)state;
    char p[512];
    pm_export_opts o = PM_EXPORT_OPTS_INIT;
    out_path(p, sizeof p, "utm.gpkg");
    o.out_path = p;
    o.t_srs = "EPSG:32651";
    if (pm_export_layers(fresh_ctx(), fx.st, &o))
        fail_msg("%s: %s (%s)", pm_ctx_what(fx.ctx), pm_ctx_where(fx.ctx), pm_ctx_why(fx.ctx));
    GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    OGRSpatialReferenceH c = OSRClone(OGR_L_GetSpatialRef(lyr));
    (void)OSRAutoIdentifyEPSG(c);
    assert_string_equal(OSRGetAuthorityCode(c, NULL), "32651");
    OSRRelease(c);
    OGREnvelope env;
    assert_int_equal(OGR_L_GetExtent(lyr, &env, TRUE), OGRERR_NONE);
    assert_true(env.MinX > 100000 && env.MaxX < 900000); /* metres, easting first */
    assert_true(env.MinY > 3000000 && env.MaxY < 4000000);
    GDALClose(ds);
    /* GeoJSON is WGS 84 by RFC 7946: another CRS is a usage error. */
    out_path(p, sizeof p, "utm.geojson");
    o.out_path = p;
    assert_int_equal(pm_export_layers(fresh_ctx(), fx.st, &o), PM_EUSAGE);
    assert_false(exists(p));
}

static void test_export_refuses_the_database(void **state)
{
    (void)state;
    pm_export_opts o = PM_EXPORT_OPTS_INIT;
    char p[512];
    /* A database named like an output, as a user might. */
    out_path(p, sizeof p, "db.gpkg");
    pm_store *st = NULL;
    pm_ctx *ctx = fresh_ctx();
    import_layer(p, "parks", 1);
    assert_int_equal(pm_store_open(&st, ctx, p, 0), 0);
    o.out_path = p;
    o.overwrite = 1;
    assert_int_equal(pm_export_layers(ctx, st, &o), PM_EUSAGE);
    pm_store_free(st);
}

/* ---- every layer kind, every format ----------------------------------- */

/* Length in EPSG:4550 of a line geometry read back in `crs`. */
static double length_in_4550(OGRGeometryH g, crs_kind crs)
{
    OGRGeometryH m = OGR_G_ForceToMultiLineString(OGR_G_Clone(g));
    size_t len = (size_t)OGR_G_WkbSize(m);
    unsigned char *wkb = malloc(len);
    pm_geom *pg = NULL;
    pm_transform *tr = NULL;
    double total = 0;
    assert_int_equal(OGR_G_ExportToIsoWkb(m, wkbNDR, wkb), OGRERR_NONE);
    assert_int_equal(pm_geom_from_wkb(&pg, fx.ctx, wkb, len), 0);
    if (crs == CRS_WGS84) {
        assert_int_equal(pm_transform_new(&tr, fx.ctx, "EPSG:4326", "EPSG:4550"), 0);
        assert_int_equal(pm_transform_geom(tr, fx.ctx, pg), 0);
    }
    for (size_t i = 0; i < pg->nparts; i++)
        for (size_t j = 0; j < pg->parts[i].nrings; j++) {
            const pm_ring *r = &pg->parts[i].rings[j];
            for (size_t k = 0; k + 1 < r->n; k++)
                total +=
                    hypot(r->xy[2 * k + 2] - r->xy[2 * k], r->xy[2 * k + 3] - r->xy[2 * k + 1]);
        }
    pm_transform_free(tr);
    pm_geom_free(pg);
    free(wkb);
    OGR_G_DestroyGeometry(m);
    return total;
}

static OGRLayerH open_layer(GDALDatasetH *ds, const char *path, const char *layer)
{
    *ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!*ds)
        fail_msg("cannot open %s: %s", path, CPLGetLastErrorMsg());
    OGRLayerH lyr = layer ? GDALDatasetGetLayerByName(*ds, layer) : GDALDatasetGetLayer(*ds, 0);
    if (!lyr)
        fail_msg("%s: no layer %s", path, layer ? layer : "(first)");
    return lyr;
}

static void check_lines(const char *path, const char *layer, crs_kind crs, int typed)
{
    GDALDatasetH ds;
    OGRLayerH lyr = open_layer(&ds, path, layer);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), NLINES);
    assert_crs(lyr, crs);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    if (typed) {
        OGRwkbGeometryType t = wkbFlatten(OGR_FD_GetGeomType(defn));
        assert_true(t == wkbLineString || t == wkbMultiLineString);
    }
    int i_fid = field(defn, "source_fid"), i_rel = field(defn, "relation");
    int i_len = field(defn, "shared_m");
    OGRFeatureH fh;
    int seen = 0;
    while ((fh = OGR_L_GetNextFeature(lyr))) {
        GIntBig fid = OGR_F_GetFieldAsInteger64(fh, i_fid);
        assert_true(fid >= 0 && fid < NLINES);
        assert_string_equal(OGR_F_GetFieldAsString(fh, i_rel), fid ? "overlaps" : "shares_edge");
        assert_true(fabs(OGR_F_GetFieldAsDouble(fh, i_len) - line_len[fid]) < 1e-9);
        OGRGeometryH g = OGR_F_GetGeometryRef(fh);
        assert_non_null(g);
        assert_true(OGR_G_IsValid(g));
        double l = length_in_4550(g, crs), tol = crs == CRS_WGS84 ? 1e-4 : 1e-6;
        if (fabs(l - line_len[fid]) > tol * line_len[fid])
            fail_msg("%s %s feature %d: length %.6f, expected %.6f", path, layer ? layer : "",
                     (int)fid, l, line_len[fid]);
        seen++;
        OGR_F_Destroy(fh);
    }
    assert_int_equal(seen, NLINES);
    GDALClose(ds);
}

static void check_empty(const char *path, const char *layer, int typed)
{
    GDALDatasetH ds;
    OGRLayerH lyr = open_layer(&ds, path, layer);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 0);
    if (typed) {
        OGRwkbGeometryType t = wkbFlatten(OGR_FD_GetGeomType(OGR_L_GetLayerDefn(lyr)));
        assert_true(t == wkbPolygon || t == wkbMultiPolygon);
    }
    GDALClose(ds);
}

/* Every park is valid after the round trip too (RFC 7946 winding, 7
 * decimals). */
static void check_valid(const char *path, const char *layer)
{
    GDALDatasetH ds;
    OGRLayerH lyr = open_layer(&ds, path, layer);
    OGRFeatureH fh;
    while ((fh = OGR_L_GetNextFeature(lyr))) {
        assert_true(OGR_G_IsValid(OGR_F_GetGeometryRef(fh)));
        OGR_F_Destroy(fh);
    }
    GDALClose(ds);
}

static void test_export_every_layer_every_format(void **state)
{
    (void)state;
    static const struct {
        const char *ext;
        crs_kind crs;
        int one_file, typed, kml;
    } fmts[] = {{"gpkg", CRS_4550, 1, 1, 0},     {"shp", CRS_4550, 0, 1, 0},
                {"geojson", CRS_WGS84, 0, 0, 0}, {"kml", CRS_WGS84, 1, 0, 1},
                {"fgb", CRS_4550, 0, 1, 0},      {"csv", CRS_4550, 0, 0, 0}};
    const char *const layers[] = {"parks", "adjacency", "qa_issues", NULL};
    for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        char p[512], q[3][512];
        /* a directory per format: CSV's .prj would collide with the .shp's */
        snprintf(p, sizeof p, "%s/every_%s.%s", fx.dir, fmts[i].ext, fmts[i].ext);
        assert_export_ok(p, layers, 0);
        for (int k = 0; k < 3; k++) {
            if (fmts[i].one_file)
                snprintf(q[k], sizeof q[k], "%s", p);
            else
                snprintf(q[k], sizeof q[k], "%s/every_%s/%s.%s", fx.dir, fmts[i].ext, layers[k],
                         fmts[i].ext);
        }
        const char *pl = fmts[i].one_file ? "parks" : NULL;
        check_output(q[0], pl, fmts[i].crs, fmts[i].kml);
        check_valid(q[0], pl);
        check_lines(q[1], fmts[i].one_file ? "adjacency" : NULL, fmts[i].crs, fmts[i].typed);
        check_empty(q[2], fmts[i].one_file ? "qa_issues" : NULL, fmts[i].typed);
    }
    assert_no_leftovers(fx.dir);
}

/* ---- styles ------------------------------------------------------------ */

static const char test_style[] =
    "{\"version\": 8, \"name\": \"test\", \"layers\": ["
    "{\"id\": \"fill\", \"type\": \"fill\", \"source\": \"parks\", \"paint\": {"
    " \"fill-color\": [\"match\", [\"get\", \"industry\"], \"人工智能\", \"#66c2a5\","
    "  \"先进制造\", \"#fc8d62\", \"国际贸易, \\\"物流\\\"\", \"#8da0cb\", \"#e5c494\"],"
    " \"fill-opacity\": 0.9}},"
    "{\"id\": \"edge\", \"type\": \"line\", \"source\": \"parks\","
    " \"filter\": [\"!=\", [\"get\", \"planned_area_km2\"], 1],"
    " \"paint\": {\"line-color\": \"#3d3d3d\", \"line-width\": 0.8, \"line-dasharray\": [3, 2]}},"
    "{\"id\": \"labels\", \"type\": \"symbol\", \"source\": \"parks\", \"layout\": {"
    " \"text-field\": [\"coalesce\", [\"get\", \"name\"], [\"get\", \"industry\"]],"
    " \"text-size\": 9}}]}";

/* Well-formed XML: xmllint when the system has it, else GDAL's parser. */
static void assert_xml(const char *text, const char *what)
{
    CPLXMLNode *n = CPLParseXMLString(text);
    if (!n)
        fail_msg("%s is not well-formed XML: %s", what, CPLGetLastErrorMsg());
    CPLDestroyXMLNode(n);
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char path[512], cmd[700];
        snprintf(path, sizeof path, "%s/check.xml", fx.dir);
        FILE *f = fopen(path, "wb");
        fputs(text, f);
        fclose(f);
        snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
        if (system(cmd) != 0)
            fail_msg("xmllint rejects the %s", what);
        unlink(path);
    }
}

static void assert_names_categories(const char *text, const char *what)
{
    static const char *const cats[] = {"人工智能", "先进制造", "国际贸易, &quot;物流&quot;"};
    static const char *const colors[] = {"66c2a5", "fc8d62", "8da0cb"};
    for (int i = 0; i < 3; i++)
        if (!strstr(text, cats[i]))
            fail_msg("%s does not name category %s", what, cats[i]);
    (void)colors;
}

static int export_styled(const char *path, const char *const *layers, const pm_style *st)
{
    pm_export_opts o = PM_EXPORT_OPTS_INIT;
    o.out_path = path;
    o.layers = layers;
    o.style = st;
    return pm_export_layers(fresh_ctx(), fx.st, &o);
}

static void test_export_styles(void **state)
{
    (void)state;
    pm_style *st = NULL;
    char p[512], side[512];
    const char *const layers[] = {"parks", "adjacency", "qa_issues", NULL};
    assert_int_equal(pm_style_parse(&st, fresh_ctx(), test_style, "test"), 0);

    /* GeoPackage: layer_styles as QGIS reads it, registered as attributes. */
    out_path(p, sizeof p, "styled.gpkg");
    if (export_styled(p, layers, st))
        fail_msg("%s: %s (%s)", pm_ctx_what(fx.ctx), pm_ctx_where(fx.ctx), pm_ctx_why(fx.ctx));
    GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH c = GDALDatasetExecuteSQL(
        ds, "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'", NULL, NULL);
    assert_non_null(c);
    OGRFeatureH fh = OGR_L_GetNextFeature(c);
    assert_non_null(fh);
    assert_string_equal(OGR_F_GetFieldAsString(fh, 0), "attributes");
    OGR_F_Destroy(fh);
    GDALDatasetReleaseResultSet(ds, c);
    OGRLayerH ls = GDALDatasetGetLayerByName(ds, "layer_styles");
    assert_non_null(ls);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(ls);
    static const char *const cols[] = {
        "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
        "styleName",       "styleQML",       "styleSLD",     "useAsDefault",
        "description",     "owner",          "ui",           "update_time"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        if (OGR_FD_GetFieldIndex(d, cols[i]) < 0)
            fail_msg("layer_styles lacks %s", cols[i]);
    assert_string_equal(OGR_L_GetFIDColumn(ls), "id");
    int rows = 0, parks_seen = 0;
    while ((fh = OGR_L_GetNextFeature(ls))) {
        const char *t = OGR_F_GetFieldAsString(fh, OGR_FD_GetFieldIndex(d, "f_table_name"));
        const char *qml = OGR_F_GetFieldAsString(fh, OGR_FD_GetFieldIndex(d, "styleQML"));
        const char *sld = OGR_F_GetFieldAsString(fh, OGR_FD_GetFieldIndex(d, "styleSLD"));
        assert_string_equal(
            OGR_F_GetFieldAsString(fh, OGR_FD_GetFieldIndex(d, "f_geometry_column")), "geom");
        assert_int_equal(OGR_F_GetFieldAsInteger(fh, OGR_FD_GetFieldIndex(d, "useAsDefault")), 1);
        assert_xml(qml, "QML");
        assert_xml(sld, "SLD");
        if (strcmp(t, "parks") == 0) {
            parks_seen = 1;
            assert_names_categories(qml, "QML");
            assert_names_categories(sld, "SLD");
            assert_non_null(strstr(qml, "type=\"categorizedSymbol\" attr=\"industry\""));
            assert_non_null(strstr(qml, "102,194,165,230")); /* #66c2a5 at 0.9 */
            assert_non_null(strstr(qml, "coalesce(&quot;name&quot;, &quot;industry&quot;)"));
            assert_non_null(strstr(sld, "<ogc:PropertyIsEqualTo><ogc:PropertyName>industry"));
            assert_non_null(strstr(sld, "<se:SvgParameter name=\"fill\">#66c2a5"));
            assert_non_null(strstr(sld, "<se:TextSymbolizer>"));
            assert_non_null(strstr(sld, "geodata/pudong_parks.geojson")); /* provenance */
        } else if (strcmp(t, "adjacency") == 0) {
            /* not in the user's style: parkmap's own analysis style */
            assert_non_null(strstr(qml, "attr=\"relation\""));
            assert_non_null(strstr(qml, "type=\"line\""));
        }
        rows++;
        OGR_F_Destroy(fh);
    }
    assert_true(parks_seen);
    assert_int_equal(rows, 3);
    GDALClose(ds);
    check_output(p, "parks", CRS_4550, 0); /* styles change nothing in the data */

    /* Shapefile: .qml and .sld beside, with the DBF field names. */
    out_path(p, sizeof p, "styled.shp");
    assert_int_equal(export_styled(p, NULL, st), 0);
    out_path(side, sizeof side, "styled.qml");
    char *qml = slurp(side, NULL);
    assert_non_null(qml);
    assert_xml(qml, "QML sidecar");
    assert_names_categories(qml, "QML sidecar");
    /* the filter reads planned_area_km2, stored as planned_ar */
    assert_non_null(strstr(qml, "&quot;planned_ar&quot;"));
    assert_null(strstr(qml, "planned_area_km2"));
    free(qml);
    out_path(side, sizeof side, "styled.sld");
    char *sld = slurp(side, NULL);
    assert_non_null(sld);
    assert_xml(sld, "SLD sidecar");
    assert_names_categories(sld, "SLD sidecar");
    assert_non_null(strstr(sld, "<ogc:PropertyName>planned_ar</ogc:PropertyName>"));
    free(sld);

    /* KML: one shared style per category, placemarks pointing at theirs. */
    out_path(p, sizeof p, "styled.kml");
    assert_int_equal(export_styled(p, NULL, st), 0);
    char *kml = slurp(p, NULL);
    assert_non_null(kml);
    assert_xml(kml, "KML");
    assert_non_null(strstr(kml, "<Style id=\"parks-0\">"));
    assert_non_null(strstr(kml, "<Style id=\"parks-other\">"));
    assert_non_null(strstr(kml, "<color>e6a5c266</color>")); /* aabbggrr of #66c2a5, 0.9 */
    assert_non_null(strstr(kml, "<styleUrl>#parks-0</styleUrl>"));
    free(kml);
    check_output(p, NULL, CRS_WGS84, 1);
    pm_style_free(st);
}

/* ---- Shapefile field names ---------------------------------------------- */

static void test_export_dbf_names(void **state)
{
    (void)state;
    const char *const names[] = {"name",       "planned_area_km2", "planned_area_m2",
                                 "PLANNED_AR", "名称名称名称",     "enterprises"};
    pm_export_fieldmap m, m2;
    assert_int_equal(pm_export_fieldmap_dbf(&m, fresh_ctx(), names, 6), 0);
    assert_string_equal(m.to[0], "name");
    assert_string_equal(m.to[1], "planned_ar");
    assert_string_equal(m.to[2], "planned__2"); /* clash: lowest free suffix */
    assert_string_equal(m.to[3], "PLANNED__3"); /* DBF names ignore case */
    assert_string_equal(m.to[4], "名称名");     /* 9 bytes: no split character */
    assert_string_equal(m.to[5], "enterprise");
    assert_int_equal(pm_export_fieldmap_dbf(&m2, fx.ctx, names, 6), 0);
    for (size_t i = 0; i < m.n; i++)
        assert_string_equal(m.to[i], m2.to[i]); /* deterministic */
    assert_string_equal(pm_export_field_name(&m, "planned_area_m2"), "planned__2");
    assert_string_equal(pm_export_field_name(&m, "not_there"), "not_there");
    pm_export_fieldmap_clear(&m);
    pm_export_fieldmap_clear(&m2);

    /* Written beside the .shp. */
    char p[512], side[512];
    out_path(p, sizeof p, "names.shp");
    assert_export_ok(p, NULL, 0);
    out_path(side, sizeof side, "names.fields.csv");
    char *csv = slurp(side, NULL);
    assert_non_null(csv);
    assert_non_null(strstr(csv, "field,shapefile_field\n"));
    assert_non_null(strstr(csv, "\nplanned_area_km2,planned_ar\n"));
    assert_non_null(strstr(csv, "\nsource_fid,source_fid\n"));
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_gpkg),
        cmocka_unit_test(test_export_shp),
        cmocka_unit_test(test_export_geojson),
        cmocka_unit_test(test_export_kml),
        cmocka_unit_test(test_export_fgb),
        cmocka_unit_test(test_export_csv),
        cmocka_unit_test(test_export_exists_and_overwrite),
        cmocka_unit_test(test_export_shp_sidecar_blocks_and_stale_removed),
        cmocka_unit_test(test_export_failure_keeps_old_output),
        cmocka_unit_test(test_export_missing_layer),
        cmocka_unit_test(test_export_bad_extension),
        cmocka_unit_test(test_export_multi_layer),
        cmocka_unit_test(test_export_t_srs),
        cmocka_unit_test(test_export_refuses_the_database),
        cmocka_unit_test(test_export_every_layer_every_format),
        cmocka_unit_test(test_export_styles),
        cmocka_unit_test(test_export_dbf_names),
    };
    GDALAllRegister();
    return cmocka_run_group_tests(tests, setup, teardown);
}
