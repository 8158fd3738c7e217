@testable import Bridge
import Foundation
import HomeAssistant
import Testing

@Suite("The web page's status: what the numbers alone do not say")
struct BridgeStatusTests {
    private static let now = Date(timeIntervalSince1970: 1_795_677_600)

    private func status(_ login: BridgeStatus.Login, meters: Int, hasCoreData: Bool) -> BridgeStatus {
        let meter = MeterDescription(meteringPointID: "CH1008801234500000000000000012345", meterNumber: "123", measuresImport: true, measuresExport: false)
        let readout = MeterReadout(snapshot: MeterSnapshot(importTotal: 1.5, exportTotal: nil, lastInterval: nil), meter: meter, surplusThresholdWatts: 0)
        return BridgeStatus(
            version: "test", login: login, loginInProgress: false, mqttConnected: true,
            bridge: BridgeSnapshot(version: "test", authentication: .ok),
            meters: Array(repeating: BridgeStatus.Meter(description: meter, readout: readout, available: true, requestsLastDay: 1), count: meters),
            hasCoreData: hasCoreData, redirectURI: URL(string: "http://127.0.0.1/callback")!, now: Self.now)
    }

    @Test("a login whose account lists no metering point is probably the wrong account")
    func wrongAccount() {
        let notice = status(.loggedIn(obtainedAt: Self.now), meters: 0, hasCoreData: true).notice
        #expect(notice?.contains("Is it the CKW account that has the meter?") == true)
        // Before core data was read, no meters means nothing yet.
        #expect(status(.loggedIn(obtainedAt: Self.now), meters: 0, hasCoreData: false).notice == nil)
        #expect(status(.loggedIn(obtainedAt: Self.now), meters: 1, hasCoreData: true).notice == nil)
    }

    @Test("an expired or missing login says what to do")
    func loginNeeded() {
        #expect(status(.expired(obtainedAt: Self.now), meters: 1, hasCoreData: true).notice?.contains("Log in again") == true)
        #expect(status(.loggedOut, meters: 0, hasCoreData: false).notice?.contains("Not logged in") == true)
        #expect(status(.appCredentials, meters: 0, hasCoreData: false).notice == nil)
    }
}
