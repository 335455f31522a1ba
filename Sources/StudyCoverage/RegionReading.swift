import SpineModel

/// Which regions of the spine a header text names: Body Part Examined (0018,0015) values such as `LSPINE`, and
/// free text such as a Series Description `SAG T2 LUMBAR`, `C-SPINE` or `L4-L5 ANNULARGRAM`.
///
/// Conservative by design: a text that names no region (`T2 TSE SAG`, `SPINE`, `HEAD`, garbage) gives the empty
/// set, which says nothing. Words that are ambiguous outside the spine (CERVICAL: the uterine cervix; THORACIC,
/// DORSAL: the aorta, the hand) count only with spine context: a spine word in the same text, or a spine Body
/// Part Examined of the same series. Only the first `maximumCharacters` characters are read, so a hostile header
/// of any length costs the same.
public enum RegionReading {
    /// Characters of a header value that are read; the rest is ignored.
    public static let maximumCharacters = 256

    /// The regions a Body Part Examined value names. The DICOM defined terms (PS3.16 Annex L: CSPINE, TSPINE,
    /// LSPINE, LSSPINE, SSPINE, COCCYX, CTSPINE, TLSPINE, WHOLESPINE…) are matched with spaces, hyphens and case
    /// ignored; other text is read as a description. The unspecific `SPINE` names no region.
    public static func bodyPart(_ value: String) -> Set<SpineRegion> {
        let compact = String(
            String.UnicodeScalarView(
                value.prefix(maximumCharacters).uppercased().unicodeScalars.filter(Self.isASCIIAlphanumeric)))
        if let regions = bodyPartTerms[compact] { return regions }
        return description(value, spineContext: true)
    }

    /// Whether a Body Part Examined value is about the spine at all (`SPINE` included), which gives the
    /// descriptions of the same series spine context.
    public static func isSpine(bodyPart value: String) -> Bool {
        let compact = String(
            String.UnicodeScalarView(
                value.prefix(maximumCharacters).uppercased().unicodeScalars.filter(Self.isASCIIAlphanumeric)))
        return compact == "SPINE" || bodyPartTerms[compact] != nil || !bodyPart(value).isEmpty
    }

    /// The regions a free-text description names: region words (`LUMBAR`, `L-SPINE`, `CSPINE`, `HWS`,
    /// `THORACOLUMBAR`, `WHOLE SPINE`…) and disc levels written out (`L4-L5`, `C5/6`, `L5S1`). `spineContext` says
    /// the text is known to be about the spine (a spine Body Part Examined), so the ambiguous words count.
    public static func description(_ text: String, spineContext: Bool = false) -> Set<SpineRegion> {
        let tokens = Token.split(text.prefix(maximumCharacters).uppercased())
        let context = spineContext || tokens.contains { spineWords.contains($0.text) } || !levels(in: tokens).isEmpty
        var regions: Set<SpineRegion> = []
        for (index, token) in tokens.enumerated() {
            if let named = unambiguousWords[token.text] { regions.formUnion(named) }
            if context, let named = contextWords[token.text] { regions.formUnion(named) }
            if index + 1 < tokens.count, tokens[index + 1].separator != nil {
                if let named = spinePairs[token.text + " " + tokens[index + 1].text] { regions.formUnion(named) }
            }
        }
        for level in levels(in: tokens) { regions.insert(level.region) }
        return regions
    }

    /// The disc levels written out in a text: `L4-L5`, `L4/L5`, `L4/5`, `L4 - L5`, `L4L5`, `C7-T1`. `T1-T2` and
    /// `T1/T2` are left out: in MR descriptions they mean the weightings.
    public static func levels(in text: String) -> [DiscLevel] {
        levels(in: Token.split(text.prefix(maximumCharacters).uppercased()))
    }

    private static func levels(in tokens: [Token]) -> [DiscLevel] {
        var found: [DiscLevel] = []
        for (index, token) in tokens.enumerated() {
            if let level = compactLevel(token.text) {
                found.append(level)
                continue
            }
            guard index + 1 < tokens.count, let upper = Vertebra(token.text, defaultLetter: nil),
                let separator = tokens[index + 1].separator, separator == "-" || separator == "/",
                let lower = Vertebra(tokens[index + 1].text, defaultLetter: upper.letter)
            else { continue }
            if let level = level(upper, lower) { found.append(level) }
        }
        return found
    }

    /// `L4L5`, `C5C6`, `L5S1` as one token.
    private static func compactLevel(_ token: String) -> DiscLevel? {
        let characters = Array(token)
        guard characters.count >= 4, characters.count <= 6,
            let split = characters.indices.dropFirst(2).first(where: {
                characters[$0].isLetter
            })
        else { return nil }
        guard let upper = Vertebra(String(characters[..<split]), defaultLetter: nil),
            let lower = Vertebra(String(characters[split...]), defaultLetter: nil)
        else { return nil }
        return level(upper, lower)
    }

    private static func level(_ upper: Vertebra, _ lower: Vertebra) -> DiscLevel? {
        let name = "\(upper.letter)\(upper.number)-\(lower.letter)\(lower.number)"
        guard name != "T1-T2" else { return nil }
        return DiscLevel(rawValue: name)
    }

    /// A vertebra written as a letter and a number (`L4`), or a number alone after a vertebra (`5` in `L4/5`).
    private struct Vertebra {
        var letter: Character
        var number: Int

        init?(_ text: String, defaultLetter: Character?) {
            var rest = Substring(text)
            if let first = rest.first, "CTLS".contains(first) {
                letter = first
                rest = rest.dropFirst()
            } else if let defaultLetter {
                letter = defaultLetter
            } else {
                return nil
            }
            guard (1...2).contains(rest.count), rest.allSatisfy(\.isASCII), let value = Int(rest), value >= 1 else {
                return nil
            }
            number = value
        }
    }

    /// A run of ASCII letters and digits, with the punctuation that came before it (nil at the start of the text).
    private struct Token {
        var text: String
        /// The last character other than a space between the previous token and this one (a space when only
        /// spaces), nil for the first token.
        var separator: Character?

        static func split(_ text: String) -> [Token] {
            var tokens: [Token] = []
            var current = String.UnicodeScalarView()
            var separator: Character? = nil
            var seenToken = false
            func close() {
                guard !current.isEmpty else { return }
                tokens.append(Token(text: String(current), separator: seenToken ? separator ?? " " : nil))
                seenToken = true
                current = String.UnicodeScalarView()
                separator = nil
            }
            for scalar in text.unicodeScalars {
                if RegionReading.isASCIIAlphanumeric(scalar) {
                    current.append(scalar)
                } else {
                    close()
                    if scalar != " " { separator = Character(scalar) }
                }
            }
            close()
            return tokens
        }
    }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    private static let cervical: Set<SpineRegion> = [.cervical]
    private static let thoracic: Set<SpineRegion> = [.thoracic]
    private static let lumbar: Set<SpineRegion> = [.lumbar]
    private static let whole: Set<SpineRegion> = Set(SpineRegion.allCases)

    /// Body Part Examined values (spaces, hyphens and case removed) and the regions they name.
    private static let bodyPartTerms: [String: Set<SpineRegion>] = [
        "CSPINE": cervical, "CERVICALSPINE": cervical, "TSPINE": thoracic, "THORACICSPINE": thoracic,
        "DSPINE": thoracic, "DORSALSPINE": thoracic, "LSPINE": lumbar, "LUMBARSPINE": lumbar, "LSSPINE": lumbar,
        "LUMBOSACRALSPINE": lumbar, "LUMBOSACRAL": lumbar, "SSPINE": lumbar, "SACRUM": lumbar, "SACRALSPINE": lumbar,
        "COCCYX": lumbar, "CTSPINE": [.cervical, .thoracic], "CERVICOTHORACICSPINE": [.cervical, .thoracic],
        "TLSPINE": [.thoracic, .lumbar], "THORACOLUMBARSPINE": [.thoracic, .lumbar], "WHOLESPINE": whole,
        "TOTALSPINE": whole, "ENTIRESPINE": whole, "FULLSPINE": whole, "CTLSPINE": whole, "SPINEWHOLE": whole,
        "WSPINE": whole,
    ]

    /// Words that name a region wherever they appear.
    private static let unambiguousWords: [String: Set<SpineRegion>] = [
        "LUMBAR": lumbar, "LUMBOSACRAL": lumbar, "LSPINE": lumbar, "LSSPINE": lumbar, "LWS": lumbar,
        "LOMBAIRE": lumbar, "LOMBARE": lumbar, "LUMBAL": lumbar, "LUMBALE": lumbar, "SACRUM": lumbar,
        "CSPINE": cervical, "HWS": cervical, "TSPINE": thoracic, "DSPINE": thoracic, "BWS": thoracic,
        "THORACOLUMBAR": [.thoracic, .lumbar], "DORSOLUMBAR": [.thoracic, .lumbar], "TLSPINE": [.thoracic, .lumbar],
        "CERVICOTHORACIC": [.cervical, .thoracic], "CERVICODORSAL": [.cervical, .thoracic],
        "CTSPINE": [.cervical, .thoracic], "WHOLESPINE": whole, "TOTALSPINE": whole, "CTLSPINE": whole,
    ]

    /// Words that name a region only in a text about the spine.
    private static let contextWords: [String: Set<SpineRegion>] = [
        "CERVICAL": cervical, "CERVICALE": cervical, "THORACIC": thoracic, "DORSAL": thoracic, "DORSALE": thoracic,
    ]

    /// Words that make a text about the spine.
    private static let spineWords: Set<String> = [
        "SPINE", "SPINAL", "SP", "COLUMN", "VERTEBRAL", "VERTEBRAE", "MYELO", "MYELOGRAM", "DISC", "DISCS",
        "DISCOGRAM", "DISCOGRAPHY", "RACHIS", "WS", "WIRBELSAEULE", "COLONNA",
    ]

    /// Two words that name a region together (`C SPINE` from `C-SPINE`, `WHOLE SPINE`).
    private static let spinePairs: [String: Set<SpineRegion>] = [
        "C SPINE": cervical, "C SP": cervical, "T SPINE": thoracic, "T SP": thoracic, "D SPINE": thoracic,
        "L SPINE": lumbar, "L SP": lumbar, "LS SPINE": lumbar, "CT SPINE": [.cervical, .thoracic],
        "TL SPINE": [.thoracic, .lumbar], "WHOLE SPINE": whole, "TOTAL SPINE": whole, "ENTIRE SPINE": whole,
        "FULL SPINE": whole,
    ]
}
