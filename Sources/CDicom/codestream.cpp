// codestream.cpp: see codestream.hpp. Reads header fields only, never trusts a length before checking it
// against the bytes present.
#include "codestream.hpp"

#include <cstring>

#include "prescan.hpp"

namespace cdicom {
namespace {

uint16_t be16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t *p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
uint32_t le32(const uint8_t *p) { return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]; }

constexpr uint16_t kSOC = 0xFF4F, kSIZ = 0xFF51, kCOD = 0xFF52, kCOC = 0xFF53, kQCD = 0xFF5C, kQCC = 0xFF5D,
                   kSOT = 0xFF90;

/// Checks the coding style parameters shared by COD and COC (SPcod/SPcoc), at `p` with `available` bytes.
/// `where` is "COD" or "COC of component N".
cd_status checkCodingStyle(const uint8_t *p, size_t available, bool precincts, const char *codec, const char *where,
                           uint32_t width, uint32_t height, uint32_t &levels, bool &reversible, cd_error *error) {
    if (available < 5)
        return setError(error, CD_ERR_DECODE, "the %s %s segment is too short for its coding style", codec, where);
    levels = p[0];
    const uint32_t xcb = p[1], ycb = p[2], transform = p[4];
    if (levels > 32)
        return setError(error, CD_ERR_DECODE, "the %s %s has %u decomposition levels; at most 32 are allowed", codec,
                        where, levels);
    const uint32_t larger = width > height ? width : height;
    if ((uint64_t(1) << levels) > larger)
        return setError(error, CD_ERR_DECODE,
                        "the %s %s has %u decomposition levels, more than a %u x %u image allows (at most %u)", codec,
                        where, levels, width, height, 31u - uint32_t(__builtin_clz(larger)));
    if (xcb > 8 || ycb > 8 || xcb + ycb > 8)
        return setError(error, CD_ERR_DECODE,
                        "the %s %s code-block size exponents are %u and %u (coded xcb %u, ycb %u); each must be 2..10 "
                        "and their sum at most 12",
                        codec, where, xcb + 2, ycb + 2, xcb, ycb);
    if (transform > 1)
        return setError(error, CD_ERR_DECODE, "the %s %s wavelet transform is %u; it must be 0 (9-7) or 1 (5-3)",
                        codec, where, transform);
    reversible = transform == 1;
    if (precincts) {
        if (available < 5 + size_t(levels) + 1)
            return setError(error, CD_ERR_DECODE, "the %s %s segment is too short for its %u precinct sizes", codec,
                            where, levels + 1);
        for (uint32_t r = 1; r <= levels; r++) {
            const uint8_t size = p[5 + r];
            if ((size & 0x0F) == 0 || (size >> 4) == 0)
                return setError(error, CD_ERR_DECODE,
                                "the %s %s precinct size of resolution %u is 0x%02X; exponents of 0 are allowed only "
                                "for resolution 0",
                                codec, where, r, size);
        }
    }
    return CD_OK;
}

/// Checks a QCD or QCC quantization (Sqcd and its step sizes) for `levels` decomposition levels.
cd_status checkQuantization(const uint8_t *p, size_t available, uint32_t levels, const char *codec, const char *where,
                            cd_error *error) {
    if (available < 1) return setError(error, CD_ERR_DECODE, "the %s %s segment is empty", codec, where);
    const uint32_t style = p[0] & 0x1F;
    const size_t steps = available - 1;
    const size_t subbands = 3 * size_t(levels) + 1;
    switch (style) {
    case 0:
        if (steps < subbands) break;
        return CD_OK;
    case 1:
        if (steps < 2) break;
        return CD_OK;
    case 2:
        if (steps < 2 * subbands) break;
        return CD_OK;
    default:
        return setError(error, CD_ERR_DECODE,
                        "the %s %s quantization style is %u; it must be 0 (none), 1 (derived) or 2 (expounded)", codec,
                        where, style);
    }
    return setError(error, CD_ERR_DECODE,
                    "the %s %s holds %zu byte(s) of step sizes, too few for quantization style %u with %u "
                    "decomposition levels",
                    codec, where, steps, style, levels);
}

}  // namespace

cd_status validateJ2KHeader(const uint8_t *data, size_t size, const cd_pixel_info &info, const char *codec,
                            J2KHeader *header, cd_error *error) {
    if (size < 4 || be16(data) != kSOC)
        return setError(error, CD_ERR_DECODE, "the frame does not start with a %s codestream (no SOC marker)", codec);
    if (be16(data + 2) != kSIZ)
        return setError(error, CD_ERR_DECODE, "the %s codestream has no SIZ segment after SOC", codec);
    if (size < 6 + 38)
        return setError(error, CD_ERR_DECODE, "the %s codestream ends inside its SIZ segment (%zu bytes)", codec, size);
    const uint8_t *siz = data + 4;  // Lsiz
    const uint32_t lsiz = be16(siz);
    const uint32_t xsiz = be32(siz + 4), ysiz = be32(siz + 8), xosiz = be32(siz + 12), yosiz = be32(siz + 16);
    const uint32_t xtsiz = be32(siz + 20), ytsiz = be32(siz + 24), xtosiz = be32(siz + 28), ytosiz = be32(siz + 32);
    const uint32_t csiz = be16(siz + 36);
    if (csiz == 0 || csiz > 16384)
        return setError(error, CD_ERR_DECODE, "the %s SIZ segment declares Csiz = %u components (1..16384)", codec, csiz);
    if (lsiz != 38 + 3 * csiz)
        return setError(error, CD_ERR_DECODE, "the %s SIZ segment length Lsiz = %u does not match Csiz = %u (%u)",
                        codec, lsiz, csiz, 38 + 3 * csiz);
    if (size < 4 + size_t(lsiz))
        return setError(error, CD_ERR_DECODE, "the %s codestream ends inside its SIZ segment (%zu bytes)", codec, size);
    if (xsiz <= xosiz)
        return setError(error, CD_ERR_DECODE, "the %s SIZ segment has Xsiz = %u not beyond XOsiz = %u (empty image)",
                        codec, xsiz, xosiz);
    if (ysiz <= yosiz)
        return setError(error, CD_ERR_DECODE, "the %s SIZ segment has Ysiz = %u not beyond YOsiz = %u (empty image)",
                        codec, ysiz, yosiz);
    if (xtsiz == 0) return setError(error, CD_ERR_DECODE, "the %s SIZ segment has XTsiz = 0 (tile width)", codec);
    if (ytsiz == 0) return setError(error, CD_ERR_DECODE, "the %s SIZ segment has YTsiz = 0 (tile height)", codec);
    if (xtosiz > xosiz)
        return setError(error, CD_ERR_DECODE, "the %s SIZ segment has XTOsiz = %u beyond the image origin XOsiz = %u",
                        codec, xtosiz, xosiz);
    if (ytosiz > yosiz)
        return setError(error, CD_ERR_DECODE, "the %s SIZ segment has YTOsiz = %u beyond the image origin YOsiz = %u",
                        codec, ytosiz, yosiz);
    if (uint64_t(xtosiz) + xtsiz <= xosiz)
        return setError(error, CD_ERR_DECODE,
                        "the %s SIZ segment's first tile (XTOsiz = %u, XTsiz = %u) ends before the image origin XOsiz = %u",
                        codec, xtosiz, xtsiz, xosiz);
    if (uint64_t(ytosiz) + ytsiz <= yosiz)
        return setError(error, CD_ERR_DECODE,
                        "the %s SIZ segment's first tile (YTOsiz = %u, YTsiz = %u) ends before the image origin YOsiz = %u",
                        codec, ytosiz, ytsiz, yosiz);
    const uint64_t tilesAcross = (uint64_t(xsiz) - xtosiz + xtsiz - 1) / xtsiz;
    const uint64_t tilesDown = (uint64_t(ysiz) - ytosiz + ytsiz - 1) / ytsiz;
    if (tilesAcross * tilesDown > 65535)
        return setError(error, CD_ERR_DECODE,
                        "the %s SIZ segment's tiles of %u x %u make %llu tiles; a codestream holds at most 65535", codec,
                        xtsiz, ytsiz, static_cast<unsigned long long>(tilesAcross * tilesDown));
    const uint32_t width = xsiz - xosiz, height = ysiz - yosiz;
    if (width != info.columns || height != info.rows)
        return setError(error, CD_ERR_DECODE,
                        "the %s image is %u x %u (SIZ Xsiz - XOsiz, Ysiz - YOsiz) but Columns x Rows is %u x %u", codec,
                        width, height, info.columns, info.rows);
    if (csiz != info.samples_per_pixel)
        return setError(error, CD_ERR_DECODE, "the %s SIZ segment has Csiz = %u components but SamplesPerPixel is %u",
                        codec, csiz, info.samples_per_pixel);
    for (uint32_t c = 0; c < csiz; c++) {
        const uint8_t *component = siz + 38 + 3 * c;
        const uint32_t precision = (component[0] & 0x7F) + 1u;
        if (precision > 38)
            return setError(error, CD_ERR_DECODE, "the %s SIZ segment gives component %u a precision of %u bits (1..38)",
                            codec, c, precision);
        if (component[1] == 0 || component[2] == 0)
            return setError(error, CD_ERR_DECODE, "the %s SIZ segment gives component %u sub-sampling XRsiz = %u, "
                            "YRsiz = %u (must be at least 1)",
                            codec, c, component[1], component[2]);
    }

    // Marker segments up to the first tile.
    size_t position = 4 + lsiz;
    bool sawCOD = false, sawQCD = false;
    uint32_t codLevels = 0;
    bool reversible = false;
    const uint8_t *qcd = nullptr;
    size_t qcdLength = 0;
    while (true) {
        if (position + 4 > size)
            return setError(error, CD_ERR_DECODE, "the %s main header ends at byte %zu without a tile (no SOT marker)",
                            codec, position);
        const uint16_t marker = be16(data + position);
        if ((marker >> 8) != 0xFF)
            return setError(error, CD_ERR_DECODE, "the %s main header has 0x%04X at byte %zu where a marker belongs",
                            codec, marker, position);
        if (marker == kSOT) break;
        const uint32_t length = be16(data + position + 2);
        if (length < 2 || position + 2 + length > size)
            return setError(error, CD_ERR_DECODE, "the %s marker 0x%04X at byte %zu has length %u, beyond the frame",
                            codec, marker, position, length);
        const uint8_t *body = data + position + 4;
        const size_t available = length - 2;
        if (marker == kCOD) {
            if (available < 10)
                return setError(error, CD_ERR_DECODE, "the %s COD segment is %u bytes long; it needs at least 12",
                                codec, length);
            const uint32_t scod = body[0], order = body[1], layers = be16(body + 2), mct = body[4];
            if (order > 4)
                return setError(error, CD_ERR_DECODE, "the %s COD progression order is %u; it must be 0..4", codec,
                                order);
            if (layers == 0)
                return setError(error, CD_ERR_DECODE, "the %s COD declares 0 quality layers", codec);
            if (mct > 1 || (mct == 1 && csiz < 3))
                return setError(error, CD_ERR_DECODE,
                                "the %s COD multiple component transform is %u with %u component(s); it must be 0, or "
                                "1 with at least 3",
                                codec, mct, csiz);
            cd_status status = checkCodingStyle(body + 5, available - 5, scod & 1, codec, "COD", width, height,
                                                codLevels, reversible, error);
            if (status != CD_OK) return status;
            sawCOD = true;
        } else if (marker == kCOC) {
            const size_t indexBytes = csiz < 257 ? 1 : 2;
            if (available < indexBytes + 1)
                return setError(error, CD_ERR_DECODE, "the %s COC segment is too short", codec);
            const uint32_t component = indexBytes == 1 ? body[0] : be16(body);
            if (component >= csiz)
                return setError(error, CD_ERR_DECODE, "the %s COC segment names component %u of %u", codec, component,
                                csiz);
            char where[40];
            snprintf(where, sizeof(where), "COC of component %u", component);
            uint32_t levels = 0;
            bool componentReversible = false;
            cd_status status = checkCodingStyle(body + indexBytes + 1, available - indexBytes - 1,
                                                body[indexBytes] & 1, codec, where, width, height, levels,
                                                componentReversible, error);
            if (status != CD_OK) return status;
        } else if (marker == kQCD) {
            qcd = body;
            qcdLength = available;
            sawQCD = true;
        } else if (marker == kQCC) {
            const size_t indexBytes = csiz < 257 ? 1 : 2;
            if (available < indexBytes + 1)
                return setError(error, CD_ERR_DECODE, "the %s QCC segment is too short", codec);
            const uint32_t component = indexBytes == 1 ? body[0] : be16(body);
            if (component >= csiz)
                return setError(error, CD_ERR_DECODE, "the %s QCC segment names component %u of %u", codec, component,
                                csiz);
            const uint32_t style = body[indexBytes] & 0x1F;
            if (style > 2)
                return setError(error, CD_ERR_DECODE, "the %s QCC quantization style of component %u is %u (0..2)",
                                codec, component, style);
        }
        position += 2 + length;
    }
    if (!sawCOD) return setError(error, CD_ERR_DECODE, "the %s main header has no COD segment", codec);
    if (!sawQCD) return setError(error, CD_ERR_DECODE, "the %s main header has no QCD segment", codec);
    cd_status status = checkQuantization(qcd, qcdLength, codLevels, codec, "QCD", error);
    if (status != CD_OK) return status;
    // OpenJPH decodes the 5-3 wavelet only without quantization and the 9-7 wavelet only with expounded step
    // sizes; it asserts (aborts) on any other pairing.
    const uint32_t quantization = qcd[0] & 0x1F;
    if (std::strcmp(codec, "HTJ2K") == 0 && quantization != (reversible ? 0u : 2u))
        return setError(error, CD_ERR_DECODE,
                        "the HTJ2K QCD quantization style is %u with the %s wavelet; OpenJPH decodes only style %u with it",
                        quantization, reversible ? "5-3" : "9-7", reversible ? 0u : 2u);
    if (header) {
        header->width = width;
        header->height = height;
        header->components = csiz;
        header->precision = (siz[38] & 0x7F) + 1u;
        header->levels = codLevels;
        header->reversible = reversible;
    }
    return CD_OK;
}

cd_status jp2Codestream(const uint8_t *data, size_t size, size_t &offset, size_t &length, cd_error *error) {
    size_t position = 0;
    while (position + 8 <= size) {
        uint64_t boxLength = be32(data + position);
        size_t headerLength = 8;
        if (boxLength == 1) {
            if (position + 16 > size) break;
            boxLength = uint64_t(be32(data + position + 8)) << 32 | be32(data + position + 12);
            headerLength = 16;
        } else if (boxLength == 0) {
            boxLength = size - position;  // the last box runs to the end
        }
        if (boxLength < headerLength || boxLength > size - position)
            return setError(error, CD_ERR_DECODE, "the JP2 box at byte %zu has length %llu, beyond the frame",
                            position, static_cast<unsigned long long>(boxLength));
        if (std::memcmp(data + position + 4, "jp2c", 4) == 0) {
            offset = position + headerLength;
            length = static_cast<size_t>(boxLength) - headerLength;
            return CD_OK;
        }
        position += static_cast<size_t>(boxLength);
    }
    return setError(error, CD_ERR_DECODE, "the JP2 file holds no codestream box (jp2c)");
}

cd_status validateRLEFrame(const uint8_t *fragment, size_t size, const cd_pixel_info &info, uint32_t frame,
                           cd_error *error) {
    if (size < 64)
        return setError(error, CD_ERR_DECODE, "the RLE fragment of frame %u holds %zu bytes, less than the 64-byte "
                        "RLE header",
                        frame + 1, size);
    const uint32_t count = le32(fragment);
    const uint32_t expected = info.samples_per_pixel * (info.bits_allocated / 8);
    if (count < 1 || count > 15)
        return setError(error, CD_ERR_DECODE, "the RLE header of frame %u declares a segment count of %u (1..15)",
                        frame + 1, count);
    if (count != expected)
        return setError(error, CD_ERR_DECODE,
                        "the RLE header of frame %u declares a segment count of %u, but SamplesPerPixel %u x "
                        "BitsAllocated %u need %u",
                        frame + 1, count, info.samples_per_pixel, info.bits_allocated, expected);
    uint32_t previous = 0;
    for (uint32_t segment = 0; segment < count; segment++) {
        const uint32_t offset = le32(fragment + 4 + 4 * segment);
        if (segment == 0 && offset != 64)
            return setError(error, CD_ERR_DECODE, "the RLE header of frame %u gives segment 1 the offset %u; it must "
                            "be 64",
                            frame + 1, offset);
        if (offset >= size)
            return setError(error, CD_ERR_DECODE,
                            "the RLE header of frame %u gives segment %u the offset %u, past the end of its %zu-byte "
                            "fragment",
                            frame + 1, segment + 1, offset, size);
        if (segment > 0 && offset <= previous)
            return setError(error, CD_ERR_DECODE,
                            "the RLE header of frame %u gives segment %u the offset %u, not after segment %u's %u",
                            frame + 1, segment + 1, offset, segment, previous);
        previous = offset;
    }
    return CD_OK;
}

cd_status validateJPEGFrame(const uint8_t *data, size_t size, const cd_pixel_info &info, uint32_t frame,
                            cd_error *error) {
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return setError(error, CD_ERR_DECODE, "frame %u does not start with a JPEG SOI marker", frame + 1);
    size_t position = 2;
    while (position + 4 <= size) {
        if (data[position] != 0xFF)
            return setError(error, CD_ERR_DECODE, "the JPEG header of frame %u has 0x%02X at byte %zu where a marker "
                            "belongs",
                            frame + 1, data[position], position);
        const uint8_t marker = data[position + 1];
        if (marker == 0xFF) {  // fill byte
            position++;
            continue;
        }
        const uint32_t length = be16(data + position + 2);
        if (length < 2 || position + 2 + length > size)
            return setError(error, CD_ERR_DECODE, "the JPEG marker 0xFF%02X of frame %u has length %u, beyond the frame",
                            marker, frame + 1, length);
        const bool isSOF = (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) ||
                           marker == 0xF7;
        if (isSOF) {
            if (length < 8)
                return setError(error, CD_ERR_DECODE, "the JPEG SOF segment of frame %u is %u bytes long", frame + 1,
                                length);
            const uint8_t *sof = data + position + 4;
            const uint32_t precision = sof[0], lines = be16(sof + 1), samples = be16(sof + 3), components = sof[5];
            if (precision < 2 || precision > 16)
                return setError(error, CD_ERR_DECODE, "the JPEG SOF of frame %u declares a precision of %u bits (2..16)",
                                frame + 1, precision);
            if (samples != info.columns || (lines != 0 && lines != info.rows))
                return setError(error, CD_ERR_DECODE,
                                "the JPEG SOF of frame %u declares %u x %u (samples per line x lines) but Columns x "
                                "Rows is %u x %u",
                                frame + 1, samples, lines, info.columns, info.rows);
            if (components != info.samples_per_pixel)
                return setError(error, CD_ERR_DECODE,
                                "the JPEG SOF of frame %u declares %u component(s) but SamplesPerPixel is %u", frame + 1,
                                components, info.samples_per_pixel);
            return CD_OK;
        }
        if (marker == 0xDA)
            return setError(error, CD_ERR_DECODE, "frame %u has a JPEG scan before any SOF segment", frame + 1);
        position += 2 + length;
    }
    return setError(error, CD_ERR_DECODE, "the JPEG header of frame %u ends before an SOF segment", frame + 1);
}

}  // namespace cdicom
