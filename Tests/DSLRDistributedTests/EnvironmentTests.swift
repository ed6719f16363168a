import DSLRDistributed
import Testing

@Suite struct EnvironmentTests {
    @Test func readsPyTorchVariablesAndFileRendezvous() throws {
        #expect(try DistributedEnvironment.read([:]) == nil)
        let tcp = try #require(try DistributedEnvironment.read(["RANK": "1", "WORLD_SIZE": "4", "MASTER_ADDR": "10.0.0.2", "MASTER_PORT": "29500"]))
        #expect(tcp.rank == 1 && tcp.worldSize == 4 && tcp.backend == .gloo)
        #expect(tcp.rendezvous == .tcp(host: "10.0.0.2", port: 29500))
        let file = try #require(
            try DistributedEnvironment.read([
                "RANK": "0", "WORLD_SIZE": "2", "DSLRKIT_DIST_FILE": "/tmp/x", "DSLRKIT_DIST_TIMEOUT": "2.5",
            ]))
        #expect(file.rendezvous == .file(path: "/tmp/x"))
        #expect(file.timeout == .milliseconds(2500))
    }

    @Test func incompleteOrMalformedVariablesAreErrors() {
        #expect(throws: DistributedError.self) { try DistributedEnvironment.read(["WORLD_SIZE": "2"]) }
        #expect(throws: DistributedError.self) { try DistributedEnvironment.read(["WORLD_SIZE": "2", "RANK": "2", "MASTER_PORT": "1"]) }
        #expect(throws: DistributedError.self) { try DistributedEnvironment.read(["WORLD_SIZE": "2", "RANK": "0"]) }
        #expect(throws: DistributedError.self) {
            try DistributedEnvironment.read(["WORLD_SIZE": "2", "RANK": "0", "MASTER_PORT": "1", "DSLRKIT_DIST_BACKEND": "mpi"])
        }
    }

    @Test func shardsAreStridedEqualAndCoverTheBatch() throws {
        let shards = (0..<2).map { BatchShard(rank: $0, worldSize: 2) }
        #expect(try shards[0].indices(global: 8) == [0, 2, 4, 6])
        #expect(try shards[1].indices(global: 8) == [1, 3, 5, 7])
        #expect(throws: DistributedError.self) { try shards[0].indices(global: 7) }
    }
}
