import CoreMetrics
import Foundation
import Metrics
import OpenEnergy

/// The bridge's metrics, reported through swift-metrics: without a bootstrapped backend they cost
/// nothing; `ckw2mqtt run` with `http.enabled` exports them for Prometheus on `/metrics`.
///
/// Metric objects are made at each use rather than kept in statics: swift-metrics binds a metric to
/// the backend bootstrapped when it is made, and the backends return the same metric for the same
/// label and dimensions.
enum BridgeMetrics {
    static let requests = "ckw2mqtt_ckw_requests_total"
    static let rateLimitRemaining = "ckw2mqtt_ckw_rate_limit_remaining"
    static let intervalsReceived = "ckw2mqtt_intervals_received_total"
    static let publishLatency = "ckw2mqtt_publish_latency_seconds"
    static let reconnects = "ckw2mqtt_mqtt_reconnects_total"
    static let mqttConnected = "ckw2mqtt_mqtt_connected"
    static let lastSuccessfulFetch = "ckw2mqtt_last_successful_fetch_timestamp_seconds"

    /// One CKW API call that returned data (`status="200"`).
    static func requestSucceeded(endpoint: Endpoint) {
        Counter(label: requests, dimensions: [("endpoint", endpoint.rawValue), ("status", "200")]).increment()
    }

    /// One CKW API call that failed: `status` is the HTTP status, or `timeout`, `network`,
    /// `decoding`, `login` when there was none.
    static func requestFailed(endpoint: Endpoint, error: any Error) {
        Counter(label: requests, dimensions: [("endpoint", endpoint.rawValue), ("status", statusLabel(of: error))]).increment()
    }

    static func statusLabel(of error: any Error) -> String {
        switch error {
        case let error as OpenEnergyError:
            if let status = error.httpStatus { return String(status) }
            switch error {
            case .timeout: return "timeout"
            case .decoding: return "decoding"
            case .transport: return "network"
            default: return "error"
            }
        case is OpenEnergyAuthError:
            return "login"
        default:
            return "error"
        }
    }

    static func rateLimit(remaining: Int?) {
        guard let remaining else { return }
        Gauge(label: rateLimitRemaining).record(remaining)
    }

    static func intervalsReceived(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: intervalsReceived).increment(by: count)
    }

    /// From receiving a meter data response to the broker acknowledging the states built from it.
    static func published(sinceResponse: Duration) {
        CoreMetrics.Timer(label: publishLatency).record(duration: sinceResponse)
    }

    static func mqttConnection(connected: Bool, reconnected: Bool) {
        Gauge(label: mqttConnected).record(connected ? 1 : 0)
        if reconnected { Counter(label: reconnects).increment() }
    }

    static func fetchSucceeded(at date: Date) {
        Gauge(label: lastSuccessfulFetch).record(date.timeIntervalSince1970)
    }

    enum Endpoint: String {
        case coreData = "core_data"
        case meterData = "meter_data"
    }
}
