import Metrics
import Prometheus

/// Connects swift-metrics, through which the bridge reports, to a Prometheus registry. Once per
/// process (swift-metrics allows one bootstrap); later calls return the same registry.
public enum MetricsBootstrap {
    private static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Publish latency spans milliseconds (a local broker) to seconds (a remote one over TLS).
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The registry `/metrics` serves.
    public static func prometheus() -> PrometheusCollectorRegistry { shared }
}
