import OpenEnergySimulator
import ServiceLifecycle

/// Keeps an already started simulator serving until the service group shuts down.
struct SimulatorService: Service {
    let simulator: SimulatorServer

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await simulator.run()
        }
    }
}
