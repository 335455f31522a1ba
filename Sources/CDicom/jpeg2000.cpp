// jpeg2000.cpp: JPEG 2000 (transfer syntaxes 1.2.840.10008.1.2.4.90 and .91) through OpenJPEG, which DCMTK
// 3.6.7 lacks. Decodes one frame's codestream (raw J2K, or a JP2 file where a writer wrapped it) from memory
// into interleaved stored samples, checked against the DICOM pixel module before anything is written.
#include "jpeg2000.hpp"

#include "codestream.hpp"

#include <openjpeg-2.5/openjpeg.h>  // Debian 12 libopenjp2-7-dev

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

namespace cdicom {
namespace {

struct MemoryStream {
    const uint8_t *data;
    size_t size;
    size_t offset;
};

// OpenJPEG (C) calls the stream and message functions: none may let a C++ exception through its frames.
OPJ_SIZE_T readStream(void *buffer, OPJ_SIZE_T count, void *user) noexcept {
    auto *stream = static_cast<MemoryStream *>(user);
    if (stream->offset >= stream->size) return static_cast<OPJ_SIZE_T>(-1);
    OPJ_SIZE_T available = stream->size - stream->offset;
    OPJ_SIZE_T taken = count < available ? count : available;
    std::memcpy(buffer, stream->data + stream->offset, taken);
    stream->offset += taken;
    return taken;
}

OPJ_OFF_T skipStream(OPJ_OFF_T count, void *user) noexcept {
    auto *stream = static_cast<MemoryStream *>(user);
    if (count < 0) {
        if (static_cast<size_t>(-count) > stream->offset) return -1;
        stream->offset -= static_cast<size_t>(-count);
        return count;
    }
    size_t available = stream->size - stream->offset;
    size_t taken = static_cast<size_t>(count) < available ? static_cast<size_t>(count) : available;
    stream->offset += taken;
    return static_cast<OPJ_OFF_T>(taken);
}

OPJ_BOOL seekStream(OPJ_OFF_T position, void *user) noexcept {
    auto *stream = static_cast<MemoryStream *>(user);
    if (position < 0 || static_cast<size_t>(position) > stream->size) return OPJ_FALSE;
    stream->offset = static_cast<size_t>(position);
    return OPJ_TRUE;
}

void keepMessage(const char *message, void *user) noexcept {
    auto *last = static_cast<std::string *>(user);
    try {
        *last = message ? message : "";
        while (!last->empty() && (last->back() == '\n' || last->back() == '\r')) last->pop_back();
    } catch (...) {
        last->clear();  // out of memory: the decode still fails, with OpenJPEG's text left out
    }
}

void ignoreMessage(const char *, void *) noexcept {}

/// Owns OpenJPEG's objects for one decode.
struct Decode {
    opj_codec_t *codec = nullptr;
    opj_stream_t *stream = nullptr;
    opj_image_t *image = nullptr;
    ~Decode() {
        if (image) opj_image_destroy(image);
        if (stream) opj_stream_destroy(stream);
        if (codec) opj_destroy_codec(codec);
    }
};

}  // namespace

cd_status decodeJPEG2000(const uint8_t *data, size_t size, const cd_pixel_info &info, void *out, uint64_t outSize,
                         const char *photometric, char colorModel[32], cd_error *error) {
    static const uint8_t jp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
    if (size < 12) return setError(error, CD_ERR_DECODE, "the JPEG 2000 frame holds only %zu bytes", size);
    const bool isJP2 = std::memcmp(data, jp2Signature, sizeof(jp2Signature)) == 0;
    if (!isJP2 && !(data[0] == 0xFF && data[1] == 0x4F))
        return setError(error, CD_ERR_DECODE, "the frame does not start with a JPEG 2000 codestream (no SOC marker)");
    // OpenJPEG never sees a main header that contradicts itself or the DICOM header.
    size_t codestreamOffset = 0, codestreamLength = size;
    if (isJP2) {
        cd_status status = jp2Codestream(data, size, codestreamOffset, codestreamLength, error);
        if (status != CD_OK) return status;
    }
    cd_status status = validateJ2KHeader(data + codestreamOffset, codestreamLength, info, "JPEG 2000", nullptr, error);
    if (status != CD_OK) return status;

    MemoryStream memory{data, size, 0};
    std::string lastError;
    Decode decode;
    decode.codec = opj_create_decompress(isJP2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
    if (!decode.codec) return setError(error, CD_ERR_INTERNAL, "OpenJPEG could not create a decoder");
    opj_set_error_handler(decode.codec, keepMessage, &lastError);
    opj_set_warning_handler(decode.codec, ignoreMessage, nullptr);
    opj_set_info_handler(decode.codec, ignoreMessage, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    // DICOM describes colour in its own header: a JP2 palette or channel box must not change the component count
    // after the checks below (it would overflow the frame buffer).
    parameters.flags |= OPJ_DPARAMETERS_IGNORE_PCLR_CMAP_CDEF_FLAG;
    if (!opj_setup_decoder(decode.codec, &parameters))
        return setError(error, CD_ERR_INTERNAL, "OpenJPEG refused the decoder setup: %s", lastError.c_str());
    // A truncated codestream is an error, not a partly blank image.
    opj_decoder_set_strict_mode(decode.codec, OPJ_TRUE);

    decode.stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
    if (!decode.stream) return setError(error, CD_ERR_INTERNAL, "OpenJPEG could not create a stream");
    opj_stream_set_user_data(decode.stream, &memory, nullptr);
    opj_stream_set_user_data_length(decode.stream, size);
    opj_stream_set_read_function(decode.stream, readStream);
    opj_stream_set_skip_function(decode.stream, skipStream);
    opj_stream_set_seek_function(decode.stream, seekStream);

    if (!opj_read_header(decode.stream, decode.codec, &decode.image) || !decode.image)
        return setError(error, CD_ERR_DECODE, "the JPEG 2000 header cannot be read: %s", lastError.c_str());
    opj_image_t *image = decode.image;
    // Check the codestream against the pixel module before decoding anything.
    if (image->numcomps != info.samples_per_pixel)
        return setError(error, CD_ERR_DECODE,
                        "the JPEG 2000 codestream has %u component(s) but SamplesPerPixel is %u", image->numcomps,
                        info.samples_per_pixel);
    for (OPJ_UINT32 c = 0; c < image->numcomps; c++) {
        const opj_image_comp_t &component = image->comps[c];
        if (component.dx != 1 || component.dy != 1)
            return setError(error, CD_ERR_DECODE, "JPEG 2000 component %u is subsampled, which DICOM does not allow",
                            c);
    }
    if (image->x1 - image->x0 != info.columns || image->y1 - image->y0 != info.rows)
        return setError(error, CD_ERR_DECODE, "the JPEG 2000 image is %u x %u but the header says %u x %u",
                        image->x1 - image->x0, image->y1 - image->y0, info.columns, info.rows);
    if (!opj_decode(decode.codec, decode.stream, image) || !opj_end_decompress(decode.codec, decode.stream))
        return setError(error, CD_ERR_DECODE, "JPEG 2000 decoding failed: %s",
                        lastError.empty() ? "the codestream is damaged" : lastError.c_str());

    const uint64_t pixels = uint64_t(info.rows) * info.columns;
    const uint32_t bytesPerSample = info.bits_allocated / 8;
    if (bytesPerSample == 0 || bytesPerSample > 2)
        return setError(error, CD_ERR_DECODE, "JPEG 2000 with BitsAllocated %u is not supported", info.bits_allocated);
    if (outSize < pixels * info.samples_per_pixel * bytesPerSample)
        return setError(error, CD_ERR_INVALID_ARGUMENT, "the frame buffer is too small for the decoded image");
    if (image->numcomps != info.samples_per_pixel)
        return setError(error, CD_ERR_DECODE, "the decoded JPEG 2000 image has %u component(s), not %u",
                        image->numcomps, info.samples_per_pixel);
    for (OPJ_UINT32 c = 0; c < image->numcomps; c++) {
        const opj_image_comp_t &component = image->comps[c];
        if (!component.data || component.w != info.columns || component.h != info.rows)
            return setError(error, CD_ERR_DECODE, "JPEG 2000 component %u decoded to an unexpected size", c);
    }
    // Interleave (DICOM requires PlanarConfiguration 0 for JPEG 2000); values keep their bit patterns, and the
    // caller masks them to BitsStored and sign-extends by PixelRepresentation.
    const OPJ_UINT32 components = image->numcomps;
    if (bytesPerSample == 1) {
        auto *target = static_cast<uint8_t *>(out);
        for (uint64_t i = 0; i < pixels; i++)
            for (OPJ_UINT32 c = 0; c < components; c++)
                target[i * components + c] = static_cast<uint8_t>(image->comps[c].data[i]);
    } else {
        auto *target = static_cast<uint16_t *>(out);
        for (uint64_t i = 0; i < pixels; i++)
            for (OPJ_UINT32 c = 0; c < components; c++)
                target[i * components + c] = static_cast<uint16_t>(image->comps[c].data[i]);
    }
    // A multiple-component transform (YBR_RCT, YBR_ICT) is undone by the decoder: the samples are RGB.
    const bool transformed = std::strncmp(photometric, "YBR_RCT", 7) == 0 || std::strncmp(photometric, "YBR_ICT", 7) == 0;
    snprintf(colorModel, 32, "%s", transformed && components == 3 ? "RGB" : photometric);
    return CD_OK;
}

}  // namespace cdicom
