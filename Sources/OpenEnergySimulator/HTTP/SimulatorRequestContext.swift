import Hummingbird
import NIOCore

/// Request context that keeps the connection's channel, so that a fault can cut a response short
/// by closing the connection mid-body.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
