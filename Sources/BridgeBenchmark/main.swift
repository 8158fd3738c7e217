// The benchmark is being written.
