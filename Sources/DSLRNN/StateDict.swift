import DSLRTensor

/// What did not match when loading a state dict into a module.
public struct StateDictMismatch: Error, Sendable, CustomStringConvertible, Equatable {
    /// Names the module has and the source lacks.
    public var missing: [String] = []
    /// Names the source has and the module lacks.
    public var unexpected: [String] = []
    /// Names present in both with different shapes: (name, module shape, source shape).
    public var shapeMismatches: [ShapeMismatch] = []
    /// Where the state came from, for messages (a file path, "state dict").
    public var source: String = "state dict"

    public struct ShapeMismatch: Sendable, Equatable {
        public let name: String
        public let expected: [Int]
        public let found: [Int]

        public init(name: String, expected: [Int], found: [Int]) {
            self.name = name
            self.expected = expected
            self.found = found
        }
    }

    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
        if !shapeMismatches.isEmpty {
            parts.append("shape mismatch " + shapeMismatches.map { "\($0.name) (model \($0.expected), file \($0.found))" }
                .joined(separator: ", "))
        }
        return "\(source): " + parts.joined(separator: "; ")
    }
}

extension Module {
    /// Copies `state` into this module's parameters and buffers (converting dtype and
    /// device to the module's). Names must match exactly and shapes must agree; with
    /// `strict` any missing or unexpected name is an error too. On error nothing is copied,
    /// so a module is never left half-loaded. Returns what was tolerated when not strict.
    @discardableResult
    public func load(_ state: [(String, Tensor)], strict: Bool = true, source: String = "state dict") throws -> StateDictMismatch {
        var report = StateDictMismatch(source: source)
        let mine = stateDict()
        var given: [String: Tensor] = [:]
        for (name, tensor) in state { given[name] = tensor }
        let myNames = Set(mine.map(\.0))
        for (name, tensor) in mine {
            guard let source = given[name] else {
                report.missing.append(name)
                continue
            }
            if source.shape != tensor.shape {
                report.shapeMismatches.append(.init(name: name, expected: tensor.shape, found: source.shape))
            }
        }
        report.unexpected = state.map(\.0).filter { !myNames.contains($0) }
        if !report.shapeMismatches.isEmpty || (strict && !report.isEmpty) {
            throw report
        }
        try withNoGrad {
            for (name, tensor) in mine {
                if let source = given[name] { try tensor.copy_(source) }
            }
        }
        return report
    }
}
