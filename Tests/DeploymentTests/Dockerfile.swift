import Foundation

/// The instructions of a Dockerfile with continuation lines joined: enough to read the runtime
/// stage's `ENV`, `VOLUME`, `USER` and `HEALTHCHECK`.
struct Dockerfile {
    struct Instruction {
        var keyword: String
        var arguments: String
    }

    /// Every instruction of every stage, in order.
    var instructions: [Instruction]

    init(text: String) {
        var logical: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#")) { continue }
            if trimmed.hasSuffix("\\") {
                current += trimmed.dropLast() + " "
            } else {
                logical.append(current + trimmed)
                current = ""
            }
        }
        instructions = logical.map { line in
            let keyword = line.prefix { !$0.isWhitespace }
            return Instruction(keyword: keyword.uppercased(),
                               arguments: line.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces))
        }
    }

    /// The instructions after the last `FROM`: the image that ships.
    var runtimeStage: [Instruction] {
        guard let last = instructions.lastIndex(where: { $0.keyword == "FROM" }) else { return instructions }
        return Array(instructions[last...])
    }

    /// `ENV A=1 B=2` of the runtime stage (values without quotes or spaces, as this repository writes them).
    var runtimeEnvironment: [String: String] {
        var environment: [String: String] = [:]
        for instruction in runtimeStage where instruction.keyword == "ENV" {
            for pair in instruction.arguments.split(whereSeparator: \.isWhitespace) {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { environment[parts[0]] = parts[1] }
            }
        }
        return environment
    }

    func runtime(_ keyword: String) -> [String] {
        runtimeStage.filter { $0.keyword == keyword }.map(\.arguments)
    }
}
