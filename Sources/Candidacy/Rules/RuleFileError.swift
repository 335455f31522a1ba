/// Why a rule file was refused: every problem found, each naming the rule (when there is one) and what is
/// wrong.
public struct RuleFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The rule's id (or `rules[3]` when the id itself is missing); `nil` for the file as a whole.
        public var rule: String?
        /// What is wrong and what to do instead.
        public var message: String

        /// Creates a problem.
        public init(rule: String?, message: String) {
            self.rule = rule
            self.message = message
        }

        /// `rule M3: …` or the message alone.
        public var description: String { rule.map { "rule \($0): \(message)" } ?? message }
    }

    /// Where the rules came from (a path, or `default rules`).
    public var source: String
    /// Every problem, in file order.
    public var problems: [Problem]

    /// Creates an error.
    public init(source: String, problems: [Problem]) {
        self.source = source
        self.problems = problems
    }

    /// The source and one line per problem.
    public var description: String {
        "rule file \(source) is not valid:\n" + problems.map { "  - \($0.description)" }.joined(separator: "\n")
    }
}
