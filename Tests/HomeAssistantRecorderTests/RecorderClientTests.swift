import EnergyDomain
import Foundation
import HomeAssistant
import HomeAssistantRecorder
import Testing
import TestSupport

/// The websocket client and the recorder commands against a real Home Assistant.
@Suite struct RecorderClientTests {
    let statistic = EnergyStatistic(meteringPointID: "CH1008801234500000000000000012345", direction: .consumption, label: "Seestrasse 1")

    @Test func importsReadsBackOverwritesAndFindsTheLastRow() async throws {
        try await withHomeAssistant { homeAssistant in
            let connection = try await HomeAssistantWebSocket.connect(to: homeAssistant.endpoint, accessToken: homeAssistant.accessToken)
            let recorder = RecorderClient(connection: connection)
            #expect(await connection.homeAssistantVersion == "2025.4.4")
            #expect(try await recorder.info().recording)

            // Two Zurich days of hours, the second one imported again with a corrected hour.
            let start = try Date("2026-11-24T23:00:00Z", strategy: .iso8601)
            let rows = (0..<48).map { HourlyStatistic(start: start + Double($0 * 3600), state: 0.5, sum: 0.5 * Double($0 + 1)) }
            try await recorder.importStatistics(statistic, rows: rows)
            let end = start + 48 * 3600
            let stored = try await eventually("the imported rows", {
                try await recorder.statistics([statistic.statisticID], from: start, to: end)[statistic.statisticID] ?? []
            }, until: { $0.count == 48 })
            #expect(stored.map(\.start) == rows.map(\.start))
            #expect(stored.map(\.sum) == rows.map(\.sum))
            #expect(stored.map(\.state) == rows.map(\.state))

            var corrected = Array(rows[24...])
            for index in corrected.indices { corrected[index].sum += 0.25 }
            corrected[0].state = 0.75
            try await recorder.importStatistics(statistic, rows: corrected)
            let rewritten = try await eventually("the corrected rows", {
                try await recorder.statistics([statistic.statisticID], from: start, to: end)[statistic.statisticID] ?? []
            }, until: { $0.last?.sum == 24.25 })
            #expect(rewritten.count == 48)
            #expect(rewritten[24].state == 0.75)
            #expect(rewritten[23].sum == 12)

            let last = try await recorder.lastStatistic(statistic.statisticID, before: start + 30 * 3600, notBefore: start - 86_400 * 400)
            #expect(last?.start == start + 29 * 3600)
            #expect(last?.sum == 15.25)
            #expect(try await recorder.lastStatistic(statistic.statisticID, before: start, notBefore: start - 86_400 * 400) == nil)
            #expect(try await recorder.statistics(["ckw2mqtt:unknown_import"], from: start, to: end).isEmpty)
            await connection.close()
        }
    }

    @Test func clearErrorsForAWrongTokenAWrongPathAndAnInvalidStatistic() async throws {
        try await withHomeAssistant { homeAssistant in
            await #expect(throws: HomeAssistantConnectionError.authenticationFailed(homeAssistant.endpoint, message: "Invalid access token or password")) {
                _ = try await HomeAssistantWebSocket.connect(to: homeAssistant.endpoint, accessToken: "not-a-token")
            }
            let elsewhere = try HomeAssistantEndpoint(url: homeAssistant.url.appendingPathComponent("somewhere"))
            let error = await #expect(throws: HomeAssistantConnectionError.self) {
                _ = try await HomeAssistantWebSocket.connect(to: elsewhere, accessToken: homeAssistant.accessToken)
            }
            guard case .notHomeAssistant = error else {
                Issue.record("expected notHomeAssistant, got \(String(describing: error))")
                return
            }
            // The token never shows up in an error, whatever happens.
            #expect(!(error?.description.contains(homeAssistant.accessToken) ?? true))

            let connection = try await HomeAssistantWebSocket.connect(to: homeAssistant.endpoint, accessToken: homeAssistant.accessToken)
            await #expect(throws: HomeAssistantConnectionError.commandFailed(command: "no/such", code: "unknown_command", message: "Unknown command.")) {
                try await connection.send(["type": "no/such"], type: "no/such")
            }
            await connection.close()
            await #expect(throws: HomeAssistantConnectionError.self) { try await connection.send(["type": "ping"], type: "ping") }
        }
    }

    @Test func homeAssistantWithoutRecorderIsReportedAsSuchAndItsShutdownFailsTheNextCommand() async throws {
        try await withHomeAssistant(recorder: false) { homeAssistant in
            let connection = try await HomeAssistantWebSocket.connect(to: homeAssistant.endpoint, accessToken: homeAssistant.accessToken)
            await #expect(throws: HomeAssistantConnectionError.recorderNotLoaded(homeAssistant.endpoint)) {
                _ = try await RecorderClient(connection: connection).info()
            }
            await homeAssistant.process.stop()
            await #expect(throws: HomeAssistantConnectionError.self) {
                try await connection.send(["type": "ping"], type: "ping")
            }
        }
    }

    @Test func nothingListeningIsUnreachable() async throws {
        let endpoint = try HomeAssistantEndpoint(url: #require(URL(string: "http://127.0.0.1:\(try FreePort.find())")))
        let error = await #expect(throws: HomeAssistantConnectionError.self) {
            _ = try await HomeAssistantWebSocket.connect(to: endpoint, accessToken: "token")
        }
        guard case .unreachable = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
    }
}
