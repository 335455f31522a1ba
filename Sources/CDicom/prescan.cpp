// prescan.cpp: see prescan.hpp. Reads element headers only; values are skipped with fseeko
// (or, for deflated data sets, inflated and discarded with a size bound).
#include "prescan.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/stat.h>
#include <zlib.h>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcdicent.h"

namespace cdicom {

namespace {

constexpr uint32_t kUndefinedLength = 0xFFFFFFFFu;

/// A forward-only byte stream with exact reads and bounded skips.
class ByteSource {
  public:
    virtual ~ByteSource() = default;
    /// Reads up to `n` bytes; returns how many were read (less only at the end of the data).
    virtual size_t read(void *destination, size_t n) = 0;
    /// Skips `n` bytes; false when fewer remain.
    virtual bool skip(uint64_t n) = 0;
    /// Bytes consumed so far.
    virtual uint64_t position() const = 0;
    /// Bytes left, when known (files); UINT64_MAX when not (inflated streams).
    virtual uint64_t remaining() const = 0;
};

class FileSource final : public ByteSource {
  public:
    FileSource(FILE *file, uint64_t size) : file_(file), size_(size) {}
    size_t read(void *destination, size_t n) override {
        size_t got = fread(destination, 1, n, file_);
        position_ += got;
        return got;
    }
    bool skip(uint64_t n) override {
        if (n > size_ - position_) return false;
        if (fseeko(file_, static_cast<off_t>(n), SEEK_CUR) != 0) return false;
        position_ += n;
        return true;
    }
    bool seekTo(uint64_t offset) {
        if (offset > size_ || fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) return false;
        position_ = offset;
        return true;
    }
    uint64_t position() const override { return position_; }
    uint64_t remaining() const override { return size_ - position_; }
    FILE *file() const { return file_; }

  private:
    FILE *file_;
    uint64_t size_;
    uint64_t position_ = 0;
};

/// Raw-deflate stream (Deflated Explicit VR Little Endian) over the rest of a file, bounded.
class InflateSource final : public ByteSource {
  public:
    InflateSource(FILE *file, uint64_t limit) : file_(file), limit_(limit) {
        std::memset(&stream_, 0, sizeof(stream_));
        ok_ = inflateInit2(&stream_, -MAX_WBITS) == Z_OK;
    }
    ~InflateSource() override { inflateEnd(&stream_); }
    bool valid() const { return ok_; }
    bool overLimit() const { return overLimit_; }
    bool corrupt() const { return corrupt_; }

    size_t read(void *destination, size_t n) override {
        size_t produced = 0;
        auto *out = static_cast<unsigned char *>(destination);
        while (produced < n && !finished_) {
            if (position_ + produced >= limit_) {
                overLimit_ = true;
                break;
            }
            if (stream_.avail_in == 0) {
                size_t got = fread(input_, 1, sizeof(input_), file_);
                if (got == 0) {
                    finished_ = true;
                    break;
                }
                stream_.next_in = input_;
                stream_.avail_in = static_cast<uInt>(got);
            }
            stream_.next_out = out + produced;
            stream_.avail_out = static_cast<uInt>(n - produced);
            int status = inflate(&stream_, Z_NO_FLUSH);
            produced = n - stream_.avail_out;
            if (status == Z_STREAM_END) {
                finished_ = true;
            } else if (status != Z_OK && status != Z_BUF_ERROR) {
                corrupt_ = true;
                finished_ = true;
            }
        }
        position_ += produced;
        return produced;
    }
    bool skip(uint64_t n) override {
        unsigned char scratch[16384];
        while (n > 0) {
            size_t chunk = n < sizeof(scratch) ? static_cast<size_t>(n) : sizeof(scratch);
            if (read(scratch, chunk) != chunk) return false;
            n -= chunk;
        }
        return true;
    }
    uint64_t position() const override { return position_; }
    uint64_t remaining() const override { return UINT64_MAX; }

  private:
    FILE *file_;
    uint64_t limit_;
    z_stream stream_;
    unsigned char input_[65536];
    uint64_t position_ = 0;
    bool ok_ = false, finished_ = false, overLimit_ = false, corrupt_ = false;
};

/// How the data set being scanned is encoded.
struct Encoding {
    bool explicitVR;
    bool littleEndian;
};

bool isUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }

/// VRs whose explicit encoding has 2 reserved bytes and a 4-byte length.
bool hasLongLength(const char vr[2]) {
    static const char *const longVRs[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
    for (const char *candidate : longVRs) {
        if (vr[0] == candidate[0] && vr[1] == candidate[1]) return true;
    }
    return false;
}

/// True for the two-letter codes DICOM defines.
bool isStandardVR(const char vr[2]) {
    static const char *const all[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB",
                                      "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM",
                                      "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
    for (const char *candidate : all) {
        if (vr[0] == candidate[0] && vr[1] == candidate[1]) return true;
    }
    return false;
}

class Scanner {
  public:
    Scanner(ByteSource &source, uint32_t maxDepth, PrescanFacts &facts, cd_error *error)
        : source_(source), maxDepth_(maxDepth), facts_(facts), error_(error) {}

    /// Scans a data set. `length` is its defined length or kUndefinedLength; `item` says whether it
    /// is a sequence item (ended by an item delimiter when undefined) or the top level (ended by EOF).
    cd_status scanDataset(Encoding encoding, uint64_t length, uint32_t depth, bool item) {
        const uint64_t start = source_.position();
        for (;;) {
            if (length != kUndefinedLength) {
                uint64_t consumed = source_.position() - start;
                if (consumed == length) return CD_OK;
                if (consumed > length)
                    return setError(error_, CD_ERR_MALFORMED,
                                    "an attribute runs past the end of its item (item length %llu) at byte %llu",
                                    static_cast<unsigned long long>(length),
                                    static_cast<unsigned long long>(source_.position()));
            }
            unsigned char tagBytes[4];
            size_t got = source_.read(tagBytes, 4);
            if (got == 0 && !item) return endOfTopLevel();
            if (got < 4) {
                if (!item && allZero(tagBytes, got)) return endOfTopLevel();
                return truncated("an attribute tag");
            }
            uint16_t group = u16(tagBytes, encoding);
            uint16_t element = u16(tagBytes + 2, encoding);
            if (!item && group == 0 && element == 0 && trailingZeros()) return endOfTopLevel();
            if (group == 0xFFFE) {
                uint32_t itemLength;
                if (!readU32(encoding, itemLength)) return truncated("an item delimiter");
                if (element == 0xE00D && item && length == kUndefinedLength) return CD_OK;
                if (element == 0xE0DD && item && length == kUndefinedLength)
                    return setError(error_, CD_ERR_MALFORMED,
                                    "a sequence item is not closed: a sequence delimiter (FFFE,E0DD) appears where its "
                                    "item delimiter (FFFE,E00D) must be, at byte %llu",
                                    static_cast<unsigned long long>(source_.position() - 8));
                if (!item && (element == 0xE00D || element == 0xE0DD))
                    return setError(error_, CD_ERR_MALFORMED,
                                    "a stray delimiter (FFFE,%04X) appears outside any sequence at byte %llu", element,
                                    static_cast<unsigned long long>(source_.position() - 8));
                if (element == 0xE00D || element == 0xE0DD) continue;  // in a defined-length item: skipped
                return setError(error_, CD_ERR_MALFORMED, "an item (FFFE,E000) appears outside a sequence at byte %llu",
                                static_cast<unsigned long long>(source_.position() - 8));
            }
            cd_status status = scanElement(encoding, group, element, depth, item);
            if (status != CD_OK) return status;
        }
    }

  private:
    cd_status scanElement(Encoding encoding, uint16_t group, uint16_t element, uint32_t depth, bool item) {
        char vr[2] = {0, 0};
        uint32_t valueLength = 0;
        bool explicitVR = encoding.explicitVR;
        if (explicitVR) {
            unsigned char vrBytes[2];
            size_t got = source_.read(vrBytes, 2);
            if (got < 2) return truncated("a value representation");
            vr[0] = static_cast<char>(vrBytes[0]);
            vr[1] = static_cast<char>(vrBytes[1]);
            bool longForm = hasLongLength(vr) || (!isStandardVR(vr) && isUpper(vrBytes[0]) && isUpper(vrBytes[1]));
            if (longForm) {
                if (!source_.skip(2)) return truncated("a reserved field");
                if (!readU32(encoding, valueLength)) return truncated("a value length");
            } else {
                unsigned char lengthBytes[2];
                got = source_.read(lengthBytes, 2);
                if (got < 2) return truncated("a value length");
                valueLength = u16(lengthBytes, encoding);
            }
        } else {
            if (!readU32(encoding, valueLength)) return truncated("a value length");
        }

        // PixelData of the image itself (not of an icon image inside a sequence item).
        const bool isPixelData = group == 0x7FE0 && element == 0x0010;
        const bool isImagePixelData = isPixelData && depth == 0 && !item;
        if (group == 0x7FE0 && (element == 0x0008 || element == 0x0009) && depth == 0 && !item)
            facts_.floatPixelDataTag = element;
        if (isImagePixelData) {
            facts_.hasPixelData = true;
            if (valueLength != kUndefinedLength) facts_.pixelDataLength = valueLength;
        }

        if (isPixelData && valueLength == kUndefinedLength) return scanEncapsulated(encoding, isImagePixelData);

        bool sequence = false;
        Encoding inner = encoding;
        if (explicitVR && vr[0] == 'S' && vr[1] == 'Q') {
            sequence = true;
        } else if (explicitVR && vr[0] == 'U' && vr[1] == 'N' && valueLength == kUndefinedLength) {
            // PS3.5 6.2.2: UN of undefined length holds an Implicit VR Little Endian sequence.
            sequence = true;
            inner = Encoding{false, true};
        } else if (valueLength == kUndefinedLength) {
            // Implicit VR (or an unknown VR) of undefined length can only be a sequence.
            sequence = true;
        } else if (!explicitVR && valueLength >= 8) {
            // Implicit VR, defined length: a sequence when the value starts with an item tag.
            unsigned char peek[4];
            size_t got = source_.read(peek, 4);
            if (got < 4) return truncatedValue(group, element, valueLength);
            if (u16(peek, encoding) == 0xFFFE && u16(peek + 2, encoding) == 0xE000) {
                return scanSequence(encoding, valueLength, depth + 1, group, element, 4);
            }
            if (!source_.skip(valueLength - 4)) return truncatedValue(group, element, valueLength);
            return CD_OK;
        }

        if (sequence) return scanSequence(inner, valueLength, depth + 1, group, element, 0);

        if (!source_.skip(valueLength)) return truncatedValue(group, element, valueLength);
        return CD_OK;
    }

    /// Scans a sequence's items. `alreadyRead` bytes of the first item tag were consumed by a peek.
    cd_status scanSequence(Encoding encoding, uint32_t length, uint32_t depth, uint16_t group, uint16_t element,
                           uint32_t alreadyRead) {
        if (depth > maxDepth_) {
            return setError(error_, CD_ERR_TOO_DEEP,
                            "sequences are nested more than %u levels deep (at %s, byte %llu); refused before "
                            "parsing to protect the reader (raise the limit only for trusted files)",
                            maxDepth_, describeTag(group, element).c_str(),
                            static_cast<unsigned long long>(source_.position()));
        }
        if (depth > facts_.maxDepthSeen) facts_.maxDepthSeen = depth;
        const uint64_t start = source_.position() - alreadyRead;
        bool firstPeeked = alreadyRead == 4;
        for (;;) {
            if (length != kUndefinedLength) {
                uint64_t consumed = source_.position() - start;
                if (consumed == length) return CD_OK;
                if (consumed > length)
                    return setError(error_, CD_ERR_MALFORMED, "an item runs past the end of sequence %s",
                                    describeTag(group, element).c_str());
            }
            uint16_t itemGroup = 0xFFFE, itemElement = 0xE000;
            if (!firstPeeked) {
                unsigned char tagBytes[4];
                size_t got = source_.read(tagBytes, 4);
                if (got < 4) return truncated("a sequence item", group, element);
                itemGroup = u16(tagBytes, encoding);
                itemElement = u16(tagBytes + 2, encoding);
            }
            firstPeeked = false;
            uint32_t itemLength;
            if (!readU32(encoding, itemLength)) return truncated("an item length", group, element);
            if (itemGroup == 0xFFFE && itemElement == 0xE0DD) {
                if (length == kUndefinedLength) return CD_OK;
                continue;  // tolerated, as DCMTK does
            }
            if (itemGroup != 0xFFFE || itemElement != 0xE000) {
                return setError(error_, CD_ERR_MALFORMED,
                                "sequence %s holds (%04X,%04X) where an item (FFFE,E000) must be, at byte %llu",
                                describeTag(group, element).c_str(), itemGroup, itemElement,
                                static_cast<unsigned long long>(source_.position() - 8));
            }
            if (itemLength != kUndefinedLength && itemLength > source_.remaining()) {
                return setError(error_, CD_ERR_MALFORMED,
                                "an item of sequence %s declares %u bytes but only %llu remain in the file (truncated?)",
                                describeTag(group, element).c_str(), itemLength,
                                static_cast<unsigned long long>(source_.remaining()));
            }
            cd_status status = scanDataset(encoding, itemLength, depth, true);
            if (status != CD_OK) return status;
        }
    }

    /// Walks the fragments of encapsulated pixel data; `record` stores their count and size as facts.
    cd_status scanEncapsulated(Encoding encoding, bool record) {
        if (record) facts_.pixelDataEncapsulated = true;
        bool first = true;
        for (;;) {
            unsigned char tagBytes[4];
            size_t got = source_.read(tagBytes, 4);
            if (got < 4) return truncated("a pixel data fragment", 0x7FE0, 0x0010);
            uint16_t group = u16(tagBytes, encoding), element = u16(tagBytes + 2, encoding);
            uint32_t fragmentLength;
            if (!readU32(encoding, fragmentLength)) return truncated("a fragment length", 0x7FE0, 0x0010);
            if (group == 0xFFFE && element == 0xE0DD) return CD_OK;
            if (group != 0xFFFE || element != 0xE000 || fragmentLength == kUndefinedLength) {
                return setError(error_, CD_ERR_MALFORMED,
                                "encapsulated PixelData (7FE0,0010) holds (%04X,%04X) where a fragment must be, at "
                                "byte %llu",
                                group, element, static_cast<unsigned long long>(source_.position() - 8));
            }
            if (!source_.skip(fragmentLength)) {
                return setError(error_, CD_ERR_MALFORMED,
                                "a fragment of encapsulated PixelData (7FE0,0010) declares %u bytes but the file ends "
                                "first (truncated)",
                                fragmentLength);
            }
            if (!first && record) {
                facts_.pixelFragments += 1;
                facts_.pixelDataLength += fragmentLength;
            }
            first = false;
        }
    }

    cd_status endOfTopLevel() { return CD_OK; }

    /// True when everything left in the file is zero bytes (trailing padding some writers leave).
    bool trailingZeros() {
        uint64_t left = source_.remaining();
        if (left == UINT64_MAX || left > 1 << 20) return false;
        unsigned char buffer[4096];
        while (left > 0) {
            size_t chunk = left < sizeof(buffer) ? static_cast<size_t>(left) : sizeof(buffer);
            if (source_.read(buffer, chunk) != chunk || !allZero(buffer, chunk)) return false;
            left -= chunk;
        }
        return true;
    }

    static bool allZero(const unsigned char *bytes, size_t n) {
        for (size_t i = 0; i < n; i++)
            if (bytes[i] != 0) return false;
        return true;
    }

    cd_status truncated(const char *what, uint16_t group = 0, uint16_t element = 0) {
        if (group != 0)
            return setError(error_, CD_ERR_MALFORMED, "the file ends inside %s of %s at byte %llu (truncated)", what,
                            describeTag(group, element).c_str(), static_cast<unsigned long long>(source_.position()));
        return setError(error_, CD_ERR_MALFORMED, "the file ends inside %s at byte %llu (truncated)", what,
                        static_cast<unsigned long long>(source_.position()));
    }

    cd_status truncatedValue(uint16_t group, uint16_t element, uint32_t length) {
        return setError(error_, CD_ERR_MALFORMED,
                        "%s declares %u bytes but the file ends first (truncated; %llu bytes were left)",
                        describeTag(group, element).c_str(), length,
                        static_cast<unsigned long long>(source_.remaining() == UINT64_MAX ? 0 : source_.remaining()));
    }

    static uint16_t u16(const unsigned char *p, Encoding encoding) {
        return encoding.littleEndian ? static_cast<uint16_t>(p[0] | (p[1] << 8))
                                     : static_cast<uint16_t>((p[0] << 8) | p[1]);
    }

    bool readU32(Encoding encoding, uint32_t &value) {
        unsigned char p[4];
        if (source_.read(p, 4) != 4) return false;
        value = encoding.littleEndian
                    ? (uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24))
                    : ((uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]));
        return true;
    }

    ByteSource &source_;
    uint32_t maxDepth_;
    PrescanFacts &facts_;
    cd_error *error_;
};

struct FileCloser {
    void operator()(FILE *file) const {
        if (file) fclose(file);
    }
};

/// Guesses the encoding of a data set without meta information from its first element.
Encoding detectEncoding(const unsigned char *p, size_t n) {
    if (n < 6) return Encoding{false, true};
    bool explicitVR = isUpper(p[4]) && isUpper(p[5]);
    uint16_t littleGroup = static_cast<uint16_t>(p[0] | (p[1] << 8));
    uint16_t bigGroup = static_cast<uint16_t>((p[0] << 8) | p[1]);
    bool littleEndian = !(bigGroup <= 0x0010 && littleGroup > 0x00FF);
    return Encoding{explicitVR, littleEndian};
}

/// Recognises a few common non-DICOM formats so the error can say what the file is instead.
const char *sniffForeignFormat(const unsigned char *p, size_t n) {
    if (n >= 2 && p[0] == 0x1F && p[1] == 0x8B) return "a gzip archive";
    if (n >= 4 && p[0] == 'P' && p[1] == 'K' && p[2] == 3 && p[3] == 4) return "a zip archive";
    if (n >= 8 && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) return "a PNG image";
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return "a JPEG image";
    if (n >= 4 && std::memcmp(p, "%PDF", 4) == 0) return "a PDF document";
    return nullptr;
}

/// True when the bytes plausibly start a DICOM element (a small even group, or the meta group).
bool looksLikeElement(const unsigned char *p, size_t n) {
    if (n < 8) return false;
    Encoding e = detectEncoding(p, n);
    uint16_t group = e.littleEndian ? static_cast<uint16_t>(p[0] | (p[1] << 8))
                                    : static_cast<uint16_t>((p[0] << 8) | p[1]);
    return group == 0x0002 || group == 0x0008 || (group >= 0x0002 && group <= 0x0030 && group % 2 == 0);
}

}  // namespace

cd_status setError(cd_error *error, cd_status code, const char *format, ...) {
    if (error) {
        error->code = code;
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(error->message, sizeof(error->message), format, arguments);
        va_end(arguments);
    }
    return code;
}

std::string describeTag(uint16_t group, uint16_t element) {
    char buffer[96];
    const char *name = nullptr;
    const DcmDataDictionary &dictionary = dcmDataDict.rdlock();
    const DcmDictEntry *entry = dictionary.findEntry(DcmTagKey(group, element), nullptr);
    if (entry) name = entry->getTagName();
    if (name)
        snprintf(buffer, sizeof(buffer), "(%04X,%04X) %s", group, element, name);
    else
        snprintf(buffer, sizeof(buffer), "(%04X,%04X)", group, element);
    dcmDataDict.rdunlock();
    return buffer;
}

cd_status prescanFile(const char *path, uint32_t maxDepth, uint64_t maxInflatedBytes, PrescanFacts &facts,
                      cd_error *error) {
    std::unique_ptr<FILE, FileCloser> handle(fopen(path, "rb"));
    if (!handle) return setError(error, CD_ERR_IO, "cannot open the file: %s", strerror(errno));
    struct stat info;
    if (fstat(fileno(handle.get()), &info) != 0)
        return setError(error, CD_ERR_IO, "cannot read the file's size: %s", strerror(errno));
    if (S_ISDIR(info.st_mode)) return setError(error, CD_ERR_IO, "this is a folder, not a file");
    const uint64_t size = static_cast<uint64_t>(info.st_size);
    FileSource source(handle.get(), size);

    unsigned char head[132];
    size_t got = source.read(head, sizeof(head));
    if (got == 0) return setError(error, CD_ERR_NOT_DICOM, "the file is empty");
    if (const char *foreign = sniffForeignFormat(head, got))
        return setError(error, CD_ERR_NOT_DICOM, "not a DICOM file: the bytes are %s", foreign);

    uint64_t metaStart;
    if (got == 132 && std::memcmp(head + 128, "DICM", 4) == 0) {
        facts.hasPreamble = true;
        metaStart = 132;
    } else {
        metaStart = 0;
        if (!looksLikeElement(head, got))
            return setError(error, CD_ERR_NOT_DICOM,
                            "not a DICOM file: no \"DICM\" marker at byte 128 and the first bytes are not a DICOM "
                            "attribute");
    }
    if (!source.seekTo(metaStart)) return setError(error, CD_ERR_IO, "cannot seek in the file");

    // File meta information: explicit VR little endian, group 0002.
    for (;;) {
        uint64_t elementStart = source.position();
        unsigned char p[8];
        size_t n = source.read(p, 8);
        if (n < 8 || static_cast<uint16_t>(p[0] | (p[1] << 8)) != 0x0002) {
            if (!source.seekTo(elementStart)) return setError(error, CD_ERR_IO, "cannot seek in the file");
            break;
        }
        facts.hasMeta = true;
        uint16_t element = static_cast<uint16_t>(p[2] | (p[3] << 8));
        char vr[2] = {static_cast<char>(p[4]), static_cast<char>(p[5])};
        uint64_t length;
        if (!isUpper(p[4]) || !isUpper(p[5])) {
            // Meta information written in implicit VR (non-conformant but seen): 4-byte length.
            length = uint32_t(p[4]) | (uint32_t(p[5]) << 8) | (uint32_t(p[6]) << 16) | (uint32_t(p[7]) << 24);
        } else if (hasLongLength(vr)) {
            unsigned char l[4];
            if (source.read(l, 4) != 4) return setError(error, CD_ERR_MALFORMED, "the file ends inside its meta header");
            length = uint32_t(l[0]) | (uint32_t(l[1]) << 8) | (uint32_t(l[2]) << 16) | (uint32_t(l[3]) << 24);
        } else {
            length = static_cast<uint16_t>(p[6] | (p[7] << 8));
        }
        if (length == kUndefinedLength || length > source.remaining())
            return setError(error, CD_ERR_MALFORMED, "meta header attribute %s declares %llu bytes, past the end of the file",
                            describeTag(0x0002, element).c_str(), static_cast<unsigned long long>(length));
        if (element == 0x0010 && length < 256) {
            char uid[256];
            if (source.read(uid, length) != length) return setError(error, CD_ERR_MALFORMED, "truncated meta header");
            std::string value(uid, length);
            while (!value.empty() && (value.back() == '\0' || value.back() == ' ')) value.pop_back();
            facts.transferSyntaxUID = value;
        } else if (!source.skip(length)) {
            return setError(error, CD_ERR_MALFORMED, "truncated meta header");
        }
    }

    const std::string &ts = facts.transferSyntaxUID;
    Encoding encoding{true, true};
    if (ts == "1.2.840.10008.1.2") {
        encoding = Encoding{false, true};
    } else if (ts == "1.2.840.10008.1.2.2") {
        encoding = Encoding{true, false};
    } else if (ts.empty()) {
        unsigned char p[8];
        uint64_t at = source.position();
        size_t n = source.read(p, sizeof(p));
        if (!source.seekTo(at)) return setError(error, CD_ERR_IO, "cannot seek in the file");
        if (n == 0) return setError(error, CD_ERR_MALFORMED, "the file holds meta information but no data set");
        encoding = detectEncoding(p, n);
    }
    facts.detectedExplicitVR = encoding.explicitVR;
    facts.detectedBigEndian = !encoding.littleEndian;

    if (ts == "1.2.840.10008.1.2.1.99") {
        facts.deflated = true;
        InflateSource inflated(source.file(), maxInflatedBytes);
        if (!inflated.valid()) return setError(error, CD_ERR_INTERNAL, "cannot initialise zlib");
        Scanner scanner(inflated, maxDepth, facts, error);
        cd_status status = scanner.scanDataset(encoding, kUndefinedLength, 0, false);
        if (inflated.overLimit())
            return setError(error, CD_ERR_TOO_LARGE,
                            "the deflated data set expands beyond %llu bytes, the memory bound for one file",
                            static_cast<unsigned long long>(maxInflatedBytes));
        if (inflated.corrupt())
            return setError(error, CD_ERR_MALFORMED, "the deflated data set is not a valid deflate stream");
        return status;
    }
    Scanner scanner(source, maxDepth, facts, error);
    return scanner.scanDataset(encoding, kUndefinedLength, 0, false);
}

}  // namespace cdicom
