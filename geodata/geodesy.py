"""Geodesy for generate.py: a thin wrapper over GeographicLib.

Areas and lengths are exact on the WGS84 ellipsoid, with edges taken as
geodesics (as PROJ's geod_polygonarea does): GeographicLib's
Geodesic.WGS84 (C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87
(2013) 43-55). Debian/Ubuntu: apt-get install python3-geographiclib.

Points are (lon, lat) tuples in degrees, as in GeoJSON; GeographicLib takes
(lat, lon). Rings may be given closed (last == first) or open.

LocalFrame is the projection the shapes are laid out in: metres east/north
of an origin, scaled with the WGS84 radii of curvature at the origin. Only
used for layout and for planar distances between nearby shapes; every
reported area or length is the geodesic one.
"""

import math

from geographiclib.geodesic import Geodesic

WGS84 = Geodesic.WGS84
WGS84_A = WGS84.a
WGS84_F = WGS84.f


def distance(p, q):
    """Geodesic distance in metres between two (lon, lat) points."""
    return WGS84.Inverse(p[1], p[0], q[1], q[0], Geodesic.DISTANCE)["s12"]


def ring_area(ring):
    """Signed ellipsoidal area (m²) of a ring of (lon, lat) points;
    counter-clockwise is positive."""
    pts = list(ring)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(pts) < 3:
        return 0.0
    poly = WGS84.Polygon()
    for lon, lat in pts:
        poly.AddPoint(lat, lon)
    return poly.Compute(False, True)[2] + 0.0


def polygon_area(rings):
    """Area (m²) of a polygon: exterior ring minus holes, any orientation."""
    total = 0.0
    for i, ring in enumerate(rings):
        a = abs(ring_area(ring))
        total += a if i == 0 else -a
    return total


def multipolygon_area(polys):
    return math.fsum(polygon_area(p) for p in polys)


def ring_length(ring):
    return math.fsum(distance(ring[i], ring[i + 1]) for i in range(len(ring) - 1))


def radii(lat_deg):
    """Meridional (M) and prime-vertical (N) radii of curvature, metres."""
    e2 = WGS84_F * (2 - WGS84_F)
    s = math.sin(math.radians(lat_deg))
    w = math.sqrt(1 - e2 * s * s)
    return WGS84_A * (1 - e2) / w ** 3, WGS84_A / w


class LocalFrame:
    """Metres east/north of (lon0, lat0), linear in lon/lat."""

    def __init__(self, lon0, lat0):
        self.lon0 = lon0
        self.lat0 = lat0
        m, n = radii(lat0)
        self.deg_per_m_lat = math.degrees(1 / m)
        self.deg_per_m_lon = math.degrees(1 / (n * math.cos(math.radians(lat0))))

    def to_lonlat(self, x, y):
        return (self.lon0 + x * self.deg_per_m_lon,
                self.lat0 + y * self.deg_per_m_lat)

    def to_xy(self, lon, lat):
        return ((lon - self.lon0) / self.deg_per_m_lon,
                (lat - self.lat0) / self.deg_per_m_lat)
