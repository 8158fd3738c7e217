struct BenchmarkSettings {
    var messages = 200_000
    var payloadBytes = 200
    var rounds = 5
    /// Publications started but not finished at most, for both implementations.
    var window = 1_000
    /// MQTT in-flight limit (libmosquitto's default), for both implementations.
    var maxInflight = 20
    /// Which QoS levels to measure.
    var qosLevels = [0, 1]
    /// Which implementations to run (all by default; one alone helps profiling).
    var implementations = allImplementations

    /// `c`: libmosquitto from C, a loop thread and a publishing thread (the baseline). `c-loop`: C
    /// publishing from its loop thread. `swift`: the wrapper, publishing tasks preferring the client's
    /// executor. `swift-pool`: the wrapper, publishing tasks on the global concurrent pool.
    static let allImplementations = ["c", "c-loop", "swift", "swift-pool"]

    static let usage =
        "usage: mosquitto-benchmark [--messages N] [--rounds R] [--window W] [--inflight I] [--qos 0|1|2] "
        + "[--only c,c-loop,swift,swift-pool]"

    /// - Throws: `UsageError` naming the offending option.
    static func parse(_ arguments: ArraySlice<String>) throws(UsageError) -> BenchmarkSettings {
        var settings = BenchmarkSettings()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            if flag == "--help" || flag == "-h" { throw UsageError(problem: nil) }
            guard let value = remaining.popFirst() else { throw UsageError(problem: "\(flag) needs a value") }
            if flag == "--only" {
                let chosen = value.split(separator: ",").map(String.init)
                guard !chosen.isEmpty, chosen.allSatisfy(allImplementations.contains) else {
                    throw UsageError(problem: "--only takes a comma-separated list of \(allImplementations.joined(separator: ", ")), not '\(value)'")
                }
                settings.implementations = chosen
                continue
            }
            guard let number = Int(value), number >= 1 || (flag == "--qos" && number == 0) else {
                throw UsageError(problem: "\(flag) takes a positive whole number, not '\(value)'")
            }
            switch flag {
            case "--messages": settings.messages = number
            case "--rounds": settings.rounds = number
            case "--window": settings.window = number
            case "--inflight": settings.maxInflight = number
            case "--qos":
                guard number <= 2 else { throw UsageError(problem: "--qos takes 0, 1 or 2, not \(number)") }
                settings.qosLevels = [number]
            default: throw UsageError(problem: "unknown option \(flag)")
            }
        }
        return settings
    }
}

struct UsageError: Error {
    /// `nil` when help was asked for.
    let problem: String?
}

struct Measurement: Codable {
    var implementation: String
    var qos: Int
    var messages: Int
    var payloadBytes: Int
    var seconds: Double
    var round: Int = 0

    var messagesPerSecond: Double { Double(messages) / seconds }

    var jsonLine: String {
        let rate = (messagesPerSecond * 10).rounded() / 10
        return #"{"benchmark":"mosquitto-publish","implementation":"\#(implementation)","round":\#(round),"qos":\#(qos),"# +
            #""messages":\#(messages),"payload_bytes":\#(payloadBytes),"seconds":\#(seconds),"messages_per_second":\#(rate)}"#
    }
}
