import Boards
@testable import EdgeSim
import Foundation
import ModelFormat
import Quantizer
import Testing

/// The simulated board enforces what it claims: read-only flash, guard pages on both sides of the arena, a canary in
/// front of it, and inference on a guarded stack of the board's budget. Each fault is provoked in a child process
/// (an exit test) and must end it with SIGSEGV; each refusal must be a typed error.
@Suite("simulated board")
struct SimulatedBoardTests {
    static let page = SimulatedMemory.pageSize

    @Test func writePastTheArenaEndFaults() async {
        // 1008 bytes: a multiple of 16, as the planner sizes arenas, so the arena ends exactly at the guard page.
        await #expect(processExitsWith: .signal(SIGSEGV)) {
            let memory = try SimulatedBoardTests.board(arenaSize: 1008)
            memory.arena.baseAddress!.advanced(by: memory.arena.count).storeBytes(of: 1, as: UInt8.self)
        }
    }

    @Test func writeBelowTheArenaFaults() async {
        // A whole page of arena starts right after the lower guard page.
        await #expect(processExitsWith: .signal(SIGSEGV)) {
            let memory = try SimulatedBoardTests.board(arenaSize: SimulatedBoardTests.page)
            memory.arena.baseAddress!.advanced(by: -1).storeBytes(of: 1, as: UInt8.self)
        }
    }

    @Test func writeToFlashFaults() async {
        await #expect(processExitsWith: .signal(SIGSEGV)) {
            let memory = try SimulatedBoardTests.board(arenaSize: 1000)
            UnsafeMutableRawPointer(mutating: memory.flash.baseAddress!).storeBytes(of: 1, as: UInt8.self)
        }
    }

    /// The last arena byte and the first one are writable: the guards sit exactly at the edges, not inside; the
    /// arena starts 16-byte aligned.
    @Test func theWholeArenaIsWritable() throws {
        for size in [1, 1000, 1008, Self.page, Self.page + 1] {
            let memory = try Self.board(arenaSize: size)
            #expect(Int(bitPattern: memory.arena.baseAddress!) % 16 == 0)
            memory.arena[0] = 1
            memory.arena[size - 1] = 1
            let intact = memory.canaryIntact
            #expect(intact)
        }
    }

    /// A write in front of the arena but inside its first page, or just past an arena whose size is not a multiple
    /// of 16 (no guard page reaches either) is caught by the canary.
    @Test(arguments: [-1, 1000]) func writeBesideTheArenaIsCaught(_ offset: Int) throws {
        let memory = try Self.board(arenaSize: 1000)
        let before = memory.canaryIntact
        memory.arena.baseAddress!.advanced(by: offset).storeBytes(of: 1, as: UInt8.self)
        let after = memory.canaryIntact
        #expect(before && !after)
    }

    @Test func stackOverflowFaults() async {
        await #expect(processExitsWith: .signal(SIGSEGV)) {
            let memory = try SimulatedBoardTests.board(arenaSize: 1000)
            // 1 KiB frames: 256 KiB, far more than the 8 KiB budget plus the host's 64 KiB allowance.
            _ = try memory.onBoardStack { SimulatedBoardTests.recurse(256) }
        }
    }

    /// The control for the overflow: the same recursion, shallow enough, runs and its stack use is measured.
    @Test func shallowRecursionRunsAndIsMeasured() throws {
        let memory = try Self.board(arenaSize: 1000)
        let (result, used) = try memory.onBoardStack { Self.recurse(4) }
        let stackBytes = memory.stackBytes
        #expect(result == 4)
        #expect(used >= 4 * 1024 && used < stackBytes, "used \(used) of \(stackBytes)")
    }

    @Test func theStackIsTheBudgetInWholePagesPlusTheHostAllowance() throws {
        for budget in [1, 6964, Self.page, 3 * Self.page + 1] {
            let stack = try Self.board(arenaSize: 1000, stack: budget).stackBytes
            #expect(stack == (budget + Self.page - 1) / Self.page * Self.page + SimulatedMemory.hostAllowance, "budget \(budget)")
        }
    }

    /// An mprotect that fails is an error naming the region, not a board without its guard (here: an address
    /// that is not on a page boundary, which mprotect refuses with EINVAL).
    @Test func aFailedProtectionIsAnError() throws {
        let mapping = try Mapping(region: "test", bytes: 2 * Self.page)
        #expect(throws: SimulatedBoardError.protect(region: "the test guard", errno: EINVAL)) {
            try mapping.protect(region: "the test guard", offset: 1, bytes: Self.page, PROT_NONE)
        }
        let error = SimulatedBoardError.protect(region: "the test guard", errno: EINVAL).description
        #expect(error == "simulated board: cannot protect the test guard (mprotect: Invalid argument)")
    }

    @Test func aStackBudgetOfNothingIsRefused() {
        for budget in [0, -8] {
            #expect(throws: SimulatedBoardError.stackBudget(budget)) { _ = try Self.board(arenaSize: 1000, stack: budget).stackBytes }
        }
    }

    /// A shipped model runs inside the board on the stack the catalog gives its board's core.
    @Test func aModelRunsOnTheBoardsMeasuredStack() throws {
        let catalog = try BoardCatalog.shipped()
        let board = try catalog.board(named: BoardCatalog.defaultBoard)
        let budget = try catalog.stackBudget(on: board)
        let graph = try ModelFile.load(path: CommandLineRun.repository.appendingPathComponent("Models/vgg-mnist.bin").path)
        let classifier = try Int8Classifier(bytes: try Conversion(graph: graph, calibration: .dataFree).bytes, file: "vgg", stackBudget: budget)
        let outcome = try classifier.classify([Float](repeating: 0, count: 784))
        #expect(classifier.stackBytes >= budget)
        #expect(outcome.hostStackUsed > 0 && outcome.hostStackUsed < classifier.stackBytes)
    }

    static func board(arenaSize: Int, stack: Int = 8192) throws(SimulatedBoardError) -> SimulatedMemory {
        let model = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 16)
        defer { model.deallocate() }
        model.initializeMemory(as: UInt8.self, repeating: 7)
        return try SimulatedMemory(model: UnsafeRawBufferPointer(model), arenaSize: arenaSize, stackBudget: stack)
    }

    /// Recurses `depth` times with a 1 KiB frame the optimizer cannot drop; returns the depth reached.
    @inline(never)
    static func recurse(_ depth: Int) -> Int {
        var frame = InlineArray<1024, UInt8>(repeating: UInt8(truncatingIfNeeded: depth))
        frame[depth % 1024] &+= 1
        return depth == 0 ? Int(frame[0]) * 0 : 1 + recurse(depth - 1) + Int(frame[depth % 1024] &- frame[depth % 1024])
    }
}
