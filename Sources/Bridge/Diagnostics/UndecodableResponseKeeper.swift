import Foundation
import Logging
import OpenEnergy
import Synchronization

/// Keeps the last API response the bridge could not decode in the state directory, masked and
/// readable by the owner only, so that a user without a shell can still be asked for it (the path
/// is in `bridge/info`), and says so once in the log.
final class UndecodableResponseKeeper: Sendable {
    static let fileName = "last-undecodable-response.txt"

    let path: String
    private let logger: Logger
    private let state = Mutex((written: false, announced: false))

    init(stateDirectory: String, logger: Logger) {
        path = stateDirectory.appendingFileName(Self.fileName)
        self.logger = logger
    }

    /// Whether a body has been kept during this run.
    var hasKept: Bool { state.withLock { $0.written } }

    func keep(_ exchange: OpenEnergyExchange, error: OpenEnergyError) {
        let text = RawExchangeText.format(exchange, masker: SensitiveDataMasker(), note: "could not be decoded: \(error)")
        do {
            try RawExchangeText.writePrivately(text, to: path)
        } catch {
            logger.warning("cannot keep the undecodable response: \(error)")
            return
        }
        let first = state.withLock { state in
            defer { state = (true, true) }
            return !state.announced
        }
        if first {
            logger.error("CKW sent a response the bridge cannot read; it is kept, with names, addresses and ids masked, in \(path) (replaced by later ones). Please attach it to a bug report, with the output of `ckw2mqtt probe`.", metadata: ["error": "\(error)"])
        }
    }
}
