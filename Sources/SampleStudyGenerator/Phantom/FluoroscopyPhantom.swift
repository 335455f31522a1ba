import DicomIO
import Foundation

/// A deterministic lateral fluoroscopy cine of provocative discography / annulography at L4-L5.
///
/// The picture is a lateral projection of the lower lumbar spine (patient facing left: anterior = low column index,
/// posterior = high column index), stored like detector data: dense material is dark, soft tissue ~170–200, air
/// ~230. The anatomy (vertebral bodies with cortical rims and endplates, disc spaces, pedicles, articular pillars,
/// spinous processes, sacrum, iliac crests, bowel gas, body outline and a vignette) is precomputed once; each frame
/// adds the needle and contrast state and its own quantum noise.
///
/// Timeline (for the default 40 frames): frames 0…17 (45 %) a thin needle advances from posterior-superior until its
/// tip reaches the centre of the (degenerated, narrowed) L4-L5 disc; then contrast fills the nucleus as a growing
/// lobulated blob and finally tracks through a posterior annular fissure to the posterior disc margin, where it pools.
public struct FluoroscopyPhantom: Sendable {
    /// Image height in pixels.
    public let rows: Int
    /// Image width in pixels.
    public let columns: Int
    /// Number of frames in the cine.
    public let frameCount: Int

    /// Field of view across the columns, mm (the rows use the same square pixel size).
    static let fieldOfView = 210.0
    /// Intensity of unattenuated air (8-bit scale).
    static let airIntensity = 236.0

    /// Millimetres per pixel.
    let pixelSize: Double
    /// Column of the L4-L5 disc centre (the scene origin).
    let originColumn: Double
    /// Row of the L4-L5 disc centre (the scene origin).
    let originRow: Double
    /// Static anatomy intensity before noise, row-major (8-bit scale as floating point).
    let baseImage: [Float]
    /// Tilt (sine, cosine) of the L4-L5 disc plane in the image.
    let discSin: Double
    /// Cosine of the L4-L5 disc tilt.
    let discCos: Double

    /// Creates the cine and precomputes the static anatomy.
    public init(rows: Int = 512, columns: Int = 512, frameCount: Int = 40) {
        self.rows = Swift.max(0, rows)
        self.columns = Swift.max(0, columns)
        self.frameCount = Swift.max(1, frameCount)
        let pixelSize = Self.fieldOfView / Double(Swift.max(1, self.columns))
        self.pixelSize = pixelSize
        self.originColumn = Double(self.columns) * 0.44
        self.originRow = Double(self.rows) * 0.5
        let scene = FluoroScene()
        let tilt = scene.axisSlope(0)
        let norm = 1 / (1 + tilt * tilt).squareRoot()
        self.discSin = tilt * norm
        self.discCos = norm

        var base = [Float](repeating: 0, count: self.rows * self.columns)
        let rowCount = self.rows
        let columnCount = self.columns
        let originColumn = self.originColumn
        let originRow = self.originRow
        let halfDiagonal = 0.5 * (Double(rowCount * rowCount + columnCount * columnCount)).squareRoot()
        let centreColumn = Double(columnCount - 1) * 0.5
        let centreRow = Double(rowCount - 1) * 0.5
        base.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<rowCount {
                let y = (Double(row) - originRow) * pixelSize
                for column in 0..<columnCount {
                    let x = (Double(column) - originColumn) * pixelSize
                    let mu = scene.attenuation(x, y)
                    // Vignette: the image intensifier is brightest in the centre.
                    let dc = (Double(column) - centreColumn) / halfDiagonal
                    let dr = (Double(row) - centreRow) / halfDiagonal
                    let vignette = 1 - 0.2 * (dc * dc + dr * dr)
                    buffer[row * columnCount + column] = Float(
                        Self.airIntensity * DeterministicMath.exp(-mu) * vignette
                    )
                }
            }
        }
        self.baseImage = base
    }

    /// Frame i (0-based), row-major 8-bit. Indices outside 0..<frameCount are clamped.
    public func frame(_ index: Int) -> [UInt8] {
        let count = rows * columns
        var output = [UInt8](repeating: 0, count: count)
        if count == 0 { return output }
        let state = FrameState(index: Swift.min(Swift.max(0, index), frameCount - 1), frameCount: frameCount)

        // Needle geometry (mm, scene coordinates: x posterior, y inferior; origin = L4-L5 disc centre).
        let tipX = 1.0 + state.needleRemaining * Self.needleDirectionX
        let tipY = state.needleRemaining * Self.needleDirectionY
        let hubX = tipX + Self.needleLength * Self.needleDirectionX
        let hubY = tipY + Self.needleLength * Self.needleDirectionY
        let needle = NeedleShape(tipX: tipX, tipY: tipY, hubX: hubX, hubY: hubY)

        // Pixel boxes that can be affected by the needle or the contrast.
        let ps = pixelSize
        let margin = 6.0
        let needleMinColumn = Int(((Swift.min(tipX, hubX) - margin) / ps + originColumn).rounded(.down))
        let needleMaxColumn = Int(((Swift.max(tipX, hubX) + margin) / ps + originColumn).rounded(.up))
        let needleMinRow = Int(((Swift.min(tipY, hubY) - margin) / ps + originRow).rounded(.down))
        let needleMaxRow = Int(((Swift.max(tipY, hubY) + margin) / ps + originRow).rounded(.up))
        let discHalfBox = 26.0 / ps
        let discMinColumn = Int((originColumn - discHalfBox).rounded(.down))
        let discMaxColumn = Int((originColumn + discHalfBox).rounded(.up))
        let discMinRow = Int((originRow - discHalfBox).rounded(.down))
        let discMaxRow = Int((originRow + discHalfBox).rounded(.up))
        let contrastVisible = state.nucleusFill > 0

        // Quantum mottle: Gaussian values on a coarse lattice, bilinearly interpolated. Detector blur makes real
        // fluoroscopic noise spatially correlated like this; it also keeps the losslessly compressed cine small.
        let seed = DeterministicNoise.mix64(0xF1_0000 &+ UInt64(state.index))
        let cell = Self.noiseCell
        let latticeColumns = columns / cell + 2
        let latticeRows = rows / cell + 2
        var lattice = [Double](repeating: 0, count: latticeRows * latticeColumns)
        lattice.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<buffer.count {
                buffer[index] = DeterministicNoise.gaussianPair(seed: seed, index: UInt64(index)).0
            }
        }
        let inverseCell = 1.0 / Double(cell)
        let noiseScale = Self.noiseScale
        let columnCount = columns
        let originColumn = self.originColumn
        let originRow = self.originRow
        let discSin = self.discSin
        let discCos = self.discCos
        baseImage.withUnsafeBufferPointer { base in
            lattice.withUnsafeBufferPointer { noise in
                output.withUnsafeMutableBufferPointer { out in
                    for row in 0..<rows {
                        let latticeRow = row / cell
                        let fy = Double(row - latticeRow * cell) * inverseCell
                        let upper = latticeRow * latticeColumns
                        let lower = upper + latticeColumns
                        let inNeedleRows = row >= needleMinRow ? row <= needleMaxRow : false
                        let inDiscRows = contrastVisible ? (row >= discMinRow ? row <= discMaxRow : false) : false
                        let y = (Double(row) - originRow) * ps
                        for column in 0..<columnCount {
                            let index = row * columnCount + column
                            var intensity = Double(base[index])
                            var mu = 0.0
                            if inNeedleRows, column >= needleMinColumn, column <= needleMaxColumn {
                                let x = (Double(column) - originColumn) * ps
                                mu += needle.attenuation(x, y, ps)
                            }
                            if inDiscRows, column >= discMinColumn, column <= discMaxColumn {
                                let x = (Double(column) - originColumn) * ps
                                // Disc-local coordinates: u posterior, v inferior.
                                let u = x * discCos - y * discSin
                                let v = x * discSin + y * discCos
                                mu += state.contrastAttenuation(u, v)
                            }
                            if mu > 0 {
                                intensity *= DeterministicMath.exp(-mu)
                            }
                            // Quantum (Poisson-like) noise: σ grows with the square root of the signal.
                            let latticeColumn = column / cell
                            let fx = Double(column - latticeColumn * cell) * inverseCell
                            let top = noise[upper + latticeColumn] * (1 - fx) + noise[upper + latticeColumn + 1] * fx
                            let bottom = noise[lower + latticeColumn] * (1 - fx) + noise[lower + latticeColumn + 1] * fx
                            let g = top * (1 - fy) + bottom * fy
                            var value = intensity + g * noiseScale * intensity.squareRoot()
                            value = !(value >= 0) ? 0 : (value > 255 ? 255 : value)
                            out[index] = UInt8(value.rounded())
                        }
                    }
                }
            }
        }
        return output
    }

    /// Spacing (pixels) of the noise lattice: quantum mottle is correlated over about this distance.
    static let noiseCell = 3
    /// Noise amplitude: lattice σ = noiseScale · √intensity (≈ 1.4 grey levels at 190, ≈ 1 after interpolation).
    /// Chosen so that the 40-frame JPEG-LS cine stays ≈ 2 MB.
    static let noiseScale = 0.10

    /// Projected needle length from tip to the proximal end of the hub, mm.
    static let needleLength = 100.0
    /// Unit direction from the needle tip towards the hub (posterior and superior), x component.
    static let needleDirectionX = 0.990_268_068_741_570_3  // cos 8°
    /// Unit direction from the needle tip towards the hub, y component (negative = superior).
    static let needleDirectionY = -0.139_173_100_960_065_44  // -sin 8°
}

/// Needle and contrast state of one frame.
struct FrameState: Sendable {
    /// Frame index.
    let index: Int
    /// Distance (mm) still to travel before the tip reaches the disc centre.
    let needleRemaining: Double
    /// Nucleus contrast fill, 0…1.
    let nucleusFill: Double
    /// Fraction of the posterior fissure opacified, 0…1.
    let fissure: Double
    /// Contrast pooling at the posterior annulus, 0…1.
    let pooling: Double

    /// The state of frame `index` out of `frameCount`.
    init(index: Int, frameCount: Int) {
        self.index = index
        let needleFrames = Swift.max(1, Int((Double(frameCount) * 0.45).rounded()))
        if index < needleFrames {
            let p = needleFrames > 1 ? Double(index) / Double(needleFrames - 1) : 1
            // Fast advance first, fine positioning at the end.
            let eased = 1 - (1 - p) * (1 - p)
            needleRemaining = 42 * (1 - eased)
            nucleusFill = 0
            fissure = 0
            pooling = 0
        } else {
            needleRemaining = 0
            let contrastFrames = Swift.max(1, frameCount - needleFrames)
            let p = contrastFrames > 1 ? Double(index - needleFrames) / Double(contrastFrames - 1) : 1
            nucleusFill = 0.15 + 0.85 * smooth01(p / 0.45)
            fissure = smooth01((p - 0.4) / 0.45)
            pooling = smooth01((p - 0.8) / 0.2)
        }
    }

    /// Radiographic thickness-weighted attenuation of contrast at disc-local (u posterior, v inferior), mm.
    func contrastAttenuation(_ u: Double, _ v: Double) -> Double {
        if nucleusFill <= 0 {
            return 0
        }
        var mu = 0.0
        // Nucleogram: lobulated blob growing from the needle tip (slightly posterior of centre).
        let f = nucleusFill
        let du = u - 1.0
        let radial = (du * du + v * v * 9).squareRoot()
        let angle = DeterministicMath.atan2(v * 3, du)
        let lobes =
            1 + 0.16 * DeterministicMath.sin(3 * angle + 0.7) + 0.09 * DeterministicMath.sin(5 * angle + 2.1)
            + 0.05 * DeterministicMath.sin(8 * angle + 0.3)
        let radius = (2.0 + 8.5 * f) * lobes
        if radial < radius + 1 {
            let q = radial / radius
            let inside = 1 - q * q
            // Thickness through the blob along the beam ~ chord of an ellipsoid.
            let thickness = inside > 0 ? 2 * (3 + 8 * f) * inside.squareRoot() : 0
            let edge = clamp01((radius - radial) * 1.5 + 0.5)
            mu += 0.085 * thickness * edge + 0.12 * edge
        }
        // Posterior radial fissure: a thin irregular track to the posterior margin.
        if fissure > 0, u > 4, u < 20.5 {
            let end = 6 + 12.5 * fissure
            if u < end {
                let centre = 0.5 * DeterministicMath.sin(0.8 * u) + 0.3 * DeterministicMath.sin(2.3 * u + 1) + 1.1
                let halfWidth = 0.8 + 0.3 * DeterministicMath.sin(1.7 * u + 0.4)
                let distance = dabs(v - centre) - halfWidth
                let taper = clamp01((end - u) * 0.8)
                mu += 1.25 * clamp01(0.5 - distance * 2.5) * taper
            }
        }
        // Pooling along the posterior annulus (the fissure's outer end, where an HIZ lies on MR).
        if pooling > 0 {
            let pu = (u - 17.6) / 1.6
            let pv = (v - 0.8) / (1.2 + 1.3 * pooling)
            let q = pu * pu + pv * pv
            if q < 1.5 {
                mu += 1.0 * pooling * clamp01((1 - q) * 2 + 0.5)
            }
        }
        return mu
    }
}

/// The needle (shaft + hub) drawn as attenuation in scene millimetres.
struct NeedleShape: Sendable {
    /// Tip x (posterior), mm.
    let tipX: Double
    /// Tip y (inferior), mm.
    let tipY: Double
    /// Proximal end of the hub, x.
    let hubX: Double
    /// Proximal end of the hub, y.
    let hubY: Double

    /// Attenuation at (x, y) for a pixel size `ps` (mm).
    func attenuation(_ x: Double, _ y: Double, _ ps: Double) -> Double {
        let dx = hubX - tipX
        let dy = hubY - tipY
        let length = (dx * dx + dy * dy).squareRoot()
        let ux = dx / length
        let uy = dy / length
        let px = x - tipX
        let py = y - tipY
        let along = px * ux + py * uy
        let across = dabs(-px * uy + py * ux)
        if along < -1 || along > length + 1 {
            return 0
        }
        var mu = 0.0
        // Shaft: ~1 mm (2 px) wide metal, bevelled over the last 2 mm.
        let bevel = clamp01(along * 0.5 + 0.2)
        let shaftHalf = Swift.max(0.5, 0.5 * ps * 2) * bevel
        mu += 2.4 * clamp01((shaftHalf - across) / ps + 0.5) * clamp01(along / ps + 0.5)
        // Hub: a wider plastic/metal cylinder at the proximal 14 mm.
        let hubStart = length - 14
        if along > hubStart - 1 {
            let hubHalf = along > length - 5 ? 3.4 : 2.6
            let coverage =
                clamp01((hubHalf - across) / ps + 0.5) * clamp01((along - hubStart) / ps + 0.5)
                * clamp01((length - along) / ps + 0.5)
            let chord = across < hubHalf ? (1 - (across / hubHalf) * (across / hubHalf)).squareRoot() : 0
            mu += coverage * (0.35 + 0.9 * chord)
        }
        return mu
    }
}

/// Static lateral-projection anatomy (mm; x posterior, y inferior; origin at the L4-L5 disc centre).
struct FluoroScene: Sendable {
    /// One lumbar vertebra in the projection.
    struct Vertebra: Sendable {
        /// Centre x of the body.
        var x: Double
        /// Centre y of the body.
        var y: Double
        /// Sine of the tilt (axis direction (sin, cos) in (x, y)).
        var sin: Double
        /// Cosine of the tilt.
        var cos: Double
        /// Body height.
        var height: Double
        /// Body AP depth.
        var depth: Double
        /// Body width (path length along the beam at the centre).
        var width: Double
        /// Level of the facet joint below (offset from the body centre along the axis).
        var jointBelow: Double
    }

    /// Lordosis apex (L3-L4 disc) y.
    let apexY = -35.8
    /// Lordosis curvature coefficient: axis x = k (y − apexY)².
    let curvature = 1.0 / 1400.0
    /// L1…L5.
    let vertebrae: [Vertebra]
    /// S1 superior endplate centre x.
    let sacrumX: Double
    /// S1 superior endplate centre y.
    let sacrumY: Double
    /// Sacral axis direction (sin, cos) — tilted posteriorly going down.
    let sacrumSin: Double
    /// Cosine of the sacral tilt.
    let sacrumCos: Double

    /// Builds L1…L5 (L4-L5 narrowed, as in patient 1) and the sacrum.
    init() {
        // Body centres along y (L4-L5 disc centre at 0; the disc is 6.6 mm, the others 9–11 mm).
        let centres: [Double] = [-125.8, -91.3, -54.8, -16.8, 16.3]
        let heights: [Double] = [25, 26, 27, 27, 26]
        let depths: [Double] = [34, 35, 36, 37, 37]
        let widths: [Double] = [42, 44, 46, 48, 50]
        let discsBelow: [Double] = [9, 10, 11, 6.6, 10]
        var list: [Vertebra] = []
        for i in 0..<centres.count {
            let slope = 2 * curvature * (centres[i] - apexY)
            let norm = 1 / (1 + slope * slope).squareRoot()
            list.append(
                Vertebra(
                    x: curvature * (centres[i] - apexY) * (centres[i] - apexY),
                    y: centres[i],
                    sin: slope * norm,
                    cos: norm,
                    height: heights[i],
                    depth: depths[i],
                    width: widths[i],
                    jointBelow: heights[i] * 0.5 + discsBelow[i] * 0.5
                )
            )
        }
        vertebrae = list
        let top = 16.3 + 13 + 10
        sacrumY = top
        sacrumX = curvature * (top - apexY) * (top - apexY)
        // Sacral axis tilted ~20° from vertical, running posteriorly as it descends (wedge-shaped L5-S1 disc).
        let angle = 20.0 * DeterministicMath.pi / 180
        sacrumSin = DeterministicMath.sin(angle)
        sacrumCos = DeterministicMath.cos(angle)
    }

    /// Slope dx/dy of the spinal axis at height y.
    func axisSlope(_ y: Double) -> Double {
        2 * curvature * (y - apexY)
    }

    /// Total attenuation (dimensionless) along the lateral ray through scene point (x, y).
    func attenuation(_ x: Double, _ y: Double) -> Double {
        // Soft tissue: chord through an elliptical trunk, back following the lordosis a little.
        let lordosis = curvature * (y - apexY) * (y - apexY)
        let trunkCentre = -15 + 0.5 * lordosis
        let e = (x - trunkCentre) / 111
        var mu = 0.0
        let inside = 1 - e * e
        if inside > 0 {
            let chord = 300 * inside.squareRoot()
            mu += 0.00081 * chord
            // Bowel gas: a few lucent pockets anteriorly.
            mu -= 0.07 * gasPockets(x, y)
        } else {
            return 0
        }
        // Iliac wings and crests (left and right slightly offset: double contour).
        mu += ilium(x, y, 0) + ilium(x + 3.5, y - 2.5, 0)
        // Sacrum.
        mu += sacrum(x, y)
        // Vertebrae near this height.
        for vertebra in vertebrae {
            let dy = y - vertebra.y
            if dy < -vertebra.height * 0.5 - 14 || dy > vertebra.height * 0.5 + 14 {
                continue
            }
            let dx = x - vertebra.x
            let u = dx * vertebra.cos - dy * vertebra.sin
            let v = dx * vertebra.sin + dy * vertebra.cos
            mu += vertebralAttenuation(u, v, vertebra)
        }
        return mu
    }

    /// Attenuation of one vertebra in its local frame (u posterior, v inferior).
    func vertebralAttenuation(_ u: Double, _ v: Double, _ vertebra: Vertebra) -> Double {
        let h = vertebra.height
        let d = vertebra.depth
        let w = vertebra.width
        var mu = 0.0
        // Body: trabecular core and cortical shell (rims and endplates are dense because the beam runs
        // tangentially through them).
        let outer = bodyChord(u, v, h * 0.5, d, w)
        if outer > 0 {
            let inner = bodyChord(u, v, h * 0.5 - 1.1, d - 2.6, w - 2.6)
            // Trabecular texture: mostly vertical trabeculae.
            let texture = DeterministicNoise.valueNoise(u * 0.9, v * 0.3 + vertebra.y, seed: 0x7AB)
            mu += 0.0115 * inner * (1 + 0.08 * texture) + 0.027 * (outer - inner)
        }
        let back = d * 0.5
        // Pedicles (both sides superimposed).
        mu += shellBlob(u - (back + 5.5), v + 0.2 * h, 8.5, 6.5, 16)
        // Transverse processes (long path, thin): overlap the pedicles.
        mu += 0.6 * shellBlob(u - (back + 7), v + 0.05 * h, 4.5, 4.0, 30)
        // Articular pillars / pars / laminae, with the facet joint line at the disc level below.
        let pillar = roundedRect(u - (back + 17), v - 2, 8.5, h * 0.5 + 3, 4)
        if pillar < 1 {
            var pillarMu = 0.011 * 20 * clamp01(0.5 - pillar) + 0.12 * clamp01(1 - dabs(pillar + 0.6))
            let joint = dabs(v - vertebra.jointBelow + 0.35 * (u - (back + 17))) - 0.45
            if v > vertebra.jointBelow - 8 {
                pillarMu *= 1 - 0.45 * clamp01(0.5 - joint * 2)
            }
            mu += pillarMu
        }
        // Lamina and spinous process (a hatchet shape joined to the pillar), denser at its cortical margins.
        let spinousV = v + 0.1 * h - 0.12 * (u - (back + 22))
        let taper = clamp01((u - (back + 20)) / 40)
        let spinous = roundedRect(u - (back + 38), spinousV, 18, h * (0.36 - 0.08 * taper), 5)
        if spinous < 1 {
            mu += 0.011 * (14 - 5 * taper) * clamp01(0.5 - spinous) + 0.09 * clamp01(1 - dabs(spinous + 0.7))
        }
        return mu
    }

    /// Chord length along the beam through a vertebral-body-shaped solid (kidney footprint, flat posterior wall).
    func bodyChord(_ u: Double, _ v: Double, _ halfHeight: Double, _ depth: Double, _ width: Double) -> Double {
        let vertical = clamp01((halfHeight - dabs(v)) * 2 + 0.5)
        if vertical <= 0 {
            return 0
        }
        let e = (u - 0.06 * depth) / (0.56 * depth)
        let q = 1 - e * e
        if q <= 0 {
            return 0
        }
        let wall = clamp01((depth * 0.5 - u) * 2 + 0.5)
        // Slight anterior waist (concave anterior cortex at mid-height).
        let hz = v / halfHeight
        let waist = 1 - 0.05 * (1 - hz * hz) * clamp01(-u / (depth * 0.5))
        return width * q.squareRoot() * wall * vertical * waist
    }

    /// Attenuation of an elliptic bone blob with a denser rim: `path` = chord (mm) through its centre.
    func shellBlob(_ du: Double, _ dv: Double, _ ru: Double, _ rv: Double, _ path: Double) -> Double {
        let a = du / ru
        let b = dv / rv
        let q = 1 - a * a - b * b
        if q <= -0.1 {
            return 0
        }
        let a2 = du / (ru - 1.3)
        let b2 = dv / (rv - 1.3)
        let qi = 1 - a2 * a2 - b2 * b2
        let outer = path * (q > 0 ? q.squareRoot() : 0)
        let inner = (path - 2.6) * (qi > 0 ? qi.squareRoot() : 0)
        return 0.0115 * inner + 0.022 * (outer - inner)
    }

    /// Sacrum: S1 body and the tapering, posteriorly tilted, anteriorly concave sacral mass with the alae.
    func sacrum(_ x: Double, _ y: Double) -> Double {
        let dx = x - sacrumX
        let dy = y - sacrumY
        let u0 = dx * sacrumCos - dy * sacrumSin
        let v = dx * sacrumSin + dy * sacrumCos
        if v < -3 || v > 125 {
            return 0
        }
        // Anteriorly concave: the lower sacrum curves forward.
        let u = u0 + 0.0028 * v * v
        let depth = 36 - 0.22 * v
        let width = 48 - 0.3 * v
        var mu = 0.0
        // Superior endplate (S1) dense line, body and alae.
        let outer = bodyChord(u, v - 60, 60, depth, width)
        if outer > 0 {
            let inner = bodyChord(u, v - 60, 59, depth - 2.6, width - 2.6)
            mu += 0.009 * inner + 0.022 * (outer - inner)
            // Fused segment lines (residual discs) at S1-S2, S2-S3: slightly lucent.
            let seg1 = dabs(v - 29) - 0.8
            let seg2 = dabs(v - 52) - 0.7
            mu -= 0.08 * clamp01(0.5 - dmin(seg1, seg2)) * clamp01(inner / 20)
        }
        // Alae superimposed over the upper sacrum.
        if v < 45 {
            let ala = roundedRect(u - 4, v - 20, depth * 0.5 + 2, 22, 8)
            mu += 0.17 * clamp01(0.5 - ala * 0.3)
        }
        // Dorsal wall and median crest.
        let dorsal = roundedRect(u - (depth * 0.5 + 11), v - 55, 4.5, 55, 3)
        mu += 0.12 * clamp01(0.5 - dorsal) + 0.08 * clamp01(1 - dabs(dorsal + 0.8))
        return mu
    }

    /// One iliac wing with its dense crest; `shift` moves it along x. Only the crest (the upper arc) is drawn
    /// sharply; the wing's density fades out anteriorly, posteriorly and downwards.
    func ilium(_ x: Double, _ y: Double, _ shift: Double) -> Double {
        let cx = -10.0 + shift
        let cy = 95.0
        let ex = (x - cx) / 95
        let ey = (y - cy) / 100
        let r = (ex * ex + ey * ey).squareRoot()
        if r > 1.05 {
            return 0
        }
        // Visible over the upper part of the arc only.
        let upper = clamp01((cy - 35 - y) / 30) * clamp01((60 - dabs(x - cx)) / 25)
        if upper <= 0 {
            return 0
        }
        let distance = (r - 1) * 97
        var mu = 0.07 * clamp01(0.5 - distance * 0.5)
        mu += 0.13 * clamp01(1 - dabs(distance + 1.3) * 0.8)
        return mu * upper
    }

    /// Bowel gas pockets: centre x, centre y, semi-axes (mm).
    static let gasPocketEllipses: [(Double, Double, Double, Double)] = [
        (-70, -60, 14, 9), (-95, -10, 10, 16), (-60, 30, 18, 8), (-100, 60, 12, 10), (-55, 95, 15, 11),
    ]

    /// 0…1 lucency of bowel gas pockets in the anterior abdomen.
    func gasPockets(_ x: Double, _ y: Double) -> Double {
        if x > -35 {
            return 0
        }
        var total = 0.0
        for (px, py, rx, ry) in Self.gasPocketEllipses {
            let a = (x - px) / rx
            let b = (y - py) / ry
            let q = 1 - a * a - b * b
            if q > 0 {
                total += q.squareRoot()
            }
        }
        return total
    }

    /// Signed distance to a rounded rectangle with half-sizes (bx, by) and corner radius r.
    func roundedRect(_ px: Double, _ py: Double, _ bx: Double, _ by: Double, _ r: Double) -> Double {
        roundedRectDistance(px, py, bx, by, r)
    }
}

/// Clamps to 0…1.
@inline(__always)
func clamp01(_ value: Double) -> Double {
    value < 0 ? 0 : (value > 1 ? 1 : value)
}

/// Smoothstep of `value` clamped to 0…1.
@inline(__always)
func smooth01(_ value: Double) -> Double {
    let t = clamp01(value)
    return t * t * (3 - 2 * t)
}
