// harness.hpp: what every libFuzzer harness shares: the application's memory bounds and a file for the
// shim's path-based entry points (a memfd, rewritten for every input, so nothing touches the disk).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cdicom.h"

namespace fuzz {

/// The bound the application uses for one decoded image in services, kept below -rss_limit_mb (2048).
constexpr uint64_t kMaxDecodedBytes = 64ull << 20;
/// Frames decoded per input: enough to reach per-frame offsets and caches, bounded for speed.
constexpr uint32_t kMaxFrames = 4;

inline cd_open_options openOptions(bool headerOnly) {
    cd_open_options options{};
    options.max_sequence_depth = 64;
    options.max_decoded_bytes = kMaxDecodedBytes;
    options.header_only = headerOnly ? 1 : 0;
    return options;
}

/// Initialises the shim once (DCMTK messages dropped).
inline void initialiseOnce() {
    static bool done = [] {
        cd_error error{};
        if (cd_initialize(nullptr, CD_LOG_FATAL, &error) != CD_OK) {
            fprintf(stderr, "cd_initialize failed: %s\n", error.message);
            abort();
        }
        return true;
    }();
    (void)done;
}

/// With FUZZ_VERBOSE set (replays), prints how the shim answered an input.
inline void report(cd_status status, const cd_error &error) {
    static const bool verbose = getenv("FUZZ_VERBOSE") != nullptr;
    if (verbose) fprintf(stderr, "shim: %s\n", status == CD_OK ? "accepted" : error.message);
}

/// A path whose content is `data`: one memfd per process, truncated and rewritten per input.
inline const char *pathWith(const uint8_t *data, size_t size) {
    static int fd = memfd_create("fuzz-input", 0);
    static std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (fd < 0 || ftruncate(fd, 0) != 0) abort();
    size_t written = 0;
    while (written < size) {
        ssize_t n = pwrite(fd, data + written, size - written, static_cast<off_t>(written));
        if (n <= 0) abort();
        written += static_cast<size_t>(n);
    }
    return path.c_str();
}

}  // namespace fuzz
