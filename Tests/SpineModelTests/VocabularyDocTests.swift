import Foundation
import SpineModel
import Testing

@Suite("docs/annotations.md describes the vocabulary the code accepts")
struct VocabularyDocTests {
    /// The "## Vocabulary" section of docs/annotations.md (up to the next second-level heading).
    static let vocabulary: String? = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/annotations.md")
        guard let text = try? String(contentsOf: path, encoding: .utf8),
            let start = text.range(of: "\n## Vocabulary\n")
        else { return nil }
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }()

    @Test("every kind, field and word appears in the Vocabulary section")
    func coverage() throws {
        let section = try #require(Self.vocabulary, "docs/annotations.md has no ## Vocabulary section")
        for kind in FindingKind.allCases {
            #expect(section.contains("**`\(kind.rawValue)`**"), "kind \(kind.rawValue)")
            for spec in kind.fieldSpecs {
                #expect(section.contains("`\(spec.name)`"), "\(kind.rawValue) field \(spec.name)")
                let words: [String] =
                    switch spec.values {
                    case .oneOf(let words), .setOf(let words): words
                    case .yesNo, .number, .text: []
                    }
                for word in words {
                    #expect(section.contains("`\(word)`"), "\(kind.rawValue) \(spec.name) value \(word)")
                }
            }
        }
        for basis in LevelNumberingBasis.allCases {
            #expect(section.contains("`\(basis.rawValue)`"))
        }
    }

    @Test("the JSON example in the documentation is what the code writes")
    func jsonExample() throws {
        let section = try #require(Self.vocabulary)
        let json = String(decoding: LevelAnnotationTests.example.encodedJSON(), as: UTF8.self)
        #expect(section.contains("```json\n\(json)\n```"))
        let l6s1 = try #require(levelError("L6-S1")).message
        #expect(section.replacingOccurrences(of: "\n  ", with: " ").contains("\"\(l6s1)\""))
    }
}
