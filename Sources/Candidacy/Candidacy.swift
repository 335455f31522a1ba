/// Candidacy: clinical intake, the versioned rule file and the explained per-level evaluation of candidacy for
/// intra-annular fibrin injection. Pure values: no store, no command line.
///
/// The fixed wording every evaluation carries.
public enum CandidacyWording {
    /// Shown with every evaluation.
    public static let disclaimer =
        "Decision support only: preliminary until a clinician signs the findings; "
        + "the phase 3 trial NCT01011816 was stopped for lack of efficacy"

    /// Shown when unsigned findings were counted.
    public static let draftsStatement =
        "Includes draft (unsigned) findings: this evaluation is not based on a clinician's signed read"

    /// Shown for every cervical level.
    public static let cervicalNote =
        "cervical level: the trial evidence is lumbar-only; cervical candidacy rests on the clinic's profile alone"

    /// Shown for a level whose discography was negative (no pain): a control disc.
    public static let negativeControlNote =
        "negative on discography (no pain): a control disc for the levels next to it"

    /// Shown for every thoracic level.
    public static let thoracicNote =
        "thoracic level: neither the trials nor the clinic's profile cover thoracic discs"
}
