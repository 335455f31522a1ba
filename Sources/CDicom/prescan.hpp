// prescan.hpp: a bounded structural scan of a DICOM file, run before DCMTK parses it.
//
// DCMTK 3.6.7 parses nested sequences recursively and overflows its stack on a deeply nested
// file; it also trusts declared lengths. The pre-scan walks the element structure without
// interpreting values (seeking past them), with its own recursion bounded by the nesting limit,
// and refuses a file whose nesting is too deep or whose lengths run past the end of the file.
// It also records facts DicomIO needs for header-only reads (pixel data presence, length,
// fragments) so that `inspect` never reads pixel values.
#pragma once

#include <cstdint>
#include <string>

#include "cdicom.h"

namespace cdicom {

/// Facts the scan collected about a file that passed it.
struct PrescanFacts {
    bool hasMeta = false;                // file meta information (group 0002) present
    bool hasPreamble = false;            // 128-byte preamble and "DICM"
    std::string transferSyntaxUID;       // from the meta header, or "" when detected
    bool detectedExplicitVR = true;      // encoding of the data set as scanned
    bool detectedBigEndian = false;
    bool deflated = false;
    bool hasPixelData = false;           // (7FE0,0010) at top level
    bool pixelDataEncapsulated = false;  // undefined length with fragments
    uint64_t pixelDataLength = 0;        // defined length, or the sum of fragment lengths
    uint32_t pixelFragments = 0;         // fragments after the basic offset table
    uint16_t floatPixelDataTag = 0;      // 0x0008 or 0x0009 when (7FE0,0008/0009) present
    uint32_t maxDepthSeen = 0;
};

/// Scans `path`. Returns CD_OK and fills `facts`, or an error code with a message in `error`.
cd_status prescanFile(const char *path, uint32_t maxDepth, uint64_t maxInflatedBytes, PrescanFacts &facts,
                      cd_error *error);

/// Writes a printf-style message into `error` with `code`; returns `code`.
cd_status setError(cd_error *error, cd_status code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/// "(7FE0,0010) PixelData" for messages; uses DCMTK's dictionary for the name when loaded.
std::string describeTag(uint16_t group, uint16_t element);

}  // namespace cdicom
