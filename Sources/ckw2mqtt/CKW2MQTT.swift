import ArgumentParser
import Bridge

@main
struct CKW2MQTT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ckw2mqtt",
        abstract: "Brings CKW smart-meter data into Home Assistant over MQTT.",
        discussion: """
            Start with `ckw2mqtt demo` to see it work with a simulated CKW. For real data, write a \
            configuration (see examples/config.yaml), run `ckw2mqtt login` once, then `ckw2mqtt run`.
            """,
        version: BridgeVersion.current,
        subcommands: [
            RunCommand.self, DemoCommand.self, SimulateCommand.self, LoginCommand.self, LogoutCommand.self,
            StatusCommand.self, ProbeCommand.self, CheckConfigCommand.self, PurgeCommand.self,
        ]
    )
}
