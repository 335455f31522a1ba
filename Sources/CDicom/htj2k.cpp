// htj2k.cpp: High-Throughput JPEG 2000 (transfer syntaxes 1.2.840.10008.1.2.4.201, .202, .203) through OpenJPH,
// which DCMTK 3.6.7 lacks. Decodes one frame's codestream from memory into interleaved stored samples, checked
// against the DICOM pixel module first.
#include "jpeg2000.hpp"

#include "codestream.hpp"

#include <openjph/ojph_arch.h>
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>

namespace cdicom {
namespace {

/// OpenJPH reports errors through a global handler that prints and throws; this one only throws, with the text.
class ThrowingError : public ojph::message_error {
  public:
    void operator()(int, const char *, int, const char *format, ...) override {
        char text[512];
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(text, sizeof(text), format, arguments);
        va_end(arguments);
        throw std::runtime_error(text);
    }
};

class SilentWarning : public ojph::message_warning {
  public:
    void operator()(int, const char *, int, const char *, ...) override {}
};

class SilentInfo : public ojph::message_info {
  public:
    void operator()(int, const char *, int, const char *, ...) override {}
};

void configureMessagesOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        static ThrowingError error;
        static SilentWarning warning;
        static SilentInfo info;
        ojph::configure_error(&error);
        ojph::configure_warning(&warning);
        ojph::configure_info(&info);
    });
}

}  // namespace

cd_status decodeHTJ2K(const uint8_t *data, size_t size, const cd_pixel_info &info, void *out, uint64_t outSize,
                      const char *photometric, char colorModel[32], cd_error *error) {
    configureMessagesOnce();
    if (size < 12 || data[0] != 0xFF || data[1] != 0x4F)
        return setError(error, CD_ERR_DECODE, "the frame does not start with an HTJ2K codestream (no SOC marker)");
    // OpenJPH asserts, divides by zero or loops on inconsistent main headers: it never sees one.
    cd_status status = validateJ2KHeader(data, size, info, "HTJ2K", nullptr, error);
    if (status != CD_OK) return status;
    const uint32_t bytesPerSample = info.bits_allocated / 8;
    if (bytesPerSample == 0 || bytesPerSample > 2)
        return setError(error, CD_ERR_DECODE, "HTJ2K with BitsAllocated %u is not supported", info.bits_allocated);
    const uint64_t pixels = uint64_t(info.rows) * info.columns;
    if (outSize < pixels * info.samples_per_pixel * bytesPerSample)
        return setError(error, CD_ERR_INVALID_ARGUMENT, "the frame buffer is too small for the decoded image");
    try {
        ojph::mem_infile file;
        file.open(data, size);
        ojph::codestream codestream;
        codestream.read_headers(&file);
        ojph::param_siz siz = codestream.access_siz();
        const ojph::ui32 width = siz.get_image_extent().x - siz.get_image_offset().x;
        const ojph::ui32 height = siz.get_image_extent().y - siz.get_image_offset().y;
        const ojph::ui32 components = siz.get_num_components();
        if (components != info.samples_per_pixel) {
            codestream.close();
            return setError(error, CD_ERR_DECODE, "the HTJ2K codestream has %u component(s) but SamplesPerPixel is %u",
                            components, info.samples_per_pixel);
        }
        if (width != info.columns || height != info.rows) {
            codestream.close();
            return setError(error, CD_ERR_DECODE, "the HTJ2K image is %u x %u but the header says %u x %u", width,
                            height, info.columns, info.rows);
        }
        for (ojph::ui32 c = 0; c < components; c++) {
            ojph::point step = siz.get_downsampling(c);
            if (step.x != 1 || step.y != 1) {
                codestream.close();
                return setError(error, CD_ERR_DECODE, "HTJ2K component %u is subsampled, which DICOM does not allow", c);
            }
        }
        codestream.set_planar(false);
        codestream.create();
        for (ojph::ui32 y = 0; y < height; y++) {
            for (ojph::ui32 c = 0; c < components; c++) {
                ojph::ui32 component = 0;
                ojph::line_buf *line = codestream.pull(component);
                if (!line || component >= components || line->size < width) throw std::runtime_error("short line");
                const uint64_t base = uint64_t(y) * width * components + component;
                if (bytesPerSample == 1) {
                    auto *target = static_cast<uint8_t *>(out);
                    for (ojph::ui32 x = 0; x < width; x++)
                        target[base + uint64_t(x) * components] = static_cast<uint8_t>(line->i32[x]);
                } else {
                    auto *target = static_cast<uint16_t *>(out);
                    for (ojph::ui32 x = 0; x < width; x++)
                        target[base + uint64_t(x) * components] = static_cast<uint16_t>(line->i32[x]);
                }
            }
        }
        codestream.close();
    } catch (const std::exception &failure) {
        return setError(error, CD_ERR_DECODE, "HTJ2K decoding failed: %s", failure.what());
    }
    // A multiple-component transform is undone by the decoder: YBR_RCT/YBR_ICT samples come out as RGB.
    const bool transformed = std::strncmp(photometric, "YBR_RCT", 7) == 0 || std::strncmp(photometric, "YBR_ICT", 7) == 0;
    snprintf(colorModel, 32, "%s", transformed && info.samples_per_pixel == 3 ? "RGB" : photometric);
    return CD_OK;
}

}  // namespace cdicom
