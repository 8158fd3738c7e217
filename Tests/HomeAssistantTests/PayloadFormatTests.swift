import Foundation
import HomeAssistant
import Testing

/// Properties of the bytes themselves: compact, deterministic, readable, and retained.
@Suite struct PayloadFormatTests {
    let mapping = Fixtures.mapping

    var allJSONMessages: [OutgoingMessage] {
        mapping.discoveryMessages(for: [Fixtures.solarHouse, Fixtures.flat]) + [
            mapping.meterState(Fixtures.solarHouseSnapshot, of: Fixtures.solarHouse),
            mapping.meterState(Fixtures.flatSnapshot, of: Fixtures.flat),
            mapping.bridgeInfo(Fixtures.bridgeSnapshot),
        ]
    }

    @Test func payloadsAreCompactJSONWithoutEscapedSlashes() throws {
        for message in allJSONMessages {
            let text = message.payloadString
            #expect(!text.contains("\n"), "\(message.topic)")
            #expect(!text.contains("\\/"), "\(message.topic)")
            #expect(!text.contains("\": "), "\(message.topic)")
            _ = try StatePayload(message)
        }
    }

    @Test func theSameInputGivesTheSameBytes() {
        #expect(allJSONMessages == allJSONMessages)
    }

    @Test func everyMessageIsRetained() {
        let others = [mapping.bridgeAvailability(.online), mapping.meterAvailability(.offline, meteringPointID: "CH1")]
            + mapping.meterRemoval(meteringPointID: "CH1") + mapping.bridgeRemoval()
        #expect((allJSONMessages + others).allSatisfy { $0.retain })
    }

    @Test func removalMessagesDeleteRetainedMessages() {
        let removal = mapping.meterRemoval(meteringPointID: Fixtures.flatID) + mapping.bridgeRemoval()
        #expect(removal.allSatisfy { $0.isRetainedDeletion })
        #expect(removal.first?.topic == mapping.topics.meterDiscovery(Fixtures.flatID))
    }

    @Test func timestampsAreUTCWithZ() throws {
        let state = try StatePayload(mapping.meterState(Fixtures.solarHouseSnapshot, of: Fixtures.solarHouse))
        #expect(state.string("interval_start") == "2026-11-26T23:00:00Z")
        #expect(state.string("interval_end") == "2026-11-26T23:15:00Z")
    }

    @Test func fractionalSecondsAreDroppedFromTimestamps() throws {
        var snapshot = Fixtures.bridgeSnapshot
        snapshot.lastSuccessfulFetch = Fixtures.date("2026-11-27T06:30:12Z").addingTimeInterval(0.75)
        let info = try StatePayload(mapping.bridgeInfo(snapshot))
        #expect(info.string("last_successful_fetch") == "2026-11-27T06:30:12Z")
    }

    @Test func labelsKeepTheirCharacters() throws {
        var meter = Fixtures.flat
        meter.label = "Zürichstrasse 5 / Dachwohnung \"Süd\""
        let config = try StatePayload(mapping.meterDiscovery(for: meter))
        #expect((config["device"] as? [String: Any])?["name"] as? String == "Zürichstrasse 5 / Dachwohnung \"Süd\"")
        #expect(mapping.meterDiscovery(for: meter).payloadString.contains("Zürichstrasse 5 / Dachwohnung"))
    }
}
