import Foundation

/// Memory of a simulated board, made with mmap so that the hardware's rules are enforced by the host's MMU:
/// - the model sits in a read-only "flash" region;
/// - the arena starts 16-byte aligned (as the firmware's static arena) and ends at an inaccessible guard page
///   (exactly at it when its size is a multiple of 16, as the planner writes it), and another guard page lies
///   below the arena's first page, so a kernel writing past either end of its pages faults instead of silently
///   corrupting memory. The bytes between the guard pages and the arena (the arena is rarely a whole number of
///   pages; up to 15 after its end) hold a canary that every run checks;
/// - inference runs on a thread of its own with a bounded stack above a guard page, so a run that needs more
///   faults instead of growing: the board's stack budget (the firmware's stack high-water measured by
///   Firmware-Sim) in whole pages plus `hostAllowance`. The host cannot hold its own code to the Cortex-M figure:
///   x86-64 and arm64 frames are larger, debug builds larger still (`edge-sim run`, vgg on nrf52840: 13.5 KB in
///   a release build, 21.5 KB in a debug build, against the Cortex-M4F firmware's 6.96 KB), and glibc's smallest
///   thread stack is 16 KiB. The firmware's own figure is Firmware-Sim's (docs/boards.md).
/// A region that cannot be mapped or protected is an error, never a board that claims more than it enforces.
struct SimulatedMemory: ~Copyable {
    let flash: UnsafeRawBufferPointer
    let arena: UnsafeMutableRawBufferPointer
    /// Bytes of the thread stack inference runs on: the budget in whole pages plus `hostAllowance` (guard page
    /// not counted).
    let stackBytes: Int
    private let flashMapping: Mapping
    private let sramMapping: Mapping
    private let stackMapping: Mapping

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// What the host's code gets on top of the board's budget (see above); a runaway recursion or a stack array
    /// sized by the model still faults long before the host's default 8 MiB thread stack would.
    static let hostAllowance = 64 * 1024
    /// What the canary bytes beside the arena hold.
    static let canary: UInt8 = 0xC5

    /// Copies `model` into a fresh read-only mapping, maps `arenaSize` bytes between two guard pages, and a stack of
    /// `stackBudget` bytes (rounded up as above) above a guard page.
    init(model: UnsafeRawBufferPointer, arenaSize: Int, stackBudget: Int) throws(SimulatedBoardError) {
        guard stackBudget > 0 else { throw .stackBudget(stackBudget) }
        let page = Self.pageSize
        let flash = try Mapping(region: "flash", bytes: max(page, Self.pages(model.count) * page))
        if let source = model.baseAddress { flash.base.copyMemory(from: source, byteCount: model.count) }
        try flash.protect(region: "flash", offset: 0, bytes: flash.length, PROT_READ)

        // [guard page][canary, arena, 0-15 canary bytes][guard page]: the arena's start 16-byte aligned, its end
        // as close to the upper guard page as that allows (touching it when its size is a multiple of 16).
        let arenaPages = max(1, Self.pages(arenaSize))
        let sram = try Mapping(region: "SRAM", bytes: (arenaPages + 2) * page)
        try sram.protect(region: "the guard page below the arena", offset: 0, bytes: page, PROT_NONE)
        try sram.protect(region: "the guard page above the arena", offset: (arenaPages + 1) * page, bytes: page, PROT_NONE)

        let stackBytes = Self.pages(stackBudget) * page + Self.hostAllowance
        let stack = try Mapping(region: "stack", bytes: stackBytes + page)
        try stack.protect(region: "the guard page below the stack", offset: 0, bytes: page, PROT_NONE)

        self.flash = UnsafeRawBufferPointer(start: flash.base, count: model.count)
        let start = Int(bitPattern: sram.base + (arenaPages + 1) * page - arenaSize) & ~15
        arena = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: start), count: arenaSize)
        self.stackBytes = stackBytes
        flashMapping = flash
        sramMapping = sram
        stackMapping = stack
        for bytes in canaryBytes { bytes.initializeMemory(as: UInt8.self, repeating: Self.canary) }
    }

    /// The bytes between the lower guard page and the arena's first byte, and between its last and the upper guard.
    private var canaryBytes: [UnsafeMutableRawBufferPointer] {
        let low = sramMapping.base + Self.pageSize, high = sramMapping.base + sramMapping.length - Self.pageSize
        let end = arena.baseAddress! + arena.count
        return [UnsafeMutableRawBufferPointer(start: low, count: arena.baseAddress! - low),
                UnsafeMutableRawBufferPointer(start: end, count: high - end)]
    }

    /// Whether a run wrote next to the arena where no guard page reaches (in front of it inside its first page, or
    /// in the alignment bytes after it).
    var canaryIntact: Bool { !canaryBytes.contains { $0.contains { $0 != Self.canary } } }

    /// Fills the arena with `byte`, so that the bytes a run touches can be found afterwards.
    func paint(_ byte: UInt8) {
        arena.initializeMemory(as: UInt8.self, repeating: byte)
    }

    /// One past the highest arena byte that no longer holds the paint `byte`.
    func highWaterMark(paint byte: UInt8) -> Int {
        var top = arena.count
        while top > 0, arena[top - 1] == byte { top -= 1 }
        return top
    }

    /// Runs `body` on a thread whose stack is this board's stack, and returns its result with the stack bytes the
    /// body used on the host (from its first frame to the deepest byte written; painted before the run).
    func onBoardStack<R>(_ body: () -> R) throws(SimulatedBoardError) -> (result: R, stackUsed: Int) {
        let stack = UnsafeMutableRawBufferPointer(start: stackMapping.base + Self.pageSize, count: stackBytes)
        stack.initializeMemory(as: UInt8.self, repeating: 0xA5)
        return try withoutActuallyEscaping(body) { (body) throws(SimulatedBoardError) -> (R, Int) in
            var result: R?
            let call = StackCall { result = body() }
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            let set = pthread_attr_setstack(&attributes, stack.baseAddress, stack.count)
            guard set == 0 else { throw .thread(stackBytes: stack.count, errno: set) }
            #if canImport(Darwin)
            var thread: pthread_t? = nil
            #else
            var thread = pthread_t()
            #endif
            let context = Unmanaged.passRetained(call).toOpaque()
            let started = pthread_create(&thread, &attributes, { StackCall.run($0) }, context)
            guard started == 0 else {
                Unmanaged<StackCall>.fromOpaque(context).release()
                throw .thread(stackBytes: stack.count, errno: started)
            }
            #if canImport(Darwin)
            pthread_join(thread!, nil)
            #else
            pthread_join(thread, nil)
            #endif
            // The lowest byte no longer holding the paint is the deepest the thread's stack went.
            var lowest = 0
            while lowest < stack.count, stack[lowest] == 0xA5 { lowest += 1 }
            let used = call.entry.map { $0 - UnsafeRawPointer(stack.baseAddress! + lowest) } ?? 0
            return (result!, max(used, 0))
        }
    }

    private static func pages(_ bytes: Int) -> Int { (bytes + pageSize - 1) / pageSize }
}

/// The body a board thread runs, and what it leaves behind; read only after the thread is joined.
private final class StackCall: @unchecked Sendable {
    let body: () -> Void
    var entry: UnsafeRawPointer?
    init(_ body: @escaping () -> Void) { self.body = body }

    /// The thread's entry: notes where its stack starts, runs the body.
    static func run(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        guard let context else { return nil }
        let call = Unmanaged<StackCall>.fromOpaque(context).takeRetainedValue()
        var frame: UInt8 = 0
        withUnsafeMutablePointer(to: &frame) { call.entry = UnsafeRawPointer($0) }
        call.body()
        return nil
    }
}

/// One anonymous mapping, unmapped when it goes away (also when a later step of a board's setup fails).
struct Mapping: ~Copyable {
    let base: UnsafeMutableRawPointer
    let length: Int

    init(region: String, bytes: Int) throws(SimulatedBoardError) {
        let pointer = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let pointer, pointer != MAP_FAILED else { throw .map(region: region, bytes: bytes, errno: errno) }
        base = pointer
        length = bytes
    }

    func protect(region: String, offset: Int, bytes: Int, _ protection: Int32) throws(SimulatedBoardError) {
        guard mprotect(base + offset, bytes, protection) == 0 else { throw .protect(region: region, errno: errno) }
    }

    deinit { munmap(base, length) }
}

/// Why a simulated board could not be set up as it claims, or a run broke its rules; one line each.
public enum SimulatedBoardError: Error, Equatable, CustomStringConvertible {
    case map(region: String, bytes: Int, errno: Int32)
    case protect(region: String, errno: Int32)
    case stackBudget(Int)
    case thread(stackBytes: Int, errno: Int32)
    case wroteBesideArena

    public var description: String {
        switch self {
        case let .map(region, bytes, errno): "simulated board: cannot map \(bytes) bytes for \(region) (\(String(cString: strerror(errno))))"
        case let .protect(region, errno): "simulated board: cannot protect \(region) (mprotect: \(String(cString: strerror(errno))))"
        case let .stackBudget(bytes): "simulated board: a stack budget of \(bytes) bytes cannot run anything"
        case let .thread(bytes, errno): "simulated board: cannot start inference on a \(bytes)-byte stack (\(String(cString: strerror(errno))))"
        case .wroteBesideArena: "simulated board: the run wrote outside the arena (into the canary bytes beside it)"
        }
    }
}
