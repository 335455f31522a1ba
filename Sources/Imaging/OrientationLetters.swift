import DicomIO
import Foundation

/// The patient directions at the four edges of an image, as radiologists label them: R/L, A/P, S/I.
public struct EdgeLabels: Sendable, Equatable {
    /// The direction towards the top edge.
    public var top: String
    /// The direction towards the bottom edge.
    public var bottom: String
    /// The direction towards the left edge.
    public var left: String
    /// The direction towards the right edge.
    public var right: String

    /// Creates labels.
    public init(top: String, bottom: String, left: String, right: String) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    /// Labels from ImageOrientationPatient: columns run along `row`, rows along `column` (LPS patient axes).
    public init(row: Vector3, column: Vector3) {
        right = Self.letters(row)
        left = Self.letters(row * -1)
        bottom = Self.letters(column)
        top = Self.letters(column * -1)
    }

    /// Labels from Patient Orientation (0020,0020), e.g. `A\F` for projection images without a patient frame;
    /// nil unless both values are made of the letters A, P, L, R, H and F.
    public init?(patientOrientation values: [String]) {
        guard values.count == 2 else { return nil }
        let allowed: Set<Character> = ["A", "P", "L", "R", "H", "F"]
        let cleaned = values.map { $0.uppercased().trimmingCharacters(in: .whitespaces) }
        guard cleaned.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else { return nil }
        func display(_ text: String) -> String {
            String(text.map { $0 == "H" ? "S" : $0 == "F" ? "I" : $0 })
        }
        func opposite(_ text: String) -> String {
            let pairs: [Character: Character] = ["A": "P", "P": "A", "L": "R", "R": "L", "H": "F", "F": "H"]
            return display(String(text.map { pairs[$0] ?? $0 }))
        }
        right = display(cleaned[0])
        left = opposite(cleaned[0])
        bottom = display(cleaned[1])
        top = opposite(cleaned[1])
    }

    /// The letters of a direction in LPS patient space, strongest axis first; an axis is named when its
    /// component is at least 0.3 (so an oblique plane reads e.g. "PI", a true one just "P").
    static func letters(_ direction: Vector3) -> String {
        let axes: [(value: Double, positive: Character, negative: Character)] = [
            (direction.x, "L", "R"), (direction.y, "P", "A"), (direction.z, "S", "I"),
        ]
        let named = axes.filter { abs($0.value) >= 0.3 }.sorted { abs($0.value) > abs($1.value) }
        return String(named.map { $0.value > 0 ? $0.positive : $0.negative })
    }
}
