// Decoding benchmark of the OpenEnergy client: how long turning a 31-day meter data response (two 15-minute
// series, 5,952 values) into domain values takes. Run with `swift run -c release openenergy-benchmark`.
//
// Prints one JSON object per measurement, then a short table. The response is generated here, shaped like the
// wire contract, with realistic numbers and qualities (some estimated, some null/missing).
import Foundation
import OpenEnergy
import Timestamps

struct Measurement: Encodable {
    var benchmark: String
    var values: Int
    var bodyBytes: Int
    var iterations: Int
    var medianMs: Double
    var p90Ms: Double
    var minMs: Double
}

func makeMeterDataJSON(days: Int, start: Date) -> Data {
    let meteringPointId = "CH1008801234500000000000000012345"
    var json = "{\"meteringPointId\":\"\(meteringPointId)\",\"series\":["
    for (seriesIndex, obis) in ["1-1:1.29.0", "1-1:2.29.0"].enumerated() {
        if seriesIndex > 0 { json += "," }
        json += "{\"obis\":\"\(obis)\",\"unit\":\"kWh\",\"resolution\":\"PT15M\",\"values\":["
        for interval in 0..<(days * 96) {
            if interval > 0 { json += "," }
            let from = start.addingTimeInterval(Double(interval) * 900)
            let to = from.addingTimeInterval(900)
            let value: String
            let quality: String
            switch interval % 97 {
            case 0:
                (value, quality) = ("null", "missing")
            case 1...3:
                (value, quality) = (String(format: "%.3f", 0.05 + Double(interval % 13) * 0.011), "estimated")
            default:
                (value, quality) = (String(format: "%.3f", 0.04 + Double((interval * 7 + seriesIndex) % 50) * 0.013), "measured")
            }
            json += "{\"start\":\"\(ISO8601Timestamp.format(from))\",\"end\":\"\(ISO8601Timestamp.format(to))\",\"value\":\(value),\"quality\":\"\(quality)\"}"
        }
        json += "]}"
    }
    json += "]}"
    return Data(json.utf8)
}

func measure(name: String, iterations: Int, body: Data, values: Int, _ work: () throws -> Int) rethrows -> Measurement {
    // Warm-up: first runs pay for page faults and lazy initialisation.
    for _ in 0..<5 { _ = try work() }
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    var checksum = 0
    for _ in 0..<iterations {
        let start = ContinuousClock.now
        checksum &+= try work()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    precondition(checksum != 0)
    samples.sort()
    return Measurement(
        benchmark: name, values: values, bodyBytes: body.count, iterations: iterations,
        medianMs: samples[samples.count / 2], p90Ms: samples[Int(Double(samples.count) * 0.9)], minMs: samples[0]
    )
}

let start = ISO8601Timestamp.parse("2026-10-01T00:00:00Z")!
let body = makeMeterDataJSON(days: 31, start: start)
let expectedValues = 31 * 96 * 2

// Check once that the decoder returns everything, so the benchmark measures real work.
let decoded = try OpenEnergyWireDecoding.meterData(from: body, endpoint: "benchmark")
let decodedValues = decoded.series.reduce(0) { $0 + $1.readings.count }
precondition(decodedValues == expectedValues, "decoded \(decodedValues) values, expected \(expectedValues)")

var results: [Measurement] = []
results.append(try measure(name: "meterdata-decode-31d-2series", iterations: 200, body: body, values: expectedValues) {
    try OpenEnergyWireDecoding.meterData(from: body, endpoint: "benchmark").series.reduce(0) { $0 + $1.readings.count }
})
// For comparison: the same through JSONDecoder and the Codable wire types (the reference implementation).
results.append(try measure(name: "meterdata-decode-codable-reference", iterations: 100, body: body, values: expectedValues) {
    try OpenEnergyWireDecoding.meterDataViaCodable(from: body, endpoint: "benchmark").series.reduce(0) { $0 + $1.readings.count }
})
let timestamps = decoded.series.flatMap(\.readings).map { ISO8601Timestamp.format($0.start) }
results.append(measure(name: "timestamp-parse-12k", iterations: 200, body: Data(), values: timestamps.count * 2) {
    var count = 0
    for _ in 0..<2 {
        for text in timestamps where ISO8601Timestamp.parse(text) != nil { count += 1 }
    }
    return count
})

let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]
for result in results {
    print(String(decoding: try encoder.encode(result), as: UTF8.self))
}
print("")
print("benchmark                              values    median ms   p90 ms")
for result in results {
    let name = result.benchmark.padding(toLength: 37, withPad: " ", startingAt: 0)
    print("\(name) \(String(format: "%7d   %9.3f  %7.3f", result.values, result.medianMs, result.p90Ms))")
}
