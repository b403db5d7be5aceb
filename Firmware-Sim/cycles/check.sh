#!/usr/bin/env bash
# Firmware-Sim/cycles/check.sh: the cycle-estimate plugin against hand-counted instruction sequences.
# Builds cycles.c with the host's cc, assembles check.S (each block between two calls of the marker cyc_mark, its
# expected instructions and cycles in an "@ expect" line, counted by hand beside the code) for QEMU mps2-an386
# (Cortex-M4) and check-m55.S for mps3-an547 (Cortex-M55, MVE), runs each under the plugin with its core's table
# and compares every block; then checks the decoder against llvm-objdump on both programs. Exit status 0 when
# all match.
#   Firmware-Sim/cycles/check.sh [extra plugin arguments, e.g. refill=3]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../check-setup.sh"
hostcc="$(command -v cc || command -v gcc || echo "$bin/clang")"  # the host's C compiler (the toolchain's clang last)
"$hostcc" -O2 -shared -fPIC -fvisibility=hidden -o "$out/cycles.so" "$here/cycles.c"
# run_blocks BOARD CORE SOURCE LINK-ARGS... -- CLANG-FLAGS...: assembles SOURCE with startup.c for BOARD, runs it
# under the plugin's CORE table and compares every block with its "@ expect" line.
run_blocks() {
    local board="$1" core="$2" source="$3"; shift 3
    local link=(); while [ "$1" != "--" ]; do link+=("$1"); shift; done; shift
    local flags=("$@" -ffreestanding -fno-builtin -fno-pic -ffunction-sections -fdata-sections -fshort-enums
                 -DARENA_SIZE=16 -I "$src")
    local name; name="$(basename "$source" .S)"
    write_link_script "${link[@]}"
    "$bin/clang" "${flags[@]}" -Os -c "$src/startup.c" -o "$out/startup-$name.o"
    "$bin/clang" "${flags[@]}" -c "$source" -o "$out/$name.o"
    "$bin/ld.lld" -T "$out/link.ld" --gc-sections -o "$out/$name.elf" "$out/startup-$name.o" "$out/$name.o"
    local mark; mark="$("$bin/llvm-nm" "$out/$name.elf" | awk '$3 == "cyc_mark" { print "0x" $1 }')"
    local plugin="$out/cycles.so,core=$core,mark=$mark,out=$out/report-$name.txt"
    for extra in "${extras[@]}"; do plugin="$plugin,$extra"; done
    (cd "$out" && qemu-system-arm -M "$board" -nographic -monitor none -serial none -no-reboot \
        -semihosting-config enable=on,target=native -icount shift=0 -plugin "$plugin" -kernel "$name.elf")
    python3 - "$source" "$out/report-$name.txt" "$core" <<'EOF'
import re, sys
expected = [(m.group(1), int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"@ expect (\S+) insns (\d+) cycles (\d+)", open(sys.argv[1]).read())]
marks = [line.split() for line in open(sys.argv[2]) if line.startswith("mark ")]
totals = [(int(f[3]), int(f[5])) for f in marks]
if len(totals) != len(expected) + 1:
    sys.exit(f"check.sh: {len(totals)} marks in the report, {len(expected) + 1} expected")
bad = 0
for (name, insns, cycles), a, b in zip(expected, totals, totals[1:]):
    got = (b[0] - a[0], b[1] - a[1])
    ok = got == (insns, cycles)
    bad += not ok
    print(f"  {name:<18} instructions {got[0]:>3} cycles {got[1]:>3}  {'ok' if ok else f'EXPECTED {insns} and {cycles}'}")
print(f"cycles check ({sys.argv[3]} table, estimate, zero wait states): {len(expected) - bad}/{len(expected)} blocks as hand-counted")
sys.exit(1 if bad else 0)
EOF
}
extras=("$@")
status=0
# Cortex-M4 (mps2-an386): check.S.
run_blocks mps2-an386 cortex-m4 "$here/check.S" 0x0 0x400000 0x20000000 0x400000 -- \
    --target=thumbv7em-none-eabihf -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 || status=1
# Cortex-M55 with MVE (mps3-an547: code in the ITCM at 0, data in the SRAM at 0x21000000): check-m55.S.
run_blocks mps3-an547 cortex-m55 "$here/check-m55.S" 0x0 0x80000 0x21000000 0x400000 -- \
    --target=thumbv8.1m.main-none-eabihf -mcpu=cortex-m55 -mthumb -mfloat-abi=hard || status=1
# The decoder's classes against llvm-objdump's mnemonics on the same programs (on a firmware ELF:
# Firmware-Sim/cycles/check-decode.py [--core NAME] ELF...).
python3 "$here/check-decode.py" "$out/check.elf" || status=1
# ... and on the Helium kernels as compiled for the Cortex-M55 (Firmware-Sim/helium/helium.c, -O2 as
# Firmware-Sim/run builds them).
"$bin/clang" --target=thumbv8.1m.main-none-eabihf -mcpu=cortex-m55 -mthumb -mfloat-abi=hard -ffreestanding \
    -fno-builtin -fno-pic -ffunction-sections -fdata-sections -fshort-enums -O2 -I "$src" \
    -I "$root/Firmware-Sim/helium/include" -I "$root/Firmware-Sim/helium" \
    -c "$root/Firmware-Sim/helium/helium.c" -o "$out/helium.o"
python3 "$here/check-decode.py" --core cortex-m55 "$out/check-m55.elf" "$out/helium.o" || status=1
exit $status
