import DSLRDistributed
import DSLRTensor
import Foundation
import Testing

@Suite struct CollectiveTests {
    @Test func allReduceAveragesAndSumsEveryTensorAcrossTwoRanks() throws {
        let path = storePath("allreduce")
        let results = try onRanks(2) { rank -> [[Double]] in
            let group = try ProcessGroup(rank: rank, worldSize: 2, rendezvous: .file(path: path), timeout: .seconds(20))
            let r = Double(rank)
            // Two float32 tensors of different shapes and one float64: two buckets.
            let a = try Tensor([Float(1 + r), Float(10 * r), -3], shape: [3])
            let b = try Tensor([Float(r), Float(2), Float(4 * r), Float(-r)], shape: [2, 2])
            let c = try Tensor([0.5 + r, 100 * r])
            try group.allReduceMean([a, b, c])
            let s = try Tensor([Int64(rank + 1), 7])
            try group.allReduceSum([s])
            return [
                try a.toArray(Float.self).map(Double.init), try b.toArray(Float.self).map(Double.init),
                try c.toArray(Double.self), try s.toArray(Int64.self).map(Double.init),
            ]
        }
        for rank in 0..<2 {
            #expect(results[rank][0] == [1.5, 5, -3])
            #expect(results[rank][1] == [0.5, 2, 2, -0.5])
            #expect(results[rank][2] == [1.0, 50])
            #expect(results[rank][3] == [3, 14])
        }
    }

    @Test func broadcastCopiesRootValuesIntoEveryRankAndBarrierReturns() throws {
        let path = storePath("broadcast")
        let results = try onRanks(2) { rank -> [Double] in
            let group = try ProcessGroup(rank: rank, worldSize: 2, rendezvous: .file(path: path), timeout: .seconds(20))
            let weight = try Tensor([Float(rank * 10 + 1), Float(rank * 10 + 2)]).requiringGrad()
            let table = try Tensor([Double(rank), -Double(rank)])
            try group.broadcast([weight, table], from: 1)
            try group.barrier()
            #expect(weight.requiresGrad)
            return try weight.toArray(Float.self).map(Double.init) + table.toArray(Double.self)
        }
        #expect(results[0] == [11, 12, 1, -1])
        #expect(results[1] == [11, 12, 1, -1])
    }

    @Test func aRankThatNeverJoinsGivesATimeoutErrorNamingTheGroup() throws {
        let path = storePath("timeout")
        do {
            _ = try ProcessGroup(rank: 0, worldSize: 2, rendezvous: .file(path: path), timeout: .milliseconds(200))
            Issue.record("joining a group of 2 alone succeeded")
        } catch let error as DistributedError {
            #expect(error.message.contains("rank 0 of 2"), "\(error.message)")
            #expect(error.message.lowercased().contains("timeout") || error.message.lowercased().contains("timed out"), "\(error.message)")
        }
    }

    @Test func ncclAndBadRanksAreRejectedWithAReason() throws {
        // The shim reaches Gloo only; NCCL must say so rather than fail obscurely.
        #expect(throws: Never.self) { try ProcessGroup.check(.gloo).get() }
        #expect { try ProcessGroup.check(.nccl).get() } throws: { ($0 as? DistributedError)?.message.contains("NCCL") == true }
        #expect(throws: DistributedError.self) {
            _ = try ProcessGroup(rank: 2, worldSize: 2, rendezvous: .file(path: storePath("bad")))
        }
    }
}

@Suite struct PeerFailureTests {
    @Test func aPeerThatLeavesMakesTheNextCollectiveFailInsteadOfHanging() throws {
        let path = storePath("peer")
        let results = try onRanks(2) { rank -> String? in
            var group: ProcessGroup? = try ProcessGroup(
                rank: rank, worldSize: 2, rendezvous: .file(path: path), timeout: .seconds(2))
            try group!.barrier()
            if rank == 1 {
                group = nil  // leaves: its connections close
                return nil
            }
            Thread.sleep(forTimeInterval: 0.1)
            do {
                try group!.allReduceMean([Tensor([Float(1)])])
                return "no error"
            } catch let error as DistributedError {
                return error.message
            }
        }
        let message = try #require(results[0])
        #expect(message.contains("all-reduce failed for rank 0 of 2"), "\(message)")
    }
}
