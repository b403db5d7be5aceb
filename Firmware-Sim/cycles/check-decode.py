#!/usr/bin/env python3
"""Firmware-Sim/cycles/check-decode.py [--core NAME] ELF [ELF...]: the plugin's decoder against llvm-objdump.

Builds cycles.c as a host tool (-DCYCLES_DECODE_TOOL: the same decoder, reading opcodes from stdin), decodes
every instruction llvm-objdump disassembles in each ELF, and compares the class the plugin charges with the class
the mnemonic belongs to. Prints each disagreement (mnemonic, class expected, class decoded, count) and exits 1 if
there is one. Used on the firmware ELFs Firmware-Sim/run builds (its build folder, or any Thumb ELF). --core
names the tables.h row (default cortex-m4); with cortex-m55 (Armv8.1-M) the MVE classes and low-overhead loops
are decoded too."""
import collections, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONDITIONS = "eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al"


def mve_class(base, operands):
    """The class of an Armv8.1-M mnemonic (MVE, low-overhead loops) on a core that has them, or None. MVE vector
    instructions are told from FP ones by a Q register among the operands (VMOV, VDUP, VCMP... have both forms);
    predicated ones inside a VPT block carry a t/e suffix."""
    if base in ("dls", "dlstp", "wls", "wlstp", "le", "letp"):
        return "branch"
    if re.fullmatch(r"vpst[te]{0,3}|vpnot|vctp[te]?", base):
        return "vctl"
    if re.fullmatch(r"vldr[bhwd][te]?|vld[24][0-3][te]?", base):
        return "vload"
    if re.fullmatch(r"vstr[bhwd][te]?|vst[24][0-3][te]?", base):
        return "vstore"
    if re.fullmatch(r"vr?ml[as]l?(dav|v)h?a?x?[te]?", base):
        return "vmac"
    if base.startswith("v") and re.search(r"\bq[0-7]\b", operands):
        return "vdp"
    return None


def known_class(base, operands):
    """The class of an unconditional mnemonic, or None when `base` is not one of the non-ALU mnemonics."""
    if MVE and mve_class(base, operands):
        return mve_class(base, operands)
    if base.startswith("v") or base.startswith("f"):
        if base == "vldr":
            return "load"
        if base == "vstr":
            return "store"
        if re.fullmatch(r"v(ldm|stm)(ia|db)?|vpush|vpop|f(ldm|stm)\w*", base):
            return "ldm"
        return "fp"
    if base in ("b", "bl", "blx", "bx", "cbz", "cbnz", "tbb", "tbh"):
        return "branch"
    if base in ("ldrd", "strd"):
        return "ldrd"
    if re.fullmatch(r"(ldm|stm)(ia|db|fd|ea)?|push|pop", base):
        return "ldm"
    if re.fullmatch(r"ldr(b|h|sb|sh|ex|exb|exh|t|bt|ht|sbt|sht)?", base):
        return "load"
    if re.fullmatch(r"str(b|h|ex|exb|exh|t|bt|ht)?", base):
        return "store"
    if base in ("sdiv", "udiv"):
        return "div"
    if re.fullmatch(r"muls?|mla|mls|smull|umull|smlal|umlal|umaal|sml\w+|smu\w+|smm\w+|usad8|usada8", base):
        return "mul"
    if re.fullmatch(r"it[te]{0,3}|nop|bkpt|svc|cpsi[de]|mrs|msr|dmb|dsb|isb|wfi|wfe|sev|yield|udf|trap|clrex|pld|pli",
                    base):
        return "other"
    if re.fullmatch(r"(mov|add)s?", base) and operands.split(",")[0].strip() == "pc":
        return "branch"
    return None


def expected_class(mnemonic, operands):
    """The class a mnemonic belongs to (condition suffixes inside IT blocks stripped only when needed: "muls" and
    "umlal" end in a condition's letters)."""
    m = mnemonic.split(".")[0]  # drop .w, .n, .f32...
    stripped = re.sub(f"({CONDITIONS})$", "", m)
    return known_class(m, operands) or known_class(stripped, operands) or "alu"


MVE = False


def main():
    global MVE
    args = sys.argv[1:]
    core = "cortex-m4"
    if args[:1] == ["--core"] and len(args) >= 2:
        core, args = args[1], args[2:]
    if not args:
        sys.exit("usage: check-decode.py [--core NAME] ELF [ELF...]")
    MVE = core == "cortex-m55"  # the tables.h rows with v81m
    # The Swift toolchain's LLVM tools (beside swiftc): another llvm-objdump on the PATH (Debian's llvm) prints a
    # listing this parser does not read, which once made the check pass on 0 instructions.
    swift_bin = os.path.dirname(os.path.realpath(shutil.which("swiftc") or "/opt/swift/usr/bin/swiftc"))
    objdump = os.path.join(swift_bin, "llvm-objdump")
    with tempfile.TemporaryDirectory() as tmp:
        tool = os.path.join(tmp, "decode")
        compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang") or sys.exit("no host C compiler")
        subprocess.run([compiler, "-O1", "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections",
                        "-DCYCLES_DECODE_TOOL", "-o", tool, os.path.join(HERE, "cycles.c")], check=True)
        wrong = collections.Counter()
        total = 0
        for elf in args:
            # The DSP extension explicitly: an ARMv8-M firmware's attributes (the C for cortex-m33 linked first) do
            # not name it, and llvm-objdump then prints the Swift code's SMLAD/SXTB16... as <unknown>.
            listing = subprocess.run([objdump, "-d", "--mattr=+dsp", elf], capture_output=True, text=True,
                                     check=True).stdout
            # Only code: the ranges of function symbols (the model and constants share .text and would
            # disassemble as noise).
            nm = os.path.join(swift_bin, "llvm-nm")
            functions = []
            for row in subprocess.run([nm, "-S", "--defined-only", elf], capture_output=True, text=True,
                                      check=True).stdout.splitlines():
                f = row.split()
                if len(f) == 4 and f[2] in "tT":
                    start = int(f[0], 16) & ~1
                    functions.append((start, start + int(f[1], 16)))
            insns = []
            for line in listing.splitlines():
                m = re.match(r"\s*([0-9a-f]+):\s+([0-9a-f]{4})(?: ([0-9a-f]{4}))?\s+\t(\S+)\s*(.*)", line)
                if not m or m.group(4).startswith("."):
                    continue
                address = int(m.group(1), 16)
                if not any(a <= address < b for a, b in functions):
                    continue
                halves = [h for h in (m.group(2), m.group(3)) if h]
                data = "".join(h[2:] + h[:2] for h in halves)  # memory order: low byte first
                insns.append((int(m.group(1), 16), data, m.group(4), m.group(5)))
            decoded = subprocess.run([tool, core], input="".join(f"{a:x} {d}\n" for a, d, _, _ in insns),
                                     capture_output=True, text=True, check=True).stdout.split("\n")
            for (address, _, mnemonic, operands), line in zip(insns, decoded):
                got = line.split()[1]
                want = expected_class(mnemonic, operands)
                total += 1
                if got != want:
                    wrong[(mnemonic, want, got)] += 1
        for (mnemonic, want, got), n in sorted(wrong.items(), key=lambda kv: -kv[1]):
            print(f"  {mnemonic:<12} expected {want:<7} decoded {got:<7} x{n}")
        print(f"check-decode ({core}): {total - sum(wrong.values())}/{total} instructions decoded into their "
              "mnemonic's class")
        if total == 0:
            print("check-decode: no instruction read from the listing (wrong llvm-objdump?): FAILED")
            return 1
        return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
