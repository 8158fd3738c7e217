// A minimal process using the wrapper, for the test that a will is published when a client dies
// without DISCONNECT: the test starts it, waits for "ready", and kills it with SIGKILL.
//
// Usage: mosquitto-will-probe <broker-port> <client-id> <status-topic>
// Connects to 127.0.0.1 with the will "offline" (retained) on <status-topic>, publishes "online"
// there, prints "ready", then waits. It exits when its standard input closes, so it never outlives
// a test run that crashed.

import Foundation
import Mosquitto

let arguments = CommandLine.arguments
guard arguments.count == 4, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: mosquitto-will-probe <broker-port> <client-id> <status-topic>\n".utf8))
    exit(2)
}
let clientID = arguments[2]
let statusTopic = arguments[3]

let client = try MQTTClient(
    configuration: .init(
        host: "127.0.0.1", port: port, clientID: clientID,
        will: .init(topic: statusTopic, payload: "offline", qos: .atLeastOnce, retain: true),
        reconnect: .init(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(500))))
try client.start()
try await client.publish(topic: statusTopic, payload: "online", qos: .atLeastOnce, retain: true)
// Written unbuffered: the test waits for this line on a pipe.
FileHandle.standardOutput.write(Data("ready\n".utf8))

// Blocks a plain thread, not the cooperative pool, until the parent closes our stdin.
let stdinClosed = AsyncStream<Void> { continuation in
    Thread.detachNewThread {
        _ = FileHandle.standardInput.readDataToEndOfFile()
        continuation.finish()
    }
}
for await _ in stdinClosed {}
await client.shutdown()
