import AnnulusApp
import ArgumentParser
import TextSafety

/// `--level-outside-study REASON`: accepts a level the study does not seem to show, with the reason.
struct LevelOverrideOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Accept a level the study does not seem to show (its headers name another region of the spine, or the "
                + "mark sits where the level cannot be), giving the reason; it is kept with the finding and shown as "
                + "a warning.", valueName: "reason"))
    var levelOutsideStudy: String?
}

extension LevelWarning {
    /// One line for a terminal: `level outside what the study shows (accepted by dr.a at …: "reason"): problem`.
    var text: String {
        let status =
            override.map { "accepted by \($0.author) at \($0.at): \"\($0.reason)\"" }
            ?? "no override recorded: check the level, or accept it with `annotate amend ID --level-outside-study REASON`"
        return "level outside what the study shows (\(status)): \(problem)".terminalSafe
    }
}

extension AcceptedLevel {
    /// The triage warning for a finding accepted at a level outside what its study shows.
    var warningLine: String {
        ("warning: finding \(annotationID.prefix(8)) at \(level) (study \(study)) was accepted by \(author) at a level "
            + "outside what the study shows: \"\(reason)\"").terminalSafe
    }
}
