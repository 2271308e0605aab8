#pragma once
// HEED_ISA_CLONES compiles a hot loop once per instruction set (AVX-512, AVX2 + FMA, baseline) and
// the loader picks one: the library is built for any x86-64. Under AddressSanitizer only the
// baseline is compiled. The clones are one source, so they make the same memory accesses, and
// three instrumented copies of each would make a sanitized build minutes longer. It suits loops
// of scalars that the compiler vectorises for each set; code written with vectors of a fixed
// width is compiled per width instead (attention.cpp), since a vector wider than the registers
// lives in memory.
#if defined(__SANITIZE_ADDRESS__)
#define HEED_ISA_CLONES
#else
#define HEED_ISA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
