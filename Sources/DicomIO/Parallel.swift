import Dispatch

/// Data-parallel helpers for the batch stages (header reads, previews).
public enum Parallel {
    /// `work` applied to every input on all cores (`DispatchQueue.concurrentPerform`), results in input order.
    /// Each call writes only its own slot of the result, so no lock is needed.
    public static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], _ work: @Sendable (Input) -> Output
    ) -> [Output] {
        guard !inputs.isEmpty else { return [] }
        return [Output](unsafeUninitializedCapacity: inputs.count) { buffer, initialized in
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
                (base + index).initialize(to: work(inputs[index]))
            }
            initialized = inputs.count
        }
    }
}
