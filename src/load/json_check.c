/* A strict, streaming syntax check of JSON sources before GDAL reads them.
 *
 * GDAL's GeoJSON driver is lenient where parkmap must not be, and silent
 * about where a document is broken: it accepts NaN and Infinity, reports a
 * truncated or garbage-trailed file as "Failed to read GeoJSON data" with no
 * position, and parses nesting as deep as its stack allows. This pass reads
 * the file once in fixed-size blocks (memory does not grow with the file),
 * and refuses, with a line and column, anything RFC 8259 does not allow, or
 * nesting deeper than PM_LOAD_MAX_JSON_DEPTH, or a "features" member that is
 * not an array of objects. */
#include "load_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { C_OBJ = 1, C_ARR = 2 };
enum {
    S_VALUE,   /* a value must come next */
    S_KEY,     /* inside an object: a key (or '}' if first) */
    S_COLON,   /* after a key */
    S_AFTER,   /* after a value: ',' or the closing bracket */
    S_END,     /* after the top-level value: only whitespace */
    S_STRING,  /* inside a string */
    S_ESCAPE,  /* after a backslash in a string */
    S_UNICODE, /* inside \uXXXX */
    S_NUMBER,  /* inside a number */
    S_LITERAL, /* inside true / false / null */
};

typedef struct {
    const char *path;
    pm_ctx *ctx;
    unsigned char stack[PM_LOAD_MAX_JSON_DEPTH + 1];
    int depth;
    int state;
    int string_is_key;
    int empty_container; /* just opened: '}' or ']' allowed in S_KEY/S_VALUE */
    /* Member names at depths 1..3, for "features" (feature indices) and
     * "crs"/"properties"/"name" (the declared CRS, which GDAL ignores with
     * only a log message when it cannot resolve it). */
    char keys[4][16];
    size_t keylens[4];
    char *crs;
    size_t crs_size, crs_len;
    int in_crs_name;
    /* "crs"/"type": "name" is the only kind GDAL resolves; for "link"
     * (GeoJSON 2008's other kind) it silently falls back to WGS 84. */
    char *crs_type;
    size_t crs_type_size, crs_type_len;
    int in_crs_type;
    /* Numbers in the current feature: two per vertex. Counted here so a
     * monster polygon is refused before GDAL builds it in memory (its
     * GeoJSON reader holds a whole feature as json-c objects; the import
     * peaks at ~1.05 KB per vertex). */
    long long numbers;
    long max_vertices;
    const char *what; /* the error's "what": malformed JSON unless a limit */
    int in_features;  /* depth-1 key is "features" and its array is open */
    long feature;     /* index of the current element of "features" */
    pm_json_ids ids;  /* features seen, and those with an integer "id" member */
    /* number and literal scanning */
    char tok[8];
    int toklen;
    int numstate;
    /* an integer's digits, to refuse one beyond 64 bits: GDAL would store
     * it as INT64_MAX without a word */
    char digits[20];
    int ndigits, negative;
    int hex;
    /* position */
    long line, col;
    long long offset;
} scan;

static int is_key(const scan *s, int depth, const char *name)
{
    size_t n = strlen(name);
    return s->depth >= depth && s->stack[depth] == C_OBJ && s->keylens[depth] == n &&
           memcmp(s->keys[depth], name, n) == 0;
}

static int fail(scan *s, const char *fmt, const char *arg)
{
    char where[700], why[200];
    if (s->in_features && s->depth >= 2)
        snprintf(where, sizeof where, "%s feature %ld, line %ld column %ld", s->path, s->feature,
                 s->line, s->col);
    else
        snprintf(where, sizeof where, "%s line %ld column %ld", s->path, s->line, s->col);
    snprintf(why, sizeof why, fmt, arg);
    return pm_err(s->ctx, PM_EINPUT, s->what ? s->what : "malformed JSON", where, "%s", why);
}

static const char *show(int c, char *buf)
{
    if (c == EOF)
        return "end of file";
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", (unsigned)c & 0xffu);
    return buf;
}

static int open_container(scan *s, int type)
{
    if (s->depth >= PM_LOAD_MAX_JSON_DEPTH) {
        char n[16];
        snprintf(n, sizeof n, "%d", PM_LOAD_MAX_JSON_DEPTH);
        s->what = "JSON nested too deeply";
        return fail(s, "nested deeper than %s levels", n);
    }
    if (s->depth == 1 && is_key(s, 1, "features")) {
        if (type != C_ARR)
            return fail(s, "%s", "\"features\" must be an array");
        s->in_features = 1;
        s->feature = 0;
    }
    if (s->in_features && s->depth == 2 && type != C_OBJ)
        return fail(s, "%s", "a feature must be an object");
    if (s->in_features && s->depth == 2)
        s->ids.features++;
    s->stack[++s->depth] = (unsigned char)type;
    s->state = type == C_OBJ ? S_KEY : S_VALUE;
    s->empty_container = 1;
    return 0;
}

/* A scalar value starts at depth 1 for "features", or depth 2 as a feature. */
static int scalar_allowed(scan *s)
{
    if (s->depth == 1 && is_key(s, 1, "features"))
        return fail(s, "%s", "\"features\" must be an array");
    if (s->in_features && s->depth == 2)
        return fail(s, "%s", "a feature must be an object");
    return 0;
}

static int value_done(scan *s)
{
    s->state = s->depth == 0 ? S_END : S_AFTER;
    return 0;
}

static int close_container(scan *s, int c)
{
    int want = c == '}' ? C_OBJ : C_ARR;
    char b[16];
    if (s->depth == 0 || s->stack[s->depth] != want)
        return fail(s, "unexpected %s", show(c, b));
    s->depth--;
    if (s->in_features && s->depth == 1)
        s->in_features = 0;
    return value_done(s);
}

static int end_token(scan *s)
{
    s->tok[s->toklen] = '\0';
    if (s->state == S_LITERAL) {
        if (strcmp(s->tok, "true") && strcmp(s->tok, "false") && strcmp(s->tok, "null"))
            return fail(s,
                        strcmp(s->tok, "NaN") == 0 || strcmp(s->tok, "Infinity") == 0 ||
                                strcmp(s->tok, "nan") == 0 || strcmp(s->tok, "inf") == 0
                            ? "%s is not a JSON number (non-finite coordinates are refused)"
                            : "unknown literal '%s'",
                        s->tok);
    } else {
        /* numstate: 1 sign, 2 zero, 3 int digits, 4 dot, 5 frac, 6 e, 7 e-sign, 8 exp */
        if (s->numstate != 2 && s->numstate != 3 && s->numstate != 5 && s->numstate != 8)
            return fail(s, "%s", "malformed number");
        /* JSON has no leading zeros, so more digits is larger. */
        static const char *const lim[2] = {"9223372036854775807", "9223372036854775808"};
        if ((s->numstate == 2 || s->numstate == 3) &&
            (s->ndigits > 19 ||
             (s->ndigits == 19 && memcmp(s->digits, lim[s->negative], 19) > 0))) {
            char n[16];
            snprintf(n, sizeof n, "%d", s->ndigits);
            s->what = "integer out of range";
            return fail(s,
                        "an integer of %s digits does not fit in 64 bits; quote it, or write "
                        "it with a decimal point or exponent if it is a measure",
                        n);
        }
        if ((s->numstate == 2 || s->numstate == 3) && s->in_features && s->depth == 3 &&
            is_key(s, 3, "id"))
            s->ids.int_ids++;
    }
    return value_done(s);
}

static int number_char(scan *s, int c)
{
    int d = c >= '0' && c <= '9';
    switch (s->numstate) {
    case 1:
        s->numstate = c == '0' ? 2 : d ? 3 : -1;
        break;
    case 2:
        s->numstate = c == '.' ? 4 : (c == 'e' || c == 'E') ? 6 : -1;
        break;
    case 3:
        s->numstate = d ? 3 : c == '.' ? 4 : (c == 'e' || c == 'E') ? 6 : -1;
        break;
    case 4:
        s->numstate = d ? 5 : -1;
        break;
    case 5:
        s->numstate = d ? 5 : (c == 'e' || c == 'E') ? 6 : -1;
        break;
    case 6:
        s->numstate = d ? 8 : (c == '+' || c == '-') ? 7 : -1;
        break;
    case 7:
        s->numstate = d ? 8 : -1;
        break;
    case 8:
        s->numstate = d ? 8 : -1;
        break;
    default:
        s->numstate = -1;
    }
    return s->numstate > 0;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One character; may re-dispatch it after ending a number or literal. */
static int step(scan *s, int c)
{
    char b[16];
    for (;;) {
        switch (s->state) {
        case S_STRING:
            if (c == EOF)
                return fail(s, "%s", "unterminated string");
            if (c == '"') {
                s->in_crs_name = 0;
                s->in_crs_type = 0;
                s->state = s->string_is_key ? S_COLON : S_AFTER;
                if (!s->string_is_key && s->depth == 0)
                    s->state = S_END;
                return 0;
            }
            if (c == '\\') {
                s->state = S_ESCAPE;
                return 0;
            }
            if (c < 0x20)
                return fail(s, "control character %s inside a string (escape it)", show(c, b));
            if (s->string_is_key && s->depth <= 3) {
                if (s->keylens[s->depth] < sizeof s->keys[0] - 1)
                    s->keys[s->depth][s->keylens[s->depth]] = (char)c;
                s->keylens[s->depth]++;
            }
            if (s->in_crs_name && s->crs_len + 1 < s->crs_size) {
                s->crs[s->crs_len++] = (char)c;
                s->crs[s->crs_len] = '\0';
            }
            if (s->in_crs_type && s->crs_type_len + 1 < s->crs_type_size) {
                s->crs_type[s->crs_type_len++] = (char)c;
                s->crs_type[s->crs_type_len] = '\0';
            }
            return 0;
        case S_ESCAPE:
            if (c == 'u') {
                s->state = S_UNICODE;
                s->hex = 0;
                return 0;
            }
            if (c == EOF || c == 0 || !strchr("\"\\/bfnrt", c))
                return fail(s, "bad escape \\%s in a string", show(c, b));
            s->state = S_STRING;
            if (s->string_is_key && s->depth <= 3)
                s->keylens[s->depth] += 2; /* escaped keys are none we look for */
            s->in_crs_name = 0;
            s->in_crs_type = 0;
            return 0;
        case S_UNICODE:
            if (c == EOF || c == 0 || !strchr("0123456789abcdefABCDEF", c))
                return fail(s, "bad \\u escape: %s", show(c, b));
            if (++s->hex == 4)
                s->state = S_STRING;
            return 0;
        case S_NUMBER:
        case S_LITERAL:
            if (s->state == S_LITERAL ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                                      : (c >= '0' && c <= '9') || (c > 0 && strchr("+-.eE", c))) {
                if (c == EOF)
                    break;
                if (s->state == S_NUMBER && !number_char(s, c))
                    return fail(s, "%s", "malformed number");
                if (s->state == S_NUMBER && s->numstate == 3 && s->ndigits++ < 19)
                    s->digits[s->ndigits - 1] = (char)c;
                if (s->toklen < (int)sizeof s->tok - 1)
                    s->tok[s->toklen++] = (char)c;
                else if (s->state == S_LITERAL)
                    return fail(s, "unexpected %s", "word");
                return 0;
            }
            {
                int rc = end_token(s);
                if (rc)
                    return rc;
            }
            continue; /* c belongs to what follows */
        default:
            break;
        }
        if (c == EOF) {
            if (s->state == S_END)
                return 0;
            return fail(s, "%s",
                        s->depth || s->state != S_VALUE ? "truncated: unexpected end of file"
                                                        : "no JSON value");
        }
        if (is_ws(c))
            return 0;
        switch (s->state) {
        case S_END:
            return fail(s, "unexpected %s after the end of the document", show(c, b));
        case S_COLON:
            if (c != ':')
                return fail(s, "expected ':' but found %s", show(c, b));
            s->state = S_VALUE;
            s->empty_container = 0;
            return 0;
        case S_AFTER:
            if (c == ',') {
                s->empty_container = 0;
                if (s->stack[s->depth] == C_OBJ) {
                    s->state = S_KEY;
                } else {
                    s->state = S_VALUE;
                    if (s->in_features && s->depth == 2) {
                        s->feature++;
                        s->numbers = 0;
                    }
                }
                return 0;
            }
            if (c == '}' || c == ']')
                return close_container(s, c);
            return fail(s, "expected ',' or a closing bracket but found %s", show(c, b));
        case S_KEY:
            if (c == '}' && s->empty_container)
                return close_container(s, c);
            if (c != '"')
                return fail(s, "expected a member name in quotes but found %s", show(c, b));
            s->state = S_STRING;
            s->string_is_key = 1;
            if (s->depth <= 3)
                s->keylens[s->depth] = 0;
            return 0;
        case S_VALUE:
            if (c == ']' && s->empty_container && s->depth && s->stack[s->depth] == C_ARR)
                return close_container(s, c);
            s->empty_container = 0;
            if (c == '{')
                return open_container(s, C_OBJ);
            if (c == '[')
                return open_container(s, C_ARR);
            {
                int rc = scalar_allowed(s);
                if (rc)
                    return rc;
            }
            if (c == '"') {
                s->state = S_STRING;
                s->string_is_key = 0;
                if (s->depth == 3 && s->crs && is_key(s, 1, "crs") && is_key(s, 2, "properties") &&
                    is_key(s, 3, "name")) {
                    s->in_crs_name = 1;
                    s->crs_len = 0;
                }
                if (s->depth == 2 && s->crs_type && is_key(s, 1, "crs") && is_key(s, 2, "type")) {
                    s->in_crs_type = 1;
                    s->crs_type_len = 0;
                }
                return 0;
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                if (s->in_features && s->depth >= 3 && ++s->numbers > 2LL * s->max_vertices + 1) {
                    char n[32];
                    snprintf(n, sizeof n, "%ld", s->max_vertices);
                    s->what = "feature too large";
                    return fail(s,
                                "more than %s vertices in one feature (the limit, see "
                                "docs/limits.md)",
                                n);
                }
                s->state = S_NUMBER;
                s->numstate = 1;
                s->toklen = 0;
                s->negative = c == '-';
                s->ndigits = c >= '1' && c <= '9';
                s->digits[0] = (char)c;
                if (c != '-' && !number_char(s, c))
                    return fail(s, "%s", "malformed number");
                s->tok[s->toklen++] = (char)c;
                return 0;
            }
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                s->state = S_LITERAL;
                s->toklen = 0;
                s->tok[s->toklen++] = (char)c;
                return 0;
            }
            return fail(s, "unexpected %s", show(c, b));
        default:
            return fail(s, "%s", "internal scanner state");
        }
    }
    /* EOF inside a number or literal */
    int rc = end_token(s);
    if (rc)
        return rc;
    return step(s, EOF);
}

int pm_load_json_check(pm_ctx *ctx, const char *path, char *crs, size_t crs_size, char *crs_type,
                       size_t crs_type_size, long max_vertices, pm_json_ids *ids)
{
    unsigned char buf[1 << 16];
    scan s;
    int rc = 0, first = 1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return pm_err(ctx, PM_EINPUT, "cannot open source", path, "%s", strerror(errno));
    memset(&s, 0, sizeof s);
    s.path = path;
    s.ctx = ctx;
    s.state = S_VALUE;
    s.line = 1;
    s.max_vertices = max_vertices;
    s.crs = crs_size ? crs : NULL;
    s.crs_size = crs_size;
    if (s.crs)
        s.crs[0] = '\0';
    s.crs_type = crs_type_size ? crs_type : NULL;
    s.crs_type_size = crs_type_size;
    if (s.crs_type)
        s.crs_type[0] = '\0';
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, f);
        size_t i = 0;
        if (first && n >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
            i = 3; /* a UTF-8 byte order mark, which GDAL skips too */
        first = 0;
        for (; i < n; i++) {
            s.col++;
            s.offset++;
            if ((rc = step(&s, buf[i])))
                goto done;
            if (buf[i] == '\n') {
                s.line++;
                s.col = 0;
            }
        }
        if (n < sizeof buf) {
            if (ferror(f)) {
                rc = pm_err(ctx, PM_EINPUT, "cannot read source", path, "%s", strerror(errno));
                goto done;
            }
            break;
        }
    }
    s.col++;
    rc = step(&s, EOF);
done:
    fclose(f);
    if (ids)
        *ids = s.ids;
    return rc;
}
