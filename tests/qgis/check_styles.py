"""Open parkmap's exports in real QGIS (headless) and check the styling.

Usage (Debian's interpreter, which has the qgis module; run offscreen):
  QT_QPA_PLATFORM=offscreen /usr/bin/python3 check_styles.py \
      GPKG SHP_DIR STYLE_JSON OUT_PNG [PARKMAP_PNG]

GPKG is what `parkmap build` writes (layers parks, outline, adjacency,
qa_issues, clusters, styles in layer_styles); SHP_DIR holds the Shapefiles
of `parkmap export --layers all` with their .qml sidecars; STYLE_JSON is the
map style they were translated from. OUT_PNG receives QGIS's rendering of
parks over outline; PARKMAP_PNG, if given, is parkmap's own map, whose
industry colours are counted the same way for comparison.

Every check prints one line; failures start with "FAIL:" and the exit status
is 1 when any failed.
"""
import json
import os
import sqlite3
import sys
from array import array
from collections import Counter

from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage
from qgis.PyQt.QtXml import QDomDocument
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPalLayerSettings,
    QgsRuleBasedRenderer,
    QgsSymbolLayer,
    QgsUnitTypes,
    QgsVectorLayer,
)

FAILS = []
# A category "shows" in a 1600x1200 map with this many pixels of its colour:
# the artificial-intelligence park is 0.1 km2, 16-25 pixels.
PRESENT_PX = 10


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        FAILS.append(what)
    return ok


# --- the style, read the way parkmap reads it --------------------------------

def hex_rgb(c):
    c = c.strip().lower()
    assert c.startswith("#") and len(c) == 7, "style colour %r: expected #rrggbb" % c
    return c


def expr_to_qgis(e):
    """The style's text-field expression as the QGIS expression parkmap writes."""
    if isinstance(e, str):
        return "'" + e.replace("'", "''") + "'"
    if e[0] == "get":
        return '"' + e[1].replace('"', '""') + '"'
    if e[0] == "coalesce":
        return "coalesce(" + ", ".join(expr_to_qgis(a) for a in e[1:]) + ")"
    raise AssertionError("text-field %r is beyond this test" % (e,))


def read_style(path):
    st = json.load(open(path, encoding="utf-8"))
    layers = st["layers"]
    fill = next(l for l in layers if l["type"] == "fill" and l["source"] == "parks"
                and isinstance(l["paint"].get("fill-color"), list)
                and l["paint"]["fill-color"][0] == "match")
    m = fill["paint"]["fill-color"]
    assert m[1][0] == "get", "match on %r" % (m[1],)
    pairs = m[2:-1]
    cats = [(pairs[i], hex_rgb(pairs[i + 1])) for i in range(0, len(pairs), 2)]
    lines = [l for l in layers if l["type"] == "line" and l["source"] == "parks"]
    text = next(l for l in layers if l["source"] == "parks" and "text-field" in l.get("layout", {}))
    district = next(l for l in layers if l["type"] == "fill" and l["source"] == "outline")
    return {
        "attr": m[1][1],
        "cats": cats,
        "fallback": hex_rgb(m[-1]),
        "opacity": fill["paint"].get("fill-opacity", 1.0),
        "lines": lines,
        "label_expr": expr_to_qgis(text["layout"]["text-field"]),
        "label_size": text["layout"].get("text-size"),
        "label_font": text["layout"].get("text-font", [None])[0],
        "label_color": hex_rgb(text["paint"]["text-color"]),
        "district_fill": hex_rgb(district["paint"]["fill-color"]),
    }


# --- opening layers the way QGIS does ----------------------------------------

def open_layer(uri, name, default_style=True):
    opts = QgsVectorLayer.LayerOptions()
    opts.loadDefaultStyle = default_style
    lyr = QgsVectorLayer(uri, name, "ogr", opts)
    assert lyr.isValid(), "QGIS cannot open %s" % uri
    return lyr


def renderer_dump(lyr):
    return lyr.renderer().dump() if lyr.renderer() else ""


def with_qml(uri, name, qml_text):
    """A layer opened without its default style, then given qml_text by hand."""
    lyr = open_layer(uri, name, default_style=False)
    doc = QDomDocument()
    ok = doc.setContent(qml_text)
    assert ok, "QML of %s is not XML" % name
    ok, err = lyr.importNamedStyle(doc)
    assert ok, "QGIS refuses the QML of %s: %s" % (name, err)
    return lyr


def check_autoload(uri, name, qml_text, where):
    """The default style is applied when the layer is opened (as in QGIS's
    Add Vector Layer), and it is the parkmap QML: same renderer as when the
    QML is imported by hand, different from QGIS's own default."""
    auto = open_layer(uri, name)
    bare = open_layer(uri, name, default_style=False)
    manual = with_qml(uri, name, qml_text)
    same = renderer_dump(auto) == renderer_dump(manual)
    differs = renderer_dump(auto) != renderer_dump(bare)
    if same and differs and auto.labelsEnabled() == manual.labelsEnabled():
        print("      %s %s: style loaded automatically on open (%s)"
              % (where, name, type(auto.renderer()).__name__))
        return auto
    # Not automatic: say whether an explicit loadDefaultStyle() would do.
    msg, ok = bare.loadDefaultStyle()
    explicit = ok and renderer_dump(bare) == renderer_dump(manual)
    check(False, "%s %s: default style not applied on open%s" % (
        where, name, " (only by an explicit loadDefaultStyle(): %s)" % msg if explicit
        else " (loadDefaultStyle() fails too: %s)" % msg))
    return bare if explicit else manual


# --- the parks layer ----------------------------------------------------------

def rgb(c):
    return c.name(QColor.HexRgb).lower()


def check_parks(lyr, style, where, attr):
    r = lyr.renderer()
    if not check(isinstance(r, QgsCategorizedSymbolRenderer),
                 "%s parks: renderer is QgsCategorizedSymbolRenderer (got %s)"
                 % (where, type(r).__name__)):
        return
    check(r.classAttribute() == attr, '%s parks: categorised on "%s" (got "%s")'
          % (where, attr, r.classAttribute()))
    alpha = round(255 * style["opacity"])
    want = [(v, v, c) for v, c in style["cats"]] + [("", "other", style["fallback"])]
    got = []
    for cat in r.categories():
        v = cat.value()
        v = "" if v is None or (hasattr(v, "isNull") and v.isNull()) else v
        fills = [sl for sl in cat.symbol().symbolLayers() if sl.layerType() == "SimpleFill"]
        got.append((v, cat.label(), rgb(fills[0].color()) if fills else None))
        if fills:
            check(abs(fills[0].color().alpha() - alpha) <= 1,
                  "%s parks: category %r fill alpha %d = fill-opacity %.2f"
                  % (where, cat.label(), fills[0].color().alpha(), style["opacity"]))
        check(cat.renderState(), "%s parks: category %r is switched on" % (where, cat.label()))
    check(got == want, "%s parks: categories (value, label, fill) in the style's order = %s%s"
          % (where, [(v, c) for v, _, c in want], "" if got == want else " (got %s)" % got))

    # Outlines: the style's line layers, in every category's symbol; the
    # enabled-expression decides per feature, evaluated by QGIS itself.
    cats = r.categories()  # keep the copies alive: their symbols are borrowed
    sym = cats[0].symbol()
    lines = [sl for sl in sym.symbolLayers() if sl.layerType() == "SimpleLine"]
    check(len(lines) == len(style["lines"]),
          "%s parks: %d outline symbol layers for the style's %d line layers"
          % (where, len(lines), len(style["lines"])))
    for sl, sty in zip(lines, style["lines"]):
        p = sty["paint"]
        check(rgb(sl.color()) == hex_rgb(p["line-color"]) and abs(sl.width() - p["line-width"]) < 1e-6
              and sl.widthUnit() == QgsUnitTypes.RenderPoints,
              "%s parks: outline %s is %s, %.1f pt (got %s, %s unit %s)"
              % (where, sty["id"], p["line-color"], p["line-width"], rgb(sl.color()), sl.width(),
                 QgsUnitTypes.toString(sl.widthUnit())))
        dashed = "line-dasharray" in p
        check(sl.useCustomDashPattern() == dashed,
              "%s parks: outline %s %s" % (where, sty["id"], "dashed" if dashed else "solid"))
        if dashed:
            want_dash = [d * p["line-width"] for d in p["line-dasharray"]]
            check(all(abs(a - b) < 1e-6 for a, b in zip(sl.customDashVector(), want_dash)),
                  "%s parks: outline %s dashes %s pt (got %s)"
                  % (where, sty["id"], want_dash, sl.customDashVector()))
    ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(lyr))
    status_field = "status"
    bad = 0
    for f in lyr.getFeatures():
        ctx.setFeature(f)
        on = []
        for sl in lines:
            prop = sl.dataDefinedProperties().property(QgsSymbolLayer.PropertyLayerEnabled)
            on.append(bool(prop.valueAsBool(ctx, True)[0]) if prop.isActive() else True)
        st = f[status_field]
        want_dashed = st != "confirmed"  # parkmap: a missing value is "not equal"
        if on.count(True) != 1 or lines[on.index(True)].useCustomDashPattern() != want_dashed:
            bad += 1
    check(bad == 0, "%s parks: per feature, exactly one outline drawn, dashed iff status "
          "is not 'confirmed' (%d features wrong)" % (where, bad))

    # Labels.
    check(lyr.labelsEnabled(), "%s parks: labels enabled" % where)
    lab = lyr.labeling()
    if check(lab is not None and lab.type() == "simple", "%s parks: simple labeling" % where):
        s = lab.settings()
        check(s.isExpression and s.fieldName == style["label_expr"],
              "%s parks: label expression %s (got %r, isExpression=%s)"
              % (where, style["label_expr"], s.fieldName, s.isExpression))
        fmt = s.format()
        check(abs(fmt.size() - style["label_size"]) < 1e-6 and fmt.font().family() == style["label_font"]
              and rgb(fmt.color()) == style["label_color"] and fmt.buffer().enabled(),
              "%s parks: label font %s %s pt %s with a halo (got %s %s pt %s, buffer %s)"
              % (where, style["label_font"], style["label_size"], style["label_color"],
                 fmt.font().family(), fmt.size(), rgb(fmt.color()), fmt.buffer().enabled()))
        check(s.placement == QgsPalLayerSettings.AroundPoint and s.centroidInside,
              "%s parks: labels around the centroid, inside the polygon (placement %s, inside %s)"
              % (where, s.placement, s.centroidInside))
        e = QgsExpression(s.fieldName)
        e.prepare(ctx)
        texts = []
        for f in lyr.getFeatures():
            ctx.setFeature(f)
            texts.append(e.evaluate(ctx))
        check(not e.hasEvalError() and all(texts), "%s parks: the label text is set for all %d parks "
              "(e.g. %s)" % (where, len(texts), texts[:2]))


# --- rendering ----------------------------------------------------------------

def blend(c, bg, a):
    c, bg = QColor(c), QColor(bg)
    return tuple(round(a * x + (1 - a) * y) for x, y in
                 ((c.red(), bg.red()), (c.green(), bg.green()), (c.blue(), bg.blue())))


def colour_counts(img, targets, tol=3):
    img = img.convertToFormat(QImage.Format_RGB32)
    w, h = img.width(), img.height()
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes() if hasattr(img, "sizeInBytes") else img.byteCount())
    px = array("I")
    px.frombytes(bytes(ptr))
    hist = Counter(px)
    out = []
    for t in targets:
        n = 0
        for v, k in hist.items():
            r, g, b = (v >> 16) & 255, (v >> 8) & 255, v & 255
            if abs(r - t[0]) <= tol and abs(g - t[1]) <= tol and abs(b - t[2]) <= tol:
                n += k
        out.append(n)
    return out, (w, h)


def render(parks, outline, path, size=(1600, 1200)):
    ms = QgsMapSettings()
    ms.setLayers([parks, outline])  # first is on top
    ms.setDestinationCrs(parks.crs())
    ms.setOutputSize(QSize(*size))
    ms.setBackgroundColor(QColor("#ffffff"))
    ext = parks.extent()
    ext.scale(1.05)
    ms.setExtent(ext)
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    check(img.save(path, "PNG"), "QGIS rendering saved to %s" % path)
    placed = {l.labelText for l in job.takeLabelingResults().labelsWithinRect(ms.visibleExtent())
              if l.layerID == parks.id()}
    return img, placed


def run_checks(gpkg, shpdir, style_path, out_png, parkmap_png):
    style = read_style(style_path)
    print("QGIS %s" % Qgis.QGIS_VERSION)

    # layer_styles as QGIS's own saveStyleToDatabase writes it: QGIS finds the
    # default style with f_table_schema='' (NULL would not match).
    con = sqlite3.connect(gpkg)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT f_table_name, f_table_schema, f_geometry_column, useAsDefault, styleQML "
        "FROM layer_styles")}
    con.close()
    layers = ["parks", "outline", "adjacency", "qa_issues", "clusters"]
    opened = {}
    for name in layers:
        if not check(name in rows, "gpkg: layer_styles has a style for %s" % name):
            continue
        schema, geomcol, default, qml = rows[name]
        check(schema == "" and default == 1, "gpkg %s: f_table_schema='' and useAsDefault=1 "
              "(got %r, %r)" % (name, schema, default))
        opened[name] = check_autoload("%s|layername=%s" % (gpkg, name), name, qml, "gpkg")

    if "parks" in opened:
        check_parks(opened["parks"], style, "gpkg", style["attr"])
    if "outline" in opened:
        o = opened["outline"]
        sym = o.renderer().symbol() if hasattr(o.renderer(), "symbol") else None
        fills = [sl for sl in sym.symbolLayers() if sl.layerType() == "SimpleFill"] if sym else []
        check(bool(fills) and rgb(fills[0].color()) == style["district_fill"],
              "gpkg outline: district fill %s" % style["district_fill"])
    for name, attr in (("adjacency", "relation"), ("clusters", "scope")):
        if name in opened:
            r = opened[name].renderer()
            check(isinstance(r, QgsCategorizedSymbolRenderer) and r.classAttribute() == attr,
                  "gpkg %s: categorised on %s" % (name, attr))
    if "qa_issues" in opened:
        check(opened["qa_issues"].labelsEnabled(), "gpkg qa_issues: labels enabled (kind)")

    # The Shapefile with its .qml sidecar.
    shp = os.path.join(shpdir, "parks.shp")
    qml_path = os.path.join(shpdir, "parks.qml")
    shp_parks = check_autoload(shp, "parks", open(qml_path, encoding="utf-8").read(), "shp")
    check_parks(shp_parks, style, "shp", style["attr"][:10])
    g, s = opened.get("parks"), shp_parks
    if g is not None:
        check(renderer_dump(g) == renderer_dump(s), "shp parks: same renderer as the GeoPackage's")

    # The .sld (for GeoServer; QGIS reads it too, as rules).
    sld_layer = open_layer(shp, "parks_sld", default_style=False)
    msg, ok = sld_layer.loadSldStyle(os.path.join(shpdir, "parks.sld"))
    r = sld_layer.renderer()
    if check(ok and isinstance(r, QgsRuleBasedRenderer),
             "shp parks.sld: QGIS reads it as a rule-based renderer (%s)" % (msg or "no message")):
        rules = r.rootRule().children()
        fills = [(ru.label(), rgb(ru.symbol().symbolLayers()[0].color())) for ru in rules
                 if ru.symbol() and ru.symbol().symbolLayers()[0].layerType() == "SimpleFill"]
        want = style["cats"] + [("other", style["fallback"])]
        check(fills == want, "shp parks.sld: one fill rule per category with its colour%s"
              % ("" if fills == want else " (got %s)" % fills))
        check(sld_layer.labelsEnabled(), "shp parks.sld: labels enabled")

    # Render parks over outline and count the industry colours.
    if "parks" in opened and "outline" in opened:
        img, placed = render(opened["parks"], opened["outline"], out_png)
        e = QgsExpression(style["label_expr"])
        ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(opened["parks"]))
        texts = []
        for f in opened["parks"].getFeatures():
            ctx.setFeature(f)
            texts.append(e.evaluate(ctx))
        missing = [t for t in texts if t not in placed]
        # parkmap's own map names 14 of the 15 Pudong parks (all but the
        # small AI island in the Zhangjiang cluster); QGIS must not drop more
        # than a tenth of the names for collisions.
        check(len(texts) - len(missing) >= 0.9 * len(texts),
              "QGIS places %d of %d park labels (not placed: %s)"
              % (len(texts) - len(missing), len(texts), ", ".join(missing) or "none"))
        a = style["opacity"]
        names = [v for v, _ in style["cats"]] + ["other"]
        colours = [c for _, c in style["cats"]] + [style["fallback"]]
        targets = [blend(c, style["district_fill"], a) for c in colours]
        present = Counter(f[style["attr"]] for f in opened["parks"].getFeatures())
        known = {v for v, _ in style["cats"]}
        present_names = {v if v in known else "other" for v in present}
        counts, size = colour_counts(img, targets)
        check(size == (1600, 1200), "QGIS PNG is 1600x1200 (got %dx%d)" % size)
        pm_counts = colour_counts(QImage(parkmap_png), targets)[0] if parkmap_png else None
        print("      industry colour (blend over %s)   pixels QGIS%s" % (
            style["district_fill"], "   pixels parkmap" if pm_counts else ""))
        for i, n in enumerate(names):
            print("      %-24s %s %10d%s%s" % (n, "#%02x%02x%02x" % targets[i], counts[i],
                                             " %16d" % pm_counts[i] if pm_counts else "",
                                             "" if n in present_names else "   (no park)"))
            if n in present_names:
                check(counts[i] >= PRESENT_PX, "QGIS PNG shows %s (%d px of its colour)" % (n, counts[i]))
        if pm_counts:
            seen_q = {n for n, c in zip(names, counts) if c >= PRESENT_PX}
            seen_p = {n for n, c in zip(names, pm_counts) if c >= PRESENT_PX}
            check(seen_q == seen_p, "QGIS and parkmap show the same categories (%s)" % sorted(seen_q)
                  if seen_q == seen_p else "QGIS shows %s, parkmap %s" % (sorted(seen_q), sorted(seen_p)))
        bogus = colour_counts(img, [(255, 0, 255)], 3)[0][0]
        check(bogus == 0, "no magenta (QGIS's missing-symbol colour is not used)")


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    # Layers live only inside run_checks: all are gone before exitQgis()
    # (a layer outliving the application crashes PyQGIS at exit).
    run_checks(*sys.argv[1:5], sys.argv[5] if len(sys.argv) > 5 else None)
    app.exitQgis()
    if FAILS:
        print("%d QGIS check(s) failed" % len(FAILS))
        return 1
    print("all QGIS checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
