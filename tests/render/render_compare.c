/* Compare two PNG maps with a per-pixel tolerance and a mismatch budget.
 *
 *   render_compare REF.png NEW.png [TOL [BUDGET [DIFF.png]]]
 *       A pixel mismatches when any channel (premultiplied ARGB as cairo
 *       reads it) differs by more than TOL (default 40 of 255); the test
 *       fails (exit 1) when more than BUDGET (default 0.01: 1 %) of the
 *       pixels mismatch, or the sizes differ. DIFF.png shows mismatches in
 *       red over a faded copy of NEW. Exit 2 on unreadable input.
 *   render_compare --crop IN.png X Y W H ZOOM OUT.png
 *       A zoomed crop, for looking at edges and seams by eye.
 *
 * Anti-aliasing and font rasterisation differ a little between machines
 * (FreeType and fontconfig versions, font files), which moves a few edge
 * pixels by a few levels: the tolerance absorbs the levels, the budget the
 * pixels. A misplaced layer, a lost label or a wrong colour moves far more. */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cairo_surface_t *load(const char *path)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "render_compare: cannot read %s (%s)\n", path,
                cairo_status_to_string(cairo_surface_status(s)));
        exit(2);
    }
    /* RGB24 and ARGB32 compare alike: draw both onto ARGB32. */
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    cairo_surface_t *a = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(a);
    cairo_set_source_surface(cr, s, 0, 0);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    cairo_surface_flush(a);
    return a;
}

static int crop(char **argv)
{
    cairo_surface_t *in = load(argv[2]);
    int x = atoi(argv[3]), y = atoi(argv[4]), w = atoi(argv[5]), h = atoi(argv[6]);
    double z = atof(argv[7]);
    cairo_surface_t *out =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)(w * z), (int)(h * z));
    cairo_t *cr = cairo_create(out);
    cairo_scale(cr, z, z);
    cairo_set_source_surface(cr, in, -x, -y);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_destroy(cr);
    int rc = cairo_surface_write_to_png(out, argv[8]) != CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(out);
    cairo_surface_destroy(in);
    return rc ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 9 && strcmp(argv[1], "--crop") == 0)
        return crop(argv);
    if (argc < 3 || argc > 6) {
        fprintf(stderr, "usage: render_compare REF.png NEW.png [TOL [BUDGET [DIFF.png]]]\n"
                        "       render_compare --crop IN.png X Y W H ZOOM OUT.png\n");
        return 2;
    }
    int tol = argc > 3 ? atoi(argv[3]) : 40;
    double budget = argc > 4 ? atof(argv[4]) : 0.01;
    cairo_surface_t *a = load(argv[1]), *b = load(argv[2]);
    int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
    if (w != cairo_image_surface_get_width(b) || h != cairo_image_surface_get_height(b)) {
        printf("%s: size %dx%d, reference %dx%d\n", argv[2], cairo_image_surface_get_width(b),
               cairo_image_surface_get_height(b), w, h);
        return 1;
    }
    unsigned char *pa = cairo_image_surface_get_data(a), *pb = cairo_image_surface_get_data(b);
    int sa = cairo_image_surface_get_stride(a), sb = cairo_image_surface_get_stride(b);
    long bad = 0;
    int worst = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = pa + (size_t)y * sa + 4 * x, *q = pb + (size_t)y * sb + 4 * x;
            int m = 0;
            for (int c = 0; c < 4; c++) {
                int d = abs((int)p[c] - (int)q[c]);
                m = d > m ? d : m;
            }
            worst = m > worst ? m : worst;
            if (m > tol) {
                bad++;
                q[0] = 0, q[1] = 0, q[2] = 255, q[3] = 255; /* BGRA: red */
            } else {
                for (int c = 0; c < 3; c++)
                    q[c] = (unsigned char)(q[c] / 4 + 191);
            }
        }
    double frac = (double)bad / ((double)w * h);
    printf("%s: %ld of %ld pixels differ by more than %d (%.3f %%, budget %.3f %%), largest "
           "difference %d\n",
           argv[2], bad, (long)w * h, tol, 100 * frac, 100 * budget, worst);
    if (argc > 5 && bad > 0) {
        cairo_surface_mark_dirty(b);
        cairo_surface_write_to_png(b, argv[5]);
    }
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    return frac > budget ? 1 : 0;
}
