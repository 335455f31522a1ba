/// Runs `work` on every input concurrently, a bounded batch at a time, and returns each batch's results to `emit`
/// in input order (so output is deterministic and memory stays bounded on huge folders).
public func forEachConcurrently<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], batchSize: Int, work: @escaping @Sendable (Input) -> Output, emit: (Input, Output) -> Void
) async {
    let size = max(1, batchSize)
    for start in stride(from: 0, to: inputs.count, by: size) {
        let batch = Array(inputs[start..<min(start + size, inputs.count)])
        let results = await withTaskGroup(of: (Int, Output).self) { group in
            for (index, input) in batch.enumerated() {
                group.addTask { (index, work(input)) }
            }
            var ordered = [Output?](repeating: nil, count: batch.count)
            for await (index, output) in group { ordered[index] = output }
            return ordered
        }
        for (input, output) in zip(batch, results) {
            if let output { emit(input, output) }
        }
    }
}
