#!/usr/bin/env python3
"""Marks one version need of an ELF shared library as weak (VER_FLG_WEAK in .gnu.version_r).

Usage: glibcxx_weak_version.py LIBRARY VERSION   (e.g. libLibTorchSharp.so GLIBCXX_3.4.32)

The dynamic linker refuses to load a library whose version need is missing from the providing
library unless the need is marked weak; then it only warns (with LD_DEBUG) and carries on. Exit
status: 0 when the flag is set (or was already), 1 when the library has no such need, 2 on a bad file.
Only little-endian ELF64 is handled, which is what the TorchSharp natives for linux-x64 are.
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def fail(path, reason, code=2):
    print(f"{path}: {reason}", file=sys.stderr)
    sys.exit(code)


def main():
    if len(sys.argv) != 3:
        fail("glibcxx_weak_version.py", "usage: LIBRARY VERSION")
    path, wanted = sys.argv[1], sys.argv[2].encode()
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            fail(path, "not a little-endian ELF64 file")
        e_shoff, = struct.unpack_from("<Q", data, 0x28)
        e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)

        def section(i):
            # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info, sh_addralign, sh_entsize
            return struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)

        verneed = next((section(i) for i in range(e_shnum) if section(i)[1] == SHT_GNU_VERNEED), None)
        if verneed is None:
            fail(path, "no .gnu.version_r section")
        strtab_offset = section(verneed[6])[4]
        # The number of Verneed entries is the section's sh_info.
        offset, count = verneed[4], verneed[7]
        for _ in range(count):
            vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, offset)
            aux = offset + vn_aux
            for _ in range(vn_cnt):
                vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                end = data.index(b"\0", strtab_offset + vna_name)
                if bytes(data[strtab_offset + vna_name:end]) == wanted:
                    if not vna_flags & VER_FLG_WEAK:
                        struct.pack_into("<H", data, aux + 4, vna_flags | VER_FLG_WEAK)
                        f.seek(0)
                        f.write(data)
                    print(f"{path}: version need {wanted.decode()} marked weak")
                    return
                aux += vna_next
            offset += vn_next
        fail(path, f"no version need {wanted.decode()}", 1)


if __name__ == "__main__":
    main()
