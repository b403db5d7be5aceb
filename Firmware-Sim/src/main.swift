// The firmware's main, compiled with the unchanged Int8Runtime sources as one Embedded Swift module.
// It validates the .q8 in flash, then reads records from the semihosting file `input.bin` (the model input's
// int8 bytes followed by the host runtime's int8 output bytes), runs each input, prints the logits, the digit,
// the instructions per layer, and compares with the host's bytes. Exit status: 0 all matched, 1 a mismatch,
// 2 bad input file, 3 model refused by the loader (a "REFUSED q8error" line names the Q8Error), 4 inference
// error, 5 arena size or firmware capacity wrong for the model, 70 a fault (a "FAULT" line names it).
import FirmwareSupport

func write(_ text: StaticString) {
    fw_write(UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self))
}

func write(_ value: Int) { fw_write_int(Int64(value)) }

#if EDGEQUANT_HELIUM
/// The Cortex-M55 firmware's Conv2D, Add and FullyConnected: the Helium kernels (Firmware-Sim/helium).
typealias FirmwareKernels = HeliumKernels
#else
typealias FirmwareKernels = ReferenceKernels
#endif

@_cdecl("fw_main")
func firmwareMain() {
    let modelBytes = UnsafeRawBufferPointer(start: fw_model(), count: Int(fw_model_size()))
    let model: Q8Model
    do {
        model = try Q8Model(validating: modelBytes)
    } catch {
        // One line Firmware-Sim/run --expect-refused checks: the error's code, name and values.
        write("REFUSED q8error "); write(Int(error.code)); write(" "); write(error.name)
        let values = error.values
        if values.count > 0 {
            write("("); write(values.first)
            if values.count > 1 { write(","); write(values.second) }
            write(")")
        }
        write("\n")
        fw_exit(3)
    }
    let arena = UnsafeMutableRawBufferPointer(start: fw_arena(), count: Int(fw_arena_size()))
    guard model.arenaSize == arena.count else {
        write("ERROR arena size differs from the model's plan\n")
        fw_exit(5)
    }
    let input = Int8Interpreter.inputBuffer(model, arena: arena)
    let output = Int8Interpreter.outputBuffer(model, arena: arena)
    let expected = fw_expected()!
    guard output.count <= Int(fw_expected_capacity()), model.opCount <= Int(fw_layer_capacity()) else {
        write("ERROR model output or op count too large for this firmware\n")
        fw_exit(5)
    }
    write("model ops "); write(model.opCount); write(" macs "); write(model.macs)
    write(" arena "); write(model.arenaSize); write(" ns_per_tick_x1000 "); write(Int(fw_ns_per_tick_x1000())); write("\n")

    let file = fw_open("input.bin")
    guard file >= 0 else {
        write("ERROR cannot open input.bin\n")
        fw_exit(2)
    }
    let layerTicks = fw_layer_ticks()!
    var images = 0, mismatches = 0
    var totalTicks: UInt64 = 0
    while true {
        let inputBytes = UnsafeMutableRawPointer(input.baseAddress!).assumingMemoryBound(to: UInt8.self)
        let got = fw_read(file, inputBytes, UInt32(input.count))
        if got == 0 { break }
        guard got == UInt32(input.count), fw_read(file, expected, UInt32(output.count)) == UInt32(output.count) else {
            write("ERROR input.bin ends inside a record\n")
            fw_exit(2)
        }
        var last = fw_ticks()
        let start = last
        do {
            try Int8Interpreter.invoke(model, arena: arena, kernels: FirmwareKernels.self) { step in
                let now = fw_ticks()
                layerTicks[step] &+= now &- last
                last = now
            }
        } catch {
            write("ERROR inference failed\n")
            fw_exit(4)
        }
        let ticks = last &- start
        totalTicks &+= ticks
        var best = 0
        var matched = true
        write("image "); write(images); write(" logits")
        for i in 0..<output.count {
            write(" "); write(Int(output[i]))
            if output[i] > output[best] { best = i }
            if UInt8(bitPattern: output[i]) != expected[i] { matched = false }
        }
        write(" digit "); write(best); write(" ticks "); write(Int(ticks))
        if matched { write(" match\n") } else { write(" MISMATCH\n"); mismatches += 1 }
        images += 1
    }
    fw_close(file)
    for step in 0..<model.opCount {
        write("layer "); write(step); write(" opcode "); write(Int(model.op(step).opcode.rawValue))
        write(" ticks "); write(Int(layerTicks[step])); write("\n")
    }
    write("done images "); write(images); write(" mismatches "); write(mismatches)
    write(" ticks "); write(Int(totalTicks)); write(" stack_used "); write(Int(fw_stack_used())); write("\n")
    fw_exit(mismatches == 0 && images > 0 ? 0 : 1)
}
