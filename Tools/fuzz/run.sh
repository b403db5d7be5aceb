#!/usr/bin/env bash
# Builds the libFuzzer targets (AddressSanitizer on) and runs each for SECONDS (default 60) from a corpus seeded
# with valid files: model.bin reader + float engine, .q8 loader + one inference (Int8Runtime as shipped, with its
# CInt8DSP C paths), PNG decoder + preprocessing, TFLite FlatBuffer reader, ONNX protobuf reader, Keras config and
# zip reader, HDF5 weights reader; and the whole import path the tools take (ModelImporter.floatGraph: detection,
# reader, conversion to a float graph, validation) per format: import-keras, import-h5, import-onnx, import-tflite.
# Usage: Tools/fuzz/run.sh [SECONDS] [TARGET...]
# targets (all by default): modelbin q8 png tflite onnx keras hdf5 import-keras import-h5 import-onnx import-tflite
# Crashes are written to Tools/fuzz/out/<target>/ and make the script fail; turn each into a regression test.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(modelbin q8 png tflite onnx keras hdf5 import-keras import-h5 import-onnx import-tflite)

out="Tools/fuzz/out"
build="$out/build"
mkdir -p "$build"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -use-ld=lld)

# Compiles one library module (instrumented) into $build/lib<name>.a with its .swiftmodule beside it.
library() {
    local name="$1"; shift
    # -emit-library -static adds to an existing archive; start clean so removed files leave no stale members.
    rm -f "$build/lib$name.a"
    swiftc "${flags[@]}" -I "$build" -module-name "$name" -emit-module -emit-module-path "$build/$name.swiftmodule" \
        -emit-library -static -o "$build/lib$name.a" "$@"
}

# ModelImport with what it imports, instrumented: SwiftProtobuf and ZIPFoundation (the checkouts `swift package
# resolve` makes) and the CHDF5 shim (libhdf5 itself is Debian's uninstrumented build).
zip=.build/checkouts/ZIPFoundation/Sources
# The CInt8DSP header for Int8Runtime and whatever imports it. -Xcc -fsanitize=address: without it the imported
# inline C functions are compiled without ASan (checked in the emitted IR: no sanitize_address attribute).
dsp=(-I Sources/CInt8DSP/include -Xcc -fsanitize=address)
model_import() {
    [ -f "$build/libModelImport.a" ] && [ "${model_import_built:-}" = 1 ] && return 0
    swift package resolve >/dev/null
    # ModelImport imports ModelFormat (the float graph it builds) and Quantizer (the int8 program of an int8 .tflite),
    # which imports FloatEngine, Parallel and Int8Runtime (as shipped: with the CInt8DSP header, see q8 below).
    library ModelFormat Sources/ModelFormat/*.swift
    library Int8Runtime "${dsp[@]}" $(find Sources/Int8Runtime -name '*.swift' | sort)
    library FloatEngine Sources/FloatEngine/*.swift
    library Parallel Sources/Parallel/*.swift
    library Quantizer "${dsp[@]}" $(find Sources/Quantizer -name '*.swift' | sort)
    library SwiftProtobuf -package-name swift_protobuf -enable-upcoming-feature ExistentialAny \
        $(find .build/checkouts/swift-protobuf/Sources/SwiftProtobuf -name '*.swift' | sort)
    library ZIPFoundation -Xcc -D_GNU_SOURCE=1 -I "$zip/CZLib" "$zip"/ZIPFoundation/*.swift
    mkdir -p "$build/chdf5"
    clang -fsanitize=fuzzer-no-link,address -O1 -g -ISources/CHDF5/include -c Sources/CHDF5/chdf5.c -o "$build/chdf5/chdf5.o"
    printf 'module CHDF5 {\n    header "%s/Sources/CHDF5/include/chdf5.h"\n    export *\n}\n' "$PWD" > "$build/chdf5/module.modulemap"
    library ModelImport "${dsp[@]}" -I "$build/chdf5" -I "$zip/CZLib" Sources/ModelImport/*.swift
    model_import_built=1
}
model_import_link=("${dsp[@]}" -I "$build/chdf5" -I "$zip/CZLib" -L "$build" -lModelImport -lQuantizer -lParallel -lFloatEngine
    -lInt8Runtime -lModelFormat -lSwiftProtobuf -lZIPFoundation "$build/chdf5/chdf5.o" -lhdf5_serial -lz)

build_target() {
    case "$1" in
    modelbin)
        library ModelFormat Sources/ModelFormat/*.swift
        library FloatEngine Sources/FloatEngine/*.swift
        swiftc "${flags[@]}" -I "$build" -L "$build" -lFloatEngine -lModelFormat \
            Tools/fuzz/targets/ModelBinFuzz.swift -o "$build/modelbin" ;;
    q8)
        # As shipped: with the CInt8DSP header (`dsp` above), so `canImport(CInt8DSP)` holds and the kernels take their
        # C paths (the portable dot products).
        library Int8Runtime "${dsp[@]}" $(find Sources/Int8Runtime -name '*.swift' | sort)
        swiftc "${flags[@]}" "${dsp[@]}" -I "$build" -L "$build" -lInt8Runtime Tools/fuzz/targets/Q8Fuzz.swift -o "$build/q8" ;;
    png)
        # The C shim, instrumented too, as the CPNG module the DigitImage sources import.
        mkdir -p "$build/cpng"
        for c in Sources/CPNG/*.c; do
            clang -fsanitize=fuzzer-no-link,address -O1 -g -ISources/CPNG/include -c "$c" -o "$build/cpng/$(basename "$c" .c).o"
        done
        printf 'module CPNG {\n    header "%s/Sources/CPNG/include/cpng.h"\n    export *\n}\n' "$PWD" > "$build/cpng/module.modulemap"
        library OneLineError Sources/OneLineError/*.swift
        library DigitImage -I "$build/cpng" Sources/DigitImage/*.swift
        swiftc "${flags[@]}" -I "$build" -I "$build/cpng" -L "$build" -lDigitImage -lOneLineError Tools/fuzz/targets/PNGFuzz.swift \
            "$build"/cpng/*.o -lpng -lz -o "$build/png" ;;
    tflite)
        model_import
        swiftc "${flags[@]}" -I "$build" "${model_import_link[@]}" Tools/fuzz/targets/TFLiteFuzz.swift -o "$build/tflite" ;;
    onnx)
        model_import
        swiftc "${flags[@]}" -I "$build" "${model_import_link[@]}" Tools/fuzz/targets/ONNXFuzz.swift -o "$build/onnx" ;;
    keras)
        model_import
        swiftc "${flags[@]}" -I "$build" "${model_import_link[@]}" Tools/fuzz/targets/KerasFuzz.swift -o "$build/keras" ;;
    hdf5)
        model_import
        swiftc "${flags[@]}" -I "$build" "${model_import_link[@]}" Tools/fuzz/targets/HDF5Fuzz.swift -o "$build/hdf5" ;;
    import-keras | import-h5 | import-onnx | import-tflite)
        model_import
        local format="${1#import-}"
        swiftc "${flags[@]}" -D "IMPORT_${format^^}" -I "$build" "${model_import_link[@]}" Tools/fuzz/targets/ImportFuzz.swift \
            -o "$build/$1" ;;
    esac
}

seed_corpus() {
    local dir="$out/$1/corpus"
    mkdir -p "$dir"
    case "$1" in
    modelbin) cp Models/*.bin "$dir/" ;;
    q8)
        swift build --product quantize >/dev/null
        for m in vgg resnet; do "$(swift build --show-bin-path)/quantize" "Models/$m-mnist.bin" -o "$dir/$m.q8" >/dev/null; done
        # 1.5 KB with every opcode (Tests/Fixtures/hostile): mutations of it run ~100x faster than of the shipped models.
        cp Tests/Fixtures/hostile/base/base.q8 "$dir/hostile-base.q8" ;;
    png) cp Samples/digits/*.png "$dir/" ;;
    tflite) cp Tests/Fixtures/tflite/*.tflite "$dir/" ;;
    onnx) cp Tests/Fixtures/onnx/*.onnx "$dir/" ;;
    keras)
        cp Tests/Fixtures/keras/*.keras "$dir/"
        for f in Tests/Fixtures/keras/*.keras; do
            python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("config.json"))' "$f" \
                > "$dir/$(basename "$f" .keras).config.json" || true
        done ;;
    import-keras) cp Tests/Fixtures/keras/*.keras "$dir/" ;;
    import-h5) cp Tests/Fixtures/keras/*.h5 "$dir/" ;;
    import-onnx) cp Tests/Fixtures/onnx/*.onnx "$dir/" ;;
    import-tflite) cp Tests/Fixtures/tflite/*.tflite Tests/Fixtures/import/*.tflite "$dir/" ;;
    hdf5)
        cp Tests/Fixtures/keras/*.h5 "$dir/"
        for f in Tests/Fixtures/keras/*.keras; do
            python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("model.weights.h5"))' "$f" \
                > "$dir/$(basename "$f" .keras).weights.h5" || true
        done ;;
    esac
}

status=0
for target in "${targets[@]}"; do
    # FUZZ_SKIP_BUILD=1 runs the binaries already built (two runs of this script at once must not rebuild the
    # shared libraries under each other).
    if [ "${FUZZ_SKIP_BUILD:-}" = 1 ] && [ -x "$build/$target" ]; then
        echo "== $target: built already"
    else
        echo "== $target: build"
        build_target "$target"
    fi
    seed_corpus "$target"
    mkdir -p "$out/$target/crashes"
    echo "== $target: fuzz for ${seconds} s"
    # -rss_limit_mb bounds memory per input; -timeout flags any input that runs over 10 s as a hang.
    # keras, hdf5, import-keras, import-h5: libhdf5 asks malloc for sizes read from the file (4 GiB for a local heap
    # at address 0xFFFFFF67: Tests/Fixtures/hostile-import/h5-heap-address-4gib.h5) and handles NULL. Outside ASan
    # such a malloc returns NULL or address space that libhdf5 never touches (its read then fails: "addr
    # overflow"); here any single allocation over 1 GiB returns NULL, before libFuzzer's malloc limit would stop
    # the run, while -rss_limit_mb still bounds the memory really used. Leaks are not checked there: ZIPFoundation
    # 0.9.20 leaks 62 bytes per Archive(url:) (fileSystemRepresentation never freed) and libhdf5 1.10.8 small blocks
    # on some error paths.
    asan="${ASAN_OPTIONS:-}"
    case "$target" in keras | hdf5 | import-keras | import-h5)
        asan="$asan${asan:+:}allocator_may_return_null=1:max_allocation_size_mb=1024:detect_leaks=0" ;;
    esac
    # The Swift backtracer off: libFuzzer reports the crash and keeps the input; the backtracer was seen to hang.
    if ! SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="$asan" "$build/$target" "$out/$target/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/$target/crashes/" -print_final_stats=1 > "$out/$target/log.txt" 2>&1; then
        echo "$target: FAILED, see $out/$target/log.txt and $out/$target/crashes/"
        tail -n 30 "$out/$target/log.txt"
        status=1
    fi
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$target/log.txt" | grep -o '[0-9]*$' || echo '?')"
    echo "$target: $execs executions in ${seconds} s, corpus $(ls "$out/$target/corpus" | wc -l) files"
done
exit $status
