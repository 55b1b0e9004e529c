/* Connecting to a PostGIS server: the three ways to name one, errors that
 * say in one line what is wrong, and never a password in any of them.
 *
 * Timeout policy. parkmap sets, for each setting still at the server's
 * built-in default (pg_settings.source = 'default': a value from
 * postgresql.conf, ALTER ROLE/DATABASE, or the connection's own options,
 * e.g. options='-c lock_timeout=5s' or PGOPTIONS, always wins):
 *   lock_timeout = 60s: a second import into a layer that is being imported
 *     waits for the first for up to a minute, then fails cleanly (nothing of
 *     it written) rather than hanging;
 *   statement_timeout = 1h: a guard against a runaway statement, far beyond
 *     any real park layer's import or union;
 *   idle_in_transaction_session_timeout = 10min: a parkmap stopped in the
 *     middle of an import (^Z, a debugger) gives up its transaction and its
 *     layer lock instead of holding them forever. */
#include "store_pg.h"

#include "util/sbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pm_pg {
    PGconn *conn;
    char *redacted; /* postgresql://user@host:port/dbname */
    char *postgis;  /* extversion */
    char *secret;   /* the password in use, only to scrub it from messages */
    unsigned serial;
    /* A COPY FROM STDIN in progress (pm_pg_copy_*): its statement, rows
     * buffered for the next PQputCopyData, rows sent, rows sent before the
     * running segment, and the first error of a segment that ended when
     * another statement needed the connection. */
    char *copy_sql;
    int copy_on; /* the server is in COPY IN state */
    sbuf copy_out;
    long copy_rows, copy_base, copy_bad;
    char *copy_err;
};

/* Keywords that make a string a libpq keyword string rather than a path. */
static const char *const pg_keywords[] = {"host",
                                          "hostaddr",
                                          "port",
                                          "dbname",
                                          "user",
                                          "password",
                                          "service",
                                          "sslmode",
                                          "options",
                                          "passfile",
                                          "target_session_attrs"};

int pm_pg_is_target(const char *db)
{
    if (!db)
        return 0;
    if (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0 ||
        strncmp(db, "PG:", 3) == 0)
        return 1;
    /* "key=value" with a libpq keyword at the start or after a space. */
    for (size_t i = 0; i < sizeof pg_keywords / sizeof *pg_keywords; i++) {
        size_t kl = strlen(pg_keywords[i]);
        for (const char *p = db; (p = strstr(p, pg_keywords[i])) != NULL; p += kl) {
            const char *q = p + kl;
            while (*q == ' ')
                q++;
            if (*q == '=' && (p == db || p[-1] == ' '))
                return 1;
        }
    }
    return 0;
}

/* GDAL's PG:<conninfo> (optionally PG:"<conninfo>") to libpq's form. */
static char *normalize(const char *db)
{
    if (strncasecmp(db, "PG:", 3) != 0)
        return strdup(db);
    const char *s = db + 3;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = 0;
    }
    return out;
}

static const char *opt_value(PQconninfoOption *opts, const char *key)
{
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0 && o->val && *o->val)
            return o->val;
    return NULL;
}

/* user@host:port/dbname from what the string says, the environment's and
 * libpq's defaults filling the rest, as libpq itself would. */
static char *describe(PQconninfoOption *parsed, PQconninfoOption *defs)
{
    const char *user = opt_value(parsed, "user"), *host = opt_value(parsed, "host");
    const char *port = opt_value(parsed, "port"), *dbname = opt_value(parsed, "dbname");
    if (!host)
        host = opt_value(parsed, "hostaddr");
    if (!user)
        user = opt_value(defs, "user");
    if (!host)
        host = opt_value(defs, "host");
    if (!port)
        port = opt_value(defs, "port");
    if (!dbname)
        dbname = opt_value(defs, "dbname");
    if (!dbname)
        dbname = user;
    size_t cap = 64 + (user ? strlen(user) : 0) + (host ? strlen(host) : 16) +
                 (port ? strlen(port) : 0) + (dbname ? strlen(dbname) : 0);
    char *out = malloc(cap);
    if (out)
        snprintf(out, cap, "postgresql://%s@%s:%s/%s", user ? user : "", host ? host : "localhost",
                 port ? port : "5432", dbname ? dbname : "");
    return out;
}

char *pm_pg_redact_string(const char *db)
{
    char *conninfo = normalize(db), *err = NULL, *out = NULL;
    PQconninfoOption *parsed = conninfo ? PQconninfoParse(conninfo, &err) : NULL;
    if (parsed) {
        PQconninfoOption *defs = PQconndefaults();
        out = describe(parsed, defs);
        PQconninfoFree(defs);
        PQconninfoFree(parsed);
    }
    if (err)
        PQfreemem(err);
    free(conninfo);
    /* Unparsable: a fixed name, never the string (it may hold a password). */
    return out ? out : strdup("PostgreSQL server");
}

/* libpq's message as one line: newlines joined with "; ", the password (if
 * one is known) replaced, trailing space gone. Caller frees. */
static char *one_line(const char *msg, const char *secret)
{
    size_t n = strlen(msg), sl = secret ? strlen(secret) : 0;
    char *out = malloc(3 * n + 1), *w = out;
    if (!out)
        return NULL;
    for (const char *p = msg; *p;) {
        if (sl >= 1 && strncmp(p, secret, sl) == 0) {
            memcpy(w, "***", 3);
            w += 3;
            p += sl;
        } else if (*p == '\n' || *p == '\r') {
            while (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ')
                p++;
            if (*p) {
                memcpy(w, "; ", 2);
                w += 2;
            }
        } else if (*p == '\t') {
            *w++ = ' ';
            p++;
        } else {
            *w++ = *p++;
        }
    }
    while (w > out && w[-1] == ' ')
        w--;
    *w = 0;
    return out;
}

static const char *classify(const char *msg)
{
    if (strstr(msg, "password authentication failed"))
        return "wrong password";
    if (strstr(msg, "no password supplied"))
        return "password needed";
    if (strstr(msg, "database \"") && strstr(msg, "does not exist"))
        return "no such database";
    if (strstr(msg, "role \"") && strstr(msg, "does not exist"))
        return "no such role";
    if (strstr(msg, "Connection refused") || strstr(msg, "No such file or directory") ||
        strstr(msg, "could not translate host name") || strstr(msg, "timeout expired") ||
        strstr(msg, "Network is unreachable") || strstr(msg, "No route to host"))
        return "server unreachable";
    return "cannot connect to PostGIS server";
}

/* ---- COPY FROM STDIN ------------------------------------------------------
 *
 * A writer streams its rows with COPY; while the server is in COPY IN state
 * the connection takes no other statement. Any other use of it through this
 * file (pm_pg_exec, pm_pg_query, pm_pg_conn) first ends
 * the running segment (its rows are in the table, inside the caller's
 * transaction), and the next row starts a new one with the same statement:
 * a cursor read or a lock taken between two rows works as with INSERTs. A
 * segment that failed there keeps its error for pm_pg_copy_end. */

#define COPY_FLUSH_BYTES (256 * 1024)

static int copy_flush(pm_pg *pg)
{
    if (!pg->copy_out.len)
        return 0;
    int ok = PQputCopyData(pg->conn, pg->copy_out.s, (int)pg->copy_out.len) == 1;
    pg->copy_out.len = 0;
    return ok ? 0 : -1;
}

/* The row (1-based, over every segment) the server's CONTEXT names:
 * "COPY t, line N[, column c: ...]". -1 when it names none. */
static long copy_line(const PGresult *r, long base)
{
    const char *c = r ? PQresultErrorField(r, PG_DIAG_CONTEXT) : NULL;
    const char *l = c ? strstr(c, ", line ") : NULL;
    long n = l ? strtol(l + 7, NULL, 10) : 0;
    return n > 0 ? base + n : -1;
}

/* End the running segment; 0, or -1 with its message in pg->copy_err. */
static int copy_finish(pm_pg *pg)
{
    int failed = copy_flush(pg) != 0;
    if (PQputCopyEnd(pg->conn, failed ? "parkmap: cannot send rows" : NULL) != 1)
        failed = 1;
    PGresult *r;
    while ((r = PQgetResult(pg->conn))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !pg->copy_err) {
            const char *m = PQresultErrorMessage(r);
            pg->copy_err = one_line(*m ? m : PQerrorMessage(pg->conn), pg->secret);
            pg->copy_bad = copy_line(r, pg->copy_base);
            failed = 1;
        }
        PQclear(r);
    }
    if (failed && !pg->copy_err)
        pg->copy_err = one_line(PQerrorMessage(pg->conn), pg->secret);
    pg->copy_on = 0;
    pg->copy_base = pg->copy_rows;
    return failed ? -1 : 0;
}

static void copy_settle(pm_pg *pg)
{
    if (pg->copy_on)
        copy_finish(pg);
}

int pm_pg_copy_begin(pm_pg *pg, pm_ctx *ctx, const char *sql)
{
    copy_settle(pg);
    if (pg->copy_sql)
        return pm_err(ctx, PM_EINTERNAL, "COPY already running", pg->redacted, "one at a time");
    if (!(pg->copy_sql = strdup(sql)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", pg->redacted, "COPY");
    pg->copy_rows = pg->copy_base = 0;
    pg->copy_bad = -1;
    return 0;
}

int pm_pg_copy_put(pm_pg *pg, pm_ctx *ctx, const char *what, const char *row, size_t len)
{
    if (!pg->copy_sql)
        return pm_err(ctx, PM_EINTERNAL, "no COPY running", pg->redacted, "%s", what);
    if (pg->copy_err)
        return pm_err(ctx, PM_EIO, what, pg->redacted, "%s", pg->copy_err);
    if (!pg->copy_on) {
        PGresult *r = PQexec(pg->conn, pg->copy_sql);
        int st = PQresultStatus(r);
        if (st != PGRES_COPY_IN) {
            int rc = pm_pg_fail(pg, ctx, what, r);
            PQclear(r);
            return rc;
        }
        PQclear(r);
        pg->copy_on = 1;
    }
    sb_add(&pg->copy_out, row, len);
    if (pg->copy_out.oom)
        return pm_err(ctx, PM_ENOMEM, "out of memory", pg->redacted, "COPY");
    pg->copy_rows++;
    if (pg->copy_out.len >= COPY_FLUSH_BYTES && copy_flush(pg)) {
        copy_finish(pg);
        return pm_err(ctx, PM_EIO, what, pg->redacted, "%s",
                      pg->copy_err ? pg->copy_err : "cannot send rows");
    }
    return 0;
}

int pm_pg_copy_end(pm_pg *pg, pm_ctx *ctx, const char *what, pm_pg_row_name name_row, void *user)
{
    int rc = 0;
    copy_settle(pg);
    if (pg->copy_err) {
        char where[800];
        if (!name_row || pg->copy_bad < 0 || name_row(where, sizeof where, user, pg->copy_bad))
            snprintf(where, sizeof where, "%s", pg->redacted ? pg->redacted : "PostGIS server");
        rc = pm_err(ctx, PM_EIO, what, where, "%s", pg->copy_err);
    }
    pm_pg_copy_abort(pg);
    return rc;
}

void pm_pg_copy_abort(pm_pg *pg)
{
    if (!pg)
        return;
    if (pg->copy_on && pg->conn) {
        /* The server throws the segment's rows away; the caller's ROLLBACK
         * does the rest. */
        pg->copy_out.len = 0;
        PQputCopyEnd(pg->conn, "parkmap: import abandoned");
        PGresult *r;
        while ((r = PQgetResult(pg->conn)))
            PQclear(r);
        pg->copy_on = 0;
    }
    free(pg->copy_sql);
    free(pg->copy_err);
    free(sb_take(&pg->copy_out));
    pg->copy_out = (sbuf){0};
    pg->copy_sql = pg->copy_err = NULL;
}

void pm_pg_copy_text(sbuf *b, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *esc = *s == '\\'   ? "\\\\"
                          : *s == '\t' ? "\\t"
                          : *s == '\n' ? "\\n"
                          : *s == '\r' ? "\\r"
                                       : NULL;
        if (!esc)
            continue;
        sb_add(b, run, (size_t)(s - run));
        sb_add(b, esc, 2);
        run = s + 1;
    }
    sb_add(b, run, (size_t)(s - run));
}

void pm_pg_copy_double(sbuf *b, double d)
{
    char buf[40];
    if (isnan(d))
        snprintf(buf, sizeof buf, "NaN");
    else if (isinf(d))
        snprintf(buf, sizeof buf, d > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(buf, sizeof buf, "%.17g", d); /* 17 digits: the same double back */
    sb_puts(b, buf);
}

int pm_pg_copy_ewkb(sbuf *b, pm_ctx *ctx, const unsigned char *wkb, size_t len, int srid)
{
    static const char hex[] = "0123456789ABCDEF";
    /* pm_geom_to_wkb writes NDR Multi*: 1, type (4), then the count. */
    if (len < 9 || wkb[0] != 1)
        return pm_err(ctx, PM_EINTERNAL, "bad WKB", "COPY", "%zu bytes", len);
    unsigned char head[9];
    uint32_t type =
        (uint32_t)wkb[1] | (uint32_t)wkb[2] << 8 | (uint32_t)wkb[3] << 16 | (uint32_t)wkb[4] << 24;
    type |= 0x20000000u; /* EWKB: an SRID follows the type */
    uint32_t sr = (uint32_t)srid;
    head[0] = 1;
    for (int i = 0; i < 4; i++) {
        head[1 + i] = (unsigned char)(type >> (8 * i));
        head[5 + i] = (unsigned char)(sr >> (8 * i));
    }
    char buf[512];
    size_t k = 0;
    for (size_t i = 0; i < 9 + len - 5; i++) {
        unsigned char c = i < 9 ? head[i] : wkb[i - 4];
        buf[k++] = hex[c >> 4];
        buf[k++] = hex[c & 15];
        if (k == sizeof buf) {
            sb_add(b, buf, k);
            k = 0;
        }
    }
    sb_add(b, buf, k);
    return 0;
}

int pm_pg_fail(pm_pg *pg, pm_ctx *ctx, const char *what, const PGresult *res)
{
    const char *m = res ? PQresultErrorMessage(res) : "";
    if (!*m && pg->conn)
        m = PQerrorMessage(pg->conn);
    char *line = one_line(*m ? m : "unknown error", pg->secret);
    int rc = pm_err(ctx, PM_EIO, what, pg->redacted ? pg->redacted : "PostGIS server", "%s",
                    line ? line : "out of memory");
    free(line);
    return rc;
}

int pm_pg_exec(pm_pg *pg, pm_ctx *ctx, const char *what, const char *sql)
{
    copy_settle(pg);
    PGresult *r = PQexec(pg->conn, sql);
    int st = PQresultStatus(r), rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = pm_pg_fail(pg, ctx, what, r);
    PQclear(r);
    return rc;
}

int pm_pg_query(PGresult **out, pm_pg *pg, pm_ctx *ctx, const char *what, const char *sql,
                int nparams, const char *const *params)
{
    copy_settle(pg);
    PGresult *r = PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    int st = PQresultStatus(r);
    *out = NULL;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = pm_pg_fail(pg, ctx, what, r);
        PQclear(r);
        return rc;
    }
    *out = r;
    return 0;
}

char *pm_pg_ident(pm_pg *pg, pm_ctx *ctx, const char *name)
{
    char *q = PQescapeIdentifier(pg->conn, name, strlen(name));
    if (!q) {
        pm_pg_fail(pg, ctx, "cannot quote identifier", NULL);
        return NULL;
    }
    char *out = strdup(q);
    PQfreemem(q);
    if (!out)
        pm_err(ctx, PM_ENOMEM, "out of memory", pg->redacted, "identifier");
    return out;
}

/* The password libpq will use or used: the string's, PGPASSWORD, or (after
 * the attempt) whatever libpq found, the password file included. */
static int remember_secret(pm_pg *pg, const char *s)
{
    if (!s || !*s || (pg->secret && strcmp(pg->secret, s) == 0))
        return 0;
    free(pg->secret);
    return (pg->secret = strdup(s)) ? 0 : -1;
}

/* The library never prints: the server's notices (ST_IsValid's reasons,
 * "table does not exist, skipping") would go to stderr by default. */
static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int check_server(pm_pg *pg, pm_ctx *ctx)
{
    PGresult *r = NULL;
    int rc = 0;
    if (PQserverVersion(pg->conn) < 120000)
        return pm_err(ctx, PM_EIO, "server too old", pg->redacted,
                      "PostgreSQL %d.%d; parkmap needs 12 or later",
                      PQserverVersion(pg->conn) / 10000, PQserverVersion(pg->conn) % 10000);
    if ((rc = pm_pg_query(&r, pg, ctx, "cannot set session timeouts",
                          "SELECT set_config(name, CASE name WHEN 'lock_timeout' THEN '60s' "
                          "WHEN 'statement_timeout' THEN '1h' ELSE '10min' END, false) "
                          "FROM pg_settings WHERE name IN ('lock_timeout', 'statement_timeout', "
                          "'idle_in_transaction_session_timeout') AND source = 'default'",
                          0, NULL)))
        return rc;
    PQclear(r);
    if ((rc =
             pm_pg_query(&r, pg, ctx, "cannot read extensions",
                         "SELECT extversion FROM pg_extension WHERE extname = 'postgis'", 0, NULL)))
        return rc;
    if (PQntuples(r) != 1) {
        rc = pm_err(ctx, PM_EIO, "PostGIS extension missing", pg->redacted,
                    "database \"%s\" has no postgis extension; run CREATE EXTENSION postgis in "
                    "it (as its owner or a superuser)",
                    PQdb(pg->conn));
    } else if (!(pg->postgis = strdup(PQgetvalue(r, 0, 0)))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pg->redacted, "connect");
    }
    PQclear(r);
    return rc;
}

int pm_pg_connect(pm_pg **out, pm_ctx *ctx, const char *db)
{
    int rc = 0;
    char *conninfo = NULL, *err = NULL;
    PQconninfoOption *parsed = NULL, *defs = NULL;
    pm_pg *pg = calloc(1, sizeof(*pg));
    *out = NULL;
    if (!pg || !(conninfo = normalize(db))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "--db", "connect");
        goto done;
    }
    if (!(parsed = PQconninfoParse(conninfo, &err))) {
        /* libpq quotes a bad percent-encoded token whole: it may be the
         * password, so that message is said in our words. */
        const char *why = !err                             ? "out of memory"
                          : strstr(err, "percent-encoded") ? "invalid %-encoding in the URI"
                                                           : err;
        char *line = one_line(why, getenv("PGPASSWORD"));
        rc = pm_err(ctx, PM_EUSAGE, "bad PostgreSQL connection string", "--db", "%s",
                    line ? line : "out of memory");
        free(line);
        goto done;
    }
    defs = PQconndefaults();
    if (!(pg->redacted = describe(parsed, defs)) ||
        remember_secret(pg, opt_value(parsed, "password")) ||
        remember_secret(pg, getenv("PGPASSWORD"))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "--db", "connect");
        goto done;
    }
    {
        /* Later keywords win over the expanded string's; earlier ones
         * (connect_timeout) are defaults it may override. */
        const char *const keys[] = {"connect_timeout", "dbname", "application_name",
                                    "client_encoding", NULL};
        const char *const vals[] = {"10", conninfo, "parkmap", "UTF8", NULL};
        pg->conn = PQconnectdbParams(keys, vals, 1);
    }
    if (!pg->conn) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pg->redacted, "connect");
        goto done;
    }
    {
        /* What libpq actually tried names the target best (its defaults
         * include the build's socket directory, which PQconndefaults
         * leaves empty). */
        const char *u = PQuser(pg->conn), *h = PQhost(pg->conn), *p = PQport(pg->conn);
        const char *d = PQdb(pg->conn);
        if (u && h && p && d && *h) {
            size_t cap = strlen(u) + strlen(h) + strlen(p) + strlen(d) + 32;
            char *r = malloc(cap);
            if (r) {
                snprintf(r, cap, "postgresql://%s@%s:%s/%s", u, h, *p ? p : "5432", d);
                free(pg->redacted);
                pg->redacted = r;
            }
        }
    }
    if (PQpass(pg->conn) && remember_secret(pg, PQpass(pg->conn))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pg->redacted, "connect");
        goto done;
    }
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        char *line = one_line(PQerrorMessage(pg->conn), pg->secret);
        rc = pm_err(ctx, PM_EIO, line ? classify(line) : "cannot connect to PostGIS server",
                    pg->redacted, "%s", line ? line : "out of memory");
        free(line);
        goto done;
    }
    PQsetNoticeProcessor(pg->conn, quiet_notices, NULL);
    if ((rc = check_server(pg, ctx)))
        goto done;
    *out = pg;
    pg = NULL;
done:
    if (err)
        PQfreemem(err);
    PQconninfoFree(parsed);
    PQconninfoFree(defs);
    free(conninfo);
    pm_pg_free(pg);
    return rc;
}

void pm_pg_free(pm_pg *pg)
{
    if (!pg)
        return;
    pm_pg_copy_abort(pg);
    PQfinish(pg->conn);
    free(pg->redacted);
    free(pg->postgis);
    if (pg->secret) {
        /* Not left lying in freed memory. */
        volatile char *p = pg->secret;
        while (*p)
            *p++ = 0;
        free(pg->secret);
    }
    free(pg);
}

const char *pm_pg_redacted(const pm_pg *pg)
{
    return pg->redacted;
}

const char *pm_pg_postgis_version(const pm_pg *pg)
{
    return pg->postgis ? pg->postgis : "";
}

PGconn *pm_pg_conn(pm_pg *pg)
{
    copy_settle(pg);
    return pg->conn;
}

unsigned pm_pg_serial(pm_pg *pg)
{
    return ++pg->serial;
}
