// The floor for rendering an uncompressed 16-bit series to 8-bit PNG previews: DCMTK's file decode plus libpng's
// deflate, and nothing else. Single-threaded; each PNG is written to memory (not to disk).
//
// For each file: DcmFileFormat::loadFile, the native 16-bit PixelData, the file's first window (else a fixed one)
// applied through a 65536-entry lookup table (DICOM linear VOI, PS3.3 C.11.2.1.2), then a PNG with the settings
// annulus uses for previews (Sources/CPNGWriter/cpng_writer.c, CPNG_FAST: the Up row filter, zlib level 1 with the
// run-length strategy, no interlace). Benchmarks/render/run warns when those settings change and these do not.
//
// Built by Benchmarks/render/run:
//   g++ -O2 -std=c++17 floor.cpp -I/usr/include/dcmtk -ldcmimage -ldcmimgle -ldcmdata -loflog -lofstd -lpng16 -lz
// Usage: floor FILE...   Prints "images N seconds S bytes B" (B = total PNG bytes, so nothing is optimised away).

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"

#include <png.h>
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

[[noreturn]] void fail(const char *path, const char *message) {
    std::fprintf(stderr, "floor: %s: %s\n", path, message);
    std::exit(1);
}

void pngError(png_structp, png_const_charp message) { fail("libpng", message); }
void pngWarning(png_structp, png_const_charp) {}

void appendBytes(png_structp png, png_bytep bytes, png_size_t length) {
    auto *output = static_cast<std::vector<unsigned char> *>(png_get_io_ptr(png));
    output->insert(output->end(), bytes, bytes + length);
}

void flush(png_structp) {}

// 8-bit grey PNG of `pixels` into `output` (cleared first), with annulus's preview settings.
void encodePNG(const std::vector<unsigned char> &pixels, unsigned width, unsigned height,
               std::vector<unsigned char> &output, std::vector<png_bytep> &rows) {
    output.clear();
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, pngError, pngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) fail("libpng", "cannot start");
    png_set_write_fn(png, &output, appendBytes, flush);
    // Keep these three calls identical to the CPNG_FAST branch of Sources/CPNGWriter/cpng_writer.c.
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
    png_set_compression_level(png, 1);
    png_set_compression_strategy(png, Z_RLE);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE,
                 PNG_FILTER_TYPE_BASE);
    png_write_info(png, info);
    rows.resize(height);
    for (unsigned row = 0; row < height; ++row)
        rows[row] = const_cast<png_bytep>(pixels.data()) + static_cast<size_t>(row) * width;
    png_write_image(png, rows.data());
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
}

// DICOM linear VOI window as a lookup table from every 16-bit stored value to 8 bits.
void buildLUT(double center, double width, std::vector<unsigned char> &lut) {
    lut.resize(65536);
    const double low = center - 0.5 - (width - 1) / 2;
    const double high = center - 0.5 + (width - 1) / 2;
    for (int value = 0; value < 65536; ++value) {
        double out;
        if (value <= low)
            out = 0;
        else if (value > high)
            out = 255;
        else
            out = ((value - (center - 0.5)) / (width - 1) + 0.5) * 255;
        lut[value] = static_cast<unsigned char>(std::lround(out < 0 ? 0 : (out > 255 ? 255 : out)));
    }
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: floor FILE...\n");
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<unsigned char> lut, pixels8, png;
    std::vector<png_bytep> rows;
    double lutCenter = NAN, lutWidth = NAN;
    unsigned long long totalBytes = 0;
    for (int index = 1; index < argc; ++index) {
        const char *path = argv[index];
        DcmFileFormat file;
        OFCondition status = file.loadFile(path);
        if (status.bad()) fail(path, status.text());
        DcmDataset *dataset = file.getDataset();
        Uint16 rowCount = 0, columnCount = 0, bitsAllocated = 0, pixelRepresentation = 0;
        dataset->findAndGetUint16(DCM_Rows, rowCount);
        dataset->findAndGetUint16(DCM_Columns, columnCount);
        dataset->findAndGetUint16(DCM_BitsAllocated, bitsAllocated);
        dataset->findAndGetUint16(DCM_PixelRepresentation, pixelRepresentation);
        if (bitsAllocated != 16 || pixelRepresentation != 0 || dataset->getOriginalXfer() == EXS_Unknown ||
            DcmXfer(dataset->getOriginalXfer()).isEncapsulated())
            fail(path, "the floor handles native unsigned 16-bit images only");
        const Uint16 *stored = nullptr;
        unsigned long count = 0;
        status = dataset->findAndGetUint16Array(DCM_PixelData, stored, &count);
        const size_t pixelCount = static_cast<size_t>(rowCount) * columnCount;
        if (status.bad() || !stored || count < pixelCount) fail(path, "no 16-bit PixelData of Rows x Columns");
        Float64 center = 1600, width = 3200;  // the fixed window when the file has none
        dataset->findAndGetFloat64(DCM_WindowCenter, center);
        dataset->findAndGetFloat64(DCM_WindowWidth, width);
        if (width < 1) width = 1;
        if (center != lutCenter || width != lutWidth) {
            buildLUT(center, width, lut);
            lutCenter = center;
            lutWidth = width;
        }
        pixels8.resize(pixelCount);
        for (size_t i = 0; i < pixelCount; ++i) pixels8[i] = lut[stored[i]];
        encodePNG(pixels8, columnCount, rowCount, png, rows);
        totalBytes += png.size();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("images %d seconds %.6f bytes %llu\n", argc - 1, seconds, totalBytes);
    return 0;
}
