// One RLE frame through DCMTK's per-frame decoder as the shim calls it: the input is an 8-byte prefix (rows,
// columns as u16 LE, samples per pixel, bits allocated, planar configuration, spare) and the frame's bytes,
// wrapped by the harness into a minimal RLE Lossless DICOM file (one fragment) that the shim opens and decodes.
#include <cstring>
#include <vector>

#include "harness.hpp"

namespace {

void put16(std::vector<uint8_t> &out, uint16_t value) {
    out.push_back(value & 0xFF);
    out.push_back(value >> 8);
}
void put32(std::vector<uint8_t> &out, uint32_t value) {
    put16(out, value & 0xFFFF);
    put16(out, value >> 16);
}
void element(std::vector<uint8_t> &out, uint16_t group, uint16_t tag, const char *vr, const void *value, uint16_t length) {
    put16(out, group);
    put16(out, tag);
    out.push_back(vr[0]);
    out.push_back(vr[1]);
    put16(out, length);
    const auto *bytes = static_cast<const uint8_t *>(value);
    out.insert(out.end(), bytes, bytes + length);
}
void us(std::vector<uint8_t> &out, uint16_t tag, uint16_t value) {
    uint8_t bytes[2] = {uint8_t(value & 0xFF), uint8_t(value >> 8)};
    element(out, 0x0028, tag, "US", bytes, 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 8) return 0;
    fuzz::initialiseOnce();
    uint16_t rows = uint16_t(data[0] | data[1] << 8), columns = uint16_t(data[2] | data[3] << 8);
    const uint16_t samples = data[4] == 3 ? 3 : 1;
    const uint16_t bits = data[5] == 16 ? 16 : data[5] == 32 ? 32 : 8;
    const uint16_t planar = data[6] & 1;
    if (uint64_t(rows) * columns * samples * (bits / 8) > fuzz::kMaxDecodedBytes) return 0;
    const uint8_t *frame = data + 8;
    uint32_t frameSize = static_cast<uint32_t>(size - 8);

    std::vector<uint8_t> file(128, 0);
    file.insert(file.end(), {'D', 'I', 'C', 'M'});
    static const char syntax[] = "1.2.840.10008.1.2.5";  // 19 characters + NUL pad
    std::vector<uint8_t> meta;
    element(meta, 0x0002, 0x0010, "UI", syntax, 20);
    uint8_t groupLength[4] = {uint8_t(meta.size()), 0, 0, 0};
    element(file, 0x0002, 0x0000, "UL", groupLength, 4);
    file.insert(file.end(), meta.begin(), meta.end());
    us(file, 0x0002, samples);
    element(file, 0x0028, 0x0004, "CS", samples == 3 ? "RGB " : "MONOCHROME2 ", samples == 3 ? 4 : 12);
    if (samples == 3) us(file, 0x0006, planar);
    us(file, 0x0010, rows);
    us(file, 0x0011, columns);
    us(file, 0x0100, bits);
    us(file, 0x0101, bits);
    us(file, 0x0102, uint16_t(bits - 1));
    us(file, 0x0103, 0);
    put16(file, 0x7FE0);
    put16(file, 0x0010);
    file.insert(file.end(), {'O', 'B', 0, 0});
    put32(file, 0xFFFFFFFF);
    put16(file, 0xFFFE), put16(file, 0xE000), put32(file, 0);  // empty basic offset table
    const uint32_t padded = frameSize + (frameSize & 1);
    put16(file, 0xFFFE), put16(file, 0xE000), put32(file, padded);
    file.insert(file.end(), frame, frame + frameSize);
    if (padded != frameSize) file.push_back(0);
    put16(file, 0xFFFE), put16(file, 0xE0DD), put32(file, 0);

    cd_open_options options = fuzz::openOptions(false);
    cd_error error{};
    cd_file *dicom = cd_file_open(fuzz::pathWith(file.data(), file.size()), &options, &error);
    if (!dicom) {
        fuzz::report(CD_ERR_MALFORMED, error);
        return 0;
    }
    cd_pixel_info info;
    cd_status status = cd_file_pixel_info(dicom, &info, &error);
    if (status == CD_OK) {
        std::vector<uint8_t> out(info.stored_frame_bytes);
        char colorModel[32];
        status = cd_file_decode_stored_frame(dicom, 0, out.data(), out.size(), colorModel, &error);
    }
    fuzz::report(status, error);
    cd_file_close(dicom);
    return 0;
}
