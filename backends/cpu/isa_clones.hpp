#pragma once
// HEED_ISA_CLONES compiles a hot loop once per instruction set (AVX-512, AVX2 + FMA, baseline) and
// the loader picks one: the library is built for any x86-64. Under AddressSanitizer only the
// baseline is compiled. The clones are one source, so they make the same memory accesses, and
// three instrumented copies of the attention tasks made a sanitized build ten minutes longer.
#if defined(__SANITIZE_ADDRESS__)
#define HEED_ISA_CLONES
#else
#define HEED_ISA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
