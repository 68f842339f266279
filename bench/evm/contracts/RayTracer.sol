// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A small fixed-point ray tracer (compute-heavy, in the spirit of snailtracer): spheres over a floor,
/// one point light, hard shadows and up to three mirror bounces. Values are scaled by ONE (1e6).
/// run(w, h) renders w x h pixels and returns a keccak digest of the pixels and the summed brightness.
contract RayTracer {
    int256 private constant ONE = 1_000_000;
    uint256 private constant SPHERES = 5;
    uint256 private constant BOUNCES = 3;

    struct Ray {
        int256 ox; int256 oy; int256 oz;
        int256 dx; int256 dy; int256 dz;
    }

    // Scene table, one sphere per row: centre x, y, z, radius, colour r, g, b (0..ONE), reflectivity (0..ONE).
    function _scene() private pure returns (int256[8][SPHERES] memory s) {
        s[0] = [int256(0), -1_001_000_000, 5_000_000, 1_000_000_000, 700_000, 700_000, 700_000, 100_000]; // floor
        s[1] = [int256(0), 0, 5_000_000, 1_000_000, 900_000, 200_000, 200_000, 400_000];
        s[2] = [int256(-2_000_000), 0, 6_000_000, 1_000_000, 200_000, 900_000, 200_000, 300_000];
        s[3] = [int256(2_000_000), 0, 6_000_000, 1_000_000, 200_000, 300_000, 900_000, 600_000];
        s[4] = [int256(0), 2_000_000, 7_000_000, 700_000, 900_000, 900_000, 200_000, 0];
    }

    function run(uint256 w, uint256 h) external pure returns (bytes32 digest, uint256 brightness) {
        int256[8][SPHERES] memory scene = _scene();
        for (uint256 y = 0; y < h; ++y) {
            for (uint256 x = 0; x < w; ++x) {
                Ray memory ray = _primary(x, y, w, h);
                (int256 r, int256 g, int256 b) = _trace(scene, ray);
                uint256 pr = _toByte(r);
                uint256 pg = _toByte(g);
                uint256 pb = _toByte(b);
                digest = keccak256(abi.encodePacked(digest, uint8(pr), uint8(pg), uint8(pb)));
                brightness += pr + pg + pb;
            }
        }
    }

    function _primary(uint256 x, uint256 y, uint256 w, uint256 h) private pure returns (Ray memory ray) {
        // Camera at (0, 0.5, -1) looking down +z through a 2 x (2h/w) screen at z = 0.
        int256 sx = (int256(2 * x + 1) * ONE) / int256(w) - ONE;
        int256 sy = ((int256(h) - int256(2 * y + 1)) * ONE) / int256(w);
        ray.ox = 0;
        ray.oy = ONE / 2;
        ray.oz = -ONE;
        (ray.dx, ray.dy, ray.dz) = _normalize(sx, sy - ray.oy + ONE / 2, ONE);
    }

    function _trace(int256[8][SPHERES] memory scene, Ray memory ray) private pure returns (int256 r, int256 g, int256 b) {
        int256 weight = ONE;
        for (uint256 bounce = 0; bounce < BOUNCES; ++bounce) {
            (uint256 hit, int256 t) = _nearest(scene, ray);
            if (hit == type(uint256).max) {
                // Sky: a vertical gradient.
                int256 sky = (ONE + ray.dy) / 2;
                r += (weight * (sky / 2)) / ONE;
                g += (weight * (sky * 7 / 10)) / ONE;
                b += (weight * sky) / ONE;
                break;
            }
            int256[8] memory s = scene[hit];
            // The surface point (origin) and its normal (direction), nudged off the surface.
            Ray memory surface = _surface(s, ray, t);
            int256 shade = (((weight * (ONE - s[7])) / ONE) * (_light(scene, surface) + ONE / 10)) / ONE; // plus ambient
            r += (shade * s[4]) / ONE;
            g += (shade * s[5]) / ONE;
            b += (shade * s[6]) / ONE;
            weight = (weight * s[7]) / ONE;
            if (weight == 0) break;
            _reflect(ray, surface);
        }
    }

    // Mirror reflection from the surface point: d' = d - 2 (d.n) n.
    function _reflect(Ray memory ray, Ray memory surface) private pure {
        int256 dn = (ray.dx * surface.dx + ray.dy * surface.dy + ray.dz * surface.dz) / ONE;
        ray.dx -= (2 * dn * surface.dx) / ONE;
        ray.dy -= (2 * dn * surface.dy) / ONE;
        ray.dz -= (2 * dn * surface.dz) / ONE;
        ray.ox = surface.ox;
        ray.oy = surface.oy;
        ray.oz = surface.oz;
    }

    function _surface(int256[8] memory s, Ray memory ray, int256 t) private pure returns (Ray memory p) {
        int256 px = ray.ox + (ray.dx * t) / ONE;
        int256 py = ray.oy + (ray.dy * t) / ONE;
        int256 pz = ray.oz + (ray.dz * t) / ONE;
        (p.dx, p.dy, p.dz) = _normalize(px - s[0], py - s[1], pz - s[2]);
        p.ox = px + p.dx / 1000;
        p.oy = py + p.dy / 1000;
        p.oz = pz + p.dz / 1000;
    }

    // Lambert term of the point light at the surface, quartered when another sphere shadows it.
    function _light(int256[8][SPHERES] memory scene, Ray memory surface) private pure returns (int256 lambert) {
        Ray memory shadow;
        shadow.ox = surface.ox;
        shadow.oy = surface.oy;
        shadow.oz = surface.oz;
        (shadow.dx, shadow.dy, shadow.dz) = _normalize(-3_000_000 - surface.ox, 6_000_000 - surface.oy, 1_000_000 - surface.oz);
        lambert = (surface.dx * shadow.dx + surface.dy * shadow.dy + surface.dz * shadow.dz) / ONE;
        if (lambert <= 0) return 0;
        (uint256 blocker,) = _nearest(scene, shadow);
        if (blocker != type(uint256).max) lambert /= 4;
    }

    // Index of the nearest sphere hit in front of the ray (max uint when none) and its distance.
    function _nearest(int256[8][SPHERES] memory scene, Ray memory ray) private pure returns (uint256 hit, int256 best) {
        hit = type(uint256).max;
        best = type(int256).max;
        for (uint256 i = 0; i < SPHERES; ++i) {
            int256[8] memory s = scene[i];
            int256 ocx = ray.ox - s[0];
            int256 ocy = ray.oy - s[1];
            int256 ocz = ray.oz - s[2];
            int256 bq = (ocx * ray.dx + ocy * ray.dy + ocz * ray.dz) / ONE;
            int256 c = (ocx * ocx + ocy * ocy + ocz * ocz - s[3] * s[3]) / ONE;
            int256 disc = bq * bq / ONE - c;
            if (disc < 0) continue;
            int256 root = int256(_sqrt(uint256(disc) * uint256(ONE)));
            int256 t = -bq - root;
            if (t <= 1000) t = -bq + root;
            if (t > 1000 && t < best) {
                best = t;
                hit = i;
            }
        }
    }

    function _normalize(int256 x, int256 y, int256 z) private pure returns (int256, int256, int256) {
        int256 len = int256(_sqrt(uint256(x * x + y * y + z * z)));
        if (len == 0) return (0, 0, 0);
        return ((x * ONE) / len, (y * ONE) / len, (z * ONE) / len);
    }

    // Integer square root by Newton's method (deliberately iterative: it is the compute hot spot).
    function _sqrt(uint256 v) private pure returns (uint256 r) {
        if (v == 0) return 0;
        r = v;
        uint256 next = (v >> 1) + 1;
        while (next < r) {
            r = next;
            next = (v / next + next) >> 1;
        }
    }

    function _toByte(int256 c) private pure returns (uint256) {
        if (c <= 0) return 0;
        if (c >= ONE) return 255;
        return uint256(c) * 255 / uint256(ONE);
    }
}
