// SPIDER's disc gradings (van der Graaf et al., Sci Data 2024; dataset description on Zenodo): spondylolisthesis,
// disc herniation, disc narrowing and disc bulging "(binary)", and "Pfirrman grade (grade 1 to 5)", per IVD level.

extension SPIDERRow {
    /// `Pfirrman grade` (1–5) → `pfirrmann grade=N`, read by `Finding.parse` (which also accepts I–V and
    /// reports grades outside 1–5).
    mutating func mapPfirrmann() {
        let text = text(.pfirrmann)
        guard !text.isEmpty else {
            reportUnreadable(.pfirrmann, allowed: "1 to 5")
            return
        }
        add(.pfirrmann, ["grade=\(text.wholeNumber.map(String.init) ?? text)"], from: [.pfirrmann])
    }

    /// `Spondylolisthesis` (0/1) → `spondylolisthesis grade=0` for 0; a 1 is reported, since SPIDER gives
    /// presence only and Annulus needs a Meyerding grade.
    mutating func mapSpondylolisthesis() {
        switch value(.spondylolisthesis, in: 0...1) {
        case .grade(0):
            add(.spondylolisthesis, ["grade=0"], from: [.spondylolisthesis])
        case .grade:
            report(
                .spondylolisthesis,
                "SPIDER gives presence only, Annulus needs a Meyerding grade: measure the slip and add "
                    + "spondylolisthesis grade=I–V"
            )
        case .empty, .invalid:
            reportUnreadable(.spondylolisthesis, allowed: "0 or 1")
        }
    }

    /// `Disc herniation` and `Disc bulging` (0/1 each) → one `contour`: 0/0 → `type=normal` (Nomenclature 2.0
    /// contours are normal, bulge or a herniation, so neither means normal); herniation 0, bulging 1 →
    /// `type=bulge` (taken in the Nomenclature 2.0 sense; SPIDER does not define it). A herniation is reported,
    /// not guessed: SPIDER does not say protrusion, extrusion or sequestration, and Annulus records one contour
    /// per disc, so the bulging value waits with it.
    mutating func mapContour() {
        let herniation = value(.herniation, in: 0...1)
        let bulging = value(.bulging, in: 0...1)
        switch (herniation, bulging) {
        case (.grade(0), .grade(0)):
            add(.contour, ["type=normal"], from: [.herniation, .bulging])
        case (.grade(0), .grade(1)):
            add(.contour, ["type=bulge"], from: [.herniation, .bulging])
        case (.grade(1), _):
            report(
                .herniation,
                "SPIDER gives disc herniation presence only; Annulus needs its type: read the images and add "
                    + "contour type=protrusion, extrusion or sequestration"
            )
            if case .grade(let value) = bulging {
                report(
                    .bulging,
                    "Disc bulging \(value) not imported: the disc also has a herniation and Annulus records one "
                        + "contour per disc, the herniation's type once known"
                )
            } else {
                reportUnreadable(.bulging, allowed: "0 or 1")
            }
        case (.grade(let value), _):
            report(
                .herniation,
                "Disc herniation \(value) not imported: without Disc bulging the contour (normal or bulge) is "
                    + "unknown; correct Disc bulging"
            )
            reportUnreadable(.bulging, allowed: "0 or 1")
        default:
            reportUnreadable(.herniation, allowed: "0 or 1")
            if case .grade(let value) = bulging {
                report(
                    .bulging,
                    "Disc bulging \(value) not imported: without Disc herniation the contour is unknown; "
                        + "correct Disc herniation"
                )
            } else {
                reportUnreadable(.bulging, allowed: "0 or 1")
            }
        }
    }

    /// `Disc narrowing` → always reported: Annulus has no narrowing grade, only `height-loss` as a percentage of
    /// the adjacent normal disc, which a grade cannot give. (The dataset's description calls the grade binary;
    /// 0–3 is accepted in case a finer scale was used.)
    mutating func mapNarrowing() {
        switch value(.narrowing, in: 0...3) {
        case .grade(let grade):
            report(
                .narrowing,
                "Disc narrowing \(grade) has no Annulus equivalent: Annulus records height loss as a percentage of "
                    + "the adjacent normal disc, which a SPIDER grade cannot give; measure it and add "
                    + "height-loss percent=… if needed"
            )
        case .empty, .invalid:
            reportUnreadable(.narrowing, allowed: "0 to 3")
        }
    }
}
