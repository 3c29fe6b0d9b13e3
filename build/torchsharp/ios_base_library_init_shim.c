/* Defines std::ios_base_library_init() for a libstdc++ older than GCC 13 (GLIBCXX_3.4.32).
   GCC 13 emits a call to it from every translation unit that includes <iostream>, to make sure the
   standard streams are constructed; older libstdc++ constructs them through ios_base::Init in its own
   start-up, so nothing is left to do here. Linked into libLibTorchSharp.so by patch-libtorchsharp.sh. */
void _ZSt21ios_base_library_initv(void) {}
