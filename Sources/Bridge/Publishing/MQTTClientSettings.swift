import HomeAssistant
import Mosquitto

/// The MQTT client configuration the bridge's settings describe (also for the commands that talk
/// to the broker, such as `purge`, which pass no will).
public enum MQTTClientSettings {
    public static func configuration(_ settings: MQTTSettings, will: OutgoingMessage?) -> MQTTClient.Configuration {
        var configuration = MQTTClient.Configuration(
            host: settings.host,
            port: settings.port,
            clientID: settings.clientID,
            protocolVersion: settings.protocolVersion == .v5 ? .v5 : .v311,
            keepAlive: settings.keepalive,
            will: will.map { MQTTClient.Will(topic: $0.topic, payload: $0.payload, qos: $0.qos, retain: $0.retain) },
            // Everything the bridge publishes is retained and republished after each connection, so
            // there is no session worth resuming.
            cleanStart: true,
            maxQueuedMessages: max(1, settings.offlineQueueLimit))
        if let username = settings.username {
            configuration.credentials = MQTTClient.Credentials(username: username, password: settings.password?.plaintext)
        }
        if settings.tls.enabled {
            let trustRoots: MQTTClient.TLS.TrustRoots =
                if let caFile = settings.tls.caFile { .caFile(caFile) }
                else if let caPath = settings.tls.caPath { .caDirectory(caPath) }
                else { .system }
            let verification: MQTTClient.TLS.CertificateVerification =
                if settings.tls.insecureSkipVerify { .none }
                else if settings.tls.insecureSkipVerifyHostname { .noHostnameVerification }
                else { .fullVerification }
            var tls = MQTTClient.TLS(trustRoots: trustRoots, certificateVerification: verification)
            if let certificate = settings.tls.certFile, let key = settings.tls.keyFile {
                tls.clientCertificate = .init(certificateFile: certificate, privateKeyFile: key)
            }
            configuration.tls = tls
        }
        return configuration
    }
}
