/* pm_render_map: choose the surface from the extension, build the scene on
 * it, draw, and move the finished file into place. */
#define _DEFAULT_SOURCE /* realpath, lstat */
#include "render_internal.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <png.h>
#include <stdint.h>
#include <zlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum { FMT_PNG = 1, FMT_SVG, FMT_PDF } fmt;

static fmt format_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return 0;
    return strcasecmp(dot, ".png") == 0   ? FMT_PNG
           : strcasecmp(dot, ".svg") == 0 ? FMT_SVG
           : strcasecmp(dot, ".pdf") == 0 ? FMT_PDF
                                          : 0;
}

/* cairo writes through this, so a full disk is noticed (cairo's own file
 * writers would report it only as a generic write error). */
typedef struct {
    int fd;
    int err;
    int to_mem; /* collect in mem instead (SVG, rewritten before writing) */
    char *mem;
    size_t len, cap;
} sink;

static int write_all(sink *s, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(s->fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            s->err = errno;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    sink *s = closure;
    if (s->to_mem) {
        if (s->len + len + 1 > s->cap) {
            size_t nc = s->cap ? s->cap : 65536;
            while (s->len + len + 1 > nc)
                nc *= 2;
            char *nm = realloc(s->mem, nc);
            if (!nm) {
                s->err = ENOMEM;
                return CAIRO_STATUS_NO_MEMORY;
            }
            s->mem = nm;
            s->cap = nc;
        }
        memcpy(s->mem + s->len, data, len);
        s->len += len;
        s->mem[s->len] = '\0';
        return CAIRO_STATUS_SUCCESS;
    }
    return write_all(s, data, len) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* cairo's SVG writer names groups "surface<N>" after a counter shared by
 * every surface the process ever made, so a second render in the same
 * process would differ from the first. Renumber them in order of first
 * appearance (the SVG holds glyphs as paths, never text that could read
 * "surface<N>" by chance). */
static int write_svg(sink *s)
{
    long map_from[64], map_to[64];
    int nmap = 0;
    size_t start = 0, i = 0;
    while (i < s->len) {
        const char *p = s->mem + i;
        if (i > 0 && (p[-1] == '"' || p[-1] == '#') && strncmp(p, "surface", 7) == 0 &&
            p[7] >= '0' && p[7] <= '9') {
            char *end;
            long n = strtol(p + 7, &end, 10), to = -1;
            for (int k = 0; k < nmap; k++)
                if (map_from[k] == n)
                    to = map_to[k];
            if (to < 0 && nmap < 64) {
                map_from[nmap] = n;
                to = map_to[nmap] = nmap + 1;
                nmap++;
            }
            if (to >= 0) {
                char num[32];
                int nl = snprintf(num, sizeof num, "surface%ld", to);
                if (write_all(s, (const unsigned char *)s->mem + start, i - start) ||
                    write_all(s, (const unsigned char *)num, (size_t)nl))
                    return -1;
                i = (size_t)(end - s->mem);
                start = i;
                continue;
            }
        }
        i++;
    }
    return write_all(s, (const unsigned char *)s->mem + start, s->len - start);
}

/* PNG through libpng (cairo's own PNG backend) rather than
 * cairo_surface_write_to_png, which always uses zlib's default level and
 * libpng's adaptive filtering: on a 2000 x 2000 map that costs more than
 * drawing it. Maps are flat colour: unfiltered rows at zlib's fastest level
 * find the long runs of a colour (3 bytes back) and the row above (a
 * stride back) by themselves. On the 100k-parcel benchmark map that is as
 * fast as the "up" filter with run-length deflate and 41 % smaller (3.7 MB
 * against 6.2 MB; the shipped styles' maps 10-25 % smaller). */
static void png_write_cb(png_structp png, png_bytep data, size_t len)
{
    if (sink_write(png_get_io_ptr(png), data, (unsigned)len) != CAIRO_STATUS_SUCCESS)
        png_error(png, "write failed");
}

static void png_flush_cb(png_structp png)
{
    (void)png;
}

/* libpng's default handlers print to stderr; the library never prints
 * (the sink keeps errno for the message). */
static void png_error_cb(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void png_warn_cb(png_structp png, png_const_charp msg)
{
    (void)png, (void)msg;
}

static int write_png(sink *out, cairo_surface_t *s)
{
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    int alpha = cairo_image_surface_get_format(s) == CAIRO_FORMAT_ARGB32;
    const unsigned char *data = cairo_image_surface_get_data(s);
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_cb, png_warn_cb);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *volatile row = malloc((size_t)w * 4);
    int rc = -1;
    if (!png || !info || !row)
        goto done;
    if (setjmp(png_jmpbuf(png)))
        goto done;
    png_set_write_fn(png, out, png_write_cb, png_flush_cb);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_compression_level(png, 1);
    png_set_compression_strategy(png, Z_DEFAULT_STRATEGY);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        const uint32_t *px = (const uint32_t *)(data + (size_t)y * stride);
        unsigned char *o = row;
        for (int x = 0; x < w; x++) {
            uint32_t p = px[x];
            unsigned a = p >> 24, r = (p >> 16) & 255, g = (p >> 8) & 255, b = p & 255;
            if (alpha && a != 255 && a != 0) { /* cairo premultiplies; PNG does not */
                r = (r * 255 + a / 2) / a, g = (g * 255 + a / 2) / a, b = (b * 255 + a / 2) / a;
            }
            *o++ = (unsigned char)r, *o++ = (unsigned char)g, *o++ = (unsigned char)b;
            if (alpha)
                *o++ = (unsigned char)a;
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    rc = 0;
done:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(row);
    return rc;
}

static int cairo_fail(pm_ctx *ctx, const char *path, cairo_status_t st, const sink *s)
{
    if (s && s->err)
        return pm_err(ctx, PM_EIO, "cannot write map", path, "%s", strerror(s->err));
    return pm_err(ctx, st == CAIRO_STATUS_NO_MEMORY ? PM_ENOMEM : PM_EIO, "cannot draw map", path,
                  "cairo: %s", cairo_status_to_string(st));
}

/* One output file on its way: checked, written beside the target, moved
 * into place by target_publish. */
typedef struct {
    const char *path; /* as given, for messages */
    char *dest;       /* the file replaced: path, or where its symbolic link leads */
    fmt f;
    int fd;
    char *tmp; /* the file beside path, until renamed */
    sink out;
    cairo_surface_t *surface;
    cairo_t *cr;
} target;

/* Check path, create its temporary file and a surface of the page's size
 * drawing into it. */
static int target_open(target *t, pm_ctx *ctx, const char *path, const pm_style *style,
                       const pm_render_opts *opts)
{
    struct stat sb;
    t->path = path;
    if (!path || !*path)
        return pm_err(ctx, PM_EUSAGE, "cannot render", "render", "no output path");
    if (!(t->f = format_of(path)))
        return pm_err(ctx, PM_EUSAGE, "unsupported map format", path,
                      "the extension must be .png, .svg or .pdf");
    if (stat(path, &sb) == 0) {
        /* A directory is a mistaken argument, as export says (exit 2), and
         * --overwrite does not change that. */
        if (S_ISDIR(sb.st_mode))
            return pm_err(ctx, PM_EUSAGE, "output is a directory", path,
                          "give a file name ending in %s", strrchr(path, '.'));
        if (!opts->overwrite)
            return pm_err(ctx, PM_EEXIST, "output exists", path, "use --overwrite to replace it");
        if (!S_ISREG(sb.st_mode))
            return pm_err(ctx, PM_EIO, "cannot write map", path, "not a regular file");
    }
    /* A symbolic link is followed, as export and --db follow theirs: the
     * map it points to is replaced and the link stays a link (renaming
     * onto the link would replace the link and leave its map as it was). */
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        if (!(t->dest = realpath(path, NULL)))
            return pm_err(ctx, PM_EIO, "cannot write map", path,
                          "symbolic link to a file that cannot be reached: %s", strerror(errno));
    } else if (!(t->dest = strdup(path))) {
        return pm_err(ctx, PM_ENOMEM, "out of memory", path, "render");
    }
    if (!(t->tmp = malloc(strlen(t->dest) + 16)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", path, "render");
    /* Written beside the target, on the same file system, so rename(2)
     * replaces it atomically: readers see the old map or the new, whole. */
    sprintf(t->tmp, "%s.tmp-XXXXXX", t->dest);
    if ((t->fd = mkstemp(t->tmp)) < 0) {
        int e = errno;
        free(t->tmp);
        t->tmp = NULL;
        return pm_err(ctx, PM_EIO, "cannot write map", path, "%s", strerror(e));
    }
    (void)fchmod(t->fd, 0644); /* mkstemp's 0600 would hide the map from others */
    t->out.fd = t->fd;

    int w, h;
    double dpi;
    pm_page_size(pm_style_page(style), opts, &w, &h, &dpi);
    if (w < 16 || h < 16 || w > 20000 || h > 20000 || dpi < 10 || dpi > 2400)
        return pm_err(ctx, PM_EUSAGE, "bad page size", path,
                      "%d x %d px at %g dpi (16..20000 px, 10..2400 dpi)", w, h, dpi);
    double pt_w = w * 72.0 / dpi, pt_h = h * 72.0 / dpi;
    switch (t->f) {
    case FMT_PNG:
        /* An opaque page needs no alpha channel: the PNG is RGB, a quarter
         * less to compress and write. */
        t->surface = cairo_image_surface_create(
            pm_style_page(style)->background.a >= 1 ? CAIRO_FORMAT_RGB24 : CAIRO_FORMAT_ARGB32, w,
            h);
        break;
    case FMT_SVG:
        t->out.to_mem = 1;
        t->surface = cairo_svg_surface_create_for_stream(sink_write, &t->out, pt_w, pt_h);
        cairo_svg_surface_restrict_to_version(t->surface, CAIRO_SVG_VERSION_1_1);
        cairo_svg_surface_set_document_unit(t->surface, CAIRO_SVG_UNIT_PT);
        break;
    case FMT_PDF:
        t->surface = cairo_pdf_surface_create_for_stream(sink_write, &t->out, pt_w, pt_h);
        cairo_pdf_surface_restrict_to_version(t->surface, CAIRO_PDF_VERSION_1_5);
        /* cairo stamps the current time as CreationDate unless told
         * otherwise; an empty date is dropped, so two renders of the same
         * data are the same bytes. */
        cairo_pdf_surface_set_metadata(t->surface, CAIRO_PDF_METADATA_CREATE_DATE, "");
        cairo_pdf_surface_set_metadata(t->surface, CAIRO_PDF_METADATA_CREATOR, "parkmap");
        if (pm_style_page(style)->title)
            cairo_pdf_surface_set_metadata(t->surface, CAIRO_PDF_METADATA_TITLE,
                                           pm_style_page(style)->title);
        break;
    }
    if (cairo_surface_status(t->surface) != CAIRO_STATUS_SUCCESS)
        return cairo_fail(ctx, path, cairo_surface_status(t->surface), &t->out);
    t->cr = cairo_create(t->surface);
    if (t->f != FMT_PNG)
        cairo_scale(t->cr, 72.0 / dpi, 72.0 / dpi); /* draw in page px; the file is in points */
    return 0;
}

/* Draw the scene, and write the temporary file whole. */
static int target_write(target *t, pm_ctx *ctx, pm_scene *sc, const pm_render_opts *opts)
{
    int rc;
    if ((rc = pm_scene_draw(sc, t->cr)))
        return rc;
    /* Encoding a large page takes a while too: ask before it. */
    if ((rc = pm_render_tick(ctx, opts, 0.8, "render: writing")))
        return rc;
    if (cairo_status(t->cr) != CAIRO_STATUS_SUCCESS)
        return cairo_fail(ctx, t->path, cairo_status(t->cr), &t->out);
    cairo_destroy(t->cr);
    t->cr = NULL;
    if (t->f == FMT_PNG) {
        cairo_surface_flush(t->surface);
        if (write_png(&t->out, t->surface))
            return cairo_fail(ctx, t->path, CAIRO_STATUS_WRITE_ERROR, &t->out);
    }
    cairo_surface_finish(t->surface);
    if (cairo_surface_status(t->surface) != CAIRO_STATUS_SUCCESS || t->out.err)
        return cairo_fail(ctx, t->path, cairo_surface_status(t->surface), &t->out);
    if (t->out.to_mem) {
        t->out.to_mem = 0;
        if (write_svg(&t->out))
            return cairo_fail(ctx, t->path, CAIRO_STATUS_WRITE_ERROR, &t->out);
    }
    int synced = fsync(t->fd) == 0;
    int closed = close(t->fd) == 0;
    t->fd = -1;
    if (!synced || !closed)
        return pm_err(ctx, PM_EIO, "cannot write map", t->path, "%s", strerror(errno));
    return 0;
}

/* Move the finished file into place. */
static int target_publish(target *t, pm_ctx *ctx)
{
    if (rename(t->tmp, t->dest) != 0)
        return pm_err(ctx, PM_EIO, "cannot write map", t->path, "%s", strerror(errno));
    free(t->tmp);
    t->tmp = NULL;
    return 0;
}

/* Release everything; a temporary file not published is removed. */
static void target_close(target *t)
{
    if (t->cr)
        cairo_destroy(t->cr);
    if (t->surface) {
        cairo_surface_finish(t->surface); /* flushes into the temp file we then remove */
        cairo_surface_destroy(t->surface);
    }
    if (t->fd >= 0)
        close(t->fd);
    if (t->tmp)
        unlink(t->tmp);
    free(t->out.mem);
    free(t->tmp);
    free(t->dest);
}

int pm_render_maps(pm_ctx *ctx, pm_store *st, const pm_style *style, const pm_render_opts *opts,
                   const char *const *paths, size_t n)
{
    int rc = 0;
    target *ts = NULL;
    pm_scene sc;
    pm_render_info info;
    memset(&sc, 0, sizeof sc);
    memset(&info, 0, sizeof info);
    if (!opts || !paths || n == 0)
        return pm_err(ctx, PM_EUSAGE, "cannot render", "render", "no output path");
    if (!(ts = calloc(n, sizeof *ts)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", "render", "outputs");
    for (size_t i = 0; i < n; i++) {
        ts[i].fd = -1;
        ts[i].out = (sink){-1, 0, 0, NULL, 0, 0};
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = target_open(&ts[i], ctx, paths[i], style, opts);
    /* The scene (the database read, the labels placed) is built once, on
     * the first surface, and drawn on every one: text is measured without
     * hinting, so the layout is the same on each (pm_pango_context). */
    if (!rc)
        rc = pm_scene_build(&sc, ctx, st, style, opts, &info, ts[0].cr, 1);
    for (size_t i = 0; i < n && !rc; i++)
        rc = target_write(&ts[i], ctx, &sc, opts);
    /* The last chance to stop: after it every file is moved into place. */
    if (!rc)
        rc = pm_render_tick(ctx, opts, 1.0, "render: done");
    for (size_t i = 0; i < n && !rc; i++)
        rc = target_publish(&ts[i], ctx);
    for (size_t i = 0; i < n; i++)
        target_close(&ts[i]);
    free(ts);
    pm_scene_free(&sc);
    pm_render_info_clear(&info);
    return rc;
}

int pm_render_map(pm_ctx *ctx, pm_store *st, const pm_style *style, const pm_render_opts *opts)
{
    const char *path = opts ? opts->out_path : NULL;
    if (!path || !*path)
        return pm_err(ctx, PM_EUSAGE, "cannot render", "render", "no output path");
    return pm_render_maps(ctx, st, style, opts, &path, 1);
}

int pm_render_layout(pm_render_info *out, pm_ctx *ctx, pm_store *st, const pm_style *style,
                     const pm_render_opts *opts)
{
    pm_scene sc;
    int rc;
    memset(out, 0, sizeof(*out));
    /* A recording surface measures text with the same (unhinted) metrics
     * as the file surfaces, and draws nothing. */
    cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cairo_t *cr = cairo_create(rec);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        rc = cairo_fail(ctx, "layout", cairo_status(cr), NULL);
        memset(&sc, 0, sizeof sc);
    } else {
        rc = pm_scene_build(&sc, ctx, st, style, opts, out, cr, 0);
    }
    pm_scene_free(&sc);
    cairo_destroy(cr);
    cairo_surface_destroy(rec);
    if (rc)
        pm_render_info_clear(out);
    return rc;
}

int pm_render_unknown_glyphs(int *out, pm_ctx *ctx, const char *family, const char *text)
{
    int rc = 0;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(s);
    PangoContext *pc = NULL;
    *out = 0;
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS || !(pc = pm_pango_context(cr))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "render", "pango");
        goto done;
    }
    PangoLayout *l = pango_layout_new(pc);
    PangoFontDescription *fd = pango_font_description_from_string("12px");
    pango_font_description_set_family(fd, family ? family : PM_RENDER_DEFAULT_FONT);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(l, text ? text : "", -1);
    *out = pango_layout_get_unknown_glyphs_count(l);
    g_object_unref(l);
done:
    if (pc)
        g_object_unref(pc);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return rc;
}

const char *pm_render_cairo_version(void)
{
    return cairo_version_string();
}

const char *pm_render_pango_version(void)
{
    return pango_version_string();
}
