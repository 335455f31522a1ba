// SPIDER's endplate gradings (van der Graaf et al., Sci Data 2024; dataset description on Zenodo):
// "Modic changes (type I, II or III)" and "upper and lower endplate changes / Schmorl nodes (binary)", all per
// IVD level. The paper gives no further definition; the choices below are the faithful ones we could make.

extension SPIDERRow {
    /// `Modic` (0–3, one value per disc, no endplate named) → `modic`.
    ///
    /// Annulus records Modic per endplate. A 0 means no Modic change at the disc, so both endplates are type 0:
    /// `modic upper=0 lower=0`. A type 1–3 does not say which endplate (or whether both) is affected, so it is
    /// reported for a reader to place rather than guessed onto one or both endplates. Uncertain: SPIDER does not
    /// say whether 0 was also written for "not assessable".
    mutating func mapModic() {
        switch value(.modic, in: 0...3) {
        case .grade(0):
            add(.modic, ["upper=0", "lower=0"], from: [.modic])
        case .grade(let type):
            report(
                .modic,
                "SPIDER gives Modic type \(type) for the disc without saying which endplate; Annulus records Modic "
                    + "per endplate: check the images and add modic upper=\(type) and/or lower=\(type)"
            )
        case .empty, .invalid:
            reportUnreadable(.modic, allowed: "0 for none, or type 1, 2 or 3")
        }
    }

    /// `UP endplate` and `LOW endplate` (0/1: endplate change / Schmorl node above and below the disc) →
    /// `schmorl` (Annulus's "Schmorl node / endplate defect").
    ///
    /// Both read: one finding, `present=no` for 0/0, else `present=yes` with `endplate=upper`, `lower` or
    /// `both`. When one is unreadable, a 1 in the other is still imported for its endplate alone; a 0 is
    /// reported, since `present=no` would speak for both endplates.
    mutating func mapEndplates() {
        let up = value(.upEndplate, in: 0...1)
        let low = value(.lowEndplate, in: 0...1)
        if case .grade(let upper) = up, case .grade(let lower) = low {
            switch (upper, lower) {
            case (0, 0): add(.schmorl, ["present=no"], from: [.upEndplate, .lowEndplate])
            case (1, 1): add(.schmorl, ["present=yes", "endplate=both"], from: [.upEndplate, .lowEndplate])
            case (1, _): add(.schmorl, ["present=yes", "endplate=upper"], from: [.upEndplate, .lowEndplate])
            default: add(.schmorl, ["present=yes", "endplate=lower"], from: [.upEndplate, .lowEndplate])
            }
            return
        }
        for (column, reading, other, endplate) in [
            (SPIDERColumn.upEndplate, up, SPIDERColumn.lowEndplate, "upper"),
            (.lowEndplate, low, .upEndplate, "lower"),
        ] {
            switch reading {
            case .grade(1):
                add(.schmorl, ["present=yes", "endplate=\(endplate)"], from: [column])
            case .grade:
                report(
                    column,
                    "\(column.name) 0 not imported: \(other.name) is unreadable, and schmorl present=no would speak "
                        + "for both endplates; correct \(other.name)"
                )
            case .empty, .invalid:
                reportUnreadable(column, allowed: "0 or 1")
            }
        }
    }
}
