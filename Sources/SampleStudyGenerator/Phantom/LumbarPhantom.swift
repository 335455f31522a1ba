import DicomIO
import Foundation

// MARK: - Public API

/// The MR contrast to synthesise.
public enum MRWeighting: Sendable {
    /// T1-weighted spin echo: fat and marrow bright, CSF dark.
    case t1
    /// T2-weighted fast spin echo: CSF and healthy nuclei bright, fat bright, annulus and cortex dark.
    case t2
}

/// The spine to draw.
public enum LumbarPathology: Sendable {
    /// Patient 1: L4-L5 degenerated (darker nucleus, thinner: ~60% of normal height) with a bright posterior
    /// high-intensity zone (HIZ) in the posterior annulus, slightly left of midline; L5-S1 with a small focal posterior
    /// protrusion (central, ~3-4 mm beyond the posterior vertebral line, ~12 mm wide). All other discs normal.
    case degeneratedL4L5WithHIZAndL5S1Protrusion
    /// Patient 2: every disc normal (negative control).
    case normal
}

/// A deterministic, analytic 3D model of the lower thoracic and lumbar spine, sacrum and surrounding trunk in DICOM
/// patient coordinates (LPS, mm), sampled on arbitrary image planes to synthesise T1/T2 MR slices.
///
/// The spine follows a gentle lordotic arc (apex at L3-L4, ~12 mm anterior to T12 and ~5 mm anterior to S1; straight
/// above T12) and the sacrum tilts posteriorly below a wedge-shaped L5-S1 disc. Vertebral bodies, discs (annulus
/// and nucleus), canal with thecal sac, conus and cauda equina, posterior elements, facet joints, sacrum, psoas,
/// kidneys, great vessels, paraspinal muscles, fat and skin are signed-distance primitives blended with a ~1 mm
/// smoothstep (partial volume). Sagittal, axial and oblique slices therefore agree with each other.
public struct LumbarPhantom: Sendable {
    /// The pathology this phantom shows.
    public let pathology: LumbarPathology

    /// Disc level names drawn, cranial to caudal: ["T12-L1","L1-L2","L2-L3","L3-L4","L4-L5","L5-S1"].
    public static let discLevels: [String] = ["T12-L1", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]

    /// Vertebral bodies drawn: ["T12","L1","L2","L3","L4","L5","S1"] (S1 = top of the sacrum).
    ///
    /// T9–T11 and the lower sacrum/coccyx are also drawn (unnamed) so that a large field of view never shows the
    /// column ending abruptly.
    public static let vertebrae: [String] = ["T12", "L1", "L2", "L3", "L4", "L5", "S1"]

    /// Names of every modelled mobile vertebra, cranial to caudal (index = position in `bodies`).
    static let bodyNames: [String] = ["T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5"]

    /// Names of every modelled disc; disc `i` lies below body `i` (the last one is L5-S1).
    static let discNames: [String] = [
        "T9-T10", "T10-T11", "T11-T12", "T12-L1", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1",
    ]

    /// The curved spinal axis that defines the (s, a, x) spine coordinates.
    let arc: SpinalArc
    /// Mobile vertebrae T9…L5, cranial to caudal.
    let bodies: [VertebralLevel]
    /// Discs T9-T10…L5-S1; disc `i` lies below body `i`.
    let discs: [DiscLevel]
    /// Sacral segments S1…coccyx, each in its own rigid frame.
    let sacrum: [SacralSegment]
    /// Arc `s` of each disc's centre (the boundary between the two neighbouring bodies' territories).
    let discMidS: [Double]
    /// Arc coordinate `s` of the centre of the S1 superior endplate.
    let sacralTopS: Double
    /// Arc coordinate `s` of the conus medullaris tip (≈ L1-L2).
    let conusTipS: Double
    /// Arc-equivalent `s` where the thecal sac ends (≈ S2).
    let sacEndS: Double
    /// Arc-equivalent `s` where each of the six cauda-equina root pairs (L2…S2) leaves the thecal sac.
    let rootExitS: [Double]
    /// Arc `s` below which the aorta is replaced by the common iliac arteries.
    let aorticBifurcationS: Double
    /// Arc `s` below which the IVC is replaced by the common iliac veins.
    let cavalConfluenceS: Double

    /// Builds the model and precomputes every per-level constant.
    public init(pathology: LumbarPathology) {
        self.pathology = pathology
        let degenerated = pathology == .degeneratedL4L5WithHIZAndL5S1Protrusion

        // Per-level anatomy, T9…L5 (mm).
        let heights: [Double] = [21, 22, 23, 24, 25, 26, 27, 27, 26]
        let depths: [Double] = [27, 28, 30, 32, 34, 35, 36, 37, 37]
        let widths: [Double] = [34, 36, 38, 40, 42, 44, 46, 48, 50]
        let canalDepths: [Double] = [14, 14, 14, 14.5, 15, 15, 15, 15.5, 16]
        let canalWidths: [Double] = [16, 16, 16.5, 17, 19, 20, 21, 22, 23]
        let spinousSlopes: [Double] = [0.9, 0.8, 0.55, 0.3, 0.12, 0.08, 0.06, 0.06, 0.1]
        let spinousLengths: [Double] = [30, 30, 30, 30, 32, 34, 34, 32, 27]
        let transverseLengths: [Double] = [12, 11, 9, 8, 14, 18, 24, 20, 16]
        // Disc heights below each body (T9-T10 … L5-S1).
        var discHeights: [Double] = [5, 6, 7, 8, 9, 10, 11, 11, 10]
        if degenerated {
            discHeights[7] = 11 * 0.6
        }

        // Body centres along the arc; s = 0 is the centre of the L3-L4 disc (the lordotic apex).
        var centres = [Double](repeating: 0, count: 9)
        centres[6] = discHeights[6] * 0.5 + heights[6] * 0.5
        for i in stride(from: 5, through: 0, by: -1) {
            centres[i] = centres[i + 1] + heights[i + 1] * 0.5 + discHeights[i] + heights[i] * 0.5
        }
        centres[7] = -discHeights[6] * 0.5 - heights[7] * 0.5
        centres[8] = centres[7] - heights[7] * 0.5 - discHeights[7] - heights[8] * 0.5
        let sacralTop = centres[8] - heights[8] * 0.5 - discHeights[8]
        self.sacralTopS = sacralTop
        let arc = SpinalArc(apexY: -6, apexZ: -20, radius: 700, junctionS: centres[3])
        self.arc = arc

        var bodies: [VertebralLevel] = []
        for i in 0..<9 {
            bodies.append(
                VertebralLevel(
                    centreS: centres[i],
                    height: heights[i],
                    depth: depths[i],
                    width: widths[i],
                    canalDepth: canalDepths[i],
                    canalWidth: canalWidths[i],
                    spinousSlope: spinousSlopes[i],
                    spinousLength: spinousLengths[i],
                    transverseLength: transverseLengths[i]
                )
            )
        }
        self.bodies = bodies

        // Sacrum: a chain of rigid segments hinged at the centres of their endplates. Positive angles tilt the
        // segment's superior direction anteriorly (so the column below runs posteriorly).
        let degree = DeterministicMath.pi / 180
        let sacralHeights: [Double] = [30, 24, 20, 15, 12, 10]
        let sacralDepths: [Double] = [35, 27, 21, 16, 12, 9]
        let sacralWidths: [Double] = [46, 36, 28, 20, 14, 10]
        let alaWidths: [Double] = [54, 46, 36, 22, 0, 0]
        let sacralCanalDepths: [Double] = [13, 9, 7, 5, 4, 3]
        let sacralCanalWidths: [Double] = [24, 18, 14, 10, 8, 6]
        let hinges: [Double] = [6, 14, 12, -8, -14, -16]
        var segments: [SacralSegment] = []
        let top = arc.patient(s: sacralTop, a: 0)
        let tangentAngle = sacralTop / arc.radius
        var upY = DeterministicMath.sin(tangentAngle)
        var upZ = DeterministicMath.cos(tangentAngle)
        var originY = top.y
        var originZ = top.z
        var topS = sacralTop
        for k in 0..<sacralHeights.count {
            let beta = hinges[k] * degree
            let cb = DeterministicMath.cos(beta)
            let sb = DeterministicMath.sin(beta)
            // Posterior direction is the superior direction rotated by -90° in the (y, z) plane.
            let postY = upZ
            let postZ = -upY
            let newUpY = upY * cb - postY * sb
            let newUpZ = upZ * cb - postZ * sb
            upY = newUpY
            upZ = newUpZ
            if k > 0 {
                // Hinge at the centre of the previous segment's inferior endplate.
                originY = segments[k - 1].originY - segments[k - 1].upY * sacralHeights[k - 1]
                originZ = segments[k - 1].originZ - segments[k - 1].upZ * sacralHeights[k - 1]
            }
            let nextHinge = k + 1 < hinges.count ? abs(hinges[k + 1]) * degree : 0
            segments.append(
                SacralSegment(
                    originY: originY,
                    originZ: originZ,
                    upY: upY,
                    upZ: upZ,
                    postY: upZ,
                    postZ: -upY,
                    height: sacralHeights[k],
                    depth: sacralDepths[k],
                    width: sacralWidths[k],
                    alaWidth: alaWidths[k],
                    canalDepth: sacralCanalDepths[k],
                    canalWidth: sacralCanalWidths[k],
                    topS: topS,
                    bottomOverlap: 2 + 0.5 * sacralDepths[k] * DeterministicMath.sin(nextHinge)
                        / DeterministicMath.cos(nextHinge),
                    topOverlap: k == 0
                        ? 0
                        : 2 + 0.5 * sacralDepths[k] * DeterministicMath.sin(abs(beta))
                            / DeterministicMath.cos(abs(beta))
                )
            )
            topS -= sacralHeights[k]
        }
        // Canal: starts exactly like the L5 canal, then narrows segment by segment.
        for k in 0..<segments.count {
            let nominalCentre = sacralDepths[k] * 0.5 + sacralCanalDepths[k] * 0.5
            let next = min(k + 1, segments.count - 1)
            if k == 0 {
                segments[k].canalCentreTop = depths[8] * 0.5 + canalDepths[8] * 0.5
                segments[k].canalSemiATop = canalDepths[8] * 0.5
                segments[k].canalSemiWTop = canalWidths[8] * 0.5
            } else {
                segments[k].canalCentreTop = nominalCentre
                segments[k].canalSemiATop = sacralCanalDepths[k] * 0.5
                segments[k].canalSemiWTop = sacralCanalWidths[k] * 0.5
            }
            segments[k].canalCentreBottom = sacralDepths[next] * 0.5 + sacralCanalDepths[next] * 0.5
            segments[k].canalSemiABottom = sacralCanalDepths[next] * 0.5
            segments[k].canalSemiWBottom = sacralCanalWidths[next] * 0.5
            segments[k].bottomDepth = k + 1 < segments.count ? sacralDepths[k + 1] : sacralDepths[k] * 0.8
            segments[k].bottomWidth = k + 1 < segments.count ? sacralWidths[k + 1] : sacralWidths[k] * 0.8
        }
        self.sacrum = segments

        // Discs.
        var discs: [DiscLevel] = []
        for i in 0..<9 {
            let upperS = centres[i] - heights[i] * 0.5
            let lowerS = i < 8 ? centres[i + 1] + heights[i + 1] * 0.5 : sacralTop
            let lowerDepth = i < 8 ? depths[i + 1] : sacralDepths[0]
            let lowerWidth = i < 8 ? widths[i + 1] : sacralWidths[0]
            let lowerCanalDepth = i < 8 ? canalDepths[i + 1] : sacralCanalDepths[0]
            let lowerCanalWidth = i < 8 ? canalWidths[i + 1] : sacralCanalWidths[0]
            let depth = (depths[i] + lowerDepth) * 0.5
            let width = (widths[i] + lowerWidth) * 0.5
            let isDegenerated = degenerated && i == 7
            var disc = DiscLevel(
                upperS: upperS,
                lowerS: lowerS,
                height: discHeights[i],
                depth: depth,
                width: width,
                bulge: isDegenerated ? 1.6 : 0.3,
                degenerated: isDegenerated,
                lumbosacral: i == 8,
                facetX: lowerCanalWidth * 0.5 + 5,
                facetA: lowerDepth * 0.5 + lowerCanalDepth * 0.78,
                facetRadiusS: discHeights[i] * 0.5 + 9
            )
            if degenerated && i == 7 {
                // HIZ in the posterior annulus, slightly left of midline (+x), reaching the midline. Vertically it
                // sits where the constant-z plane through `discCenter` crosses the posterior annulus (≈1 mm below
                // the mid-plane), so both a true axial and a disc-parallel slice through the centre cut it.
                let hizA = depth * 0.5 - 3.4
                disc.hiz = Ellipsoid(
                    a: hizA, x: 1.5, s: 0, radiusA: 1.3, radiusX: 2.2, radiusS: 2.0
                )
                let sc = Self.discLocalOffset(arc: arc, disc: disc, s1: segments[0], a: hizA)
                disc.hiz.s = min(max(sc, -1.6), 1.6)
            }
            if degenerated && i == 8 {
                // Central focal posterior protrusion: a bump reaching ~3.5-4 mm beyond the posterior vertebral line,
                // ~13 mm wide, with a thin tongue of nuclear material reaching into it. Centred low in the (posteriorly
                // thin) disc so that true axial and disc-parallel slices through `discCenter` both show it.
                let bumpA = depth * 0.5 + 0.2
                let localHeight = Self.discLocalHeight(arc: arc, disc: disc, s1: segments[0], a: bumpA)
                disc.protrusion = Ellipsoid(
                    a: bumpA, x: 0, s: 0, radiusA: 3.7, radiusX: 6.5, radiusS: localHeight * 0.5
                )
                disc.tongue = Ellipsoid(
                    a: depth * 0.5 - 3, x: 0, s: 0, radiusA: 4.5, radiusX: 2.4, radiusS: 1.1
                )
                let sc = Self.discLocalOffset(arc: arc, disc: disc, s1: segments[0], a: bumpA)
                let limit = max(0, localHeight * 0.5 - 2.5)
                disc.protrusion.s = min(max(sc, -limit), limit)
                disc.tongue.s = disc.protrusion.s
                disc.hasProtrusion = true
            }
            discs.append(disc)
        }
        self.discs = discs
        self.discMidS = discs.map { ($0.upperS + $0.lowerS) * 0.5 }

        self.conusTipS = (discs[4].upperS + discs[4].lowerS) * 0.5
        self.sacEndS = sacralTop - sacralHeights[0] - 10
        self.rootExitS = [
            (discs[5].upperS + discs[5].lowerS) * 0.5 + 5,
            (discs[6].upperS + discs[6].lowerS) * 0.5 + 5,
            (discs[7].upperS + discs[7].lowerS) * 0.5 + 5,
            (discs[8].upperS + discs[8].lowerS) * 0.5 + 5,
            sacralTop - 12,
            sacralTop - sacralHeights[0] - 8,
        ]
        self.aorticBifurcationS = centres[7] + 8
        self.cavalConfluenceS = centres[8] + 6
    }

    // MARK: Planning helpers

    /// Patient-space centre of a disc (for planning axial slices through it); nil for unknown names.
    public func discCenter(_ level: String) -> Vector3? {
        guard let index = Self.discNames.firstIndex(of: level) else { return nil }
        let disc = discs[index]
        let p = arc.patient(s: (disc.upperS + disc.lowerS) * 0.5, a: 0)
        return Vector3(0, p.y, p.z)
    }

    /// Nominal disc height in mm at the centre (so axial stacks can be planned to cover a disc).
    public func discHeight(_ level: String) -> Double? {
        guard let index = Self.discNames.firstIndex(of: level) else { return nil }
        return discs[index].height
    }

    /// Unit normal of a disc's mid-plane (pointing superiorly), for planning axial slices angled parallel to the
    /// disc; nil for unknown names. Lordosis tilts the lower discs by up to ~10°.
    public func discNormal(_ level: String) -> Vector3? {
        guard let index = Self.discNames.firstIndex(of: level) else { return nil }
        let disc = discs[index]
        let angle = dmin((disc.upperS + disc.lowerS) * 0.5, arc.junctionS) / arc.radius
        var ny = DeterministicMath.sin(angle)
        var nz = DeterministicMath.cos(angle)
        if disc.lumbosacral {
            // Halfway between the L5 inferior endplate and the tilted S1 superior endplate.
            let upperAngle = disc.upperS / arc.radius
            ny = DeterministicMath.sin(upperAngle) + sacrum[0].upY
            nz = DeterministicMath.cos(upperAngle) + sacrum[0].upZ
        }
        return Vector3(0, ny, nz).normalized
    }

    /// Patient-space centre of a vertebral body ("T9"…"L5", "S1"); nil for unknown names.
    public func vertebraCenter(_ name: String) -> Vector3? {
        if name == "S1" {
            let segment = sacrum[0]
            let half = segment.height * 0.5
            return Vector3(0, segment.originY - segment.upY * half, segment.originZ - segment.upZ * half)
        }
        guard let index = Self.bodyNames.firstIndex(of: name) else { return nil }
        let p = arc.patient(s: bodies[index].centreS, a: 0)
        return Vector3(0, p.y, p.z)
    }

    /// Disc-local vertical offset (0 = mid-plane, + = superior) of the point at spine coordinate `a` that lies on
    /// the axial (constant z) plane through the disc centre.
    static func discLocalOffset(arc: SpinalArc, disc: DiscLevel, s1: SacralSegment, a: Double) -> Double {
        let centre = arc.patient(s: (disc.upperS + disc.lowerS) * 0.5, a: 0)
        let s = arc.radius * DeterministicMath.asin((centre.z - arc.centreZ) / (arc.radius - a))
        let (d1, d2) = discEndplateDistances(arc: arc, disc: disc, s1: s1, s: s, a: a)
        return (d2 - d1) * 0.5
    }

    /// Local disc height (distance between the endplates) at spine coordinate `a` on the mid-sagittal line.
    static func discLocalHeight(arc: SpinalArc, disc: DiscLevel, s1: SacralSegment, a: Double) -> Double {
        let (d1, d2) = discEndplateDistances(arc: arc, disc: disc, s1: s1, s: (disc.upperS + disc.lowerS) * 0.5, a: a)
        return d1 + d2
    }

    /// Distances below the upper endplate and above the lower endplate of the point (s, a) (positive inside).
    static func discEndplateDistances(
        arc: SpinalArc, disc: DiscLevel, s1: SacralSegment, s: Double, a: Double
    ) -> (Double, Double) {
        let d1 = disc.upperS - s
        if disc.lumbosacral {
            let p = arc.patient(s: s, a: a)
            return (d1, -s1.depth(p.y, p.z))
        }
        return (d1, s - disc.lowerS)
    }

    // MARK: Rendering

    /// Renders one MR slice: row-major, rows*columns values, each within 0...4095 (12 bits stored in 16).
    public func renderMR(slice: SliceGeometry, weighting: MRWeighting, noiseSeed: UInt64) -> [UInt16] {
        let rows = Swift.max(0, slice.rows)
        let columns = Swift.max(0, slice.columns)
        var output = [UInt16](repeating: 0, count: rows * columns)
        if output.isEmpty { return output }
        let signals = weighting == .t1 ? TissueSignals.t1 : TissueSignals.t2
        let spacing = dmax(dabs(slice.rowSpacing), dabs(slice.columnSpacing))
        let edge = dmin(2.5, dmax(1.0, 1.2 * spacing))
        let inverseEdge = 1 / edge
        let origin = slice.origin
        let rowStep = slice.rowDirection * slice.columnSpacing
        let columnStep = slice.columnDirection * slice.rowSpacing
        let seed = DeterministicNoise.mix64(noiseSeed ^ (weighting == .t1 ? 0x7431 : 0x7432))
        output.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<rows {
                let fr = Double(row)
                let rowX = origin.x + columnStep.x * fr
                let rowY = origin.y + columnStep.y * fr
                let rowZ = origin.z + columnStep.z * fr
                for column in 0..<columns {
                    let fc = Double(column)
                    let sample = self.sample(
                        rowX + rowStep.x * fc, rowY + rowStep.y * fc, rowZ + rowStep.z * fc, signals, inverseEdge
                    )
                    // Receive-coil shading: posterior spine coil, signal falls off anteriorly.
                    var shade = (85 - sample.a) * (1.0 / 230.0)
                    shade = shade < 0 ? 0 : (shade > 1 ? 1 : shade)
                    let signal = sample.value * (1.1 - 0.25 * shade)
                    // Rician magnitude noise: σ = 1.5 % of the signal plus a floor (air ≈ 15–20 on average).
                    let sigma = 0.015 * signal + 6
                    let index = row * columns + column
                    let (g0, g1) = DeterministicNoise.gaussianPair(seed: seed, index: UInt64(index))
                    let re = signal + g0 * sigma
                    let im = g1 * sigma
                    var value = (re * re + im * im).squareRoot()
                    // (The negated comparison also maps a NaN from a degenerate geometry to 0.)
                    value = !(value >= 0) ? 0 : (value > 4095 ? 4095 : value)
                    buffer[index] = UInt16(value.rounded())
                }
            }
        }
        return output
    }

    /// Noise-free signal and trunk AP coordinate (for coil shading) at a patient-space point.
    func sample(
        _ x: Double, _ y: Double, _ z: Double, _ t: TissueSignals, _ inv: Double
    ) -> (value: Double, a: Double) {
        let at = trunkAP(y, z)
        let sdTrunk = trunkDistance(at, x)
        if sdTrunk > 1.5 {
            return (t.air, at)
        }
        let (s, a) = arc.local(y, z)
        var v = t.air
        blend(&v, t.skin, coverage(sdTrunk, inv))
        blend(&v, t.fat, coverage(sdTrunk + 2.2, inv))
        let sdWall = sdTrunk + 16
        if sdWall > 1.5 {
            return (v, at)
        }
        // Muscular wall (abdominal wall anteriorly/laterally), retroperitoneal fat inside it.
        blend(&v, t.muscle, coverage(sdWall, inv))
        let sdVisceral = sdWall + 9
        blend(&v, t.fat, coverage(sdVisceral, inv))
        // Peritoneal cavity with bowel loops: anterior, wrapping round the flanks.
        let peritonealBack = -32 + 0.006 * x * x
        let sdBowel = dmax(sdVisceral + 1.5, (at - peritonealBack) * 0.8)
        if sdBowel < 1.5 {
            let c = coverage(sdBowel, inv)
            if c > 0 {
                blend(&v, bowelSignal(x, at, z, t), c)
            }
        }

        let level = levelShape(s)
        paintRetroperitoneum(&v, s, a, x, level, t, inv)
        paintBackMuscles(&v, s, a, x, level, t, inv)
        if dabs(x) < 95, a > -75, a < 95 {
            paintSpine(&v, x, y, z, s, a, level, t, inv)
        }
        return (v, at)
    }

    // MARK: Soft tissues

    /// Antero-posterior trunk coordinate: like the spine's `a` at the lordotic apex, but following only half of the
    /// spinal curvature so the back (lying on the table) stays nearly straight.
    @inline(__always)
    func trunkAP(_ y: Double, _ z: Double) -> Double {
        let apexY = arc.centreY - arc.radius
        return y - apexY - 0.5 * (arc.axisY(z) - apexY)
    }

    /// Signed distance to the skin surface (negative inside), in the (trunk AP, x) cross-section.
    func trunkDistance(_ at: Double, _ x: Double) -> Double {
        let centre = -25.0
        if at < centre {
            return ellipseDistance(x, at - centre, 140, 120)
        }
        // Flatter back: superellipse of order 4, distance normalised by the gradient.
        let rx = 140.0
        let ra = 118.0
        let u = x / rx
        let w = (at - centre) / ra
        let u2 = u * u
        let w2 = w * w
        let q4 = u2 * u2 + w2 * w2
        if q4 < 1e-12 {
            return -ra
        }
        let q = q4.squareRoot().squareRoot()
        let q3 = q * q * q
        let gx = u2 * u / (q3 * rx)
        let ga = w2 * w / (q3 * ra)
        return (q - 1) / (gx * gx + ga * ga).squareRoot()
    }

    /// Textured abdominal content: a 3D-consistent sum of value noises; its zero set forms darker worm-like bowel
    /// walls between brighter and darker loops.
    func bowelSignal(_ x: Double, _ at: Double, _ z: Double, _ t: TissueSignals) -> Double {
        let f = 1.0 / 14.0
        // Rotated lattices so that no grid direction lines up with an image axis.
        let n =
            DeterministicNoise.valueNoise((0.8 * x + 0.6 * at) * f, (0.8 * at - 0.6 * x) * f, seed: 0xB0E1)
            + DeterministicNoise.valueNoise((0.6 * at + 0.8 * z) * f + 17.3, (0.6 * z - 0.8 * at) * f, seed: 0xB0E2)
            + DeterministicNoise.valueNoise((0.8 * z - 0.6 * x) * f - 5.1, (0.8 * x + 0.6 * z) * f + 9.7, seed: 0xB0E3)
        var wall = dabs(n) * 4
        wall = wall > 1 ? 1 : wall
        let content = 1 + t.bowelContrast * (n > 0 ? 0.6 : -0.3)
        return t.bowel * (content * (0.45 + 0.55 * wall * (2 - wall)))
    }

    /// Retroperitoneal fat, kidneys, psoas muscles, aorta/IVC and iliac vessels.
    func paintRetroperitoneum(
        _ v: inout Double, _ s: Double, _ a: Double, _ x: Double, _ level: LevelShape,
        _ t: TissueSignals, _ inv: Double
    ) {
        let ax = dabs(x)
        // Kidneys (left slightly higher) in perirenal fat, with renal sinus fat.
        if ax > 35, a > -35, a < 40 {
            let kidneyS = x > 0 ? bodies[4].centreS + 5 : bodies[4].centreS - 15
            let ds = s - kidneyS
            if dabs(ds) < 62 {
                let sdFat = ellipsoidDistance(ax - 74, a - 8, ds, 30, 23, 60)
                blend(&v, t.fat, coverage(sdFat, inv))
                let sdKidney = ellipsoidDistance(ax - 74, a - 8, ds, 23, 16, 52)
                let c = coverage(sdKidney, inv)
                if c > 0 {
                    blend(&v, t.kidney, c)
                    let sdSinus = ellipsoidDistance(ax - 61, a - 6, ds, 8, 6, 24)
                    blend(&v, t.fat, 0.9 * coverage(sdSinus, inv))
                }
            }
        }

        let sdZone = ellipseDistance(x, a + 5, 64, 32)
        if sdZone > 30 {
            return
        }
        blend(&v, t.fat, coverage(sdZone, inv))

        // Psoas: appears at T12, grows caudally, drifts anterolaterally below L5.
        let sT12 = bodies[3].centreS
        let sL5 = bodies[8].centreS
        if s < sT12 {
            let u = dmin(1, (sT12 - s) / (sT12 - sL5))
            let radius = 19 * u.squareRoot()
            if radius > 1 {
                let below = dmax(0, sL5 - s)
                let cx = level.width * 0.5 + radius * 0.85 - 2 + below * 0.5
                let ca = -level.depth * 0.1 + radius * 0.05 - below * 0.4
                let sdPsoas = ellipseDistance(ax - cx, a - ca, radius, radius * 1.15)
                blend(&v, t.muscle, coverage(sdPsoas, inv))
            }
        }

        // Aorta (left of midline) dividing into the common iliac arteries at L4.
        let vesselA = -level.depth * 0.5
        if s > aorticBifurcationS {
            let sdAorta = ellipseDistance(x - 14, a - (vesselA - 11), 10, 10)
            blend(&v, t.artery, coverage(sdAorta, inv))
        } else {
            let d = aorticBifurcationS - s
            if d < 110 {
                let ca = vesselA - 11 + d * 0.1
                let sdLeft = ellipseDistance(x - (14 + 0.55 * d), a - ca, 6.5, 6.5)
                let sdRight = ellipseDistance(x - (14 - 0.8 * d), a - ca, 6.5, 6.5)
                blend(&v, t.artery, coverage(dmin(sdLeft, sdRight), inv))
            }
        }
        // IVC (right of midline) formed from the common iliac veins at L5.
        if s > cavalConfluenceS {
            let sdCava = ellipseDistance(x + 19, a - (vesselA - 9), 11, 8)
            blend(&v, t.vein, coverage(sdCava, inv))
        } else {
            let d = cavalConfluenceS - s
            if d < 110 {
                let ca = vesselA - 8 + d * 0.05
                let sdLeft = ellipseDistance(x - (-19 + 1.0 * d), a - ca, 7, 7)
                let sdRight = ellipseDistance(x - (-19 - 0.45 * d), a - ca, 7, 7)
                blend(&v, t.vein, coverage(dmin(sdLeft, sdRight), inv))
            }
        }
    }

    /// Paraspinal muscles (erector spinae, multifidus, quadratus lumborum) and the posterior midline (interspinous
    /// ligaments between the spinous processes, fat behind their tips).
    func paintBackMuscles(
        _ v: inout Double, _ s: Double, _ a: Double, _ x: Double, _ level: LevelShape,
        _ t: TissueSignals, _ inv: Double
    ) {
        let back = level.depth * 0.5 + level.canalDepth
        if a < back - 30 {
            return
        }
        let ax = dabs(x)
        let sdErector = ellipseDistance(ax - 41, a - (back + 22), 32, 23)
        var sdMuscle = sdErector
        if s < bodies[3].centreS, s > bodies[8].centreS - 15 {
            sdMuscle = dmin(sdMuscle, ellipseDistance(ax - 60, a - (back - 9), 17, 11))
        }
        blend(&v, t.muscle, coverage(sdMuscle, inv))
        let sdMultifidus = ellipseDistance(ax - 12, a - (back + 19), 9.5, 18)
        blend(&v, t.muscle * 1.08, coverage(sdMultifidus, inv))
        // Thin fascial fat plane between multifidus and erector spinae.
        blend(&v, t.fat, 0.55 * coverage(dabs(sdMultifidus) - 0.45, inv) * coverage(sdErector + 1, inv))
        // Posterior midline.
        let front = back + 5
        if a > front - 2 {
            let sd = dmax(ax - 3.0, front - a)
            let tip = back + 4 + bodies[level.index].spinousLength
            // Interspinous ligament (fibres with fat) between the processes, supraspinous fat behind their tips.
            let behind = smooth01((a - tip + 2) * 0.25)
            let value = (t.ligament * 0.35 + t.fat * 0.65) * (1 - behind) + t.fat * behind
            blend(&v, value, coverage(sd, inv))
        }
    }

    // MARK: Spine

    /// Index of the nearest vertebral body and the level-interpolated body/canal dimensions at arc position `s`.
    func levelShape(_ s: Double) -> LevelShape {
        var k = 0
        let last = bodies.count - 1
        while k < last, s < discMidS[k] {
            k += 1
        }
        let body = bodies[k]
        var shape = LevelShape(
            index: k, depth: body.depth, width: body.width,
            canalDepth: body.canalDepth, canalWidth: body.canalWidth
        )
        if s >= body.centreS {
            if k > 0 {
                let other = bodies[k - 1]
                let f = dmin(1, (s - body.centreS) / (other.centreS - body.centreS))
                shape.depth += (other.depth - body.depth) * f
                shape.width += (other.width - body.width) * f
                shape.canalDepth += (other.canalDepth - body.canalDepth) * f
                shape.canalWidth += (other.canalWidth - body.canalWidth) * f
            }
        } else if k < last {
            let other = bodies[k + 1]
            let f = dmin(1, (body.centreS - s) / (body.centreS - other.centreS))
            shape.depth += (other.depth - body.depth) * f
            shape.width += (other.width - body.width) * f
            shape.canalDepth += (other.canalDepth - body.canalDepth) * f
            shape.canalWidth += (other.canalWidth - body.canalWidth) * f
        }
        return shape
    }

    /// Paints the whole spinal column (canal, posterior elements, facets, sacrum, discs, bodies) over `v`.
    func paintSpine(
        _ v: inout Double, _ x: Double, _ y: Double, _ z: Double, _ s: Double, _ a: Double,
        _ level: LevelShape, _ t: TissueSignals, _ inv: Double
    ) {
        let k = level.index
        let ax = dabs(x)
        let back = level.depth * 0.5
        let depthS1 = sacrum[0].depth(y, z)
        let canalCentre = back + level.canalDepth * 0.5
        let body = bodies[k]
        let above = s >= body.centreS

        // Posterior structures (cheap bounding tests first: most pixels of a slice are far from them).
        if a > back - 6 {
            // Epidural / foraminal fat around the canal, then the lumbar canal (above the S1 endplate plane).
            let relative = a - canalCentre
            if ax < level.canalWidth * 0.5 + 14, dabs(relative) < level.canalDepth * 0.5 + 6 {
                if depthS1 < 6 {
                    let sdEnvelope = ellipseDistance(
                        ax, relative, level.canalWidth * 0.5 + 12, level.canalDepth * 0.5 + 4.5
                    )
                    blend(&v, t.fat, coverage(sdEnvelope, inv))
                }
                if depthS1 <= 0 {
                    paintCanal(&v, s, relative, x, level.canalDepth * 0.5, level.canalWidth * 0.5, true, t, inv)
                }
            }
            // Posterior elements of this vertebra and the neighbour on the same side.
            if ax < 50 {
                var sdBone = posteriorElementsDistance(body, s, a, ax)
                let neighbour = above ? k - 1 : k + 1
                if neighbour >= 0, neighbour < bodies.count {
                    sdBone = dmin(sdBone, posteriorElementsDistance(bodies[neighbour], s, a, ax))
                }
                paintBone(&v, sdBone, t.posteriorMarrow, t, inv)
            }
        }

        // Facet joints at the nearest disc level.
        let discIndex = above ? k - 1 : k
        if discIndex >= 0, ax > 4, ax < 32, a > back - 2 {
            paintFacets(&v, discs[discIndex], s, a, ax, t, inv)
        }

        // Sacrum.
        if depthS1 > -8, k == bodies.count - 1 {
            paintSacrum(&v, y, z, x, t, inv)
        }

        // Disc, then the body on top of it.
        if ax < level.width * 0.5 + 6, a < back + 8, a > -back - 6 {
            if discIndex >= 0 {
                let disc = discs[discIndex]
                let d1 = disc.upperS - s
                let d2 = disc.lumbosacral ? -depthS1 : s - disc.lowerS
                if d1 > -4, d2 > -4 {
                    paintDisc(&v, disc, d1, d2, a, x, t, inv)
                }
            }
            paintBody(&v, body, s - body.centreS, a, x, z, t, inv)
        }
    }

    /// Signed distance to the union of pedicles, laminae, spinous and transverse processes of one vertebra.
    func posteriorElementsDistance(_ body: VertebralLevel, _ s: Double, _ a: Double, _ ax: Double) -> Double {
        let sl = s - body.centreS
        let h = body.height
        let back = body.depth * 0.5
        let canal = body.canalDepth
        let halfCanalWidth = body.canalWidth * 0.5
        if a < back - 4 {
            return 100
        }
        if sl > h * 0.75 {
            return 100
        }
        if sl < -h - 12 {
            return 100
        }
        let pedicle = roundBoxDistance(
            ax - (halfCanalWidth + 4), a - (back + canal * 0.42), sl - h * 0.12,
            4.0, canal * 0.42 + 1.8, h * 0.27, 2.5
        )
        let laminaA = back + canal + 3.0 - 0.22 * ax
        let lamina = roundBoxDistance(ax, a - laminaA, sl + h * 0.12, halfCanalWidth + 6, 3.0, h * 0.42, 2.0)
        let spinousBase = back + canal + 4
        let length = body.spinousLength
        let shear = sl + h * 0.22 + body.spinousSlope * (a - spinousBase)
        // Slightly bulbous tip.
        let tipSwell = dmax(0, (a - spinousBase) / length - 0.6) * 4
        let spinousHalfHeight = (body.spinousSlope > 0.2 ? 0.22 : 0.33) * h
        let spinous = roundBoxDistance(
            ax, a - (spinousBase + length * 0.5), shear, 3.4 + tipSwell * 0.3, length * 0.5,
            spinousHalfHeight + tipSwell, 3.0
        )
        let tpLength = body.transverseLength
        let transverse = roundBoxDistance(
            ax - (halfCanalWidth + 7 + tpLength * 0.5), a - (back + canal * 0.5), sl - h * 0.05,
            tpLength * 0.5, 3.5, 4.5, 2.0
        )
        return dmin(dmin(pedicle, lamina), dmin(spinous, transverse))
    }

    /// Paints cortical shell and marrow of a bone given its signed distance.
    func paintBone(_ v: inout Double, _ sd: Double, _ marrow: Double, _ t: TissueSignals, _ inv: Double) {
        if sd > 1.5 {
            return
        }
        blend(&v, t.cortex, coverage(sd, inv))
        blend(&v, marrow, coverage(sd + 1.1, inv))
    }

    /// Facet joints (articular processes with a fluid-filled joint line) at one disc level.
    func paintFacets(
        _ v: inout Double, _ disc: DiscLevel, _ s: Double, _ a: Double, _ ax: Double,
        _ t: TissueSignals, _ inv: Double
    ) {
        let centreS = (disc.upperS + disc.lowerS) * 0.5 + 2
        let dx = ax - disc.facetX
        let da = a - disc.facetA
        let ds = s - centreS
        let sdBlob = ellipsoidDistance(dx, da, ds, 7, 8.5, disc.facetRadiusS)
        if sdBlob > 1.5 {
            return
        }
        paintBone(&v, sdBlob, t.posteriorMarrow, t, inv)
        // Joint line: runs from anteromedial to posterolateral.
        let joint = dabs(dx - 0.75 * da) * 0.8
        let inside = coverage(sdBlob + 1.2, inv)
        if inside > 0 {
            blend(&v, t.cortex, inside * coverage(joint - 1.7, inv))
            blend(&v, t.jointFluid, inside * coverage(joint - 0.55, inv))
        }
    }

    /// Paints canal contents: ligamentum flavum (lumbar), epidural fat, thecal sac with CSF, cord/conus, cauda equina
    /// roots and filum terminale. `aRel` is measured from the canal centre.
    func paintCanal(
        _ v: inout Double, _ sEq: Double, _ aRel: Double, _ x: Double, _ semiA: Double, _ semiW: Double,
        _ lumbar: Bool, _ t: TissueSignals, _ inv: Double
    ) {
        if lumbar {
            let sdFlavum = dmax(ellipseDistance(x, aRel, semiW + 2.5, semiA + 3.2), -aRel - 1)
            blend(&v, t.ligament, coverage(sdFlavum, inv))
        }
        let sdCanal = ellipseDistance(x, aRel, semiW, semiA)
        if sdCanal > 1.5 {
            return
        }
        blend(&v, t.fat, coverage(sdCanal, inv))
        let taper = dmin(1, (sEq - sacEndS) * (1.0 / 14.0))
        if taper <= 0 {
            return
        }
        let shrink = taper.squareRoot()
        let sacA = dmax(0.5, semiA - 1.2) * shrink
        let sacW = dmax(0.5, semiW - 1.8) * shrink
        let sacRel = aRel + 0.7
        let sdSac = ellipseDistance(x, sacRel, sacW, sacA)
        let csf = coverage(sdSac, inv)
        if csf <= 0 {
            return
        }
        blend(&v, t.csf, csf)
        let ax = dabs(x)

        // Cauda equina: six root pairs on a dorsal crescent (sacral roots medial), each drifting anterolaterally
        // before it leaves the sac.
        if sEq < conusTipS + 30 {
            for n in 0..<6 {
                let exitS = rootExitS[n]
                if sEq < exitS - 4 {
                    continue
                }
                let angle = Double(5 - n) * 0.32 + 0.2
                var rx = 0.72 * sacW * DeterministicMath.sin(angle)
                var ra = 0.62 * sacA * DeterministicMath.cos(angle)
                var e = (exitS + 20 - sEq) * 0.05
                e = e < 0 ? 0 : (e > 1 ? 1 : e)
                rx += e * e * 10
                ra -= e * 4
                let radius = 0.85 + 0.05 * Double(n)
                let da = sacRel - ra
                let dx = ax - rx
                let d = (da * da + dx * dx).squareRoot() - radius
                if d < 1.5 {
                    blend(&v, t.root, csf * coverage(d, inv))
                }
            }
        }
        // Spinal cord tapering into the conus, then the filum terminale.
        if sEq > conusTipS - 1 {
            var f = (sEq - conusTipS) * (1.0 / 25.0)
            f = f < 0 ? 0 : (f > 1 ? 1 : f)
            let sdCord = ellipseDistance(x, sacRel - 0.5, 0.7 + 4.3 * f, 0.7 + 3.1 * f)
            blend(&v, t.cord, csf * coverage(sdCord, inv))
        } else {
            let da = sacRel - 1.8
            let d = (da * da + x * x).squareRoot() - 0.6
            blend(&v, t.root, csf * 0.8 * coverage(d, inv))
        }
    }

    /// Paints one intervertebral disc (annulus, nucleus, optional HIZ and protrusion).
    /// `d1`/`d2` are the distances below the upper and above the lower endplate (positive inside).
    func paintDisc(
        _ v: inout Double, _ disc: DiscLevel, _ d1: Double, _ d2: Double, _ a: Double, _ x: Double,
        _ t: TissueSignals, _ inv: Double
    ) {
        let localHeight = dmax(1, d1 + d2)
        let sc = (d2 - d1) * 0.5
        var hz = sc / (0.5 * localHeight)
        hz = hz > 1 ? 1 : (hz < -1 ? -1 : hz)
        let bulge = disc.bulge * (1 - hz * hz)
        let f = footprintDistance(a, x, disc.depth - 0.6, disc.width - 0.6) - bulge
        let qa = a / (disc.depth * 0.5)
        let qx = x / (disc.width * 0.5)
        let q = qa * qa + qx * qx
        let concavity = q < 1 ? 1.4 * (1 - q) : 0
        let vertical = dmax(-d1 - concavity, -d2 - concavity)
        var sd = roundedIntersection(f, vertical, 1.0)
        if disc.hasProtrusion {
            let p = disc.protrusion
            sd = dmin(sd, ellipsoidDistance(a - p.a, x - p.x, sc - p.s, p.radiusA, p.radiusX, p.radiusS))
        }
        let c = coverage(sd, inv)
        if c <= 0 {
            return
        }
        blend(&v, t.annulus, c)

        // Nucleus pulposus with a soft transition into the inner annulus.
        if disc.degenerated {
            let sdNucleus = ellipsoidDistance(a - 0.5, x, sc, disc.depth * 0.25, disc.width * 0.27, localHeight * 0.3)
            let texture =
                1 + 0.16
                * DeterministicNoise.valueNoise(
                    (0.8 * a + 0.6 * x) * 0.28, (0.8 * x - 0.6 * a) * 0.28 + sc * 0.3, seed: 0xD15C
                )
            blend(&v, t.degeneratedNucleus * texture, c * softCoverage(sdNucleus, 1.0 / 2.0))
        } else {
            let sdNucleus = ellipsoidDistance(a - 1.0, x, sc, disc.depth * 0.3, disc.width * 0.3, localHeight * 0.36)
            var nucleus = t.nucleus
            // Intranuclear cleft: a faint, thin darker horizontal band (normal adult finding on sagittal T2).
            let cleft = dabs(sc) * (1.0 / 0.6)
            if cleft < 1 {
                let across = a / (disc.depth * 0.3)
                let weight = 1 - across * across
                if weight > 0 {
                    nucleus += (t.annulus - nucleus) * 0.15 * (1 - cleft) * weight
                }
            }
            blend(&v, nucleus, c * softCoverage(sdNucleus, 1.0 / 2.4))
        }
        if disc.hasProtrusion {
            let p = disc.tongue
            let sdTongue = ellipsoidDistance(a - p.a, x - p.x, sc - p.s, p.radiusA, p.radiusX, p.radiusS)
            blend(&v, t.nucleus * 0.4 + t.annulus * 0.6, c * softCoverage(sdTongue, 1.0 / 1.2))
        }
        if disc.hiz.radiusA > 0 {
            let h = disc.hiz
            let sdHIZ = ellipsoidDistance(a - h.a, x - h.x, sc - h.s, h.radiusA, h.radiusX, h.radiusS)
            blend(&v, t.hiz, c * softCoverage(sdHIZ, 1.0 / 0.7))
        }
    }

    /// Paints one vertebral body (cortex, endplates, marrow and basivertebral vein). `sl` is `s` relative to its
    /// centre.
    func paintBody(
        _ v: inout Double, _ body: VertebralLevel, _ sl: Double, _ a: Double, _ x: Double, _ z: Double,
        _ t: TissueSignals, _ inv: Double
    ) {
        let h = body.height
        if dabs(sl) > h * 0.5 + 2 {
            return
        }
        if dabs(a + 0.5) > body.depth * 0.5 + 2.5 {
            return
        }
        let hz = 2 * sl / h
        var anterior = (body.depth * 0.35 - a) * (1.0 / 6.0)
        anterior = anterior < 0 ? 0 : (anterior > 1 ? 1 : anterior)
        let waist = 1.2 * dmax(0, 1 - hz * hz) * anterior
        let f = footprintDistance(a, x, body.depth, body.width) + waist
        let qa = a / (body.depth * 0.5)
        let qx = x / (body.width * 0.5)
        let q = qa * qa + qx * qx
        let concavity = q < 1 ? 1.4 * (1 - q) : 0
        let vertical = dabs(sl) - (h * 0.5 - concavity)
        let sd = roundedIntersection(f, vertical, 2.0)
        if sd > 1.5 {
            return
        }
        blend(&v, t.cortex, coverage(sd, inv))
        let inner = coverage(sd + 1.1, inv)
        if inner > 0 {
            let mottle = DeterministicNoise.valueNoise(x * 0.22 + z * 0.07, a * 0.22 - z * 0.15, seed: 0xB0AE)
            blend(&v, t.marrow * (1 + 0.07 * mottle), inner)
            // Basivertebral venous plexus entering from the posterior wall.
            let sdVein = ellipsoidDistance(a - (body.depth * 0.5 - 5), x, sl, 5.5, 2.5, 1.6)
            blend(&v, t.basivertebral, inner * 0.8 * coverage(sdVein, inv))
        }
    }

    /// Paints the sacrum: fused segments (bodies, alae, dorsal plate, median crest), residual discs and the sacral
    /// canal.
    func paintSacrum(_ v: inout Double, _ y: Double, _ z: Double, _ x: Double, _ t: TissueSignals, _ inv: Double) {
        var k = 0
        var segment = sacrum[0]
        var dd = segment.depth(y, z)
        let last = sacrum.count - 1
        while k < last, dd > segment.height {
            k += 1
            segment = sacrum[k]
            dd = segment.depth(y, z)
        }
        let aS = segment.posterior(y, z)
        let ax = dabs(x)
        var sd = sacralBoneDistance(segment, k == 0, dd, aS, ax)
        let neighbour = dd > segment.height * 0.5 ? k + 1 : k - 1
        if neighbour >= 0, neighbour <= last {
            let other = sacrum[neighbour]
            sd = dmin(sd, sacralBoneDistance(other, neighbour == 0, other.depth(y, z), other.posterior(y, z), ax))
        }
        paintBone(&v, sd, t.marrow * 0.95, t, inv)

        // Residual (rudimentary) discs between S1-S2 and S2-S3.
        if k <= 2 {
            // Junction index j sits between segments j and j+1 (0 = S1-S2, 1 = S2-S3).
            let lowerHalf = dd > segment.height * 0.5
            let junction = lowerHalf ? k : k - 1
            if junction >= 0, junction <= 1 {
                let lineD = lowerHalf ? dd - segment.height : dd
                let f = footprintDistance(aS, x, segment.depth, segment.width) + 4
                let sdLine = dmax(dabs(lineD) - 0.9, f)
                blend(&v, t.sacralDisc, (junction == 0 ? 0.8 : 0.45) * coverage(sdLine, inv))
            }
        }

        // Sacral canal and its contents (the thecal sac ends at S2).
        if k > 0 ? true : dd > 0 {
            let canal = segment.canal(dd)
            let aRel = aS - canal.centre
            let flavum = k == 0 ? dd < 8 : false
            paintCanal(&v, segment.topS - dd, aRel, x, canal.semiA, canal.semiW, flavum, t, inv)
        }
    }

    /// Signed distance to the bone of one sacral segment in its own frame (`dd` = depth below its top endplate).
    func sacralBoneDistance(
        _ segment: SacralSegment, _ first: Bool, _ dd: Double, _ aS: Double, _ ax: Double
    ) -> Double {
        let h = segment.height
        var taper = dd / h
        taper = taper < 0 ? 0 : (taper > 1 ? 1 : taper)
        let bodyDepth = segment.depth + (segment.bottomDepth - segment.depth) * taper
        let bodyWidth = segment.width + (segment.bottomWidth - segment.width) * taper
        let halfDepth = bodyDepth * 0.5
        let canal = segment.canal(dd)
        let canalBack = canal.centre + canal.semiA
        let bottom = dd - (h + segment.bottomOverlap)
        var top: Double
        if first {
            let qa = aS / halfDepth
            let qx = ax / (bodyWidth * 0.5)
            let q = qa * qa + qx * qx
            top = (q < 1 ? 1.4 * (1 - q) : 0) - dd
        } else {
            top = -segment.topOverlap - dd
        }
        let f = footprintDistance(aS, ax, bodyDepth, bodyWidth)
        var sd = roundedIntersection(f, dmax(top, bottom), 2.0)
        // Lateral masses (alae).
        let topMass = first ? 3.0 : -segment.topOverlap
        let midS = (topMass + h + segment.bottomOverlap) * 0.5
        let halfS = (h + segment.bottomOverlap - topMass) * 0.5
        if segment.alaWidth > 0 {
            let inner = bodyWidth * 0.5 - 6
            let front = -halfDepth + 7
            let rear = canalBack + 3
            let mass = roundBoxDistance(
                ax - (inner + segment.alaWidth) * 0.5, aS - (front + rear) * 0.5, dd - midS,
                (segment.alaWidth - inner) * 0.5, (rear - front) * 0.5, halfS, 4
            )
            sd = dmin(sd, mass)
        }
        // Dorsal plate (fused laminae) and median crest.
        let plateTop = first ? 6.0 : -segment.topOverlap
        let plateMid = (plateTop + h + segment.bottomOverlap) * 0.5
        let plateHalf = (h + segment.bottomOverlap - plateTop) * 0.5
        let plate = roundBoxDistance(
            ax, aS - (canalBack + 2.5), dd - plateMid, canal.semiW + 6, 2.5, plateHalf, 1.5
        )
        let crest = roundBoxDistance(ax, aS - (canalBack + 6), dd - plateMid, 2.5, 2.5, plateHalf, 1.5)
        return dmin(sd, dmin(plate, crest))
    }
}

// MARK: - Model components

/// Signal intensities of every tissue class for one weighting (12-bit scale).
struct TissueSignals: Sendable {
    /// Air outside the body (before noise).
    var air: Double
    /// Skin.
    var skin: Double
    /// Subcutaneous, epidural and retroperitoneal fat.
    var fat: Double
    /// Skeletal muscle (paraspinal, psoas, abdominal wall).
    var muscle: Double
    /// Mean bowel content.
    var bowel: Double
    /// Relative amplitude of the bowel texture.
    var bowelContrast: Double
    /// Cerebrospinal fluid.
    var csf: Double
    /// Spinal cord / conus.
    var cord: Double
    /// Cauda equina nerve roots and filum.
    var root: Double
    /// Normal nucleus pulposus.
    var nucleus: Double
    /// Desiccated (Pfirrmann IV-like) nucleus.
    var degeneratedNucleus: Double
    /// Annulus fibrosus.
    var annulus: Double
    /// High-intensity zone in the posterior annulus.
    var hiz: Double
    /// Vertebral body marrow.
    var marrow: Double
    /// Marrow of the posterior elements.
    var posteriorMarrow: Double
    /// Cortical bone and endplates.
    var cortex: Double
    /// Ligaments (flavum, interspinous).
    var ligament: Double
    /// Arterial flow void (aorta, iliac arteries).
    var artery: Double
    /// Slow venous flow (IVC, iliac veins).
    var vein: Double
    /// Renal parenchyma.
    var kidney: Double
    /// Facet joint fluid/cartilage.
    var jointFluid: Double
    /// Basivertebral venous plexus.
    var basivertebral: Double
    /// Rudimentary sacral discs.
    var sacralDisc: Double

    /// T2-weighted fast spin echo values.
    static let t2 = TissueSignals(
        air: 15, skin: 900, fat: 2200, muscle: 600, bowel: 1100, bowelContrast: 0.35, csf: 3000, cord: 1000,
        root: 950, nucleus: 2600, degeneratedNucleus: 900, annulus: 500, hiz: 3200, marrow: 1100,
        posteriorMarrow: 1000, cortex: 150, ligament: 300, artery: 120, vein: 380, kidney: 1500, jointFluid: 2300,
        basivertebral: 1700, sacralDisc: 1500
    )

    /// T1-weighted spin echo values.
    static let t1 = TissueSignals(
        air: 15, skin: 1100, fat: 2800, muscle: 900, bowel: 800, bowelContrast: 0.25, csf: 500, cord: 1200,
        root: 1150, nucleus: 1000, degeneratedNucleus: 880, annulus: 700, hiz: 780, marrow: 2000,
        posteriorMarrow: 1800, cortex: 150, ligament: 400, artery: 150, vein: 300, kidney: 1000, jointFluid: 550,
        basivertebral: 2300, sacralDisc: 900
    )
}

/// The spinal axis in the sagittal plane: a lordotic circular arc (centre posterior to the spine, apex at s = 0)
/// continued above `junctionS` (the thoracolumbar junction) by its tangent line.
///
/// Spine coordinates: `s` = arc length along the axis (mm, + superior, 0 at the apex), `a` = signed distance from the
/// axis (mm, + posterior), `x` = patient x unchanged.
struct SpinalArc: Sendable {
    /// Patient y of the arc centre.
    let centreY: Double
    /// Patient z of the arc centre.
    let centreZ: Double
    /// Arc radius (mm).
    let radius: Double
    /// Arc length above which the axis is straight.
    let junctionS: Double
    /// Patient y of the junction point.
    let junctionY: Double
    /// Patient z of the junction point.
    let junctionZ: Double
    /// Sine of the axis tilt at (and above) the junction.
    let junctionSin: Double
    /// Cosine of the axis tilt at (and above) the junction.
    let junctionCos: Double

    /// Axis whose most anterior point (apex) is at (apexY, apexZ), straight above arc length `junctionS`.
    init(apexY: Double, apexZ: Double, radius: Double, junctionS: Double) {
        self.centreY = apexY + radius
        self.centreZ = apexZ
        self.radius = radius
        self.junctionS = junctionS
        let angle = junctionS / radius
        junctionSin = DeterministicMath.sin(angle)
        junctionCos = DeterministicMath.cos(angle)
        junctionY = centreY - radius * junctionCos
        junctionZ = centreZ + radius * junctionSin
    }

    /// Spine coordinates (s, a) of the patient point (y, z).
    @inline(__always)
    func local(_ y: Double, _ z: Double) -> (s: Double, a: Double) {
        let dy = centreY - y
        let dz = z - centreZ
        // Beyond the radial line through the junction point the axis is straight.
        if dz * junctionCos > dy * junctionSin {
            let ry = y - junctionY
            let rz = z - junctionZ
            return (junctionS + ry * junctionSin + rz * junctionCos, ry * junctionCos - rz * junctionSin)
        }
        return (radius * DeterministicMath.atan2(dz, dy), radius - (dy * dy + dz * dz).squareRoot())
    }

    /// Patient (y, z) of spine coordinates (s, a).
    func patient(s: Double, a: Double) -> (y: Double, z: Double) {
        if s > junctionS {
            let d = s - junctionS
            return (junctionY + d * junctionSin + a * junctionCos, junctionZ + d * junctionCos - a * junctionSin)
        }
        let angle = s / radius
        return (
            centreY - (radius - a) * DeterministicMath.cos(angle),
            centreZ + (radius - a) * DeterministicMath.sin(angle)
        )
    }

    /// Patient y of the axis at height z.
    @inline(__always)
    func axisY(_ z: Double) -> Double {
        if z > junctionZ {
            return junctionY + (z - junctionZ) * junctionSin / junctionCos
        }
        let dz = z - centreZ
        let h = radius * radius - dz * dz
        return centreY - (h > 0 ? h.squareRoot() : 0)
    }
}

/// Dimensions of one mobile vertebra (mm, arc coordinates).
struct VertebralLevel: Sendable {
    /// Arc position of the body centre.
    var centreS: Double
    /// Body height.
    var height: Double
    /// Body AP depth.
    var depth: Double
    /// Body left-right width.
    var width: Double
    /// Canal AP diameter.
    var canalDepth: Double
    /// Canal transverse diameter.
    var canalWidth: Double
    /// Caudal slant of the spinous process per mm posterior.
    var spinousSlope: Double
    /// Length of the spinous process.
    var spinousLength: Double
    /// Length of each transverse process.
    var transverseLength: Double
}

/// Level-interpolated dimensions at one arc position.
struct LevelShape: Sendable {
    /// Index of the nearest vertebral body.
    var index: Int
    /// Body AP depth.
    var depth: Double
    /// Body width.
    var width: Double
    /// Canal AP diameter.
    var canalDepth: Double
    /// Canal width.
    var canalWidth: Double
}

/// An axis-aligned ellipsoid in disc-local coordinates (a, x, s-offset from the disc mid-plane).
struct Ellipsoid: Sendable {
    /// Centre, spine `a` (mm).
    var a: Double
    /// Centre, patient x (mm).
    var x: Double
    /// Centre, offset from the disc mid-plane (mm, + superior).
    var s: Double
    /// Semi-axis along `a`.
    var radiusA: Double
    /// Semi-axis along `x`.
    var radiusX: Double
    /// Semi-axis along `s`.
    var radiusS: Double

    /// An empty (absent) ellipsoid.
    static let none = Ellipsoid(a: 0, x: 0, s: 0, radiusA: 0, radiusX: 0, radiusS: 0)
}

/// One intervertebral disc.
struct DiscLevel: Sendable {
    /// Arc `s` of the upper endplate (inferior endplate of the body above).
    var upperS: Double
    /// Arc `s` of the lower endplate (for L5-S1: the centre of the tilted S1 endplate).
    var lowerS: Double
    /// Nominal height at the centre.
    var height: Double
    /// AP depth.
    var depth: Double
    /// Width.
    var width: Double
    /// Radial bulge at mid-height (mm).
    var bulge: Double
    /// Degenerated (dark, thin) disc.
    var degenerated: Bool
    /// L5-S1: the lower endplate is the tilted S1 plane.
    var lumbosacral: Bool
    /// Lateral offset of the facet joints.
    var facetX: Double
    /// AP position of the facet joints.
    var facetA: Double
    /// Cranio-caudal semi-axis of the facet complex.
    var facetRadiusS: Double
    /// High-intensity zone (radiusA == 0 when absent).
    var hiz: Ellipsoid = .none
    /// Whether the disc has a focal posterior protrusion.
    var hasProtrusion: Bool = false
    /// Protrusion bump.
    var protrusion: Ellipsoid = .none
    /// Tongue of nuclear material reaching into the protrusion.
    var tongue: Ellipsoid = .none
}

/// One sacral/coccygeal segment in its own rigid sagittal frame.
struct SacralSegment: Sendable {
    /// Patient y of the centre of its superior endplate.
    var originY: Double
    /// Patient z of the centre of its superior endplate.
    var originZ: Double
    /// Superior direction (y component).
    var upY: Double
    /// Superior direction (z component).
    var upZ: Double
    /// Posterior direction (y component).
    var postY: Double
    /// Posterior direction (z component).
    var postZ: Double
    /// Height along its axis.
    var height: Double
    /// AP depth of the body.
    var depth: Double
    /// Width of the body.
    var width: Double
    /// Half-width across the lateral masses (0 = none).
    var alaWidth: Double
    /// Canal AP diameter.
    var canalDepth: Double
    /// Canal width.
    var canalWidth: Double
    /// Arc-equivalent `s` of its superior endplate (continues the lumbar `s` for canal contents).
    var topS: Double
    /// Extra length below the inferior endplate so fused segments overlap across the hinge.
    var bottomOverlap: Double
    /// Extra length above the superior endplate so fused segments overlap across the hinge.
    var topOverlap: Double
    /// Body depth at the inferior end (tapers linearly from `depth`).
    var bottomDepth: Double = 0
    /// Body width at the inferior end (tapers linearly from `width`).
    var bottomWidth: Double = 0
    /// Canal centre (`a` in this frame) at the superior end; continues the lumbar canal for S1.
    var canalCentreTop: Double = 0
    /// Canal centre at the inferior end.
    var canalCentreBottom: Double = 0
    /// Canal AP semi-axis at the superior end.
    var canalSemiATop: Double = 0
    /// Canal AP semi-axis at the inferior end.
    var canalSemiABottom: Double = 0
    /// Canal transverse semi-axis at the superior end.
    var canalSemiWTop: Double = 0
    /// Canal transverse semi-axis at the inferior end.
    var canalSemiWBottom: Double = 0

    /// Canal centre, AP and transverse semi-axes at depth `dd` below the superior endplate.
    @inline(__always)
    func canal(_ dd: Double) -> (centre: Double, semiA: Double, semiW: Double) {
        var f = dd / height
        f = f < 0 ? 0 : (f > 1 ? 1 : f)
        return (
            canalCentreTop + (canalCentreBottom - canalCentreTop) * f,
            canalSemiATop + (canalSemiABottom - canalSemiATop) * f,
            canalSemiWTop + (canalSemiWBottom - canalSemiWTop) * f
        )
    }

    /// Distance below the superior endplate plane (positive = inside/below).
    @inline(__always)
    func depth(_ y: Double, _ z: Double) -> Double {
        -((y - originY) * upY + (z - originZ) * upZ)
    }

    /// Distance posterior to the segment axis.
    @inline(__always)
    func posterior(_ y: Double, _ z: Double) -> Double {
        (y - originY) * postY + (z - originZ) * postZ
    }
}

// MARK: - Distance-field helpers

/// |v| for Doubles (concrete, so unoptimised builds avoid the generic `abs`).
@inline(__always)
func dabs(_ v: Double) -> Double {
    v < 0 ? -v : v
}

/// The smaller of two Doubles (concrete, so unoptimised builds avoid the generic `min`).
@inline(__always)
func dmin(_ a: Double, _ b: Double) -> Double {
    a < b ? a : b
}

/// The larger of two Doubles (concrete, so unoptimised builds avoid the generic `max`).
@inline(__always)
func dmax(_ a: Double, _ b: Double) -> Double {
    a > b ? a : b
}

/// Smoothstep partial-volume coverage of a signed distance `d` (negative inside) over an edge of width 1/`inv`.
@inline(__always)
func coverage(_ d: Double, _ inv: Double) -> Double {
    let t = 0.5 - d * inv
    if t <= 0 { return 0 }
    if t >= 1 { return 1 }
    return t * t * (3 - 2 * t)
}

/// Like `coverage` but with its own (wider) transition, for gradual tissue boundaries.
@inline(__always)
func softCoverage(_ d: Double, _ inv: Double) -> Double {
    coverage(d, inv)
}

/// Mixes `value` towards `target` by `amount` (0…1).
@inline(__always)
func blend(_ value: inout Double, _ target: Double, _ amount: Double) {
    if amount > 0 {
        value += (target - value) * amount
    }
}

/// Approximate signed distance to an axis-aligned ellipse with semi-axes (rx, ry).
@inline(__always)
func ellipseDistance(_ px: Double, _ py: Double, _ rx: Double, _ ry: Double) -> Double {
    let ux = px / rx
    let uy = py / ry
    let k0 = (ux * ux + uy * uy).squareRoot()
    let vx = ux / rx
    let vy = uy / ry
    let k1 = (vx * vx + vy * vy).squareRoot()
    if k1 < 1e-12 {
        return -dmin(rx, ry)
    }
    return k0 * (k0 - 1) / k1
}

/// Approximate signed distance to an axis-aligned ellipsoid.
@inline(__always)
func ellipsoidDistance(
    _ px: Double, _ py: Double, _ pz: Double, _ rx: Double, _ ry: Double, _ rz: Double
) -> Double {
    let ux = px / rx
    let uy = py / ry
    let uz = pz / rz
    let k0 = (ux * ux + uy * uy + uz * uz).squareRoot()
    let vx = ux / rx
    let vy = uy / ry
    let vz = uz / rz
    let k1 = (vx * vx + vy * vy + vz * vz).squareRoot()
    if k1 < 1e-12 {
        return -dmin(rx, dmin(ry, rz))
    }
    return k0 * (k0 - 1) / k1
}

/// Signed distance to an axis-aligned box with half-sizes (bx, by, bz) and edges rounded with radius r.
@inline(__always)
func roundBoxDistance(
    _ px: Double, _ py: Double, _ pz: Double, _ bx: Double, _ by: Double, _ bz: Double, _ r: Double
) -> Double {
    let qx = dabs(px) - bx + r
    let qy = dabs(py) - by + r
    let qz = dabs(pz) - bz + r
    let mx = qx > 0 ? qx : 0
    let my = qy > 0 ? qy : 0
    let mz = qz > 0 ? qz : 0
    let inside = dmax(qx, dmax(qy, qz))
    return (mx * mx + my * my + mz * mz).squareRoot() + (inside < 0 ? inside : 0) - r
}

/// Signed distance to an axis-aligned rectangle with half-sizes (bx, by) and corner radius r.
@inline(__always)
func roundedRectDistance(_ px: Double, _ py: Double, _ bx: Double, _ by: Double, _ r: Double) -> Double {
    let qx = dabs(px) - bx + r
    let qy = dabs(py) - by + r
    let mx = qx > 0 ? qx : 0
    let my = qy > 0 ? qy : 0
    let inside = dmax(qx, qy)
    return (mx * mx + my * my).squareRoot() + (inside < 0 ? inside : 0) - r
}

/// Intersection of two distance fields (e.g. a horizontal footprint and a vertical slab) with the crease rounded by
/// radius r.
@inline(__always)
func roundedIntersection(_ d1: Double, _ d2: Double, _ r: Double) -> Double {
    let qx = d1 + r
    let qy = d2 + r
    let mx = qx > 0 ? qx : 0
    let my = qy > 0 ? qy : 0
    let inside = dmax(qx, qy)
    return (mx * mx + my * my).squareRoot() + (inside < 0 ? inside : 0) - r
}

/// Axial footprint of a vertebral body or disc: an ellipse with a flattened, slightly concave posterior wall
/// (kidney shape). Anterior margin at a = −depth/2, posterior wall at a = +depth/2.
@inline(__always)
func footprintDistance(_ a: Double, _ x: Double, _ depth: Double, _ width: Double) -> Double {
    let ellipse = ellipseDistance(a - depth * 0.06, x, depth * 0.56, width * 0.5)
    let xn = x / (width * 0.45)
    let concave = xn * xn < 1 ? 1.5 * (1 - xn * xn) : 0
    let wall = a - (depth * 0.5 - concave)
    return dmax(ellipse, wall)
}
