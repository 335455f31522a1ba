import Foundation

/// Seeded, stateless pseudo-random numbers for reproducible image noise.
///
/// Every value is a pure function of `(seed, index)` built from the SplitMix64 finaliser, so results do not depend on
/// evaluation order, threads or platform.
public enum DeterministicNoise {
    /// The SplitMix64 output function: a high-quality 64-bit integer hash (bijective).
    @inline(__always)
    public static func mix64(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A 64-bit hash of a seed and an index (e.g. a pixel index).
    @inline(__always)
    public static func hash(seed: UInt64, index: UInt64) -> UInt64 {
        mix64(seed ^ mix64(index &+ 0x632B_E59B_D9B4_E019))
    }

    /// A uniform value in [0, 1) taken from the top 52 bits of `bits` (built from the bit pattern: exact, and
    /// cheap even in unoptimised builds).
    @inline(__always)
    public static func unit(_ bits: UInt64) -> Double {
        Double(bitPattern: 0x3FF0_0000_0000_0000 | (bits >> 12)) - 1.0
    }

    /// A uniform value in [0, 1) from the low 16 bits of `bits`, in steps of 1/65536.
    @inline(__always)
    static func unit16(_ bits: UInt64) -> Double {
        Double(bitPattern: 0x3FF0_0000_0000_0000 | ((bits & 0xFFFF) << 36)) - 1.0
    }

    /// A uniform value in [0, 1) for `(seed, index)`.
    public static func uniform(seed: UInt64, index: UInt64) -> Double {
        unit(hash(seed: seed, index: index))
    }

    /// Two independent, approximately standard-normal values (zero mean, unit variance) for `(seed, index)`.
    ///
    /// Each is the scaled sum of two 16-bit uniforms (a triangular distribution, support ±2.45 σ), cheap and
    /// "Gaussian-ish" enough for image noise.
    @inline(__always)
    public static func gaussianPair(seed: UInt64, index: UInt64) -> (Double, Double) {
        let bits = hash(seed: seed, index: index)
        let u0 = unit16(bits)
        let u1 = unit16(bits >> 16)
        let u2 = unit16(bits >> 32)
        let u3 = unit16(bits >> 48)
        // Var(u0 + u1) = 1/6  →  multiply by √6.
        let root6 = 2.449_489_742_783_178
        return ((u0 + u1 - 1.0) * root6, (u2 + u3 - 1.0) * root6)
    }

    /// One approximately standard-normal value for `(seed, index)`.
    public static func gaussian(seed: UInt64, index: UInt64) -> Double {
        gaussianPair(seed: seed, index: index).0
    }

    /// Smooth 2D value noise in [-1, 1] on a unit lattice (bilinear interpolation with a smoothstep fade).
    public static func valueNoise(_ x: Double, _ y: Double, seed: UInt64) -> Double {
        let fx = x.rounded(.down)
        let fy = y.rounded(.down)
        let ix = Int64(fx)
        let iy = Int64(fy)
        var tx = x - fx
        var ty = y - fy
        tx = tx * tx * (3.0 - 2.0 * tx)
        ty = ty * ty * (3.0 - 2.0 * ty)
        let v00 = latticeValue(ix, iy, seed)
        let v10 = latticeValue(ix &+ 1, iy, seed)
        let v01 = latticeValue(ix, iy &+ 1, seed)
        let v11 = latticeValue(ix &+ 1, iy &+ 1, seed)
        let a = v00 + (v10 - v00) * tx
        let b = v01 + (v11 - v01) * tx
        return a + (b - a) * ty
    }

    /// Pseudo-random value in [-1, 1] attached to an integer lattice point.
    @inline(__always)
    static func latticeValue(_ ix: Int64, _ iy: Int64, _ seed: UInt64) -> Double {
        let key = UInt64(bitPattern: ix) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: iy) &* 0xC2B2_AE3D_27D4_EB4F
        return unit(mix64(key ^ seed)) * 2.0 - 1.0
    }
}

/// Transcendental functions built only from IEEE-754 `+ − × ÷ √` so that the phantoms are bit-identical on every
/// platform (system `libm` implementations of `sin`, `atan2`, `exp` differ in their last bits between Linux and Apple
/// platforms). Accuracy is ~1e-12 relative, far more than image synthesis needs.
public enum DeterministicMath {
    /// π.
    public static let pi = 3.141_592_653_589_793
    /// 2π.
    static let twoPi = 6.283_185_307_179_586
    /// π/2.
    static let halfPi = 1.570_796_326_794_896_6

    /// Sine of `x` (radians).
    public static func sin(_ x: Double) -> Double {
        // Reduce to [-π, π], then fold to [-π/2, π/2].
        var r = x - (x / twoPi).rounded() * twoPi
        if r > halfPi {
            r = pi - r
        } else if r < -halfPi {
            r = -pi - r
        }
        let r2 = r * r
        // Taylor series to r^15 (error < 1e-12 on [-π/2, π/2]).
        var p = -7.647_163_731_819_816e-13
        p = p * r2 + 1.605_904_383_682_161_3e-10
        p = p * r2 - 2.505_210_838_544_171_8e-8
        p = p * r2 + 2.755_731_922_398_589e-6
        p = p * r2 - 1.984_126_984_126_984e-4
        p = p * r2 + 8.333_333_333_333_333e-3
        p = p * r2 - 0.166_666_666_666_666_66
        return r + r * r2 * p
    }

    /// Cosine of `x` (radians).
    public static func cos(_ x: Double) -> Double {
        sin(x + halfPi)
    }

    /// Arc tangent of `x`, in (-π/2, π/2).
    public static func atan(_ x: Double) -> Double {
        let sign: Double = x < 0 ? -1 : 1
        var t = x * sign
        if t > 1e150 {
            return sign * halfPi
        }
        // Three argument halvings, atan(t) = 2·atan(t / (1 + √(1 + t²))), bring t below tan(π/16) ≈ 0.199.
        t /= 1.0 + (1.0 + t * t).squareRoot()
        t /= 1.0 + (1.0 + t * t).squareRoot()
        t /= 1.0 + (1.0 + t * t).squareRoot()
        let scale = 8.0
        let t2 = t * t
        var p = 1.0 / 17.0
        p = -p * t2 + 1.0 / 15.0
        p = -p * t2 + 1.0 / 13.0
        p = -p * t2 + 1.0 / 11.0
        p = -p * t2 + 1.0 / 9.0
        p = -p * t2 + 1.0 / 7.0
        p = -p * t2 + 1.0 / 5.0
        p = -p * t2 + 1.0 / 3.0
        p = -p * t2 + 1.0
        return sign * scale * t * p
    }

    /// Angle of the vector (x, y) from the +x axis, in (-π, π] (same convention as C `atan2(y, x)`).
    public static func atan2(_ y: Double, _ x: Double) -> Double {
        if x > 0 {
            return atan(y / x)
        }
        if x < 0 {
            return y >= 0 ? atan(y / x) + pi : atan(y / x) - pi
        }
        if y > 0 { return halfPi }
        if y < 0 { return -halfPi }
        return 0
    }

    /// Arc sine of `x` (clamped to [-1, 1]).
    public static func asin(_ x: Double) -> Double {
        let c = Swift.min(1.0, Swift.max(-1.0, x))
        return atan2(c, (1.0 - c * c).squareRoot())
    }

    /// e^x (underflows to 0 below −700, saturates above 700).
    public static func exp(_ x: Double) -> Double {
        if x < -700 { return 0 }
        let clamped = Swift.min(x, 700.0)
        let ln2 = 0.693_147_180_559_945_3
        let k = (clamped / ln2).rounded()
        let r = clamped - k * ln2
        // Taylor series of e^r for |r| ≤ ln2/2, to r^13 (error < 1e-15).
        var p = 1.0 / 6_227_020_800.0
        p = p * r + 1.0 / 479_001_600.0
        p = p * r + 1.0 / 39_916_800.0
        p = p * r + 1.0 / 3_628_800.0
        p = p * r + 1.0 / 362_880.0
        p = p * r + 1.0 / 40_320.0
        p = p * r + 1.0 / 5_040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        // Scale by 2^k through the exponent bits (k is within the normal range here).
        let bits = UInt64(Int64(k) + 1023) << 52
        return p * Double(bitPattern: bits)
    }
}
