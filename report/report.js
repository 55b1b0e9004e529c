/* parkmap report: draws the map and the tables from the data block
 * (the JSON element #parkmap-data, written by
 * src/report/). The contract the tests script against (docs/report.md):
 *   window.parkmap.ready           true once map and tables are drawn
 *   window.parkmap.view()          {lon, lat, zoom} of the map
 *   window.parkmap.parks()         [{name, name_zh}] of every park in the data
 *   window.parkmap.layerVisible(n) is layer n on the map (parks, outline,
 *                                  findings, shared, clusters; and changes
 *                                  in a comparison report)
 *   window.parkmap.sections        renderers of optional sections; the
 *                                  comparison report registers "compare"
 * Text from the data only ever reaches the page as textContent or as DOM
 * nodes handed to Leaflet, never as HTML. Nothing is random and nothing is
 * fetched: one database gives one page, drawn the same way every time. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('parkmap-data').textContent);
  var api = { ready: false, sections: {} };
  window.parkmap = api;

  var PAGE = 200;            /* table rows drawn at a time */
  var SHOW_ALL_MAX = 5000;   /* "show all" offered up to this many rows */
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

  /* ---- small helpers --------------------------------------------------- */

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function fmt(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '\u2013';
    return Number(v).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function signed(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '\u2013';
    var r = Number(v.toFixed(digits)); /* no "-0.00" */
    return (r > 0 ? '+' : '') + fmt(r === 0 ? 0 : r, digits);
  }
  function td(text, num, cls) {
    var c = el('td', text, (num ? 'num' : '') + (cls ? ' ' + cls : ''));
    return c;
  }

  /* ---- geometry: integers on the grid back to lat/lng ------------------ */

  var G = data.grid;
  function ring(a) {
    var x = 0, y = 0, out = new Array(a.length / 2);
    for (var k = 0; k < a.length; k += 2) {
      x += a[k]; y += a[k + 1];
      out[k / 2] = [G.oy + y * G.q, G.ox + x * G.q];
    }
    return out;
  }
  /* polygons: [[exterior, hole...], ...]; lines: [path, ...] */
  function polys(g) { return g ? g.map(function (p) { return p.map(ring); }) : null; }
  function lines(g) { return g ? g.map(function (p) { return ring(p[0]); }) : null; }
  function boundsOf(ll) {
    var b = null;
    (function walk(a) {
      if (typeof a[0] === 'number') {
        if (!b) b = L.latLngBounds([a, a]); else b.extend(a);
        return;
      }
      for (var i = 0; i < a.length; i++) walk(a[i]);
    })(ll);
    return b;
  }

  /* ---- the parks ------------------------------------------------------- */

  var P = data.parks, ncol = P.cols.length;
  function col(name) { return P.cols.indexOf(name); }
  var cName = col('name'), cZh = col('name_zh'), cInd = col('industry'), cPlan = col('planned_area_km2');
  /* a large layer writes repeated text (industry, status) as numbers into
   * a list per column: back to text */
  P.rows.forEach(function (r) {
    for (var k = 0; k < ncol; k++) {
      var d = P.dicts[k];
      if (d && d.length && typeof r[k] === 'number') r[k] = d[r[k]];
    }
  });
  var parks = P.rows.map(function (r, i) {
    var planned = cPlan >= 0 && typeof r[cPlan] === 'number' ? r[cPlan] : null, measured = r[ncol];
    var name = cName >= 0 && r[cName] !== null ? String(r[cName]) : '#' + (i + 1);
    return {
      i: i, row: r, name: name,
      name_zh: cZh >= 0 && r[cZh] !== null ? String(r[cZh]) : '',
      industry: cInd >= 0 && r[cInd] !== null ? String(r[cInd]) : '',
      planned: planned, measured: measured,
      diff: planned > 0 && measured !== null ? 100 * (measured - planned) / planned : null,
      ll: polys(data.geom_parks[i]), bounds: null
    };
  });
  parks.forEach(function (p) { if (p.ll) p.bounds = boundsOf(p.ll); });

  var MEASURE_LABEL = {
    measured_km2: 'measured km² (ellipsoidal)',
    planar_km2: 'planar km² (storage CRS)', perimeter_m: 'perimeter m', polsby_popper: 'compactness (Polsby-Popper)',
    hull_ratio: 'convexity (area / hull)', nearest_same_m: 'nearest same-industry park m', cluster: 'cluster'
  };
  function parkPopup(p) {
    var box = el('div', null, 'popup'), h = el('h3', p.name);
    if (p.name_zh) { h.appendChild(document.createTextNode(' ')); var z = el('span', p.name_zh, 'zh'); z.lang = 'zh-Hans'; h.appendChild(z); }
    box.appendChild(h);
    var t = el('table');
    function line(k, v) {
      var tr = el('tr'); tr.appendChild(el('th', k)); tr.appendChild(el('td', v)); t.appendChild(tr);
    }
    P.cols.forEach(function (c, k) { if (k !== cName && k !== cZh) line(c, p.row[k] === null ? '' : p.row[k]); });
    P.mcols.forEach(function (c, k) {
      var v = p.row[ncol + k];
      line(MEASURE_LABEL[c] || c, c === 'cluster' ? (v === null ? '\u2013' : v) :
        fmt(v, /km2$/.test(c) ? 4 : c === 'polsby_popper' || c === 'hull_ratio' ? 3 : 0));
    });
    line('difference from planned %', signed(p.diff, 2));
    box.appendChild(t);
    return box;
  }
  function parkLabel(p) {
    var s = el('span', p.name);
    if (p.name_zh) { var z = el('span', ' ' + p.name_zh, 'zh'); z.lang = 'zh-Hans'; s.appendChild(z); }
    return s;
  }

  /* ---- the map --------------------------------------------------------- */

  var map = L.map('map', {
    preferCanvas: !!data.large, attributionControl: false, zoomSnap: 0.25,
    renderer: data.large ? L.canvas({ padding: 0.2 }) : L.svg()
  });
  /* the district below the parks, findings and lines above */
  map.createPane('ground').style.zIndex = 350;
  map.createPane('parcels').style.zIndex = 380;
  var v = data.view;
  map.fitBounds([[v[1], v[0]], [v[3], v[2]]], { animate: false, padding: [8, 8] });
  var layers = {}, popup = L.popup({ maxWidth: 420 });

  function showPark(p, at) {
    popup.setLatLng(at || p.bounds.getCenter()).setContent(parkPopup(p)).openOn(map);
  }

  layers.outline = L.featureGroup(data.geom_outline.map(function (f) {
    var ll = polys(f[f.length - 1]);
    return ll ? L.polygon(ll, { color: '#8f8a80', weight: 1.2, dashArray: '4 2', fillColor: '#fbfaf6', fillOpacity: 1, interactive: false, pane: 'ground' }) : null;
  }).filter(Boolean));

  if (!data.large) {
    layers.parks = L.featureGroup(parks.filter(function (p) { return p.ll; }).map(function (p) {
      var g = L.polygon(p.ll, { color: '#3d3d3d', weight: 0.8, fillColor: P.palette[P.color[p.i]], fillOpacity: 0.85 });
      g.bindTooltip(parkLabel(p), { sticky: true });
      g.on('click', function (e) { showPark(p, e.latlng); });
      g.on('mouseover', function () { g.setStyle({ weight: 2.5 }); });
      g.on('mouseout', function () { g.setStyle({ weight: 0.8 }); });
      return g;
    }));
  } else {
    /* 100,000 parcels as Leaflet shapes take seconds to draw: one canvas
     * of our own instead, drawn from coordinates projected once (Web
     * Mercator at zoom 0), parcels outside the view skipped, outlines only
     * once a parcel is a few pixels wide; redrawn when the view settles.
     * A click finds its parcel through a grid of their boxes. */
    var D2R = Math.PI / 180;
    var merc = function (ll) {
      return [(ll[1] + 180) / 360 * 256,
        (0.5 - Math.log(Math.tan(Math.PI / 4 + ll[0] * D2R / 2)) / (2 * Math.PI)) * 256];
    };
    parks.forEach(function (p) {
      if (!p.ll) return;
      p.xy = p.ll.map(function (poly) {
        return poly.map(function (rg) {
          var a = new Float64Array(rg.length * 2);
          rg.forEach(function (ll, k) { var m = merc(ll); a[2 * k] = m[0]; a[2 * k + 1] = m[1]; });
          return a;
        });
      });
      var sw = merc([p.bounds.getSouth(), p.bounds.getWest()]), ne = merc([p.bounds.getNorth(), p.bounds.getEast()]);
      p.box = [sw[0], ne[1], ne[0], sw[1]];
    });
    var Parcels = L.Layer.extend({
      onAdd: function (m) {
        this._c = L.DomUtil.create('canvas', 'leaflet-zoom-hide');
        m.getPane('parcels').appendChild(this._c);
        m.on('moveend zoomend resize viewreset', this._draw, this);
        this._draw();
      },
      onRemove: function (m) {
        m.off('moveend zoomend resize viewreset', this._draw, this);
        L.DomUtil.remove(this._c);
      },
      _draw: function () {
        var m = this._map, size = m.getSize(), c = this._c;
        var tl = m.containerPointToLayerPoint([0, 0]), po = m.getPixelOrigin();
        L.DomUtil.setPosition(c, tl);
        c.width = size.x; c.height = size.y;
        var g = c.getContext('2d'), s = Math.pow(2, m.getZoom()), ox = po.x + tl.x, oy = po.y + tl.y;
        /* one small path per parcel: a single path of 100,000 rings takes
         * the rasteriser seconds. A parcel under 4 px across is drawn as
         * its box: at that size its shape is not to be seen anyway. */
        g.globalAlpha = 0.85;
        g.lineWidth = 0.5;
        g.strokeStyle = '#3d3d3d';
        var last = -1;
        byColour.forEach(function (p) {
          var b = p.box, x0 = b[0] * s - ox, x1 = b[2] * s - ox, y0 = b[1] * s - oy, y1 = b[3] * s - oy;
          if (x1 < 0 || y1 < 0 || x0 > size.x || y0 > size.y) return;
          var k = P.color[p.i];
          if (k !== last) { g.fillStyle = P.palette[k]; last = k; }
          if (x1 - x0 < 4 && y1 - y0 < 4) { g.fillRect(x0, y0, Math.max(x1 - x0, 1), Math.max(y1 - y0, 1)); return; }
          g.beginPath();
          p.xy.forEach(function (poly) {
            poly.forEach(function (a) {
              g.moveTo(a[0] * s - ox, a[1] * s - oy);
              for (var i = 2; i < a.length; i += 2) g.lineTo(a[i] * s - ox, a[i + 1] * s - oy);
              g.closePath();
            });
          });
          g.fill('evenodd');
          if (x1 - x0 > 8) { g.globalAlpha = 1; g.stroke(); g.globalAlpha = 0.85; }
        });
      }
    });
    /* drawn colour by colour (fewer state changes), each in stored order */
    var byColour = parks.filter(function (p) { return p.xy; }).sort(function (a, b) {
      return P.color[a.i] - P.color[b.i] || a.i - b.i;
    });
    layers.parks = new Parcels();
    var cells = null, NC = 256, vb = null;
    var buildIndex = function () {
      cells = {};
      vb = [v[0], v[1], (v[2] - v[0]) / NC || 1e-9, (v[3] - v[1]) / NC || 1e-9];
      parks.forEach(function (p) {
        if (!p.bounds) return;
        var x0 = Math.floor((p.bounds.getWest() - vb[0]) / vb[2]), x1 = Math.floor((p.bounds.getEast() - vb[0]) / vb[2]);
        var y0 = Math.floor((p.bounds.getSouth() - vb[1]) / vb[3]), y1 = Math.floor((p.bounds.getNorth() - vb[1]) / vb[3]);
        for (var x = x0; x <= x1; x++) for (var y = y0; y <= y1; y++) (cells[x + ',' + y] = cells[x + ',' + y] || []).push(p.i);
      });
    };
    var inside = function (pt, rg) {
      var c = false;
      for (var i = 0, j = rg.length - 1; i < rg.length; j = i++) {
        var a = rg[i], b = rg[j];
        if ((a[0] > pt.lat) !== (b[0] > pt.lat) && pt.lng < (b[1] - a[1]) * (pt.lat - a[0]) / (b[0] - a[0]) + a[1]) c = !c;
      }
      return c;
    };
    map.on('click', function (e) {
      if (!map.hasLayer(layers.parks)) return;
      if (!cells) buildIndex();
      var key = Math.floor((e.latlng.lng - vb[0]) / vb[2]) + ',' + Math.floor((e.latlng.lat - vb[1]) / vb[3]);
      var hit = (cells[key] || []).filter(function (i) {
        return parks[i].ll.some(function (poly) {
          if (!inside(e.latlng, poly[0])) return false;
          for (var h = 1; h < poly.length; h++) if (inside(e.latlng, poly[h])) return false;
          return true;
        });
      });
      if (hit.length) showPark(parks[hit[0]], e.latlng);
    });
  }

  var F = data.findings.rows.map(function (r, i) {
    var ll = polys(data.geom_findings[i]), b = ll ? boundsOf(ll) : null;
    r[5].forEach(function (k) {
      var pb = parks[k] && parks[k].bounds;
      if (pb && !ll) b = b ? b.extend(pb) : L.latLngBounds(pb.getSouthWest(), pb.getNorthEast());
    });
    return { i: i, kind: r[0], parks: r[1] || '', measure: r[2], unit: r[3] || '', detail: r[4] || '', ll: ll, bounds: b };
  });
  layers.findings = L.featureGroup([]);
  F.forEach(function (f) {
    if (!f.bounds) return;
    var tip = el('span', f.kind + ': ' + f.detail);
    if (f.ll) layers.findings.addLayer(L.polygon(f.ll, { color: '#b3261e', weight: 2, fillColor: '#e31a1c', fillOpacity: 0.45 }).bindTooltip(tip, { sticky: true }));
    /* a mark at its centre: a gap a metre wide is invisible at district scale */
    layers.findings.addLayer(L.circleMarker(f.bounds.getCenter(), { radius: 6, color: '#b3261e', weight: 2, fillColor: '#fff', fillOpacity: 0.8 })
      .bindTooltip(el('span', f.kind + ': ' + f.detail)));
  });

  layers.shared = L.featureGroup(data.geom_shared.map(function (r) {
    var ll = lines(r[4]);
    return ll ? L.polyline(ll, { color: '#d95f02', weight: 3.5, opacity: 0.9 })
      .bindTooltip(el('span', r[0] + ' | ' + r[1] + ': ' + r[2] + ', ' + fmt(r[3], 0) + ' m')) : null;
  }).filter(Boolean));

  layers.clusters = L.featureGroup(data.geom_clusters.map(function (r) {
    var ll = polys(r[4]);
    return ll ? L.polygon(ll, { color: '#6a3d9a', weight: 1.5, dashArray: '6 4', fill: false })
      .bindTooltip(el('span', 'cluster #' + r[0] + ': ' + r[2] + ' parks, ' + fmt(r[3], 3) + ' km²'), { sticky: true }) : null;
  }).filter(Boolean));

  /* drawing order: district below, findings on top */
  var ORDER = ['outline', 'parks', 'clusters', 'shared', 'findings'];
  function setLayer(name, on) {
    if (on && !map.hasLayer(layers[name])) {
      map.addLayer(layers[name]);
      ORDER.slice(ORDER.indexOf(name) + 1).forEach(function (n) {
        if (map.hasLayer(layers[n]) && layers[n].bringToFront) layers[n].bringToFront();
      });
    } else if (!on && map.hasLayer(layers[name])) {
      map.removeLayer(layers[name]);
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[data-layer]'), function (box) {
    var name = box.getAttribute('data-layer');
    setLayer(name, box.checked);
    box.addEventListener('change', function () { setLayer(name, box.checked); });
  });

  function zoomTo(b) {
    if (!b) return;
    map.fitBounds(b, { animate: false, padding: [24, 24], maxZoom: 17 });
  }

  /* legend */
  var legend = document.getElementById('legend');
  (P.legend || []).forEach(function (c) {
    var s = el('span'), sw = el('span', null, 'swatch');
    sw.style.background = c[1];
    s.appendChild(sw); s.appendChild(document.createTextNode(c[0]));
    legend.appendChild(s);
  });
  var notes = document.getElementById('notes');
  (data.notes || []).forEach(function (n) { notes.appendChild(el('li', n)); });

  /* ---- tables: sortable, drawn a page at a time ------------------------ */

  function makeTable(id, items, render, onRow) {
    var table = document.getElementById(id), tbody = table.tBodies[0];
    var order = items.map(function (_, i) { return i; }), shown = 0;
    var selected = -1; /* the item clicked last: it stays marked when the rows are sorted */
    var pager = el('div', null, 'pager');
    table.parentNode.insertBefore(pager, table.nextSibling);
    function more(n) {
      var frag = document.createDocumentFragment(), end = Math.min(order.length, shown + n);
      for (var k = shown; k < end; k++) {
        var row = render(items[order[k]]);
        row.setAttribute('data-item', order[k]);
        if (order[k] === selected) row.classList.add('selected');
        frag.appendChild(row);
      }
      tbody.appendChild(frag);
      shown = end;
      pager.textContent = '';
      if (order.length === 0) { pager.textContent = 'None.'; return; }
      if (shown < order.length) {
        pager.appendChild(document.createTextNode('Showing ' + shown.toLocaleString('en') + ' of ' + order.length.toLocaleString('en') + ' rows.'));
        var b = el('button', 'Show ' + Math.min(PAGE, order.length - shown) + ' more');
        b.type = 'button';
        b.addEventListener('click', function () { more(PAGE); });
        pager.appendChild(b);
        if (order.length <= SHOW_ALL_MAX) {
          var a = el('button', 'Show all'); a.type = 'button';
          a.addEventListener('click', function () { more(order.length); });
          pager.appendChild(a);
        }
      }
    }
    function redraw() { var n = Math.max(shown, Math.min(PAGE, order.length)); tbody.textContent = ''; shown = 0; more(n); }
    var heads = table.querySelectorAll('th[data-sort]');
    Array.prototype.forEach.call(heads, function (th) {
      th.setAttribute('aria-sort', 'none');
      th.tabIndex = 0;
      var sortIt = function () {
        var key = th.getAttribute('data-key'), num = th.hasAttribute('data-num');
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
        order.sort(function (a, b) {
          var x = items[a][key], y = items[b][key];
          var xn = x === null || x === undefined || x === '' || (num && !isFinite(x));
          var yn = y === null || y === undefined || y === '' || (num && !isFinite(y));
          if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1; /* unknowns last */
          var c = num ? x - y : collator.compare(String(x), String(y));
          return c ? dir * c : a - b;
        });
        redraw();
      };
      th.addEventListener('click', sortIt);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortIt(); } });
    });
    if (onRow) tbody.addEventListener('click', function (e) {
      var tr = e.target.closest('tr');
      if (!tr) return;
      Array.prototype.forEach.call(tbody.querySelectorAll('tr.selected'), function (r) { r.classList.remove('selected'); });
      tr.classList.add('selected');
      selected = Number(tr.getAttribute('data-item'));
      onRow(tr);
    });
    more(PAGE);
  }

  makeTable('parks', parks, function (p) {
    var tr = el('tr');
    tr.setAttribute('data-park', p.name);
    tr.appendChild(td(p.name));
    var z = td(p.name_zh, false, 'zh'); z.lang = 'zh-Hans'; tr.appendChild(z);
    tr.appendChild(td(p.industry));
    tr.appendChild(td(fmt(p.planned, 3), true));
    tr.appendChild(td(fmt(p.measured, 4), true));
    tr.appendChild(td(signed(p.diff, 2), true));
    return tr;
  }, function (tr) {
    var name = tr.getAttribute('data-park');
    for (var i = 0; i < parks.length; i++) if (parks[i].name === name && parks[i].bounds) {
      zoomTo(parks[i].bounds);
      showPark(parks[i]);
      return;
    }
  });

  makeTable('findings', F, function (f) {
    var tr = el('tr');
    tr.setAttribute('data-finding', String(f.i));
    tr.appendChild(td(f.i + 1, true));
    tr.appendChild(td(f.kind));
    tr.appendChild(td(f.parks));
    tr.appendChild(td(fmt(f.measure, f.measure !== null && Math.abs(f.measure) < 10 ? 2 : 0) + ' ' + (f.unit === 'm2' ? 'm²' : f.unit), true));
    tr.appendChild(td(f.detail));
    return tr;
  }, function (tr) {
    var f = F[Number(tr.getAttribute('data-finding'))];
    if (f && f.bounds) {
      setLayer('findings', true);
      document.querySelector('input[data-layer="findings"]').checked = true;
      zoomTo(f.bounds);
    }
  });

  var adj = data.adjacency.rows.map(function (r) {
    return { ai: r[0], bi: r[1], a: r[2], b: r[3], relation: r[4], shared: r[5], overlap: r[6], distance: r[7] };
  });
  makeTable('adjacency', adj, function (r) {
    var tr = el('tr');
    tr.setAttribute('data-a', String(r.ai)); tr.setAttribute('data-b', String(r.bi));
    tr.appendChild(td(r.a)); tr.appendChild(td(r.b)); tr.appendChild(td(r.relation));
    tr.appendChild(td(fmt(r.shared, 1), true)); tr.appendChild(td(fmt(r.overlap, 1), true));
    tr.appendChild(td(fmt(r.distance, 2), true));
    return tr;
  }, function (tr) {
    var bb = null;
    [tr.getAttribute('data-a'), tr.getAttribute('data-b')].forEach(function (k) {
      var p = parks[Number(k)];
      if (p && p.bounds) bb = bb ? bb.extend(p.bounds) : L.latLngBounds(p.bounds.getSouthWest(), p.bounds.getNorthEast());
    });
    zoomTo(bb);
  });

  makeTable('clusters', data.clusters.rows.map(function (r) {
    return { id: r[0], scope: r[1], n: r[2], area: r[3], ent: r[4], mix: r[5], parks: r[6] };
  }), function (c) {
    var tr = el('tr');
    tr.appendChild(td(c.id, true)); tr.appendChild(td(c.scope)); tr.appendChild(td(c.n, true));
    tr.appendChild(td(fmt(c.area, 3), true)); tr.appendChild(td(fmt(c.ent, 0), true));
    tr.appendChild(td(fmt(c.mix, 3), true)); tr.appendChild(td(c.parks));
    return tr;
  });

  var I = data.indicators;
  makeTable('indicators', I.groups.map(function (g) {
    return { group: g[0], n: g[1], nn: g[2], enn: g[3], r: g[4], z: g[5], links: g[6], col: g[7], cole: g[8], p: g[9] };
  }), function (g) {
    var tr = el('tr');
    tr.appendChild(td(g.group)); tr.appendChild(td(g.n, true));
    tr.appendChild(td(fmt(g.nn, 0), true)); tr.appendChild(td(fmt(g.enn, 0), true));
    tr.appendChild(td(fmt(g.r, 3), true)); tr.appendChild(td(fmt(g.z, 2), true));
    tr.appendChild(td(fmt(g.links, 0), true)); tr.appendChild(td(fmt(g.col, 3), true));
    tr.appendChild(td(fmt(g.cole, 3), true)); tr.appendChild(td(fmt(g.p, 3), true));
    return tr;
  });
  document.getElementById('indicators-summary').textContent = !I.study_area ?
    'Clusters join parks at most ' + fmt(data.clusters.cluster_m, 0) + ' m apart. The point-pattern indicators ' +
    '(Clark-Evans, co-location) were not computed for this layer.' :
    'Study area: ' + (I.study_area || 'unknown') + ', ' + fmt(I.study_area_km2, 1) + ' km². Clusters join parks at most ' +
    fmt(data.clusters.cluster_m, 0) + ' m apart. Co-location (neighbours within ' + fmt(I.colocation_m, 0) +
    ' m): ' + fmt(I.colocation, 3) + ' of links join parks of one industry, against ' + fmt(I.colocation_expected, 3) +
    ' expected (p = ' + fmt(I.colocation_p, 3) + ', ' + fmt(I.colocation_runs, 0) + ' relabellings).';

  /* ---- verdict, provenance --------------------------------------------- */

  var V = data.verdict, vd = document.getElementById('verdict');
  vd.className = V.pass ? 'pass' : 'fail';
  vd.appendChild(el('span', V.pass ? 'PASS' : 'FAIL', 'word'));
  vd.appendChild(document.createTextNode(
    'measured ' + fmt(V.measured_km2, 4) + ' km² (union of the parks, ellipsoidal) against the target of ' +
    fmt(V.target_km2, 4) + ' km² \u00b1 ' + fmt(V.tolerance_pct, 2) + ' %: difference ' +
    signed(V.diff_km2, 4) + ' km² (' + signed(V.diff_pct, 3) + ' %).'));
  var probs = document.getElementById('problems');
  var SHOWN_PROBLEMS = 10; /* the parks and findings tables hold the rest */
  V.problems.slice(0, SHOWN_PROBLEMS).forEach(function (p) { probs.appendChild(el('li', p[0] + (p[1] ? ' (' + p[1] + ')' : '') + ': ' + p[2])); });
  if (V.problems_total > SHOWN_PROBLEMS)
    probs.appendChild(el('li', 'and ' + (V.problems_total - SHOWN_PROBLEMS).toLocaleString('en') +
      ' more problems (parkmap check lists them all; the parks table shows each park\'s difference).'));
  document.getElementById('subtitle').textContent = fmt(V.parks, 0) + ' parks in layer ' + data.layer +
    ', sum of the parks ' + fmt(V.sum_km2, 4) + ' km²' + (V.planned_km2 !== null ? ', planned ' + fmt(V.planned_km2, 3) + ' km²' : '') + '.';

  var R = data.provenance, dl = document.getElementById('provenance');
  function dd(k, v) { if (v === null || v === undefined) return; dl.appendChild(el('dt', k)); dl.appendChild(el('dd', v)); }
  dd('Database', R.database);
  dd('Layer', R.layer);
  dd('Source file', R.source_path);
  dd('SHA-256', R.source_sha256);
  dd('Source CRS', R.source_crs);
  dd('Storage CRS', R.storage_crs);
  dd('Imported', R.imported_at);
  dd('Outline source', R.outline_source_path);
  dd('Outline SHA-256', R.outline_source_sha256);
  R.versions.forEach(function (x) { dd(x[0], x[1]); });
  dd('Report date', R.generated_at || 'not recorded');

  /* ---- the comparison (report --against) ------------------------------ */
  /* data.compare holds what parkmap compare finds between this database
   * (before) and the --against one (after); the "changes" layer draws the
   * parks added, removed and changed, a changed park's old boundary dotted. */
  var CHANGE_STYLE = {
    added: { color: '#1a9850', weight: 2, fillColor: '#66bd63', fillOpacity: 0.65 },
    removed: { color: '#d73027', weight: 2, dashArray: '6 4', fillColor: '#f46d43', fillOpacity: 0.35 },
    changed: { color: '#b35806', weight: 2.5, fillColor: '#fdb863', fillOpacity: 0.6 },
    before: { color: '#542788', weight: 1.5, dashArray: '2 3', fill: false }
  };
  var CHANGE_TEXT = { added: 'added', removed: 'removed', changed: 'changed (new boundary)', before: 'old boundary of a changed park' };
  api.sections.compare = function (C, section) {
    var P = C.parks.map(function (r, i) {
      return { i: i, key: r[0], name: r[1], status: r[2], what: r[3], before: r[4], after: r[5], change: r[6],
        pct: r[7], haus: r[8], ppb: r[9], ppa: r[10], hullb: r[11], hulla: r[12], bounds: null };
    });
    layers.changes = L.featureGroup(C.geom.map(function (g) {
      var ll = polys(g[2]), p = P[g[1]];
      if (!ll || !p) return null;
      var shape = L.polygon(ll, CHANGE_STYLE[g[0]] || CHANGE_STYLE.changed), b = shape.getBounds();
      p.bounds = p.bounds ? p.bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
      return shape.bindTooltip(el('span', p.name + ': ' + CHANGE_TEXT[g[0]] + (p.what ? ' (' + p.what + ')' : '') +
        (isFinite(p.haus) && p.haus !== null ? ', moved ' + fmt(p.haus, 1) + ' m' : '')), { sticky: true });
    }).filter(Boolean));
    var label = el('label'), box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.setAttribute('data-layer', 'changes');
    label.appendChild(box);
    label.appendChild(document.createTextNode(' Changes'));
    document.getElementById('layers').appendChild(label);
    ORDER.splice(ORDER.indexOf('findings'), 0, 'changes');
    setLayer('changes', true);
    box.addEventListener('change', function () { setLayer('changes', box.checked); });
    ['added', 'removed', 'changed', 'before'].forEach(function (k) {
      var s = el('span'), sw = el('span', null, 'swatch');
      sw.style.background = CHANGE_STYLE[k].fill === false ? 'transparent' : CHANGE_STYLE[k].fillColor;
      sw.style.borderColor = CHANGE_STYLE[k].color;
      sw.style.borderStyle = CHANGE_STYLE[k].dashArray ? 'dashed' : 'solid';
      s.appendChild(sw);
      s.appendChild(document.createTextNode(CHANGE_TEXT[k]));
      legend.appendChild(s);
    });

    var n = C.counts;
    document.getElementById('cmp-summary').textContent = 'This database (before) against ' + C.against +
      ' (after), parks matched by ' + C.key + ': ' + n.added + ' added, ' + n.removed + ' removed, ' + n.changed +
      ' changed, ' + n.unchanged + ' unchanged; ' + C.adjacency.length + ' adjacency changes, ' + C.clusters.length +
      ' cluster events. A boundary counts as moved beyond ' + fmt(C.hausdorff_tol_m, 2) + ' m (Hausdorff distance, ground metres).';
    var cv = document.getElementById('cmp-verdict');
    [['Before', C.before], ['After', C.after]].forEach(function (x) {
      var t = x[1], line = el('div', null, t.pass ? 'pass' : 'fail');
      line.appendChild(el('span', t.pass ? 'PASS' : 'FAIL', 'word'));
      line.appendChild(document.createTextNode(x[0] + ': ' + fmt(t.union_km2, 4) + ' km² (union, ellipsoidal) for ' +
        t.parks + ' parks against ' + fmt(C.target_km2, 3) + ' km² \u00b1 ' + fmt(C.tolerance_pct, 2) + ' %: ' +
        signed(t.diff_km2, 4) + ' km² (' + signed(t.diff_pct, 2) + ' %).'));
      cv.appendChild(line);
    });

    var RANK = { changed: 0, added: 1, removed: 2, unchanged: 3 };
    var rows = P.slice().sort(function (a, b) { return (RANK[a.status] - RANK[b.status]) || (a.i - b.i); });
    makeTable('cmp-parks', rows, function (p) {
      var tr = el('tr', null, 'cmp-' + p.status);
      tr.setAttribute('data-compare-park', p.key);
      tr.appendChild(td(p.key)); tr.appendChild(td(p.name)); tr.appendChild(td(p.status)); tr.appendChild(td(p.what));
      tr.appendChild(td(fmt(p.before, 4), true)); tr.appendChild(td(fmt(p.after, 4), true));
      tr.appendChild(td(signed(p.change, 4), true)); tr.appendChild(td(signed(p.pct, 2), true));
      tr.appendChild(td(fmt(p.haus, 2), true)); tr.appendChild(td(fmt(p.ppa, 3), true));
      tr.appendChild(td(fmt(p.hulla, 3), true));
      return tr;
    }, function (tr) {
      var key = tr.getAttribute('data-compare-park');
      for (var i = 0; i < P.length; i++) if (P[i].key === key) {
        if (P[i].bounds) {
          setLayer('changes', true);
          box.checked = true;
          zoomTo(P[i].bounds);
        }
        return;
      }
    });
    makeTable('cmp-adjacency', C.adjacency.map(function (r) {
      return { a: r[0], b: r[1], before: r[2] || 'not adjacent', after: r[3] || 'not adjacent' };
    }), function (r) {
      var tr = el('tr');
      tr.appendChild(td(r.a)); tr.appendChild(td(r.b)); tr.appendChild(td(r.before)); tr.appendChild(td(r.after));
      return tr;
    });
    makeTable('cmp-clusters', C.clusters.map(function (r) {
      return { kind: r[0], id: r[1], parks: r[2], parts: r[3].map(function (x) { return '#' + x[0] + ': ' + x[1]; }).join('; ') };
    }), function (r) {
      var tr = el('tr');
      tr.appendChild(td(r.kind)); tr.appendChild(td('#' + r.id, true)); tr.appendChild(td(r.parks)); tr.appendChild(td(r.parts));
      return tr;
    });
    var CI = C.indicators;
    document.getElementById('cmp-indicators-summary').textContent = 'Co-location of all parks: ' +
      fmt(CI.before.colocation, 3) + ' before (p = ' + fmt(CI.before.colocation_p, 3) + '), ' + fmt(CI.after.colocation, 3) +
      ' after (p = ' + fmt(CI.after.colocation_p, 3) + '). Clusters: ' + CI.before.clusters + ' before, ' +
      CI.after.clusters + ' after. Clark–Evans R below 1: clustered, above 1: dispersed (docs/analysis.md).';
    makeTable('cmp-indicators', CI.groups.map(function (g) {
      return { group: g[0], n0: g[1], r0: g[2], z0: g[3], c0: g[4], n1: g[6], r1: g[7], z1: g[8], c1: g[9] };
    }), function (g) {
      var tr = el('tr');
      tr.appendChild(td(g.group));
      [[g.n0, 0], [g.n1, 0], [g.r0, 3], [g.r1, 3], [g.z0, 2], [g.z1, 2], [g.c0, 3], [g.c1, 3]].forEach(function (v) {
        tr.appendChild(td(fmt(v[0], v[1]), true));
      });
      return tr;
    });
  };

  /* ---- optional sections ----------------------------------------------- */
  var cmp = document.getElementById('comparison');
  if (data.compare && api.sections.compare) {
    cmp.hidden = false;
    api.sections.compare(data.compare, cmp, { map: map, zoomTo: zoomTo });
  }

  /* ---- the contract ---------------------------------------------------- */
  api.view = function () { var c = map.getCenter(); return { lon: c.lng, lat: c.lat, zoom: map.getZoom() }; };
  api.parks = function () { return parks.map(function (p) { return { name: p.name, name_zh: p.name_zh }; }); };
  api.layerVisible = function (name) { return !!layers[name] && map.hasLayer(layers[name]); };
  api.map = map;
  api.ready = true;
})();
