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
    /// Which implementations to run (both by default; one alone helps profiling).
    var implementations = ["c", "swift"]

    static func parse(_ arguments: ArraySlice<String>) -> BenchmarkSettings {
        var settings = BenchmarkSettings()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            if flag == "--only" {
                settings.implementations = [remaining.popFirst() ?? ""]
                continue
            }
            guard let value = remaining.popFirst().flatMap(Int.init), value >= 0 else {
                fatalError("usage: mosquitto-benchmark [--messages N] [--rounds R] [--window W] [--inflight I] [--qos 0|1] [--only c|swift]")
            }
            switch flag {
            case "--messages": settings.messages = value
            case "--rounds": settings.rounds = value
            case "--window": settings.window = value
            case "--inflight": settings.maxInflight = value
            case "--qos": settings.qosLevels = [value]
            default: fatalError("unknown option \(flag)")
            }
        }
        return settings
    }
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
