#!/usr/bin/env bash
# Makes TorchSharp's libLibTorchSharp.so load on a system whose libstdc++ predates GCC 13 (Debian 12:
# GLIBCXX up to 3.4.30). The library was built with GCC 13 and needs GLIBCXX_3.4.32 for one symbol only,
# std::ios_base_library_init(), which older libstdc++ does not need (see ios_base_library_init_shim.c).
#
#   patch-libtorchsharp.sh LIBRARY   (the copy in a build output, never the NuGet cache)
#
# 1. build libcellseg_iosinit.so (the no-op symbol) beside the library;
# 2. patchelf: clear the symbol's version and add a DT_NEEDED on the shim (found through $ORIGIN);
# 3. mark the GLIBCXX_3.4.32 version need weak (glibcxx_weak_version.py), so the loader does not refuse it.
# Does nothing when the system libstdc++ has GLIBCXX_3.4.32, or when a marker beside the library
# records that this very file was already patched.
set -euo pipefail
lib=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=$(cd "$(dirname "$lib")" && pwd)
marker="$lib.glibcxx-patched"
symbol=_ZSt21ios_base_library_initv
shim=libcellseg_iosinit.so

system_libstdcxx=$( (/sbin/ldconfig -p 2>/dev/null || true) | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
system_libstdcxx=${system_libstdcxx:-/usr/lib/x86_64-linux-gnu/libstdc++.so.6}
if grep -qa 'GLIBCXX_3\.4\.32' "$system_libstdcxx"; then
  exit 0   # GCC 13 or newer runtime: the library loads as shipped
fi

if [ -f "$marker" ] && [ -f "$dir/$shim" ] && [ "$(sha256sum < "$lib")" = "$(cat "$marker")" ]; then
  exit 0
fi

for tool in patchelf gcc /usr/bin/python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $lib needs GLIBCXX_3.4.32, which $system_libstdcxx lacks; fixing it needs '$tool' (Debian: apt-get install patchelf gcc python3)" >&2
    exit 1
  fi
done

if [ ! -f "$dir/$shim" ] || [ "$here/ios_base_library_init_shim.c" -nt "$dir/$shim" ]; then
  gcc -shared -fPIC -O2 -o "$dir/$shim.tmp.$$" "$here/ios_base_library_init_shim.c"
  mv -f "$dir/$shim.tmp.$$" "$dir/$shim"
fi

tmp="$lib.patching.$$"
cp -f "$lib" "$tmp"
if ! patchelf --print-needed "$tmp" | grep -qx "$shim"; then
  patchelf --add-needed "$shim" "$tmp"
fi
patchelf --clear-symbol-version "$symbol" "$tmp"
/usr/bin/python3 "$here/glibcxx_weak_version.py" "$tmp" GLIBCXX_3.4.32 >/dev/null
mv -f "$tmp" "$lib"
sha256sum < "$lib" > "$marker"
echo "patched $lib for the system libstdc++ (GLIBCXX_3.4.32 weak, $symbol from $shim)"
