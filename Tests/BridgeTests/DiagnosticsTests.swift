import Foundation
import Logging
import OpenEnergy
import TestSupport
import Testing

@testable import Bridge

@Suite("Diagnostics: failures a user can report")
struct DiagnosticsTests {
    @Test("A 401 that survives the token refresh is the service's trouble, not a login to redo; invalid_grant is")
    func unauthorizedIsNotLogin() {
        let afterRefresh = FetchFailure.classify(OpenEnergyError.httpStatus(
            endpoint: "GET v1/coredata", status: 401, error: "invalid_token",
            message: OpenEnergyClient.rejectedAfterRefreshText))
        #expect(afterRefresh.scope == .service)
        let refused = FetchFailure.classify(OpenEnergyAuthError.loginRequired(reason: "CKW no longer accepts the stored login", hint: "Run `ckw2mqtt login`."))
        #expect(refused.scope == .login)
    }

    @Test("The last undecodable response is kept masked, readable by its owner only")
    func keepsUndecodableResponse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keeper = UndecodableResponseKeeper(stateDirectory: directory.path, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let body = #"{"meteringPointId":"CH1008801234500000000000000012345","series":[{"obis":"1-1:1.29.0","values":"oops"}]}"#
        let exchange = OpenEnergyExchange(
            endpoint: "GET v1/meterdata/{meteringPointId}", url: "https://api.example/v1/meterdata/CH1008801234500000000000000012345?from=x",
            sentAt: Date(timeIntervalSince1970: 1_795_734_000), duration: 0.2, statusCode: 200,
            headers: [(name: "X-Ratelimit-Remaining", value: "97"), (name: "Set-Cookie", value: "session=abc")], body: Data(body.utf8),
            rateLimit: RateLimitStatus(observedAt: Date()))
        keeper.keep(exchange, error: .decoding(OpenEnergyDecodingError(
            endpoint: exchange.endpoint, path: "series[0].values", expected: "an array of values", found: "the string \"oops\"")))
        #expect(keeper.hasKept)
        let text = try String(contentsOfFile: directory.file(UndecodableResponseKeeper.fileName), encoding: .utf8)
        #expect(!text.contains("CH1008801234500000000000000012345"))
        #expect(!text.contains("session=abc"))
        #expect(text.contains(#"{"meteringPointId":"CHMASKED0000000000000000000000001","series":[{"obis":"1-1:1.29.0","values":"oops"}]}"#))
        #expect(text.contains("GET https://api.example/v1/meterdata/CHMASKED0000000000000000000000001?from=x"))
        #expect(text.contains("series[0].values"))
        #expect(text.contains("X-Ratelimit-Remaining: 97"))
        let mode = try FileManager.default.attributesOfItem(atPath: directory.file(UndecodableResponseKeeper.fileName))[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
