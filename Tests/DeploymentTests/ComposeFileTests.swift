import Bridge
import Foundation
import Testing

@Suite("docker-compose.yml and the Dockerfile")
struct ComposeFileTests {
    let compose: ComposeFile
    let dockerfile: Dockerfile

    init() throws {
        compose = try ComposeFile(yaml: RepositoryFiles.yaml("docker-compose.yml"))
        dockerfile = Dockerfile(text: try RepositoryFiles.text("Dockerfile"))
    }

    private func service(_ name: String) throws -> ComposeFile.Service {
        try #require(compose.services[name], "docker-compose.yml has no service `\(name)`")
    }

    @Test func theStackHasBrokerHomeAssistantBridgeAndSimulator() throws {
        #expect(Set(compose.services.keys) == ["mosquitto", "homeassistant", "ckw2mqtt", "simulator"])
        #expect(try service("mosquitto").image?.hasPrefix("eclipse-mosquitto:") == true)
        #expect(try service("homeassistant").image?.hasPrefix("ghcr.io/home-assistant/home-assistant:") == true)
        // Both bridge services come from this repository's Dockerfile, as one image.
        let bridge = try service("ckw2mqtt"), simulator = try service("simulator")
        #expect(bridge.builds && simulator.builds)
        #expect(bridge.image != nil && bridge.image == simulator.image)
    }

    @Test func theImageShipsTheBinaryOfTheReleaseBuildScript() throws {
        // scripts/build-release links the Swift runtime in and keeps debug info out of the binary;
        // an image built with a plain `swift build` would need the runtime libraries and weigh
        // three times as much.
        let copies = dockerfile.instructions.filter { $0.keyword == "COPY" }.map(\.arguments)
        #expect(copies.contains("scripts ./scripts"), "the Dockerfile's build stage must copy scripts/")
        let runs = dockerfile.instructions.filter { $0.keyword == "RUN" }.map(\.arguments)
        #expect(runs.contains { $0.contains("scripts/build-release") }, "the Dockerfile must build with scripts/build-release")
    }

    @Test func onlyTheSimulatorIsBehindAProfileAndItRunsTheDemo() throws {
        let simulator = try service("simulator")
        #expect(simulator.profiles == ["simulator"])
        #expect(simulator.command.first == "demo")
        for (name, service) in compose.services where name != "simulator" {
            #expect(service.profiles.isEmpty, "`\(name)` must start with a plain `docker compose up`")
        }
    }

    @Test func brokerAndHomeAssistantArePublishedAndMetricsStayInside() throws {
        #expect(try service("mosquitto").ports == ["1883:1883"])
        #expect(try service("homeassistant").ports == ["8123:8123"])
        #expect(try service("ckw2mqtt").ports.isEmpty)
        #expect(try service("simulator").ports.isEmpty)
    }

    @Test func namedVolumesAreDeclaredAndMountedFilesExist() throws {
        var used: Set<String> = []
        for service in compose.services.values {
            for volume in service.volumes {
                let source = String(volume.split(separator: ":")[0])
                if source.hasPrefix(".") || source.hasPrefix("/") {
                    // A bind-mounted file must ship with the repository; a directory (./config) is the user's.
                    if URL(fileURLWithPath: source).pathExtension.isEmpty { continue }
                    #expect(FileManager.default.fileExists(atPath: RepositoryFiles.url(source).path),
                            "\(service.name) mounts \(source), which is not in the repository")
                } else {
                    used.insert(source)
                    #expect(compose.namedVolumes.contains(source), "\(service.name) uses the undeclared volume \(source)")
                }
            }
        }
        #expect(used == compose.namedVolumes, "declared volumes nobody mounts: \(compose.namedVolumes.subtracting(used).sorted())")
    }

    @Test func mosquittoReadsTheExampleConfiguration() throws {
        let mosquitto = try service("mosquitto")
        #expect(mosquitto.volumeTarget(ofSource: "./examples/mosquitto/mosquitto.conf") == "/mosquitto/config/mosquitto.conf")
        let configuration = try RepositoryFiles.text("examples/mosquitto/mosquitto.conf")
        #expect(configuration.contains("listener 1883"))
    }

    @Test func bothBridgesKeepTheirStateInAVolumeWhereTheImageExpectsIt() throws {
        let stateDirectory = try #require(dockerfile.runtimeEnvironment["CKW2MQTT_BRIDGE_STATE_DIRECTORY"])
        #expect(dockerfile.runtime("VOLUME").contains { $0.contains("\"\(stateDirectory)\"") })
        for name in ["ckw2mqtt", "simulator"] {
            let service = try service(name)
            let target = service.volumes.compactMap { volume -> String? in
                let parts = volume.split(separator: ":").map(String.init)
                return compose.namedVolumes.contains(parts[0]) ? parts[1] : nil
            }
            #expect(target == [stateDirectory], "\(name) must mount one named volume at \(stateDirectory)")
        }
    }

    @Test func everyVariableOfTheBridgeServicesIsOneTheLoaderAccepts() throws {
        for name in ["ckw2mqtt", "simulator"] {
            let service = try service(name)
            #expect(!ConfigurationCheck.ckw2mqttNames(service.environment.keys).isEmpty)
            // As the container sees it: the image's ENV, then the service's, interpolated with no .env.
            var environment = dockerfile.runtimeEnvironment
            for (variable, value) in service.environment {
                environment[variable] = try ComposeFile.interpolate(value, variables: [:])
            }
            #expect(ConfigurationCheck.problems(environment: environment) == [], "service \(name)")
        }
    }

    @Test func theBridgeServiceRunsOnceCKWSettingsAreInDotEnv() throws {
        let dotEnv = [
            "CKW2MQTT_CKW_API_BASE_URL": "https://openenergy.example.ckw.ch/api",
            "CKW2MQTT_CKW_CLIENT_ID": "my-app",
        ]
        var environment = dockerfile.runtimeEnvironment
        for (variable, value) in try service("ckw2mqtt").environment {
            environment[variable] = try ComposeFile.interpolate(value, variables: dotEnv)
        }
        environment["STATE_DIRECTORY"] = FileManager.default.temporaryDirectory.path
        let configuration = try ConfigurationLoader(environment: environment, ckwRequirement: .required).load()
        #expect(configuration.mqtt.host == "mosquitto")
        #expect(configuration.ckw.clientID == "my-app")
        #expect(configuration.ckw.mode == .client)
        #expect(configuration.http.enabled && configuration.http.host == "0.0.0.0")
        // Without them the loader names what is missing instead of starting.
        var missing = environment
        missing["CKW2MQTT_CKW_CLIENT_ID"] = ""
        #expect(ConfigurationCheck.problems(environment: missing, ckw: .required).contains { $0.contains("ckw.client_id") })
    }

    @Test func theCheckNoticesAVariableTheLoaderDoesNotKnow() {
        // Guards the tests above against passing vacuously.
        let problems = ConfigurationCheck.problems(environment: ["CKW2MQTT_MQTT_HOTS": "mosquitto"])
        #expect(problems.contains { $0.contains("CKW2MQTT_MQTT_HOTS") })
    }

    @Test func interpolationFollowsCompose() throws {
        let variables = ["SET": "value", "EMPTY": ""]
        #expect(try ComposeFile.interpolate("${SET:-default}", variables: variables) == "value")
        #expect(try ComposeFile.interpolate("${EMPTY:-default}", variables: variables) == "default")
        #expect(try ComposeFile.interpolate("${EMPTY-default}", variables: variables) == "")
        #expect(try ComposeFile.interpolate("${UNSET-default}", variables: variables) == "default")
        #expect(try ComposeFile.interpolate("$$SET and $SET", variables: variables) == "$SET and value")
        #expect(throws: ShapeError.self) { try ComposeFile.interpolate("${UNSET:?needed}", variables: variables) }
    }

    @Test func theImageRunsAsAnUnprivilegedUserWithAHealthCheckOnTheConfiguredPort() throws {
        let user = try #require(dockerfile.runtime("USER").last)
        #expect(!user.hasPrefix("root") && !user.hasPrefix("0"))
        let healthCheck = try #require(dockerfile.runtime("HEALTHCHECK").first)
        let port = try #require(dockerfile.runtimeEnvironment["CKW2MQTT_HTTP_PORT"])
        #expect(healthCheck.contains("http://127.0.0.1:\(port)/healthz"))
        #expect(dockerfile.runtimeEnvironment["CKW2MQTT_HTTP_ENABLED"] == "true")
        let installs = dockerfile.runtime("RUN").joined(separator: " ")
        for package in ["libmosquitto1", "ca-certificates", "curl"] {
            #expect(installs.contains(package), "the runtime image needs \(package)")
        }
        #expect(dockerfile.runtime("ENTRYPOINT") == ["[\"ckw2mqtt\"]"])
        #expect(dockerfile.runtime("CMD") == ["[\"run\"]"])
        // Default for the loader's required checks: the image's own variables are all accepted.
        #expect(ConfigurationCheck.problems(environment: dockerfile.runtimeEnvironment) == [])
    }
}
