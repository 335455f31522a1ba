// known_asserts.cpp: linked into the harnesses only (never into the application). Debian's OpenJPH 0.9 is built
// with assertions; a few fire on corrupt *tile data* (packet headers), which no cheap main-header check can
// refuse. Those listed here are turned into C++ exceptions (the shim reports them as decoding errors) so that the
// fuzzer keeps searching for defects in the shim; every other assertion still aborts and is a finding. Each
// entry is documented in docs/reliability.md (the application relies on the worker process for these).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

extern "C" [[noreturn]] void __assert_fail(const char *assertion, const char *file, unsigned int line,
                                           const char *function) noexcept(false) {
    static const char *const tileData[] = {
        "bb_read_bits",  // precinct::parse: a packet header's length field wider than 32 bits
    };
    for (const char *known : tileData)
        if (function && std::strstr(function, known))
            throw std::runtime_error(std::string("OpenJPH assertion on tile data: ") + assertion);
    fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", file, line, function, assertion);
    abort();
}
