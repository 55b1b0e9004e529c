#!/usr/bin/env python3
"""Generate parkmap's shipped data from geodata/parks_table.csv.

Writes, next to this script:
  pudong_parks.geojson    15 schematic park boundaries (MultiPolygon each)
  pudong_outline.geojson  a schematic outline of Pudong New Area

Standard library only (Python >= 3.8). Deterministic: the same input gives
the same output bytes. The script checks its own output and exits non-zero
if any check fails:
  * every park's ellipsoidal (WGS84 geodesic) area is within 0.1 % of its
    planned area, and the planned areas add up to 43.00 km²;
  * rings are closed, simple and follow the RFC 7946 right-hand rule;
  * no two parks overlap; parks stay >= 50 m apart, except the pairs that
    deliberately share an edge (SHARED_EDGE_PAIRS), whose contacts must be
    identical, oppositely directed segments or shared vertices;
  * the outline contains every park.

The geodesic code (Geodesic, polygon_area) follows C. F. F. Karney,
"Algorithms for geodesics", J. Geodesy 87 (2013) 43-55; the series
coefficients are those of the paper (sixth order), as used by GeographicLib.
It is importable: tests/fixtures/make_fixtures.py uses it.
"""

import csv
import json
import math
import sys
from pathlib import Path

# --------------------------------------------------------------------------
# WGS84 geodesics (Karney 2013)
# --------------------------------------------------------------------------

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563

_DIGITS = 53
_EPS = math.ldexp(1.0, 1 - _DIGITS)
_TINY = math.sqrt(sys.float_info.min)
_TOL0 = _EPS
_TOL1 = 200 * _TOL0
_TOL2 = math.sqrt(_TOL0)
_TOLB = _TOL0 * _TOL2
_XTHRESH = 1000 * _TOL2
_MAXIT1 = 20
_MAXIT2 = _MAXIT1 + _DIGITS + 10
_NORD = 6  # order of every series below


def _polyval(n, p, s, x):
    """Horner evaluation of the degree-n polynomial p[s..s+n] at x."""
    y = p[s] if n >= 0 else 0.0
    while n > 0:
        n -= 1
        s += 1
        y = y * x + p[s]
    return y


def _sum_err(u, v):
    """Error-free sum: s + t == u + v exactly."""
    s = u + v
    up = s - v
    vpp = s - up
    up -= u
    vpp -= v
    t = 0.0 if s == 0 else -(up + vpp)
    return s, t


def _ang_round(x):
    z = 1 / 16.0
    if x == 0:
        return 0.0
    y = abs(x)
    if y < z:
        y = z - (z - y)
    return -y if x < 0 else y


def _ang_normalize(x):
    y = math.remainder(x, 360.0)
    return math.copysign(180.0, x) if abs(y) == 180 else y


def _ang_diff(x, y):
    d, t = _sum_err(math.remainder(-x, 360.0), math.remainder(y, 360.0))
    d, t = _sum_err(math.remainder(d, 360.0), t)
    if d == 0 or abs(d) == 180:
        d = math.copysign(d, y - x if t == 0 else -t)
    return d, t


def _sincosd(x):
    """sin and cos of x degrees, exact at multiples of 90."""
    r = math.fmod(x, 360.0)
    q = 0 if math.isnan(r) else int(round(r / 90))
    r -= 90 * q
    r = math.radians(r)
    s, c = math.sin(r), math.cos(r)
    q %= 4
    if q == 1:
        s, c = c, -s
    elif q == 2:
        s, c = -s, -c
    elif q == 3:
        s, c = -c, s
    c += 0.0
    if s == 0:
        s = math.copysign(s, x)
    return s, c


def _norm2(x, y):
    r = math.hypot(x, y)
    return x / r, y / r


def _sincos_series(sinp, sinx, cosx, c):
    """Clenshaw summation of sum c[k] sin(2kx) (sinp) or cos((2k+1)x)."""
    k = len(c)
    n = k - (1 if sinp else 0)
    ar = 2 * (cosx - sinx) * (cosx + sinx)
    y1 = 0.0
    if n & 1:
        k -= 1
        y0 = c[k]
    else:
        y0 = 0.0
    n //= 2
    while n:
        n -= 1
        k -= 1
        y1 = ar * y0 - y1 + c[k]
        k -= 1
        y0 = ar * y1 - y0 + c[k]
    return 2 * sinx * cosx * y0 if sinp else cosx * (y0 - y1)


def _astroid(x, y):
    p = x * x
    q = y * y
    r = (p + q - 1) / 6
    if not (q == 0 and r <= 0):
        s = p * q / 4
        r2 = r * r
        r3 = r * r2
        disc = s * (s + 2 * r3)
        u = r
        if disc >= 0:
            t3 = s + r3
            t3 += -math.sqrt(disc) if t3 < 0 else math.sqrt(disc)
            t = math.copysign(abs(t3) ** (1 / 3.0), t3)
            u += t + (r2 / t if t != 0 else 0.0)
        else:
            ang = math.atan2(math.sqrt(-disc), -(s + r3))
            u += 2 * r * math.cos(ang / 3)
        v = math.sqrt(u * u + q)
        uv = q / (v - u) if u < 0 else u + v  # = u + v, without cancellation
        w = (uv - q) / (2 * v)
        return uv / (math.sqrt(uv + w * w) + w)
    return 0.0


def _a1m1f(eps):
    coeff = [1, 4, 64, 0, 256]
    m = _NORD // 2
    t = _polyval(m, coeff, 0, eps * eps) / coeff[m + 1]
    return (t + eps) / (1 - eps)


def _c1f(eps, c):
    coeff = [-1, 6, -16, 32,
             -9, 64, -128, 2048,
             9, -16, 768,
             3, -5, 512,
             -7, 1280,
             -7, 2048]
    eps2 = eps * eps
    d = eps
    o = 0
    for k in range(1, _NORD + 1):
        m = (_NORD - k) // 2
        c[k] = d * _polyval(m, coeff, o, eps2) / coeff[o + m + 1]
        o += m + 2
        d *= eps


def _a2m1f(eps):
    coeff = [-11, -28, -192, 0, 256]
    m = _NORD // 2
    t = _polyval(m, coeff, 0, eps * eps) / coeff[m + 1]
    return (t - eps) / (1 + eps)


def _c2f(eps, c):
    coeff = [1, 2, 16, 32,
             35, 64, 384, 2048,
             15, 80, 768,
             7, 35, 512,
             63, 1280,
             77, 2048]
    eps2 = eps * eps
    d = eps
    o = 0
    for k in range(1, _NORD + 1):
        m = (_NORD - k) // 2
        c[k] = d * _polyval(m, coeff, o, eps2) / coeff[o + m + 1]
        o += m + 2
        d *= eps


class Geodesic:
    """Inverse geodesic problem with area term, on an ellipsoid (a, f)."""

    def __init__(self, a=WGS84_A, f=WGS84_F):
        self.a = float(a)
        self.f = float(f)
        self._f1 = 1 - self.f
        self._e2 = self.f * (2 - self.f)
        self._ep2 = self._e2 / (self._f1 * self._f1)
        self._n = self.f / (2 - self.f)
        self._b = self.a * self._f1
        e = math.sqrt(abs(self._e2))
        if self._e2 == 0:
            ratio = 1.0
        elif self._e2 > 0:
            ratio = math.atanh(e) / e
        else:
            ratio = math.atan(e) / e
        # authalic radius squared: the ellipsoid's area is 4 pi c2
        self._c2 = (self.a * self.a + self._b * self._b * ratio) / 2
        self._etol2 = 0.1 * _TOL2 / math.sqrt(
            max(0.001, abs(self.f)) * min(1.0, 1 - self.f / 2) / 2)
        self._a3x = self._a3coeff()
        self._c3x = self._c3coeff()
        self._c4x = self._c4coeff()

    @property
    def area0(self):
        """Total area of the ellipsoid (m²)."""
        return 4 * math.pi * self._c2

    # -- series coefficients depending on n --------------------------------
    def _a3coeff(self):
        coeff = [-3, 128,
                 -2, -3, 64,
                 -1, -3, -1, 16,
                 3, -1, -2, 8,
                 1, -1, 2,
                 1, 1]
        out = []
        o = 0
        for j in range(_NORD - 1, -1, -1):
            m = min(_NORD - j - 1, j)
            out.append(_polyval(m, coeff, o, self._n) / coeff[o + m + 1])
            o += m + 2
        return out

    def _c3coeff(self):
        coeff = [3, 128,
                 2, 5, 128,
                 -1, 3, 3, 64,
                 -1, 0, 1, 8,
                 -1, 1, 4,
                 5, 256,
                 1, 3, 128,
                 -3, -2, 3, 64,
                 1, -3, 2, 32,
                 7, 512,
                 -10, 9, 384,
                 5, -9, 5, 192,
                 7, 512,
                 -14, 7, 512,
                 21, 2560]
        out = []
        o = 0
        for k in range(1, _NORD):
            for j in range(_NORD - 1, k - 1, -1):
                m = min(_NORD - j - 1, j)
                out.append(_polyval(m, coeff, o, self._n) / coeff[o + m + 1])
                o += m + 2
        return out

    def _c4coeff(self):
        coeff = [97, 15015,
                 1088, 156, 45045,
                 -224, -4784, 1573, 45045,
                 -10656, 14144, -4576, -858, 45045,
                 64, 624, -4576, 6864, -3003, 15015,
                 100, 208, 572, 3432, -12012, 30030, 45045,
                 1, 9009,
                 -2944, 468, 135135,
                 5792, 1040, -1287, 135135,
                 5952, -11648, 9152, -2574, 135135,
                 -64, -624, 4576, -6864, 3003, 135135,
                 8, 10725,
                 1856, -936, 225225,
                 -8448, 4992, -1144, 225225,
                 -1440, 4160, -4576, 1716, 225225,
                 -136, 63063,
                 1024, -208, 105105,
                 3584, -3328, 1144, 315315,
                 -128, 135135,
                 -2560, 832, 405405,
                 128, 99099]
        out = []
        o = 0
        for k in range(_NORD):
            for j in range(_NORD - 1, k - 1, -1):
                m = _NORD - j - 1
                out.append(_polyval(m, coeff, o, self._n) / coeff[o + m + 1])
                o += m + 2
        return out

    # -- series in eps -------------------------------------------------------
    def _a3f(self, eps):
        return _polyval(_NORD - 1, self._a3x, 0, eps)

    def _c3f(self, eps, c):
        mult = 1.0
        o = 0
        for k in range(1, _NORD):
            m = _NORD - k - 1
            mult *= eps
            c[k] = mult * _polyval(m, self._c3x, o, eps)
            o += m + 1

    def _c4f(self, eps, c):
        mult = 1.0
        o = 0
        for k in range(_NORD):
            m = _NORD - k - 1
            c[k] = mult * _polyval(m, self._c4x, o, eps)
            o += m + 1
            mult *= eps

    def _lengths(self, eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2,
                 c1a, c2a):
        """Scaled distance s12/b and reduced length m12/b."""
        a1 = _a1m1f(eps)
        _c1f(eps, c1a)
        a2 = _a2m1f(eps)
        _c2f(eps, c2a)
        m0x = a1 - a2
        a2 = 1 + a2
        a1 = 1 + a1
        b1 = (_sincos_series(True, ssig2, csig2, c1a)
              - _sincos_series(True, ssig1, csig1, c1a))
        s12b = a1 * (sig12 + b1)
        b2 = (_sincos_series(True, ssig2, csig2, c2a)
              - _sincos_series(True, ssig1, csig1, c2a))
        j12 = m0x * sig12 + (a1 * b1 - a2 * b2)
        m12b = (dn2 * (csig1 * ssig2) - dn1 * (ssig1 * csig2)
                - csig1 * csig2 * j12)
        return s12b, m12b

    def _inverse_start(self, sbet1, cbet1, dn1, sbet2, cbet2, dn2,
                       lam12, slam12, clam12):
        sig12 = -1.0
        salp2 = calp2 = dnm = math.nan
        sbet12 = sbet2 * cbet1 - cbet2 * sbet1
        cbet12 = cbet2 * cbet1 + sbet2 * sbet1
        sbet12a = sbet2 * cbet1 + cbet2 * sbet1
        shortline = cbet12 >= 0 and sbet12 < 0.5 and cbet2 * lam12 < 0.5
        if shortline:
            sbetm2 = (sbet1 + sbet2) ** 2
            sbetm2 /= sbetm2 + (cbet1 + cbet2) ** 2
            dnm = math.sqrt(1 + self._ep2 * sbetm2)
            omg12 = lam12 / (self._f1 * dnm)
            somg12, comg12 = math.sin(omg12), math.cos(omg12)
        else:
            somg12, comg12 = slam12, clam12
        salp1 = cbet2 * somg12
        if comg12 >= 0:
            calp1 = sbet12 + cbet2 * sbet1 * somg12 * somg12 / (1 + comg12)
        else:
            calp1 = sbet12a - cbet2 * sbet1 * somg12 * somg12 / (1 - comg12)
        ssig12 = math.hypot(salp1, calp1)
        csig12 = sbet1 * sbet2 + cbet1 * cbet2 * comg12
        if shortline and ssig12 < self._etol2:
            salp2 = cbet1 * somg12
            calp2 = sbet12 - cbet1 * sbet2 * (
                somg12 * somg12 / (1 + comg12) if comg12 >= 0 else 1 - comg12)
            salp2, calp2 = _norm2(salp2, calp2)
            sig12 = math.atan2(ssig12, csig12)
        elif (abs(self._n) > 0.1 or csig12 >= 0
              or ssig12 >= 6 * abs(self._n) * math.pi * cbet1 * cbet1):
            pass  # the zeroth-order spherical estimate is good enough
        else:
            # nearly antipodal: solve the astroid problem (oblate case)
            lam12x = math.atan2(-slam12, -clam12)
            k2 = sbet1 * sbet1 * self._ep2
            eps = k2 / (2 * (1 + math.sqrt(1 + k2)) + k2)
            lamscale = self.f * cbet1 * self._a3f(eps) * math.pi
            betscale = lamscale * cbet1
            x = lam12x / lamscale
            y = sbet12a / betscale
            if y > -_TOL1 and x > -1 - _XTHRESH:
                salp1 = min(1.0, -x)
                calp1 = -math.sqrt(1 - salp1 * salp1)
            else:
                k = _astroid(x, y)
                omg12a = lamscale * (-x * k / (1 + k))
                somg12, comg12 = math.sin(omg12a), -math.cos(omg12a)
                salp1 = cbet2 * somg12
                calp1 = sbet12a - cbet2 * sbet1 * somg12 * somg12 / (1 - comg12)
        if not salp1 <= 0:
            salp1, calp1 = _norm2(salp1, calp1)
        else:
            salp1, calp1 = 1.0, 0.0
        return sig12, salp1, calp1, salp2, calp2, dnm

    def _lambda12(self, sbet1, cbet1, dn1, sbet2, cbet2, dn2, salp1, calp1,
                  slam120, clam120, diffp, c1a, c2a, c3a):
        if sbet1 == 0 and calp1 == 0:
            calp1 = -_TINY
        salp0 = salp1 * cbet1
        calp0 = math.hypot(calp1, salp1 * sbet1)
        ssig1 = sbet1
        somg1 = salp0 * sbet1
        csig1 = comg1 = calp1 * cbet1
        ssig1, csig1 = _norm2(ssig1, csig1)
        salp2 = salp0 / cbet2 if cbet2 != cbet1 else salp1
        if cbet2 != cbet1 or abs(sbet2) != -sbet1:
            calp2 = math.sqrt(
                (calp1 * cbet1) ** 2
                + ((cbet2 - cbet1) * (cbet1 + cbet2) if cbet1 < -sbet1
                   else (sbet1 - sbet2) * (sbet1 + sbet2))) / cbet2
        else:
            calp2 = abs(calp1)
        ssig2 = sbet2
        somg2 = salp0 * sbet2
        csig2 = comg2 = calp2 * cbet2
        ssig2, csig2 = _norm2(ssig2, csig2)
        sig12 = math.atan2(max(0.0, csig1 * ssig2 - ssig1 * csig2),
                           csig1 * csig2 + ssig1 * ssig2)
        somg12 = max(0.0, comg1 * somg2 - somg1 * comg2)
        comg12 = comg1 * comg2 + somg1 * somg2
        eta = math.atan2(somg12 * clam120 - comg12 * slam120,
                         comg12 * clam120 + somg12 * slam120)
        k2 = calp0 * calp0 * self._ep2
        eps = k2 / (2 * (1 + math.sqrt(1 + k2)) + k2)
        self._c3f(eps, c3a)
        b312 = (_sincos_series(True, ssig2, csig2, c3a)
                - _sincos_series(True, ssig1, csig1, c3a))
        domg12 = -self.f * self._a3f(eps) * salp0 * (sig12 + b312)
        lam12 = eta + domg12
        if diffp:
            if calp2 == 0:
                dlam12 = -2 * self._f1 * dn1 / sbet1
            else:
                _, dlam12 = self._lengths(eps, sig12, ssig1, csig1, dn1,
                                          ssig2, csig2, dn2, c1a, c2a)
                dlam12 *= self._f1 / (calp2 * cbet2)
        else:
            dlam12 = math.nan
        return (lam12, salp2, calp2, sig12, ssig1, csig1, ssig2, csig2,
                eps, domg12, dlam12)

    def inverse(self, lat1, lon1, lat2, lon2):
        """Solve the inverse problem between two points (degrees).

        Returns (s12, azi1, azi2, S12): the geodesic distance in metres, the
        forward azimuths at both ends in degrees, and S12, the area in m²
        between the geodesic from point 1 to point 2 and the equator
        (counter-clockwise positive), as defined by Karney (2013).
        """
        lon12, lon12s = _ang_diff(lon1, lon2)
        lonsign = 1.0 if lon12 >= 0 else -1.0
        lon12 = lonsign * _ang_round(lon12)
        lon12s = _ang_round((180 - lon12) - lonsign * lon12s)
        lam12 = math.radians(lon12)
        if lon12 > 90:
            slam12, clam12 = _sincosd(lon12s)
            clam12 = -clam12
        else:
            slam12, clam12 = _sincosd(lon12)
        lat1 = _ang_round(lat1)
        lat2 = _ang_round(lat2)
        swapp = -1.0 if abs(lat1) < abs(lat2) else 1.0
        if swapp < 0:
            lonsign *= -1
            lat1, lat2 = lat2, lat1
        latsign = 1.0 if lat1 < 0 else -1.0
        lat1 *= latsign
        lat2 *= latsign

        sbet1, cbet1 = _sincosd(lat1)
        sbet1 *= self._f1
        sbet1, cbet1 = _norm2(sbet1, cbet1)
        cbet1 = max(_TINY, cbet1)
        sbet2, cbet2 = _sincosd(lat2)
        sbet2 *= self._f1
        sbet2, cbet2 = _norm2(sbet2, cbet2)
        cbet2 = max(_TINY, cbet2)
        if cbet1 < -sbet1:
            if cbet2 == cbet1:
                sbet2 = math.copysign(sbet1, sbet2)
        elif abs(sbet2) == -sbet1:
            cbet2 = cbet1
        dn1 = math.sqrt(1 + self._ep2 * sbet1 * sbet1)
        dn2 = math.sqrt(1 + self._ep2 * sbet2 * sbet2)

        c1a = [0.0] * (_NORD + 1)
        c2a = [0.0] * (_NORD + 1)
        c3a = [0.0] * _NORD
        somg12 = 2.0  # sentinel: not yet computed
        comg12 = 0.0
        omg12 = 0.0

        meridian = lat1 == -90 or slam12 == 0
        if meridian:
            calp1, salp1 = clam12, slam12
            calp2, salp2 = 1.0, 0.0
            ssig1, csig1 = sbet1, calp1 * cbet1
            ssig2, csig2 = sbet2, calp2 * cbet2
            sig12 = math.atan2(max(0.0, csig1 * ssig2 - ssig1 * csig2),
                               csig1 * csig2 + ssig1 * ssig2)
            s12x, m12x = self._lengths(self._n, sig12, ssig1, csig1, dn1,
                                       ssig2, csig2, dn2, c1a, c2a)
            if sig12 < 1 or m12x >= 0:
                if sig12 < 3 * _TINY or (sig12 < _TOL0
                                         and (s12x < 0 or m12x < 0)):
                    sig12 = m12x = s12x = 0.0
                s12x *= self._b
            else:
                meridian = False

        if (not meridian and sbet1 == 0
                and (self.f <= 0 or lon12s >= self.f * 180)):
            # along the equator
            calp1 = calp2 = 0.0
            salp1 = salp2 = 1.0
            s12x = self.a * lam12
            omg12 = lam12 / self._f1
        elif not meridian:
            sig12, salp1, calp1, salp2, calp2, dnm = self._inverse_start(
                sbet1, cbet1, dn1, sbet2, cbet2, dn2, lam12, slam12, clam12)
            if sig12 >= 0:
                # short line: the starting estimate is already accurate
                s12x = sig12 * self._b * dnm
                omg12 = lam12 / (self._f1 * dnm)
            else:
                numit = 0
                tripn = tripb = False
                salp1a, calp1a = _TINY, 1.0
                salp1b, calp1b = _TINY, -1.0
                while numit < _MAXIT2:
                    (v, salp2, calp2, sig12, ssig1, csig1, ssig2, csig2, eps,
                     domg12, dv) = self._lambda12(
                         sbet1, cbet1, dn1, sbet2, cbet2, dn2, salp1, calp1,
                         slam12, clam12, numit < _MAXIT1, c1a, c2a, c3a)
                    if tripb or not abs(v) >= (8 if tripn else 1) * _TOL0:
                        break
                    if v > 0 and (numit > _MAXIT1
                                  or calp1 / salp1 > calp1b / salp1b):
                        salp1b, calp1b = salp1, calp1
                    elif v < 0 and (numit > _MAXIT1
                                    or calp1 / salp1 < calp1a / salp1a):
                        salp1a, calp1a = salp1, calp1
                    numit += 1
                    if numit < _MAXIT1 and dv > 0:
                        dalp1 = -v / dv
                        if abs(dalp1) < math.pi:
                            sdalp1, cdalp1 = math.sin(dalp1), math.cos(dalp1)
                            nsalp1 = salp1 * cdalp1 + calp1 * sdalp1
                            if nsalp1 > 0:
                                calp1 = calp1 * cdalp1 - salp1 * sdalp1
                                salp1 = nsalp1
                                salp1, calp1 = _norm2(salp1, calp1)
                                tripn = abs(v) <= 16 * _TOL0
                                continue
                    # Newton failed to stay in range: bisect
                    salp1 = (salp1a + salp1b) / 2
                    calp1 = (calp1a + calp1b) / 2
                    salp1, calp1 = _norm2(salp1, calp1)
                    tripn = False
                    tripb = (abs(salp1a - salp1) + (calp1a - calp1) < _TOLB
                             or abs(salp1 - salp1b) + (calp1 - calp1b) < _TOLB)
                s12x, _ = self._lengths(eps, sig12, ssig1, csig1, dn1,
                                        ssig2, csig2, dn2, c1a, c2a)
                s12x *= self._b
                sdomg12, cdomg12 = math.sin(domg12), math.cos(domg12)
                somg12 = slam12 * cdomg12 - clam12 * sdomg12
                comg12 = clam12 * cdomg12 + slam12 * sdomg12

        s12 = 0.0 + s12x

        # area between the geodesic and the equator
        salp0 = salp1 * cbet1
        calp0 = math.hypot(calp1, salp1 * sbet1)
        if calp0 != 0 and salp0 != 0:
            ssig1, csig1 = _norm2(sbet1, calp1 * cbet1)
            ssig2, csig2 = _norm2(sbet2, calp2 * cbet2)
            k2 = calp0 * calp0 * self._ep2
            eps = k2 / (2 * (1 + math.sqrt(1 + k2)) + k2)
            a4 = self.a * self.a * calp0 * salp0 * self._e2
            c4a = [0.0] * _NORD
            self._c4f(eps, c4a)
            b41 = _sincos_series(False, ssig1, csig1, c4a)
            b42 = _sincos_series(False, ssig2, csig2, c4a)
            s12area = a4 * (b42 - b41)
        else:
            s12area = 0.0
        if not meridian and somg12 > 1:
            somg12, comg12 = math.sin(omg12), math.cos(omg12)
        if not meridian and comg12 > -0.7071 and sbet2 - sbet1 < 1.75:
            domg12 = 1 + comg12
            dbet1 = 1 + cbet1
            dbet2 = 1 + cbet2
            alp12 = 2 * math.atan2(somg12 * (sbet1 * dbet2 + sbet2 * dbet1),
                                   domg12 * (sbet1 * sbet2 + dbet1 * dbet2))
        else:
            salp12 = salp2 * calp1 - calp2 * salp1
            calp12 = calp2 * calp1 + salp2 * salp1
            if salp12 == 0 and calp12 < 0:
                salp12 = _TINY * calp1
                calp12 = -1.0
            alp12 = math.atan2(salp12, calp12)
        s12area += self._c2 * alp12
        s12area *= swapp * lonsign * latsign
        s12area += 0.0

        if swapp < 0:
            salp1, salp2 = salp2, salp1
            calp1, calp2 = calp2, calp1
        salp1 *= swapp * lonsign
        calp1 *= swapp * latsign
        salp2 *= swapp * lonsign
        calp2 *= swapp * latsign
        azi1 = math.degrees(math.atan2(salp1, calp1))
        azi2 = math.degrees(math.atan2(salp2, calp2))
        return s12, azi1, azi2, s12area


WGS84 = Geodesic()


def distance(p, q, geod=WGS84):
    """Geodesic distance in metres between two (lon, lat) points."""
    return geod.inverse(p[1], p[0], q[1], q[0])[0]


def _transit(lon1, lon2):
    lon12, _ = _ang_diff(lon1, lon2)
    lon1 = _ang_normalize(lon1)
    lon2 = _ang_normalize(lon2)
    if lon12 > 0 and ((lon1 < 0 <= lon2) or (lon1 > 0 and lon2 == 0)):
        return 1
    if lon12 < 0 and lon1 >= 0 > lon2:
        return -1
    return 0


def ring_area(ring, geod=WGS84):
    """Signed ellipsoidal area (m²) of a ring of (lon, lat) points whose
    edges are geodesics; counter-clockwise is positive. The ring may be
    given closed (last == first) or open."""
    pts = list(ring)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(pts) < 3:
        return 0.0
    terms = []
    crossings = 0
    for i, p in enumerate(pts):
        q = pts[(i + 1) % len(pts)]
        terms.append(geod.inverse(p[1], p[0], q[1], q[0])[3])
        crossings += _transit(p[0], q[0])
    area0 = geod.area0
    area = math.remainder(math.fsum(terms), area0)
    if crossings & 1:
        area += (area0 if area < 0 else -area0) / 2
    area = -area
    if area > area0 / 2:
        area -= area0
    elif area <= -area0 / 2:
        area += area0
    return area + 0.0


def polygon_area(rings, geod=WGS84):
    """Area (m²) of a polygon: exterior ring minus holes, any orientation."""
    total = 0.0
    for i, ring in enumerate(rings):
        a = abs(ring_area(ring, geod))
        total += a if i == 0 else -a
    return total


def multipolygon_area(polys, geod=WGS84):
    return math.fsum(polygon_area(p, geod) for p in polys)


def ring_length(ring, geod=WGS84):
    return math.fsum(distance(ring[i], ring[i + 1], geod)
                     for i in range(len(ring) - 1))


# --------------------------------------------------------------------------
# Local frame: metres east/north of an origin, using the WGS84 radii of
# curvature at the origin (meridional M, prime vertical N). Only used to
# lay shapes out; every reported area is the exact geodesic one above.
# --------------------------------------------------------------------------

def radii(lat_deg):
    """Meridional (M) and prime-vertical (N) radii of curvature, metres."""
    e2 = WGS84_F * (2 - WGS84_F)
    s = math.sin(math.radians(lat_deg))
    w = math.sqrt(1 - e2 * s * s)
    return WGS84_A * (1 - e2) / w ** 3, WGS84_A / w


class LocalFrame:
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


# --------------------------------------------------------------------------
# Planar helpers (lon/lat plane for topology, local metres for distances)
# --------------------------------------------------------------------------

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


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------

CLUSTER_ORIGIN = (121.61, 31.20)   # central Zhangjiang, local frame origin

# Pairs (park ids) that deliberately share boundary segments.
SHARED_EDGE_PAIRS = {(3, 4), (7, 10)}

MIN_GAP_M = 50.0
AREA_TOL = 0.001          # 0.1 %
TARGET_TOTAL_KM2 = 43.00
OUTLINE_NOMINAL_KM2 = 1210.0
OUTLINE_TOL = 0.10        # +-10 %

VOCAB_INDUSTRY = ("integrated circuits", "biomedicine", "artificial intelligence",
                  "new-generation IT", "high-end manufacturing", "online economy",
                  "unknown")
VOCAB_STATUS = ("confirmed", "likely", "placeholder")
VOCAB_AREA_SOURCE = ("catalogue", "news", "estimate")


def rect(w, h):
    return [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]


def rotate(pts, deg):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return [(x * c - y * s, x * s + y * c) for x, y in pts]


def centred(pts):
    """Move a simple polygon so its planar centroid is at the origin."""
    ring = list(pts) + [pts[0]]
    a = signed_planar_area(ring)
    cx = cy = 0.0
    for i in range(len(ring) - 1):
        f = ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
        cx += (ring[i][0] + ring[i + 1][0]) * f
        cy += (ring[i][1] + ring[i + 1][1]) * f
    cx /= 6 * a
    cy /= 6 * a
    return [(x - cx, y - cy) for x, y in pts]


def template_block(template, rot_deg, dx, dy, area_km2):
    """A free-standing block: a template (metres, centred on its centroid,
    rotated) placed dx, dy metres from the park centre and scaled to area."""
    base = rotate(centred(template), rot_deg)
    return {"kind": "scale", "area_km2": area_km2,
            "build": lambda s: [(dx + x * s, dy + y * s) for x, y in base],
            "p0": 1.0}


def sector_block(dx, dy, r_inner, a0, a1, step, area_km2):
    """Annular sector between r_inner and a solved outer radius, centred
    dx, dy from the park centre, angles a0..a1 (degrees from east, CCW)."""
    angles = []
    a = a0
    while a <= a1 + 1e-9:
        angles.append(a)
        a += step

    def build(r_outer):
        outer = [(dx + r_outer * math.cos(math.radians(t)),
                  dy + r_outer * math.sin(math.radians(t))) for t in angles]
        inner = [(dx + r_inner * math.cos(math.radians(t)),
                  dy + r_inner * math.sin(math.radians(t))) for t in reversed(angles)]
        return outer + inner
    return {"kind": "param", "area_km2": area_km2, "build": build,
            "p0": r_inner + 500.0, "p1": r_inner + 600.0}


# Central Zhangjiang cluster, in metres east/north of CLUSTER_ORIGIN.
# 3 (Innovative Drug) sits on top; 4 (AI Island) hangs from part of 3's
# southern edge; 10 (Online, with a notch around 4) and 7 (Data Chain)
# lie side by side below, sharing the whole x = 200 m edge. Streets between
# parks are 80-100 m wide. Only one coordinate per park is solved for area.
_T1 = (-300.0, 250.0)      # T-junction vertices shared by parks 3 and 4
_T2 = (20.0, 250.0)
_E_TOP = (200.0, 150.0)    # edge shared in full by parks 10 and 7
_E_BOT = (200.0, -650.0)


def _drug(y_north):
    return [(-2400.0, 250.0), _T1, _T2, (200.0, 250.0),
            (200.0, y_north), (-2000.0, y_north), (-2400.0, y_north - 400.0)]


def _ai_island(y_south):
    return [(_T1[0], y_south), (_T2[0], y_south), _T2, _T1]


def _online(x_west):
    return [(x_west, -650.0), _E_BOT, _E_TOP, (100.0, 150.0), (100.0, -142.0),
            (-380.0, -142.0), (-380.0, 150.0), (x_west, 150.0)]


def _data_chain(x_east):
    return [_E_TOP, _E_BOT, (700.0, -1150.0), (x_east, -1150.0),
            (x_east, -100.0), (x_east - 250.0, 150.0)]


def cluster_block(build, p0, p1, area_km2):
    return {"kind": "param", "area_km2": area_km2, "build": build,
            "p0": p0, "p1": p1, "frame": CLUSTER_ORIGIN}


def shape_specs(rows):
    """Blocks for every park id. Areas come from the table; block splits
    of Oriental Chip Harbour are estimates (documented in README.md)."""
    area = {r["id"]: r["planned_area_km2"] for r in rows}
    chip = [2.30, 1.35, 1.00, 0.80]
    if abs(sum(chip) - area[2]) > 1e-9:
        raise SystemExit("generate.py: Oriental Chip Harbour block areas do not add up")
    return {
        1: [template_block([(-1150, -870), (1000, -870), (1300, 870), (-1150, 870)],
                           0, 0, 0, area[1])],
        2: [template_block(rect(3300, 700), 0, 0, 700, chip[0]),
            template_block(rect(1300, 1040), 20, -1000, -550, chip[1]),
            template_block([(-500, -500), (500, -500), (500, 300), (0, 500), (-500, 300)],
                           0, 900, -600, chip[2]),
            template_block(rect(900, 900), 45, 300, -1900, chip[3])],
        3: [cluster_block(_drug, 1400.0, 1500.0, area[3])],
        4: [cluster_block(_ai_island, -50.0, -70.0, area[4])],
        5: [template_block([(-1100, -900), (1100, -900), (1100, 0), (0, 0), (0, 900),
                            (-1100, 900)], 0, 0, 0, area[5])],
        6: [template_block(rect(1200, 750), 30, 0, 0, area[6])],
        7: [cluster_block(_data_chain, 1700.0, 1800.0, area[7])],
        8: [template_block([(-1100, -700), (200, -1000), (1100, -300), (900, 800),
                            (-300, 1000), (-1000, 400)], 0, 0, 0, area[8])],
        9: [template_block(rect(3000, 1667), -20, 0, 0, area[9])],
        10: [cluster_block(_online, -1400.0, -1500.0, area[10])],
        11: [sector_block(0, -1150, 900, 45, 135, 15, area[11])],
        12: [template_block([(-1050, -1000), (1050, -1000), (1050, 600), (650, 1000),
                             (-1050, 1000)], 0, 130, 480, area[12])],
        13: [template_block(rect(2100, 1667), 10, 0, 0, area[13])],
        14: [template_block(rect(1600, 1600), 0, 0, 0, area[14])],
        15: [template_block(rect(1600, 1600), 0, 0, 0, area[15])],
    }


# Schematic outline of Pudong New Area, clockwise from the Huangpu mouth at
# Wusongkou: Yangtze estuary and East China Sea coast, Nanhuizui, the
# Hangzhou Bay shore, the land border with Fengxian and Minhang, then the
# Huangpu River north past Qiantan and Lujiazui. Reversed to CCW on output.
OUTLINE_CW = [
    (121.505, 31.392), (121.560, 31.376), (121.600, 31.357), (121.638, 31.322),
    (121.676, 31.285), (121.715, 31.249), (121.755, 31.212), (121.795, 31.176),
    (121.826, 31.147), (121.848, 31.120), (121.864, 31.088), (121.883, 31.048),
    (121.904, 31.004), (121.930, 30.962), (121.968, 30.925), (122.025, 30.893),
    (122.008, 30.867), (121.965, 30.855), (121.910, 30.852), (121.855, 30.856),
    (121.815, 30.864), (121.792, 30.888), (121.775, 30.930), (121.738, 30.962),
    (121.690, 30.980), (121.645, 31.000), (121.612, 31.025), (121.590, 31.055),
    (121.568, 31.085), (121.548, 31.106), (121.505, 31.122), (121.470, 31.150),
    (121.455, 31.175), (121.470, 31.200), (121.485, 31.220), (121.495, 31.238),
    (121.515, 31.250), (121.540, 31.262), (121.555, 31.285), (121.550, 31.320),
    (121.535, 31.355),
]


# --------------------------------------------------------------------------
# Building and solving
# --------------------------------------------------------------------------

def q7(v):
    """Round to 7 decimals, the precision written to the GeoJSON."""
    return float("%.7f" % v)


def close_ring(pts):
    pts = list(pts)
    return pts + [pts[0]]


def block_ring(block, frame, p, rounded=False):
    pts = [frame.to_lonlat(x, y) for x, y in block["build"](p)]
    if rounded:
        pts = [(q7(lon), q7(lat)) for lon, lat in pts]
    ring = close_ring(pts)
    if ring_area(ring) < 0:
        ring = ring[::-1]
    return ring


def solve_block(block, frame):
    """Find the parameter giving the block's target area (secant method)."""
    target = block["area_km2"] * 1e6

    def f(p):
        return ring_area(block_ring(block, frame, p)) - target
    if block["kind"] == "scale":
        s = block["p0"]
        for _ in range(60):
            a = ring_area(block_ring(block, frame, s))
            s_new = s * math.sqrt(target / a)
            if abs(s_new - s) <= 1e-13 * s:
                return s_new
            s = s_new
        return s
    p0, p1 = block["p0"], block["p1"]
    f0, f1 = f(p0), f(p1)
    for _ in range(60):
        if f1 == f0:
            break
        p2 = p1 - f1 * (p1 - p0) / (f1 - f0)
        p0, f0 = p1, f1
        p1, f1 = p2, f(p2)
        if abs(f1) <= 1e-9 * target:
            break
    return p1


def read_table(path):
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            rows.append({
                "id": int(rec["id"]),
                "name": rec["name"],
                "name_zh": rec["name_zh"],
                "industry": rec["industry"],
                "planned_area_km2": float(rec["planned_area_km2"]),
                "planned_area_text": rec["planned_area_km2"],
                "area_source": rec["area_source"],
                "status": rec["status"],
                "enterprises": int(rec["enterprises"]) if rec["enterprises"].strip() else None,
                "centre_lon": float(rec["centre_lon"]),
                "centre_lat": float(rec["centre_lat"]),
                "blocks": int(rec["blocks"]),
                "shape_notes": rec["shape_notes"],
            })
    return rows


class Checker:
    def __init__(self):
        self.failures = []

    def check(self, ok, what):
        if not ok:
            self.failures.append(what)
            print("FAIL: " + what)
        return ok


def validate_table(rows, chk):
    chk.check(len(rows) == 15, "parks_table.csv must have 15 rows, has %d" % len(rows))
    chk.check([r["id"] for r in rows] == list(range(1, len(rows) + 1)),
              "ids must be 1..n in order")
    for r in rows:
        tag = "park %d" % r["id"]
        chk.check(r["industry"] in VOCAB_INDUSTRY, tag + ": industry not in vocabulary")
        chk.check(r["status"] in VOCAB_STATUS, tag + ": bad status")
        chk.check(r["area_source"] in VOCAB_AREA_SOURCE, tag + ": bad area_source")
        chk.check(r["planned_area_km2"] > 0, tag + ": planned area must be positive")
        chk.check(r["enterprises"] is None or r["enterprises"] >= 0, tag + ": bad enterprises")
    # exact decimal sum, in hundredths of km²
    hundredths = sum(int(round(r["planned_area_km2"] * 100)) for r in rows)
    for r in rows:
        chk.check(abs(r["planned_area_km2"] * 100 - round(r["planned_area_km2"] * 100)) < 1e-9,
                  "park %d: planned area has more than 2 decimals" % r["id"])
    chk.check(hundredths == int(round(TARGET_TOTAL_KM2 * 100)),
              "planned areas sum to %.2f km², not %.2f" % (hundredths / 100, TARGET_TOTAL_KM2))
    return hundredths / 100


def build_parks(rows, chk):
    specs = shape_specs(rows)
    parks = []
    for r in rows:
        blocks = specs[r["id"]]
        chk.check(len(blocks) == r["blocks"],
                  "park %d: table says %d blocks, shape has %d" % (r["id"], r["blocks"], len(blocks)))
        polys = []
        for b in blocks:
            frame = LocalFrame(*b["frame"]) if "frame" in b else \
                LocalFrame(r["centre_lon"], r["centre_lat"])
            p = solve_block(b, frame)
            polys.append([block_ring(b, frame, p, rounded=True)])
        parks.append({"row": r, "polys": polys})
    return parks


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

def _segments(polys):
    for pi, poly in enumerate(polys):
        for ri, ring in enumerate(poly):
            for i in range(len(ring) - 1):
                yield (pi, ri, i), ring[i], ring[i + 1]


def _to_m(frame, pt):
    return frame.to_xy(pt[0], pt[1])


def min_distance_m(polys_a, polys_b):
    lats = [p[1] for poly in polys_a + polys_b for ring in poly for p in ring]
    lons = [p[0] for poly in polys_a + polys_b for ring in poly for p in ring]
    frame = LocalFrame((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)
    sa = [(_to_m(frame, a), _to_m(frame, b)) for _, a, b in _segments(polys_a)]
    sb = [(_to_m(frame, a), _to_m(frame, b)) for _, a, b in _segments(polys_b)]
    return min(seg_seg_distance(a, b, c, d) for a, b in sa for c, d in sb)


def _inside_any(pt, polys):
    """1 strictly inside some polygon, 0 on a boundary, -1 outside all."""
    best = -1
    for poly in polys:
        r = point_in_polygon(pt, poly)
        if r == 1:
            return 1
        best = max(best, r)
    return best


def _interior_probe_points(polys):
    """Points just inside each edge (left of CCW exteriors), ~0.1 m in."""
    pts = []
    for poly in polys:
        for ring in poly:
            for i in range(len(ring) - 1):
                a, b = ring[i], ring[i + 1]
                dx, dy = b[0] - a[0], b[1] - a[1]
                length = math.hypot(dx, dy)
                if length == 0:
                    continue
                k = 1e-6 / length
                pts.append(((a[0] + b[0]) / 2 - dy * k, (a[1] + b[1]) / 2 + dx * k))
    return pts


def check_shared_pair(pa, pb, chk, tag):
    """Parks meant to share an edge: contacts must be identical, opposite
    segments or shared vertices; no interior overlap. Returns the shared
    length in metres (geodesic)."""
    verts_b = {p for poly in pb for ring in poly for p in ring}
    shared_len = 0.0
    ok = True
    segs_b = list(_segments(pb))
    for _, a, b in _segments(pa):
        for _, c, d in segs_b:
            if not segments_touch(a, b, c, d):
                continue
            if a == d and b == c:
                shared_len += distance(a, b)
            elif a == c and b == d:
                ok = chk.check(False, tag + ": shared segment runs the same way (overlap)")
            else:
                common = {a, b} & {c, d}
                if len(common) != 1:
                    ok = chk.check(False, tag + ": segments touch away from a shared vertex")
                    continue
                v = common.pop()
                o = b if v == a else a
                w = d if v == c else c
                if orient(v, o, w) == 0 and (
                        (o[0] - v[0]) * (w[0] - v[0]) + (o[1] - v[1]) * (w[1] - v[1])) > 0:
                    ok = chk.check(False, tag + ": collinear overlap without shared vertices")
    for poly in pa:
        for ring in poly:
            for p in ring:
                r = _inside_any(p, pb)
                if r == 1 or (r == 0 and p not in verts_b):
                    ok = chk.check(False, tag + ": vertex %r inside or on the other park" % (p,))
    for p in _interior_probe_points(pa):
        if _inside_any(p, pb) == 1:
            ok = chk.check(False, tag + ": interiors overlap near %r" % (p,))
            break
    chk.check(shared_len > 0, tag + ": no shared edge found")
    return shared_len, ok


def check_parks(parks, outline, chk):
    results = {}
    for pk in parks:
        r = pk["row"]
        tag = "park %d" % r["id"]
        for poly in pk["polys"]:
            for ring in poly:
                chk.check(ring[0] == ring[-1] and len(ring) >= 4, tag + ": ring not closed")
                chk.check(ring_is_simple(ring), tag + ": ring not simple")
                chk.check(ring_area(ring) > 0, tag + ": exterior ring not counter-clockwise")
        if len(pk["polys"]) > 1:
            for i in range(len(pk["polys"])):
                for j in range(i + 1, len(pk["polys"])):
                    d = min_distance_m([pk["polys"][i]], [pk["polys"][j]])
                    chk.check(d >= MIN_GAP_M, tag + ": blocks %d and %d only %.1f m apart"
                              % (i + 1, j + 1, d))
        area = multipolygon_area(pk["polys"])
        results[r["id"]] = {"area_m2": area}
        diff = area / (r["planned_area_km2"] * 1e6) - 1
        chk.check(abs(diff) <= AREA_TOL, tag + ": area off by %.4f %%" % (100 * diff))
        for poly in pk["polys"]:
            for ring in poly:
                for p in ring:
                    if point_in_polygon(p, outline) != 1:
                        chk.check(False, tag + ": vertex %r not inside the outline" % (p,))
        for _, a, b in _segments(pk["polys"]):
            for _, c, d in _segments([outline]):
                if segments_touch(a, b, c, d):
                    chk.check(False, tag + ": crosses the outline")
        results[r["id"]]["to_outline_m"] = min_distance_m(pk["polys"], [outline])

    shared = []
    nearest = {}
    for i in range(len(parks)):
        for j in range(i + 1, len(parks)):
            a, b = parks[i], parks[j]
            ia, ib = a["row"]["id"], b["row"]["id"]
            tag = "parks %d/%d" % (ia, ib)
            if (ia, ib) in SHARED_EDGE_PAIRS:
                length, _ = check_shared_pair(a["polys"], b["polys"], chk, tag)
                check_shared_pair(b["polys"], a["polys"], chk, tag + " (reverse)")
                shared.append((ia, ib, length))
                continue
            d = min_distance_m(a["polys"], b["polys"])
            for k in (ia, ib):
                if k not in nearest or d < nearest[k][1]:
                    nearest[k] = (ib if k == ia else ia, d)
            chk.check(d >= MIN_GAP_M, tag + ": only %.1f m apart" % d)
            # containment is not caught by the distance test
            pa = a["polys"][0][0][0]
            pb = b["polys"][0][0][0]
            chk.check(_inside_any(pa, b["polys"]) == -1 and _inside_any(pb, a["polys"]) == -1,
                      tag + ": one park contains the other")
    return results, shared, nearest


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def _coords_json(polys):
    return json.dumps(
        [[[[q7(x), q7(y)] for x, y in ring] for ring in poly] for poly in polys],
        separators=(",", ":"))


def feature_json(fid, props, polys):
    return ('{"type":"Feature","id":%d,"properties":%s,'
            '"geometry":{"type":"MultiPolygon","coordinates":%s}}'
            % (fid, json.dumps(props, ensure_ascii=False, separators=(",", ":")),
               _coords_json(polys)))


def write_collection(path, features):
    text = ('{"type":"FeatureCollection","features":[\n'
            + ",\n".join(features) + "\n]}\n")
    Path(path).write_text(text, encoding="utf-8", newline="\n")


def park_properties(r):
    return {
        "name": r["name"],
        "name_zh": r["name_zh"],
        "industry": r["industry"],
        "planned_area_km2": r["planned_area_km2"],
        "area_source": r["area_source"],
        "status": r["status"],
        "enterprises": r["enterprises"],
        "boundary": "schematic",
    }


def park_centroid(polys):
    """Area-weighted planar centroid in lon/lat (for reporting moves)."""
    sx = sy = sa = 0.0
    for poly in polys:
        ring = poly[0]
        a = signed_planar_area(ring)
        cx = cy = 0.0
        for i in range(len(ring) - 1):
            f = ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
            cx += (ring[i][0] + ring[i + 1][0]) * f
            cy += (ring[i][1] + ring[i + 1][1]) * f
        sx += cx / 6
        sy += cy / 6
        sa += a
    return sx / sa, sy / sa


def main():
    here = Path(__file__).resolve().parent
    chk = Checker()
    rows = read_table(here / "parks_table.csv")
    planned_total = validate_table(rows, chk)
    parks = build_parks(rows, chk)

    outline_ring = close_ring([(q7(x), q7(y)) for x, y in reversed(OUTLINE_CW)])
    chk.check(ring_is_simple(outline_ring), "outline: ring not simple")
    chk.check(ring_area(outline_ring) > 0, "outline: ring not counter-clockwise")
    outline = [outline_ring]
    outline_km2 = polygon_area(outline) / 1e6
    chk.check(abs(outline_km2 / OUTLINE_NOMINAL_KM2 - 1) <= OUTLINE_TOL,
              "outline: %.1f km² is not within 10 %% of %.0f km²"
              % (outline_km2, OUTLINE_NOMINAL_KM2))

    results, shared, nearest = check_parks(parks, outline, chk)

    write_collection(here / "pudong_parks.geojson",
                     [feature_json(pk["row"]["id"], park_properties(pk["row"]), pk["polys"])
                      for pk in parks])
    write_collection(here / "pudong_outline.geojson",
                     [feature_json(1, {"name": "Pudong New Area (schematic outline)",
                                       "name_zh": "浦东新区（示意轮廓）",
                                       "boundary": "schematic"}, [outline])])

    print("%-3s %-52s %8s %12s %9s %7s %8s" % ("id", "name", "planned", "geodesic",
                                                "diff", "moved", "nearest"))
    total = 0.0
    for pk in parks:
        r = pk["row"]
        a = results[r["id"]]["area_m2"]
        total += a
        c = park_centroid(pk["polys"])
        moved = distance(c, (r["centre_lon"], r["centre_lat"]))
        near = nearest.get(r["id"])
        print("%-3d %-52s %8.2f %12.6f %+8.5f%% %6.0fm %8s" % (
            r["id"], r["name"], r["planned_area_km2"], a / 1e6,
            100 * (a / (r["planned_area_km2"] * 1e6) - 1), moved,
            "%d@%.0fm" % near if near else "-"))
    print("total planned %.2f km², total geodesic %.6f km² (%+.5f %%)"
          % (planned_total, total / 1e6, 100 * (total / (planned_total * 1e6) - 1)))
    for ia, ib, length in shared:
        print("shared edge: parks %d and %d, %.3f m" % (ia, ib, length))
    print("outline: %d vertices, geodesic area %.3f km² (nominal %.0f km²)"
          % (len(outline_ring) - 1, outline_km2, OUTLINE_NOMINAL_KM2))
    print("smallest park-to-outline distance: %.0f m"
          % min(v["to_outline_m"] for v in results.values()))
    if chk.failures:
        print("%d check(s) failed" % len(chk.failures), file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
