extension MQTTClient {
    /// Everything needed to connect, as a value type with sensible defaults.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// The MQTT client identifier. Empty lets libmosquitto generate a random one, which only works
        /// with `cleanStart` (a persistent session needs a stable identifier).
        public var clientID: String
        public var protocolVersion: ProtocolVersion
        /// How often the client pings an idle connection; the broker drops it after 1.5 times this.
        public var keepAlive: Duration
        public var credentials: Credentials?
        /// `nil` connects over plain TCP.
        public var tls: TLS?
        /// Published by the broker when the connection ends without a DISCONNECT (crash, network loss).
        public var will: Will?
        /// `true` starts a fresh session on every connection; `false` resumes the stored session
        /// (subscriptions and queued QoS 1/2 messages) if the broker has one.
        public var cleanStart: Bool
        /// MQTT 5 only: how long the broker keeps the session after the connection ends. `nil` sends no
        /// property, which means the session ends with the connection.
        public var sessionExpiry: Duration?
        /// How many QoS 1/2 messages may be unacknowledged on the wire at once.
        public var maxInflightMessages: Int
        /// How many QoS 1/2 messages may await acknowledgement in total, including those queued while
        /// disconnected. Beyond it `publish` fails with `MQTTError.queueFull`.
        public var maxQueuedMessages: Int
        public var reconnect: ReconnectPolicy
        /// Disables Nagle's algorithm so small messages are not held back.
        public var tcpNoDelay: Bool

        public init(
            host: String,
            port: Int = 1883,
            clientID: String,
            protocolVersion: ProtocolVersion = .v311,
            keepAlive: Duration = .seconds(60),
            credentials: Credentials? = nil,
            tls: TLS? = nil,
            will: Will? = nil,
            cleanStart: Bool = true,
            sessionExpiry: Duration? = nil,
            maxInflightMessages: Int = 20,
            maxQueuedMessages: Int = 10_000,
            reconnect: ReconnectPolicy = ReconnectPolicy(),
            tcpNoDelay: Bool = true
        ) {
            self.host = host
            self.port = port
            self.clientID = clientID
            self.protocolVersion = protocolVersion
            self.keepAlive = keepAlive
            self.credentials = credentials
            self.tls = tls
            self.will = will
            self.cleanStart = cleanStart
            self.sessionExpiry = sessionExpiry
            self.maxInflightMessages = maxInflightMessages
            self.maxQueuedMessages = maxQueuedMessages
            self.reconnect = reconnect
            self.tcpNoDelay = tcpNoDelay
        }
    }

    public enum ProtocolVersion: Sendable, Hashable {
        case v311
        case v5
    }

    public struct Credentials: Sendable, Hashable {
        public var username: String
        public var password: String?

        public init(username: String, password: String?) {
            self.username = username
            self.password = password
        }
    }

    public struct Will: Sendable, Hashable {
        public var topic: String
        public var payload: [UInt8]
        public var qos: MQTTQoS
        public var retain: Bool

        public init(topic: String, payload: [UInt8], qos: MQTTQoS = .atLeastOnce, retain: Bool = true) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }

        public init(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = true) {
            self.init(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
        }
    }

    public struct TLS: Sendable, Hashable {
        /// Where the certificates that may sign the broker's certificate come from.
        public enum TrustRoots: Sendable, Hashable {
            /// A PEM file with one or more CA certificates.
            case caFile(String)
            /// A directory of hashed CA certificates (as made by `openssl rehash`).
            case caDirectory(String)
            /// The operating system's store (`/etc/ssl/certs` on Debian).
            case system
        }

        public enum CertificateVerification: Sendable, Hashable {
            /// Verify the chain and that the certificate names the host connected to.
            case fullVerification
            /// Verify the chain but not the host name. Only for brokers reached under a name their
            /// certificate does not carry; anyone holding a certificate from the same CA can impersonate them.
            case noHostnameVerification
            /// No check at all (chain nor host name): encryption without authentication, for test brokers.
            case none
        }

        public var trustRoots: TrustRoots
        /// PEM certificate and private key files for mutual TLS.
        public var clientCertificate: ClientCertificate?
        public var certificateVerification: CertificateVerification

        public struct ClientCertificate: Sendable, Hashable {
            public var certificateFile: String
            public var privateKeyFile: String

            public init(certificateFile: String, privateKeyFile: String) {
                self.certificateFile = certificateFile
                self.privateKeyFile = privateKeyFile
            }
        }

        public init(
            trustRoots: TrustRoots = .system,
            clientCertificate: ClientCertificate? = nil,
            certificateVerification: CertificateVerification = .fullVerification
        ) {
            self.trustRoots = trustRoots
            self.clientCertificate = clientCertificate
            self.certificateVerification = certificateVerification
        }
    }
}
