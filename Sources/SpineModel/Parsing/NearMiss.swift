/// "Did you mean …?" suggestions for mistyped words (kinds, fields, values, levels).
///
/// The comparison ignores case, and is made both on the words as typed and with separators removed
/// (`-`, `/`, `_`, spaces, `.`), so `l5s1` finds `L5-S1` and `controlnegative` finds `control-negative`.
/// The distance is the optimal-string-alignment edit distance (insertions, deletions, substitutions and
/// transpositions of neighbours each cost 1), so `tpye` is one edit from `type`.
public enum NearMiss {
    /// The candidate closest to `input`, or `nil` when none is close enough to be a plausible typo.
    ///
    /// A candidate qualifies when its distance is at most `maximumDistance(forLength:)` of the input and
    /// smaller than the input's length (so a one-letter input is never "corrected" into something else).
    /// Failing that, an input of at least three characters that begins exactly one candidate suggests that
    /// candidate (`disco` → `discography`). Ties go to the earlier candidate.
    /// - Parameters:
    ///   - input: what the user typed.
    ///   - candidates: the accepted words, in the order ties should be broken.
    public static func suggest(_ input: String, among candidates: [String]) -> String? {
        let typed = input.lowercased().trimmedWhitespace()
        let typedBare = typed.removingSeparators()
        guard !typedBare.isEmpty else { return nil }
        let limit = min(maximumDistance(forLength: typedBare.count), typedBare.count - 1)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let lowered = candidate.lowercased()
            let distance = min(
                editDistance(typed, lowered),
                editDistance(typedBare, lowered.removingSeparators())
            )
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.candidate }
        guard typedBare.count >= 3 else { return nil }
        let prefixed = candidates.filter { $0.lowercased().removingSeparators().hasPrefix(typedBare) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    /// The largest edit distance still taken for a typo in a word of `length` characters:
    /// 1 up to five characters, 2 up to eight, 3 beyond.
    public static func maximumDistance(forLength length: Int) -> Int {
        switch length {
        case ..<6: 1
        case 6..<9: 2
        default: 3
        }
    }

    /// Optimal-string-alignment distance between two strings, compared character by character.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
