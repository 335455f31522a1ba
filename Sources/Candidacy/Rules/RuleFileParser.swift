import Foundation
import SpineModel

/// Reads a rule file's JSON into a `RuleSet`, collecting every problem with the rule it concerns.
struct RuleFileParser {
    private(set) var problems: [RuleFileError.Problem] = []
    /// Unknown facts met in the current rule's condition.
    private var unknownConditionFacts: [String] = []
    /// The file's named values (`"parameters"`), and which of them a condition used.
    private var parameters: [String: JSONValue] = [:]
    private var usedParameters: Set<String> = []

    static let ruleKeys = ["id", "kind", "scope", "text", "facts", "source", "condition"]
    static let comparisonKeys = ["fact", "op", "value"]
    static let combinatorKeys = ["all", "any", "not"]

    mutating func report(_ rule: String?, _ message: String) {
        problems.append(RuleFileError.Problem(rule: rule, message: message))
    }

    mutating func parse(_ json: JSONValue) -> RuleSet? {
        guard case .object(let top) = json else {
            report(nil, "the file must be a JSON object with format, version and rules, not \(json.typeName)")
            return nil
        }
        let topKeys = ["format", "version", "parameters", "rules"]
        for key in top.keys.sorted() where !topKeys.contains(key) {
            report(nil, unknownKey(key, among: topKeys))
        }
        parseParameters(top["parameters"])
        var format = RuleSet.supportedFormat
        switch top["format"] {
        case .number(let number) where number == Double(RuleSet.supportedFormat):
            format = Int(number)
        case .number(let number):
            report(
                nil,
                "unsupported rule-file format \(FactValue.format(number)): this version of Annulus reads format "
                    + "\(RuleSet.supportedFormat)")
        case nil:
            report(nil, "missing format: add \"format\": \(RuleSet.supportedFormat)")
        case let other?:
            report(nil, "format must be the number \(RuleSet.supportedFormat), not \(other.typeName)")
        }
        var version = ""
        if case .string(let text)? = top["version"], !text.trimmingSpaces().isEmpty {
            version = text
        } else {
            report(nil, "missing version: name this rule set's version as a string, e.g. \"version\": \"2026.1\"")
        }
        guard case .array(let items)? = top["rules"], !items.isEmpty else {
            report(nil, "missing rules: \"rules\" must be a non-empty list of rules")
            return nil
        }
        var rules: [Rule] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            guard let rule = parseRule(item, index: index) else { continue }
            if !seen.insert(rule.id).inserted {
                report(rule.id, "duplicate id: another rule already has id \(rule.id); each id must be unique")
                continue
            }
            rules.append(rule)
        }
        for name in parameters.keys.sorted() where !usedParameters.contains(name) {
            report(
                nil, "parameter \(name) is not used by any rule: use it as {\"parameter\": \"\(name)\"} or remove it")
        }
        guard problems.isEmpty else { return nil }
        var literals: [String: Literal] = [:]
        for (name, value) in parameters {
            switch value {
            case .number(let number): literals[name] = .number(number)
            case .bool(let flag): literals[name] = .bool(flag)
            case .string(let word): literals[name] = .text(word)
            default: break
            }
        }
        return RuleSet(format: format, version: version, parameters: literals, rules: rules)
    }

    /// Reads `"parameters": {"name": value, …}`: numbers, yes/no or words a condition names instead of writing
    /// the value (`"value": {"parameter": "name"}`), so a clinic sets a threshold in one place.
    private mutating func parseParameters(_ json: JSONValue?) {
        guard let json else { return }
        guard case .object(let fields) = json else {
            report(nil, "parameters must be an object of names and values, not \(json.typeName)")
            return
        }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                report(nil, "parameter name \"\(name)\" may use letters, digits, -, _ and . only")
                continue
            }
            switch value {
            case .number(let number) where number.isFinite: parameters[name] = value
            case .bool, .string: parameters[name] = value
            default:
                report(nil, "parameter \(name) must be a number, true/false or a word, not \(value.typeName)")
            }
        }
    }

    /// The value of `{"parameter": "name"}`, or the JSON itself when it names no parameter.
    private mutating func resolvingParameter(_ json: JSONValue, rule: String, path: String) -> JSONValue? {
        guard case .object(let fields) = json, fields.keys.contains("parameter") else { return json }
        guard fields.count == 1, case .string(let name)? = fields["parameter"] else {
            report(rule, "\(path).value: a parameter reference is {\"parameter\": \"name\"} and nothing else")
            return nil
        }
        guard let value = parameters[name] else {
            var message = "\(path).value names the parameter \(name), which \"parameters\" does not define"
            if let suggestion = NearMiss.suggest(name, among: parameters.keys.sorted()) {
                message += "; did you mean \(suggestion)?"
            }
            report(rule, message)
            return nil
        }
        usedParameters.insert(name)
        return value
    }

    private func unknownKey(_ key: String, among keys: [String]) -> String {
        var message = "unknown key \"\(key)\""
        if let suggestion = NearMiss.suggest(key, among: keys) { message += "; did you mean \(suggestion)?" }
        return message + " (allowed: \(keys.joined(separator: ", ")))"
    }

    private mutating func parseRule(_ json: JSONValue, index: Int) -> Rule? {
        guard case .object(let fields) = json else {
            report("rules[\(index)]", "a rule must be an object, not \(json.typeName)")
            return nil
        }
        let before = problems.count
        var name = "rules[\(index)]"
        if case .string(let id)? = fields["id"], !id.trimmingSpaces().isEmpty {
            name = id
            if id.contains(where: { !($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                report(name, "id may use letters, digits, -, _ and . only")
            }
        } else {
            report(name, "missing id: give every rule a short unique id such as \"M1\"")
        }
        for key in fields.keys.sorted() where !Self.ruleKeys.contains(key) {
            report(name, unknownKey(key, among: Self.ruleKeys))
        }
        let kind: Rule.Kind? = word(fields["kind"], field: "kind", rule: name)
        let scope: RuleScope? = word(fields["scope"], field: "scope", rule: name)
        let text = requiredText(fields["text"], field: "text", rule: name, hint: "say the rule in words")
        let source = requiredText(
            fields["source"], field: "source", rule: name, hint: "every rule cites where it comes from")
        var facts: [String] = []
        if case .array(let items)? = fields["facts"], !items.isEmpty {
            for item in items {
                guard case .string(let fact) = item else {
                    report(name, "facts must be a list of fact names, not \(item.typeName)")
                    continue
                }
                facts.append(fact)
            }
        } else {
            report(name, "missing facts: list the fact names the condition reads")
        }
        var condition: Condition?
        unknownConditionFacts = []
        if let json = fields["condition"] {
            condition = parseCondition(json, rule: name, path: "condition")
        } else {
            report(name, "missing condition")
        }
        for fact in facts { checkFact(fact, rule: name, scope: scope) }
        for fact in unknownConditionFacts where !facts.contains(fact) {
            checkFact(fact, rule: name, scope: scope)
        }
        if let condition {
            let used = condition.facts
            for fact in used where !facts.contains(fact) && FactCatalog.definition(named: fact) != nil {
                report(name, "the condition reads \(fact), which is not listed in facts")
            }
            for fact in facts where !used.contains(fact) && FactCatalog.definition(named: fact) != nil {
                report(name, "facts lists \(fact), which the condition does not read")
            }
        }
        guard problems.count == before, let kind, let scope, let condition else { return nil }
        return Rule(
            id: name, kind: kind, scope: scope, text: withParameters(text), facts: facts, source: source,
            condition: condition)
    }

    /// The rule text with each `{parameter}` replaced by its value, so the words follow the threshold.
    private func withParameters(_ text: String) -> String {
        var result = text
        for (name, value) in parameters {
            let shown: String
            switch value {
            case .number(let number): shown = FactValue.format(number)
            case .bool(let flag): shown = flag ? "yes" : "no"
            case .string(let word): shown = word
            default: continue
            }
            result = result.replacingOccurrences(of: "{\(name)}", with: shown)
        }
        return result
    }

    private mutating func checkFact(_ fact: String, rule: String, scope: RuleScope?) {
        guard let definition = FactCatalog.definition(named: fact) else {
            var message = "unknown fact \(fact)"
            if let suggestion = NearMiss.suggest(fact, among: FactCatalog.names) {
                message += "; did you mean \(suggestion)?"
            }
            report(rule, message + " (docs/rules.md lists every fact)")
            return
        }
        if scope == .patient, definition.scope == .level {
            report(
                rule,
                "reads the level fact \(fact) but its scope is patient: a patient rule reads intake.* and patient.* "
                    + "facts; use \"scope\": \"level\"")
        }
    }

    private mutating func word<Word: RawRepresentable & CaseIterable>(
        _ json: JSONValue?, field: String, rule: String
    ) -> Word? where Word.RawValue == String {
        let allowed = Word.allCases.map(\.rawValue)
        guard case .string(let text)? = json else {
            report(rule, "missing \(field): one of \(allowed.joined(separator: ", "))")
            return nil
        }
        if let value = Word(rawValue: text) { return value }
        var message = "unknown \(field) \"\(text)\""
        if let suggestion = NearMiss.suggest(text, among: allowed) { message += "; did you mean \(suggestion)?" }
        report(rule, message + " (allowed: \(allowed.joined(separator: ", ")))")
        return nil
    }

    private mutating func requiredText(_ json: JSONValue?, field: String, rule: String, hint: String) -> String {
        guard case .string(let text)? = json, !text.trimmingSpaces().isEmpty else {
            report(rule, "missing \(field): \(hint)")
            return ""
        }
        return text
    }

    // MARK: - Conditions

    private mutating func parseCondition(_ json: JSONValue, rule: String, path: String) -> Condition? {
        guard case .object(let fields) = json else {
            report(rule, "\(path) must be an object, not \(json.typeName)")
            return nil
        }
        let forms = Self.combinatorKeys.filter { fields[$0] != nil } + (fields["fact"] != nil ? ["fact"] : [])
        guard forms.count == 1 else {
            report(
                rule,
                forms.isEmpty
                    ? "\(path) must have one of fact (with op and value), all, any or not"
                    : "\(path) mixes \(forms.joined(separator: " and ")): use one per object, nest the others")
            return nil
        }
        switch forms[0] {
        case "all", "any":
            for key in fields.keys.sorted() where key != forms[0] {
                report(rule, "\(path): " + unknownKey(key, among: [forms[0]]))
            }
            guard case .array(let items)? = fields[forms[0]], !items.isEmpty else {
                report(rule, "\(path).\(forms[0]) must be a non-empty list of conditions")
                return nil
            }
            var parts: [Condition] = []
            for (index, item) in items.enumerated() {
                if let part = parseCondition(item, rule: rule, path: "\(path).\(forms[0])[\(index)]") {
                    parts.append(part)
                }
            }
            guard parts.count == items.count else { return nil }
            return forms[0] == "all" ? .all(parts) : .any(parts)
        case "not":
            for key in fields.keys.sorted() where key != "not" {
                report(rule, "\(path): " + unknownKey(key, among: ["not"]))
            }
            return parseCondition(fields["not"]!, rule: rule, path: "\(path).not").map { .not($0) }
        default:
            return parseComparison(fields, rule: rule, path: path)
        }
    }

    private mutating func parseComparison(_ fields: [String: JSONValue], rule: String, path: String) -> Condition? {
        for key in fields.keys.sorted() where !Self.comparisonKeys.contains(key) {
            report(rule, "\(path): " + unknownKey(key, among: Self.comparisonKeys))
        }
        guard case .string(let fact)? = fields["fact"] else {
            report(rule, "\(path).fact must be a fact name")
            return nil
        }
        let operators = Condition.Operator.allCases.map(\.rawValue)
        guard case .string(let opText)? = fields["op"] else {
            report(rule, "\(path) on \(fact) has no op (allowed: \(operators.joined(separator: " "))")
            return nil
        }
        guard let op = Condition.Operator(rawValue: opText) else {
            var message = "\(path): bad op \"\(opText)\""
            let aliases = ["=": "==", "eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "=>": ">="]
            if let suggestion = aliases[opText.lowercased()] ?? NearMiss.suggest(opText, among: operators) {
                message += "; did you mean \(suggestion)?"
            }
            report(rule, message + " (allowed: \(operators.joined(separator: " ")))")
            return nil
        }
        guard let definition = FactCatalog.definition(named: fact) else {
            // Reported by the facts check when listed there; by `parseRule` otherwise.
            unknownConditionFacts.append(fact)
            return nil
        }
        if op == .known {
            if fields["value"] != nil { report(rule, "\(path): op known takes no value") }
            return .compare(fact: fact, op: op, value: nil)
        }
        guard let given = fields["value"] else {
            report(rule, "\(path): \(fact) \(op.rawValue) needs a value")
            return nil
        }
        guard let json = resolvingParameter(given, rule: rule, path: path) else { return nil }
        guard let value = literal(json, for: definition, op: op, rule: rule, path: path) else { return nil }
        return .compare(fact: fact, op: op, value: value)
    }

    private mutating func literal(
        _ json: JSONValue, for definition: FactDefinition, op: Condition.Operator, rule: String, path: String
    ) -> Literal? {
        let name = definition.name
        switch op {
        case .in, .containsAny:
            if op == .containsAny, case .set = definition.type {
            } else if op == .in, definition.type == .number || definition.type.isText {
            } else {
                let use = op == .in ? "use contains-any for a set fact" : "contains-any needs a set fact"
                report(rule, "\(path): \(name) is \(definition.type.description); \(use)")
                return nil
            }
            guard case .array(let items) = json, !items.isEmpty else {
                report(rule, "\(path): \(op.rawValue) needs a non-empty list of values")
                return nil
            }
            var values: [Literal] = []
            for item in items {
                guard let value = scalar(item, for: definition, rule: rule, path: path) else { return nil }
                values.append(value)
            }
            return .list(values)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard definition.type == .number else {
                report(rule, "\(path): \(op.rawValue) compares numbers, but \(name) is \(definition.type.description)")
                return nil
            }
            return scalar(json, for: definition, rule: rule, path: path)
        case .equal, .notEqual:
            if case .set = definition.type {
                report(rule, "\(path): \(name) is a set; use contains-any")
                return nil
            }
            return scalar(json, for: definition, rule: rule, path: path)
        case .known:
            return nil
        }
    }

    private mutating func scalar(_ json: JSONValue, for definition: FactDefinition, rule: String, path: String)
        -> Literal?
    {
        switch (definition.type, json) {
        case (.number, .number(let value)):
            return .number(value)
        case (.bool, .bool(let value)):
            return .bool(value)
        case (.text(let words), .string(let word)), (.set(let words), .string(let word)):
            guard words.contains(word) else {
                var message = "\(path): \"\(word)\" is not a value of \(definition.name)"
                if let suggestion = NearMiss.suggest(word, among: words) { message += "; did you mean \(suggestion)?" }
                report(rule, message + " (allowed: \(words.joined(separator: ", ")))")
                return nil
            }
            return .text(word)
        default:
            report(
                rule,
                "\(path): \(definition.name) is \(definition.type.description), but the value is \(json.typeName)")
            return nil
        }
    }
}

extension FactDefinition.ValueType {
    var isText: Bool {
        if case .text = self { return true }
        return false
    }
}
