import ArgumentParser
import Foundation
import SpineModel
import Store
import TextSafety

/// `annulus annotate sign`: signs one or more findings, or every draft of a study after confirmation, in one
/// transaction: all are signed or none is.
struct AnnotateSign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign findings as the responsible clinician: each signed version is frozen.",
        discussion: """
            Sign findings by id (or unique prefix): annulus annotate sign 3f2a 9c1b 77e0. Or every draft of a study: \
            annulus annotate sign --study ACC-MR-0001 --all-drafts lists the drafts (id, level, kind, author) and \
            asks "Sign these N findings as NAME? [y/N]" on the terminal; --yes signs without asking, and without a \
            terminal (a script, a pipe) --yes is required: nothing is signed silently. The signer is --author or \
            ANNULUS_USER. All the findings are signed in one transaction: when one cannot be signed (already signed, \
            retracted, unknown, changed since it was listed) none is, and every refusal is named (exit 2).
            """
    )

    @Argument(help: "Annotation ids or unique prefixes (at least 4 characters).")
    var ids: [String] = []

    @Option(help: ArgumentHelp("With --all-drafts: the study whose drafts to sign.", valueName: "study"))
    var study: String?

    @Flag(help: "Sign every draft finding of --study (listed, then confirmed).")
    var allDrafts = false

    @Flag(name: [.customShort("y"), .long], help: "Sign without asking for confirmation.")
    var yes = false

    @Flag(help: "Print each signed version as JSON (one object per line).")
    var json = false

    @OptionGroup var authorOptions: AuthorOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if allDrafts {
            guard study != nil else { throw ValidationError("--all-drafts needs --study STUDY") }
            guard ids.isEmpty else {
                throw ValidationError("give either annotation ids or --study STUDY --all-drafts, not both")
            }
        } else {
            guard study == nil else {
                throw ValidationError("--study goes with --all-drafts (to sign findings by id, name them)")
            }
            guard !ids.isEmpty else {
                throw ValidationError(
                    "name the findings to sign (ids or unique prefixes, see `annulus annotate list STUDY`), or sign "
                        + "every draft of a study with --study STUDY --all-drafts")
            }
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let author = try authorOptions.resolved()
        let store = try storeOptions.open()
        let signer = try SignerCheck.signer(author, store: store)  // a signature names a real account (Accounts)
        let output = OutputLines()
        let signed: [AnnotationVersion]
        if let study, allDrafts {
            let target = try store.resolveStudy(study)
            let drafts = try store.annotations(studyUID: target.studyInstanceUID).filter { $0.status == .draft }
            let name = (target.accessionNumber ?? target.studyInstanceUID).terminalSafe
            guard !drafts.isEmpty else {
                output.write("no draft findings in study \(name): nothing to sign")
                return
            }
            if !yes { try SignConfirmation.ask(drafts, signer: signer, study: name) }
            signed = try store.sign(
                ids: drafts.map(\.annotationID), signer: signer,
                expectedVersions: Dictionary(uniqueKeysWithValues: drafts.map { ($0.annotationID, $0.version) }))
        } else {
            signed = try store.sign(ids: try Self.signable(ids, store: store), signer: signer)
        }
        for version in signed { AnnotationPrinter.printChange("signed", version, json: json) }
        if !json {
            output.write("\(signed.count) finding(s) signed by \(signer.terminalSafe)")
        }
    }

    /// The full ids of `references`, once each, after checking every one can be signed; otherwise a refusal
    /// naming each reference that cannot be used and why (nothing is signed).
    static func signable(_ references: [String], store: AnnulusStore) throws -> [String] {
        var ids: [String] = []
        var problems: [String] = []
        for reference in references {
            do {
                let id = try store.resolveAnnotation(reference)
                guard !ids.contains(id) else { continue }
                guard let latest = try store.latest(id: id) else { throw StoreError.unknownAnnotation(id: reference) }
                if latest.isRetracted {
                    problems.append(
                        "\(reference): retracted (version \(latest.version) by \(latest.author) at "
                            + "\(latest.createdAt)); a retracted finding cannot be signed")
                } else if latest.isSigned {
                    problems.append(
                        "\(reference): already signed (version \(latest.version) by "
                            + "\(latest.signedBy ?? latest.author) at \(latest.signedAt ?? latest.createdAt)); "
                            + "amend it first to sign a new version")
                }
                ids.append(id)
            } catch let error as StoreError {
                guard error.isRefusal else { throw error }
                problems.append("\(reference): \(error.description)")
            }
        }
        guard problems.isEmpty else {
            throw RequestRefused(
                (["nothing was signed: \(problems.count) of \(references.count) finding(s) cannot be signed:"]
                    + problems.map { "  " + $0.terminalSafe }).joined(separator: "\n"))
        }
        return ids
    }
}

/// The confirmation asked before signing every draft of a study: the drafts listed on stderr, then
/// "Sign these N findings as NAME? [y/N]" answered on the terminal. Without a terminal, the request is refused.
enum SignConfirmation {
    static func ask(_ drafts: [AnnotationVersion], signer: String, study: String) throws {
        var rows = [["ID", "V", "LEVEL", "FINDING", "AUTHOR", "SUMMARY"]]
        for draft in drafts {
            rows.append([
                String(draft.annotationID.prefix(8)), "\(draft.version)", draft.level, draft.findingKind, draft.author,
                (try? LevelAnnotation.decode(draft.payload))?.finding.summary ?? "",
            ])
        }
        let listing = "\(drafts.count) draft finding(s) of study \(study) to sign:\n" + TextTable.render(rows) + "\n"
        FileHandle.standardError.write(Data(listing.utf8))
        guard isatty(STDIN_FILENO) == 1 else {
            throw RequestRefused(
                "nothing was signed: signing every draft needs a confirmation, and standard input is not a terminal; "
                    + "review the drafts listed above and run again with --yes to sign them")
        }
        let these = drafts.count == 1 ? "this finding" : "these \(drafts.count) findings"
        FileHandle.standardError.write(Data("Sign \(these) as \(signer.terminalSafe)? [y/N] ".utf8))
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            throw RequestRefused("nothing was signed (not confirmed)")
        }
    }
}
