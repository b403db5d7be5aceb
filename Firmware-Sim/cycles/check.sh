#!/usr/bin/env bash
# Firmware-Sim/cycles/check.sh: the cycle-estimate plugin against hand-counted instruction sequences.
# Builds cycles.c with the host's cc, assembles check.S (each block between two calls of the marker cyc_mark, its
# expected instructions and cycles in an "@ expect" line, counted by hand beside the code) for QEMU mps2-an386
# (Cortex-M4), runs it under the plugin and compares every block. Exit status 0 when all blocks match.
#   Firmware-Sim/cycles/check.sh [extra plugin arguments, e.g. refill=3]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../check-setup.sh"
hostcc="$(command -v cc || command -v gcc || echo "$bin/clang")"  # the host's C compiler (the toolchain's clang last)
"$hostcc" -O2 -shared -fPIC -fvisibility=hidden -o "$out/cycles.so" "$here/cycles.c"
write_link_script 0x0 0x400000 0x20000000 0x400000
flags=(--target=thumbv7em-none-eabihf -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffreestanding
       -fno-builtin -fno-pic -ffunction-sections -fdata-sections -fshort-enums -DARENA_SIZE=16 -I "$src")
"$bin/clang" "${flags[@]}" -Os -c "$src/startup.c" -o "$out/startup.o"
"$bin/clang" "${flags[@]}" -c "$here/check.S" -o "$out/check.o"
"$bin/ld.lld" -T "$out/link.ld" --gc-sections -o "$out/check.elf" "$out/startup.o" "$out/check.o"
mark="$("$bin/llvm-nm" "$out/check.elf" | awk '$3 == "cyc_mark" { print "0x" $1 }')"
plugin="$out/cycles.so,core=cortex-m4,mark=$mark,out=$out/report.txt"
for extra in "$@"; do plugin="$plugin,$extra"; done
(cd "$out" && qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none -no-reboot \
    -semihosting-config enable=on,target=native -icount shift=0 -plugin "$plugin" -kernel check.elf)
python3 - "$here/check.S" "$out/report.txt" <<'EOF'
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
print(f"cycles check (Cortex-M4 table, estimate, zero wait states): {len(expected) - bad}/{len(expected)} blocks as hand-counted")
sys.exit(1 if bad else 0)
EOF
# The decoder's classes against llvm-objdump's mnemonics on the same program (on a firmware ELF:
# Firmware-Sim/cycles/check-decode.py ELF...).
python3 "$here/check-decode.py" "$out/check.elf"
