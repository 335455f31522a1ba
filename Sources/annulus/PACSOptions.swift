import AnnulusApp
import ArgumentParser
import QueryRetrieve
import TextSafety

/// The PACS to fetch priors from (`annulus pull`, `annulus serve`): `--pacs HOST:PORT --pacs-ae AE`.
struct PACSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The PACS's DICOM address, e.g. pacs.example.org:104.", valueName: "host:port"))
    var pacs: String?

    @Option(help: ArgumentHelp("The PACS's AE title (the called AE title).", valueName: "title"))
    var pacsAe: String?

    @Option(
        help: ArgumentHelp(
            "Seconds the PACS may stay silent (connecting, associating, between answers).",
            valueName: "seconds"))
    var pacsTimeout: UInt32 = 30

    @Option(help: ArgumentHelp("Seconds a whole retrieve (or a send of DICOM SR) may take.", valueName: "seconds"))
    var pullDeadline: Int = 1800

    func validate() throws {
        if (pacs == nil) != (pacsAe == nil) { throw ValidationError("give --pacs HOST:PORT and --pacs-ae AE together") }
        if !(1...3600).contains(pacsTimeout) { throw ValidationError("--pacs-timeout must be 1 to 3600 seconds") }
        if !(1...86_400).contains(pullDeadline) { throw ValidationError("--pull-deadline must be 1 to 86400 seconds") }
    }

    /// The PACS as a destination of DICOM SR (`export --format sr`), Annulus calling as `aeTitle`; nil without
    /// `--pacs`.
    func destination(aeTitle: String) throws -> PACSDestination? {
        try settings(aeTitle: aeTitle).map { settings in
            var destination = PACSDestination(peer: settings.peer)
            destination.limits.storeDeadline = Double(pullDeadline)
            return destination
        }
    }

    /// The pull settings, with Annulus calling (and receiving) as `aeTitle`; nil without `--pacs`.
    func settings(aeTitle: String) throws -> PullSettings? {
        guard let pacs, let pacsAe else { return nil }
        guard let (host, port) = PACSPeer.parse(hostAndPort: pacs) else {
            throw ValidationError("--pacs must be HOST:PORT with a port from 1 to 65535 (got \(pacs.terminalSafe))")
        }
        var peer = PACSPeer(host: host, port: port, calledAETitle: pacsAe, callingAETitle: aeTitle)
        peer.connectTimeout = min(pacsTimeout, 10)
        peer.associationTimeout = pacsTimeout
        peer.idleTimeout = pacsTimeout
        let problems = peer.problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ").terminalSafe) }
        var settings = PullSettings(peer: peer)
        settings.limits.moveDeadline = Double(pullDeadline)
        // A query is one exchange: the association, the matches, the release.
        settings.limits.findDeadline = Double(pacsTimeout) * 3 + 10
        return settings
    }
}
