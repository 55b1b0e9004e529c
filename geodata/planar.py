"""Planar geometry for generate.py's checks and shapes.

Topology (segment contact, point in polygon, simplicity) is decided in the
lon/lat plane, where the shipped coordinates are exact; distances are
measured after geodesy.LocalFrame has put points into local metres.
"""

import math

def orient(a, b, c):
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def on_segment(a, b, p):
    """p collinear with a-b assumed; is it within the closed segment?"""
    return (min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
            and min(a[1], b[1]) <= p[1] <= max(a[1], b[1]))


def segments_touch(a, b, c, d):
    """Do closed segments a-b and c-d share at least one point?"""
    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if ((o1 > 0 and o2 < 0) or (o1 < 0 and o2 > 0)) and \
       ((o3 > 0 and o4 < 0) or (o3 < 0 and o4 > 0)):
        return True
    return ((o1 == 0 and on_segment(a, b, c)) or (o2 == 0 and on_segment(a, b, d))
            or (o3 == 0 and on_segment(c, d, a)) or (o4 == 0 and on_segment(c, d, b)))


def point_in_ring(p, ring):
    """1 strictly inside, 0 on the boundary, -1 outside (closed ring)."""
    inside = False
    for i in range(len(ring) - 1):
        a, b = ring[i], ring[i + 1]
        if orient(a, b, p) == 0 and on_segment(a, b, p):
            return 0
        if (a[1] > p[1]) != (b[1] > p[1]):
            x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if p[0] < x:
                inside = not inside
    return 1 if inside else -1


def point_in_polygon(p, rings):
    r = point_in_ring(p, rings[0])
    if r <= 0:
        return r
    for hole in rings[1:]:
        h = point_in_ring(p, hole)
        if h == 0:
            return 0
        if h == 1:
            return -1
    return 1


def seg_seg_distance(a, b, c, d):
    """Euclidean distance between segments a-b and c-d (planar metres)."""
    if segments_touch(a, b, c, d):
        return 0.0

    def pt_seg(p, u, v):
        dx, dy = v[0] - u[0], v[1] - u[1]
        ll = dx * dx + dy * dy
        t = 0.0 if ll == 0 else max(0.0, min(1.0, ((p[0] - u[0]) * dx + (p[1] - u[1]) * dy) / ll))
        return math.hypot(p[0] - u[0] - t * dx, p[1] - u[1] - t * dy)
    return min(pt_seg(a, c, d), pt_seg(b, c, d), pt_seg(c, a, b), pt_seg(d, a, b))


def ring_is_simple(ring):
    n = len(ring) - 1
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                # neighbours share a vertex; they must not fold back
                a, b = ring[i], ring[i + 1]
                c, d = ring[j], ring[(j + 1)]
                shared = b if j == i + 1 else a
                other1 = a if j == i + 1 else b
                other2 = d if j == i + 1 else c
                if orient(other1, shared, other2) == 0 and \
                        on_segment(other1, other2, shared) is False:
                    return False
                continue
            if segments_touch(ring[i], ring[i + 1], ring[j], ring[j + 1]):
                return False
    return True


def signed_planar_area(ring):
    return 0.5 * math.fsum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
                           for i in range(len(ring) - 1))


def centroid_moments(ring):
    """(signed area, sum x, sum y) of a closed ring: its planar centroid is
    (sum x / (6 area), sum y / (6 area))."""
    cx = cy = 0.0
    for i in range(len(ring) - 1):
        f = ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
        cx += (ring[i][0] + ring[i + 1][0]) * f
        cy += (ring[i][1] + ring[i + 1][1]) * f
    return signed_planar_area(ring), cx, cy
