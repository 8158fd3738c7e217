import Bridge
import Foundation
import Logging
import Testing
import TestSupport

@Suite("State file")
struct StateFileTests {
    @Test("a damaged state file stops the bridge with instructions instead of starting from zero")
    func damaged() throws {
        let directory = try TemporaryDirectory(prefix: "ckw2mqtt-damaged")
        defer { directory.remove() }
        try Data("{\"schemaVersion\":1,\"state\":{\"ledger\":".utf8).write(to: URL(fileURLWithPath: directory.file("state.json")))
        var configuration = BridgeConfiguration(stateDirectory: directory.path)
        configuration.ckw.apiBaseURL = URL(string: "http://127.0.0.1:9/api/")
        configuration.ckw.clientID = "ckw2mqtt"
        let error = #expect(throws: StateStoreError.self) {
            _ = try BridgeService(configuration: configuration, logger: .init(label: "test"))
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("damaged"))
        #expect(message.contains(directory.file("state.json")))
        // Untouched: nobody replaced it with an empty state.
        #expect(try String(contentsOfFile: directory.file("state.json"), encoding: .utf8).hasPrefix("{\"schemaVersion\":1"))
    }
}
