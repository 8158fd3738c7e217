// Publish rate of the Swift wrapper against libmosquitto used directly from C, side by side against
// the same private broker: 200-byte messages at QoS 0 (written) and QoS 1 (all acknowledged).
//
//     swift run -c release mosquitto-benchmark [--messages N] [--rounds R] [--window W]
//
// Each round runs the C program (`mosquitto-c-publisher`, built with this one) in its two ways and
// then the wrapper in its two ways (see `BenchmarkSettings.allImplementations`), with the same message
// count, payload, in-flight limit and window of unfinished publications. Prints one JSON object per
// measurement, then a table of medians, each against the baseline `c`.

import Foundation
import Mosquitto
import TestSupport

let settings: BenchmarkSettings
do {
    settings = try BenchmarkSettings.parse(CommandLine.arguments.dropFirst())
} catch {
    guard let problem = error.problem else {
        print(BenchmarkSettings.usage)
        exit(0)
    }
    FileHandle.standardError.write(Data("mosquitto-benchmark: \(problem)\n\(BenchmarkSettings.usage)\n".utf8))
    exit(2)
}
let broker = try await TestBroker.start()
let results: [Measurement]
do {
    results = try await measure(against: broker, settings: settings)
} catch {
    await broker.shutdown()
    FileHandle.standardError.write(Data("mosquitto-benchmark failed: \(error)\n".utf8))
    exit(1)
}
await broker.shutdown()
printSummary(results, settings: settings)

func measure(against broker: TestBroker, settings: BenchmarkSettings) async throws -> [Measurement] {
    let cPublisher = try BuiltExecutable.path("mosquitto-c-publisher")
    var results: [Measurement] = []
    for round in 1...settings.rounds {
        for qos in settings.qosLevels.compactMap({ MQTTQoS(rawValue: UInt8($0)) }) {
            var measurements: [Measurement] = []
            for implementation in settings.implementations {
                switch implementation {
                case "c", "c-loop":
                    measurements.append(try await runCPublisher(
                        cPublisher, port: broker.port, qos: qos, fromLoopThread: implementation == "c-loop", settings: settings))
                default:
                    measurements.append(try await runWrapper(
                        port: broker.port, qos: qos, onConnectionThread: implementation == "swift", settings: settings))
                }
            }
            for measurement in measurements {
                var measurement = measurement
                measurement.round = round
                print(measurement.jsonLine)
                results.append(measurement)
            }
        }
    }
    return results
}
