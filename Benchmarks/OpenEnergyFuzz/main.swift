import Foundation
import Fuzzing

// `swift run -c release openenergy-fuzz [--iterations N] [--seed S] [--target NAME]...`
//
// Mutation fuzzing of the meter data and core data decoders, the rate-limit header parser and the
// configuration loader. Prints one JSON object per target and a total; exits 1 when a check found
// something, 3 on a hang, and dies by the signal on a crash (the input is in fuzz-crash.bin).

struct Arguments {
    var iterations = 1_000_000
    var seed: UInt64 = 0x434B_5732
    var targets: [FuzzTarget] = []

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            switch flag {
            case "--iterations":
                guard let number = Int(value.replacingOccurrences(of: "_", with: "")), number > 0 else { throw UsageError("--iterations expects a positive number") }
                iterations = number
            case "--seed":
                guard let number = UInt64(value) else { throw UsageError("--seed expects a number") }
                seed = number
            case "--target":
                guard let target = FuzzTarget.named(value) else {
                    throw UsageError("unknown target \(value); one of \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
                }
                targets.append(target)
            default:
                throw UsageError("unknown option \(flag)")
            }
        }
        if targets.isEmpty { targets = FuzzTarget.all }
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct Total: Codable {
    var iterations: Int
    var findings: Int
    var seconds: Double
}

let arguments: Arguments
do {
    arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("openenergy-fuzz: \(error)\nusage: openenergy-fuzz [--iterations N] [--seed S] [--target NAME]...\n".utf8))
    exit(2)
}

FuzzRunner.installCrashHandlers()
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]
let runner = FuzzRunner(iterations: arguments.iterations, seed: arguments.seed)
var total = Total(iterations: 0, findings: 0, seconds: 0)
for target in arguments.targets {
    let report = runner.run(target)
    total.iterations += report.iterations
    total.findings += report.findings.count
    total.seconds += report.seconds
    print(String(decoding: try encoder.encode(report), as: UTF8.self))
}
print(String(decoding: try encoder.encode(["total": total]), as: UTF8.self))
exit(total.findings == 0 ? 0 : 1)
