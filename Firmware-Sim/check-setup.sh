# Sourced by the QEMU check scripts (dsp-check/run.sh, cycles/check.sh, helium/run-check.sh): the checkout ($root),
# the Swift toolchain's LLVM tools ($bin), Firmware-Sim's startup sources ($src), a scratch folder ($out) removed
# on exit, and write_link_script for a board's memory.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$(dirname "$(realpath "$(command -v swiftc)")")"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
src="$root/Firmware-Sim/src"

# write_link_script FLASH_ORIGIN FLASH_SIZE RAM_ORIGIN RAM_SIZE: $out/link.ld from src/link.ld.in, with an 8 KB stack.
write_link_script() {
    sed -e "s/@FLASH_ORIGIN@/$1/" -e "s/@FLASH_SIZE@/$2/" -e "s/@RAM_ORIGIN@/$3/" -e "s/@RAM_SIZE@/$4/" \
        -e 's/@STACK_SIZE@/0x2000/' "$src/link.ld.in" > "$out/link.ld"
}
