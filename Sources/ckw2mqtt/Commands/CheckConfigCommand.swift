import ArgumentParser
import Bridge

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration without connecting anywhere; print it with secrets redacted.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        // Problems are printed by `load`, which exits with status 1.
        let configuration = try options.load()
        Terminal.print("# CKW access: \(configuration.ckw.accessDescription)")
        Terminal.print("# The effective configuration (secrets redacted):")
        Terminal.print(configuration.description)
    }
}
