import Foundation
import OpenEnergy

/// The warnings a configuration with certificate checks switched off earns at every start: such a
/// setting is easily forgotten after a test and silently removes the protection of the passwords
/// and tokens, so it must be visible in the log of every run.
public enum InsecureTLSWarning {
    public static func warnings(for configuration: BridgeConfiguration) -> [String] {
        var warnings: [String] = []
        let mqtt = configuration.mqtt.tls
        if mqtt.enabled, mqtt.insecureSkipVerify {
            warnings.append("mqtt.tls.insecure_skip_verify is set: the broker's certificate is NOT verified; anyone on the network path can impersonate the broker and read the MQTT password. Use it for test brokers only.")
        } else if mqtt.enabled, mqtt.insecureSkipVerifyHostname {
            warnings.append("mqtt.tls.insecure_skip_verify_hostname is set: the broker's certificate is verified but not its host name; any certificate from the same CA is accepted. Use it for test brokers only.")
        }
        warnings += ckwWarnings(configuration.ckw.tls)
        if let warning = plainHomeAssistantWarning(configuration.homeAssistant.statistics) {
            warnings.append(warning)
        }
        return warnings
    }

    /// Home Assistant's token is an administrator's: over plain http to another machine, anyone on
    /// the network path can read it. Loopback never leaves the machine, and `supervisor` is the
    /// Supervisor's proxy on the add-on's internal network, the way Home Assistant documents for add-ons.
    static func plainHomeAssistantWarning(_ statistics: HomeAssistantStatisticsSettings) -> String? {
        guard statistics.enabled, let url = statistics.url, url.scheme?.lowercased() == "http",
              let host = url.host, !LoopbackHost.contains(host), host.lowercased() != "supervisor"
        else { return nil }
        return "homeassistant.statistics.url is plain http to \(host): Home Assistant's administrator token travels unencrypted "
            + "and anyone on the network path can read it. Use https (Home Assistant behind TLS), or run the bridge on the same host as Home Assistant."
    }

    /// The part for the CKW connection, also for the commands that only log in.
    public static func ckwWarnings(_ tls: CKWTLSSettings) -> [String] {
        guard tls.insecureSkipVerify else { return [] }
        return ["ckw.tls.insecure_skip_verify is set: the certificates of CKW's API and identity provider are NOT verified; anyone on the network path can read the login and its tokens. Use it for test endpoints only."]
    }
}
