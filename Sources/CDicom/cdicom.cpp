// cdicom.cpp: the C++ side of cdicom.h. Every entry point catches all exceptions (one that reached
// Swift would abort the process) and reports failures through cd_error, or returns a fallback value where it has
// none. Every entry point is also declared noexcept (CD_NOEXCEPT in cdicom.h): the compiler then refuses a
// definition that differs from its declaration, and scripts/lint refuses a declaration without it.
#include "cdicom.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmdata/dcrleerg.h"
#include "dcmtk/dcmdata/dcsequen.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/dcmimage/diregist.h"
#include "dcmtk/dcmimgle/dcmimage.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpeg/djencode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/dcmjpls/djencode.h"
#include "dcmtk/dcmjpls/djrparam.h"
#include "dcmtk/oflog/oflog.h"
#include "dcmtk/oflog/appender.h"
#include "dcmtk/oflog/spi/logevent.h"

#include "codestream.hpp"
#include "jpeg2000.hpp"
#include "prescan.hpp"

using cdicom::setError;

struct cd_file {
    std::unique_ptr<DcmFileFormat> format;
    cdicom::PrescanFacts facts;
    cd_open_options options;
    std::string path;
    std::string transferSyntaxUID;
    std::string warnings;
    bool pixelInfoValid = false;  // pixelInfo below was validated once; it cannot change afterwards
    cd_pixel_info pixelInfo{};
    Uint32 nextFragment = 0;  // fragment cache for sequential frame access
    Uint32 nextFrame = 0;
    bool frameStartsFound = false;   // frameStarts below was looked for once
    std::vector<Uint32> frameStarts;  // JPEG without offset table: the fragment each frame starts at (may be empty)
    DcmFileCache cache;
};

struct cd_writer {
    DcmFileFormat format;
};

namespace {

std::atomic<cd_log_callback> logCallback{nullptr};

/// Forwards every oflog event to the registered callback instead of stderr.
class ForwardingAppender : public dcmtk::log4cplus::Appender {
  public:
    ~ForwardingAppender() override { destructorImpl(); }
    void close() override {}

  protected:
    void append(const dcmtk::log4cplus::spi::InternalLoggingEvent &event) override {
        cd_log_callback callback = logCallback.load();
        if (!callback) return;
        callback(mapLevel(event.getLogLevel()), event.getLoggerName().c_str(), event.getMessage().c_str());
    }

  private:
    static cd_log_level mapLevel(dcmtk::log4cplus::LogLevel level) {
        if (level >= dcmtk::log4cplus::FATAL_LOG_LEVEL) return CD_LOG_FATAL;
        if (level >= dcmtk::log4cplus::ERROR_LOG_LEVEL) return CD_LOG_ERROR;
        if (level >= dcmtk::log4cplus::WARN_LOG_LEVEL) return CD_LOG_WARN;
        if (level >= dcmtk::log4cplus::INFO_LOG_LEVEL) return CD_LOG_INFO;
        if (level >= dcmtk::log4cplus::DEBUG_LOG_LEVEL) return CD_LOG_DEBUG;
        return CD_LOG_TRACE;
    }
};

dcmtk::log4cplus::LogLevel toOflogLevel(cd_log_level level) {
    switch (level) {
    case CD_LOG_TRACE: return dcmtk::log4cplus::TRACE_LOG_LEVEL;
    case CD_LOG_DEBUG: return dcmtk::log4cplus::DEBUG_LOG_LEVEL;
    case CD_LOG_INFO: return dcmtk::log4cplus::INFO_LOG_LEVEL;
    case CD_LOG_WARN: return dcmtk::log4cplus::WARN_LOG_LEVEL;
    case CD_LOG_ERROR: return dcmtk::log4cplus::ERROR_LOG_LEVEL;
    case CD_LOG_FATAL: return dcmtk::log4cplus::FATAL_LOG_LEVEL;
    }
    return dcmtk::log4cplus::WARN_LOG_LEVEL;
}

std::once_flag registration;

/// Runs `body`, turning any C++ exception into CD_ERR_INTERNAL.
template <typename Body>
cd_status guarded(cd_error *error, Body body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return setError(error, CD_ERR_INTERNAL, "out of memory");
    } catch (const std::exception &exception) {
        return setError(error, CD_ERR_INTERNAL, "internal error: %s", exception.what());
    } catch (...) {
        return setError(error, CD_ERR_INTERNAL, "internal error: unknown C++ exception");
    }
}

/// Runs `body`, turning any C++ exception into `fallback` (for accessors that have no cd_error to fill).
template <typename Value, typename Body>
Value guardedValue(Value fallback, Body body) noexcept {
    try {
        return body();
    } catch (...) {
        return fallback;
    }
}

std::string trimmed(const char *uid) {
    std::string value(uid ? uid : "");
    while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
    return value;
}

bool startsWith(const std::string &value, const char *prefix) { return value.rfind(prefix, 0) == 0; }

bool isSubsampled422(const std::string &photometric) {
    return startsWith(photometric, "YBR_FULL_422") || startsWith(photometric, "YBR_PARTIAL_422");
}

/// Transfer syntaxes whose pixel data this build decodes (native, deflated data set, RLE, IJG JPEG, JPEG-LS, and
/// JPEG 2000 through OpenJPEG).
bool isDecodable(const std::string &uid) {
    static const char *const decodable[] = {
        "1.2.840.10008.1.2",      "1.2.840.10008.1.2.1",    "1.2.840.10008.1.2.2",    "1.2.840.10008.1.2.1.99",
        "1.2.840.10008.1.2.5",    "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.53",
        "1.2.840.10008.1.2.4.55", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80",
        "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201",
        "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"};
    for (const char *candidate : decodable)
        if (uid == candidate) return true;
    return false;
}

/// Names transfer syntaxes DCMTK 3.6.7 does not know, so errors can say what they are.
const char *nameOfUnknownSyntax(const std::string &uid) {
    if (uid == "1.2.840.10008.1.2.4.201") return "High-Throughput JPEG 2000 (Lossless Only)";
    if (uid == "1.2.840.10008.1.2.4.202") return "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)";
    if (uid == "1.2.840.10008.1.2.4.203") return "High-Throughput JPEG 2000";
    if (uid == "1.2.840.10008.1.2.4.110") return "JPEG XL Lossless";
    if (uid == "1.2.840.10008.1.2.4.111") return "JPEG XL JPEG Recompression";
    if (uid == "1.2.840.10008.1.2.4.112") return "JPEG XL";
    if (uid == "1.2.840.10008.1.2.8.1") return "Deflated Image Frame Compression";
    if (uid == "1.2.840.10008.1.2.4.204") return "JPEG 2000 Part 2 (HTJ2K)";
    return nullptr;
}

DcmItem *asItem(cd_item *item) { return reinterpret_cast<DcmItem *>(item); }
DcmElement *asElement(cd_element *element) { return reinterpret_cast<DcmElement *>(element); }
const DcmElement *asElement(const cd_element *element) { return reinterpret_cast<const DcmElement *>(element); }

Uint16 findUint16(DcmItem *item, const DcmTagKey &key, Uint16 fallback, bool *present = nullptr) {
    Uint16 value = 0;
    bool found = item->findAndGetUint16(key, value).good();
    if (present) *present = found;
    return found ? value : fallback;
}

/// Masks stored values to BitsStored and sign-extends signed data, in place.
template <typename Word>
void normaliseSamples(void *buffer, uint64_t count, uint32_t bitsStored, uint32_t highBit, bool isSigned) {
    auto *samples = static_cast<Word *>(buffer);
    const uint32_t wordBits = sizeof(Word) * 8;
    if (bitsStored == 0 || bitsStored > wordBits) return;
    uint32_t shift = (highBit + 1 >= bitsStored) ? highBit + 1 - bitsStored : 0;
    if (shift + bitsStored > wordBits) shift = 0;
    if (shift == 0 && bitsStored == wordBits) return;  // nothing to do; signedness is in the type
    const uint64_t mask = (bitsStored == 64) ? ~0ull : ((1ull << bitsStored) - 1);
    const uint64_t signBit = 1ull << (bitsStored - 1);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t value = (static_cast<uint64_t>(samples[i]) >> shift) & mask;
        if (isSigned && (value & signBit)) value |= ~mask;
        samples[i] = static_cast<Word>(value);
    }
}

/// The bytes of a UN value as text, when they are printable (tools that lose VRs write strings as UN).
char *unknownVRText(DcmElement *value) {
    Uint8 *bytes = nullptr;
    if (value->getUint8Array(bytes).bad() || bytes == nullptr) return nullptr;
    const unsigned long length = value->getLength();
    if (length > 65536) return nullptr;
    for (unsigned long i = 0; i < length; i++)
        if (bytes[i] != 0 && (bytes[i] < 0x20 || bytes[i] == 0x7F) && bytes[i] != '\t' && bytes[i] != '\n' && bytes[i] != '\r')
            return nullptr;
    char *copy = static_cast<char *>(malloc(length + 1));
    if (!copy) return nullptr;
    std::memcpy(copy, bytes, length);
    copy[length] = 0;
    return copy;
}

/// DCMTK 3.6.7's JPEG-LS encoder can leave a fragment of odd length, which the writer then pads with
/// an uninitialised byte. Pad it here with a zero (PS3.5 A.4) so that encoding is deterministic.
void zeroFragmentPadding(DcmDataset *dataset, E_TransferSyntax xfer, const DcmRepresentationParameter *parameters) {
    DcmElement *element = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) return;
    DcmPixelSequence *sequence = nullptr;
    if (static_cast<DcmPixelData *>(element)->getEncapsulatedRepresentation(xfer, parameters, sequence).bad() ||
        sequence == nullptr)
        return;
    for (unsigned long index = 1; index < sequence->card(); index++) {
        DcmPixelItem *fragment = nullptr;
        if (sequence->getItem(fragment, index).bad() || fragment == nullptr) continue;
        Uint8 *bytes = nullptr;
        const Uint32 length = fragment->getLength();
        if (fragment->getUint8Array(bytes).bad() || bytes == nullptr) continue;
        if (length % 2 == 1) {
            std::vector<Uint8> padded(bytes, bytes + length);
            padded.push_back(0);
            fragment->putUint8Array(padded.data(), static_cast<unsigned long>(padded.size()));
        } else if (length >= 3 && bytes[length - 3] == 0xFF && bytes[length - 2] == 0xD9) {
            bytes[length - 1] = 0;
        }
    }
}

/// DCMTK could not apply the requested VOI (as dcmj2pnm, render on without it and say so).
void noteUnappliedVOI(cd_file *file, const char *what) {
    std::string note = std::string("DCMTK could not apply ") + what + "; rendered without a VOI window";
    if (file->warnings.find(note) == std::string::npos) file->warnings += note + "; ";
}

}  // namespace

static cd_status validatePixelInfo(cd_file *file, cd_pixel_info *info, cd_error *error);

extern "C" {

cd_status cd_initialize(cd_log_callback callback, cd_log_level minimum_level, cd_error *error) noexcept {
    return guarded(error, [&]() -> cd_status {
        logCallback.store(callback);
        std::call_once(registration, [] {
            // Create DCMTK's default configuration first, then replace its console appender.
            OFLog::configure(OFLogger::WARN_LOG_LEVEL);
            dcmtk::log4cplus::Logger root = dcmtk::log4cplus::Logger::getRoot();
            root.removeAllAppenders();
            root.addAppender(dcmtk::log4cplus::SharedAppenderPtr(new ForwardingAppender()));
            DcmRLEDecoderRegistration::registerCodecs();
            DcmRLEEncoderRegistration::registerCodecs();
            DJDecoderRegistration::registerCodecs();
            DJEncoderRegistration::registerCodecs();
            DJLSDecoderRegistration::registerCodecs();
            DJLSEncoderRegistration::registerCodecs();
        });
        dcmtk::log4cplus::Logger::getRoot().setLogLevel(toOflogLevel(minimum_level));
        if (!dcmDataDict.isDictionaryLoaded()) {
            const char *path = getenv(DCM_DICT_ENVIRONMENT_VARIABLE);
            return setError(error, CD_ERR_DICTIONARY,
                            "the DICOM data dictionary is not loaded (looked in %s); install Debian's libdcmtk17 "
                            "package or point DCMDICTPATH at dicom.dic",
                            path ? path : DCM_DICT_DEFAULT_PATH);
        }
        return CD_OK;
    });
}

void cd_transfer_syntax_describe(const char *uid, cd_transfer_syntax_info *info) noexcept {
    std::memset(info, 0, sizeof(*info));
    try {
        std::string value = trimmed(uid);
        DcmXfer xfer(value.c_str());
        info->known = xfer.getXfer() != EXS_Unknown;
        const char *unknownName = nameOfUnknownSyntax(value);
        if (info->known) {
            snprintf(info->name, sizeof(info->name), "%s", xfer.getXferName());
            info->encapsulated = xfer.isEncapsulated();
            info->explicit_vr = xfer.isExplicitVR();
            info->big_endian = xfer.getByteOrder() == EBO_BigEndian;
            info->deflated = xfer.getStreamCompression() == ESC_zlib;
        } else {
            if (unknownName)
                snprintf(info->name, sizeof(info->name), "%s", unknownName);
            else if (value.empty())
                snprintf(info->name, sizeof(info->name), "none (no file meta information)");
            else
                snprintf(info->name, sizeof(info->name), "unknown transfer syntax %s", value.c_str());
            info->encapsulated = 1;
            info->explicit_vr = 1;
        }
        info->decodable = value.empty() || isDecodable(value);
        info->decoded_here = cdicom::isJPEG2000(value.c_str()) || cdicom::isHTJ2K(value.c_str());
    } catch (...) {
        snprintf(info->name, sizeof(info->name), "unknown");
    }
}

cd_file *cd_file_open(const char *path, const cd_open_options *options, cd_error *error) noexcept {
    cd_file *result = nullptr;
    guarded(error, [&]() -> cd_status {
        auto file = std::make_unique<cd_file>();
        file->options = *options;
        file->path = path;
        cd_status status = cdicom::prescanFile(path, options->max_sequence_depth, options->max_decoded_bytes,
                                               file->facts, error);
        if (status != CD_OK) return status;

        file->format = std::make_unique<DcmFileFormat>();
        OFCondition condition =
            options->header_only
                ? file->format->loadFileUntilTag(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                                                 DCM_PixelData)
                : file->format->loadFile(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
        if (condition.bad())
            return setError(error, CD_ERR_MALFORMED, "DCMTK cannot parse the file: %s", condition.text());

        DcmDataset *dataset = file->format->getDataset();
        OFString metaSyntax;
        if (file->format->getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, metaSyntax).good() &&
            !metaSyntax.empty()) {
            file->transferSyntaxUID = trimmed(metaSyntax.c_str());
        } else {
            file->transferSyntaxUID = DcmXfer(dataset->getOriginalXfer()).getXferID();
        }

        if (dataset->tagExists(DCM_SpecificCharacterSet)) {
            OFCondition converted = dataset->convertToUTF8();
            if (converted.bad()) {
                OFString charset;
                dataset->findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
                file->warnings += "text not converted from character set '" + std::string(charset.c_str()) +
                                  "': " + converted.text() + "; ";
            }
        }
        result = file.release();
        return CD_OK;
    });
    return result;
}

void cd_file_close(cd_file *file) noexcept {
    try {
        delete file;
    } catch (...) {
    }
}

cd_item *cd_file_dataset(cd_file *file) noexcept {
    return guardedValue<cd_item *>(nullptr, [&] { return reinterpret_cast<cd_item *>(file->format->getDataset()); });
}

cd_item *cd_file_meta(cd_file *file) noexcept {
    return guardedValue<cd_item *>(nullptr, [&] { return reinterpret_cast<cd_item *>(file->format->getMetaInfo()); });
}

// Reading a member: std::string::c_str cannot throw.
const char *cd_file_transfer_syntax_uid(const cd_file *file) noexcept { return file->transferSyntaxUID.c_str(); }

const char *cd_file_warnings(const cd_file *file) noexcept { return file->warnings.c_str(); }

cd_element *cd_item_find(cd_item *item, uint16_t group, uint16_t element) noexcept {
    try {
        DcmElement *found = nullptr;
        if (asItem(item)->findAndGetElement(DcmTagKey(group, element), found, OFFalse).good())
            return reinterpret_cast<cd_element *>(found);
    } catch (...) {
    }
    return nullptr;
}

uint32_t cd_item_count(cd_item *item) noexcept {
    return guardedValue<uint32_t>(0, [&] { return static_cast<uint32_t>(asItem(item)->card()); });
}

cd_element *cd_item_at(cd_item *item, uint32_t index) noexcept {
    return guardedValue<cd_element *>(nullptr,
                                      [&] { return reinterpret_cast<cd_element *>(asItem(item)->getElement(index)); });
}

void cd_element_tag(const cd_element *element, uint16_t *group, uint16_t *elem) noexcept {
    *group = 0;
    *elem = 0;
    guardedValue<int>(0, [&] {
        const DcmTag &tag = asElement(element)->getTag();
        *group = tag.getGTag();
        *elem = tag.getETag();
        return 0;
    });
}

void cd_element_vr(const cd_element *element, char vr[3]) noexcept {
    const char *name = guardedValue<const char *>(nullptr, [&] {
        DcmVR value(asElement(element)->getTag().getEVR());
        return value.getValidVRName();
    });
    vr[0] = name ? name[0] : 'U';
    vr[1] = name ? name[1] : 'N';
    vr[2] = 0;
}

uint32_t cd_element_vm(cd_element *element) noexcept {
    try {
        return static_cast<uint32_t>(asElement(element)->getVM());
    } catch (...) {
        return 0;
    }
}

// Reading a member: DcmObject::getLengthField returns the stored length.
uint32_t cd_element_length(const cd_element *element) noexcept { return asElement(element)->getLengthField(); }

char *cd_element_string(cd_element *element) noexcept {
    try {
        DcmElement *value = asElement(element);
        DcmEVR vr = value->ident();
        if (vr == EVR_UN) return unknownVRText(value);
        if (vr == EVR_SQ || vr == EVR_OB || vr == EVR_OW || vr == EVR_ox || vr == EVR_px ||
            vr == EVR_pixelSQ || vr == EVR_OD || vr == EVR_OF || vr == EVR_OL || vr == EVR_OV)
            return nullptr;
        OFString text;
        if (value->getOFStringArray(text).bad()) return nullptr;
        char *copy = static_cast<char *>(malloc(text.length() + 1));
        if (!copy) return nullptr;
        std::memcpy(copy, text.c_str(), text.length());
        copy[text.length()] = 0;
        return copy;
    } catch (...) {
        return nullptr;
    }
}

int cd_element_double(cd_element *element, uint32_t index, double *value) noexcept {
    try {
        DcmElement *item = asElement(element);
        switch (item->ident()) {
        case EVR_FD:
        case EVR_DS: {
            Float64 v;
            if (item->getFloat64(v, index).bad()) return 0;
            *value = v;
            return 1;
        }
        case EVR_FL: {
            Float32 v;
            if (item->getFloat32(v, index).bad()) return 0;
            *value = v;
            return 1;
        }
        default: {
            int64_t integer;
            if (!cd_element_int64(element, index, &integer)) return 0;
            *value = static_cast<double>(integer);
            return 1;
        }
        }
    } catch (...) {
        return 0;
    }
}

int cd_element_int64(cd_element *element, uint32_t index, int64_t *value) noexcept {
    try {
        DcmElement *item = asElement(element);
        switch (item->ident()) {
        case EVR_US: {
            Uint16 v;
            if (item->getUint16(v, index).bad()) return 0;
            *value = v;
            return 1;
        }
        case EVR_SS: {
            Sint16 v;
            if (item->getSint16(v, index).bad()) return 0;
            *value = v;
            return 1;
        }
        case EVR_UL: {
            Uint32 v;
            if (item->getUint32(v, index).bad()) return 0;
            *value = v;
            return 1;
        }
        case EVR_SL:
        case EVR_IS: {
            Sint32 v;
            if (item->getSint32(v, index).bad()) return 0;
            *value = v;
            return 1;
        }
        case EVR_UV: {
            Uint64 v;
            if (item->getUint64(v, index).bad()) return 0;
            *value = static_cast<int64_t>(v);
            return 1;
        }
        case EVR_SV: {
            Sint64 v;
            if (item->getSint64(v, index).bad()) return 0;
            *value = v;
            return 1;
        }
        default:
            return 0;
        }
    } catch (...) {
        return 0;
    }
}

uint32_t cd_element_item_count(cd_element *element) noexcept {
    return guardedValue<uint32_t>(0, [&]() -> uint32_t {
        DcmElement *value = asElement(element);
        if (value->ident() != EVR_SQ) return 0;
        return static_cast<uint32_t>(static_cast<DcmSequenceOfItems *>(value)->card());
    });
}

cd_item *cd_element_item(cd_element *element, uint32_t index) noexcept {
    return guardedValue<cd_item *>(nullptr, [&]() -> cd_item * {
        DcmElement *value = asElement(element);
        if (value->ident() != EVR_SQ) return nullptr;
        return reinterpret_cast<cd_item *>(static_cast<DcmSequenceOfItems *>(value)->getItem(index));
    });
}

void cd_free(void *pointer) noexcept { free(pointer); }

const char *cd_uid_name(const char *uid) noexcept {
    try {
        std::string value = trimmed(uid);
        return dcmFindNameOfUID(value.c_str(), nullptr);
    } catch (...) {
        return nullptr;
    }
}

cd_status cd_file_pixel_info(cd_file *file, cd_pixel_info *info, cd_error *error) noexcept {
    if (file->pixelInfoValid) {
        *info = file->pixelInfo;
        return CD_OK;
    }
    cd_status status = validatePixelInfo(file, info, error);
    if (status == CD_OK) {
        file->pixelInfo = *info;
        file->pixelInfoValid = true;
    }
    return status;
}

static cd_status validatePixelInfo(cd_file *file, cd_pixel_info *info, cd_error *error) {
    return guarded(error, [&]() -> cd_status {
        std::memset(info, 0, sizeof(*info));
        DcmDataset *dataset = file->format->getDataset();
        const cdicom::PrescanFacts &facts = file->facts;
        // Private Elscint compression hides behind a native transfer syntax (as GDCM also detects).
        OFString elscint;
        if (dataset->findAndGetOFString(DcmTagKey(0x07A1, 0x1011), elscint).good() && startsWith(elscint.c_str(), "PMSCT_"))
            return setError(error, CD_ERR_UNSUPPORTED_SYNTAX,
                            "pixel data uses the private Elscint compression %s, which Annulus cannot decode",
                            elscint.c_str());

        if (!facts.hasPixelData) {
            if (facts.floatPixelDataTag)
                return setError(error, CD_ERR_NO_PIXEL_DATA,
                                "the object holds %s pixel data (7FE0,%04X), which Annulus does not render",
                                facts.floatPixelDataTag == 8 ? "floating-point" : "double floating-point",
                                facts.floatPixelDataTag);
            return setError(error, CD_ERR_NO_PIXEL_DATA, "the object has no PixelData (7FE0,0010)");
        }
        bool hasRows = false, hasColumns = false, hasBits = false;
        info->rows = findUint16(dataset, DCM_Rows, 0, &hasRows);
        info->columns = findUint16(dataset, DCM_Columns, 0, &hasColumns);
        info->samples_per_pixel = findUint16(dataset, DCM_SamplesPerPixel, 1);
        info->bits_allocated = findUint16(dataset, DCM_BitsAllocated, 0, &hasBits);
        info->bits_stored = findUint16(dataset, DCM_BitsStored, info->bits_allocated);
        info->high_bit = findUint16(dataset, DCM_HighBit, info->bits_stored ? info->bits_stored - 1 : 0);
        info->pixel_representation = findUint16(dataset, DCM_PixelRepresentation, 0);
        info->planar_configuration = findUint16(dataset, DCM_PlanarConfiguration, 0);
        OFString photometric;
        dataset->findAndGetOFString(DCM_PhotometricInterpretation, photometric);
        snprintf(info->photometric, sizeof(info->photometric), "%s", photometric.c_str());
        Sint32 frames = 1;
        if (dataset->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
        info->frames = static_cast<uint32_t>(frames);

        if (!hasRows || !hasColumns || info->rows == 0 || info->columns == 0)
            return setError(error, CD_ERR_MALFORMED, "PixelData is present but Rows or Columns is missing or zero");
        if (!hasBits || !(info->bits_allocated == 1 || info->bits_allocated == 8 || info->bits_allocated == 16 ||
                          info->bits_allocated == 32))
            return setError(error, CD_ERR_MALFORMED, "BitsAllocated is %u; Annulus reads 1, 8, 16 or 32",
                            info->bits_allocated);
        if (info->samples_per_pixel != 1 && info->samples_per_pixel != 3)
            return setError(error, CD_ERR_MALFORMED, "SamplesPerPixel is %u; DICOM images have 1 or 3",
                            info->samples_per_pixel);
        if (info->bits_stored == 0 || info->bits_stored > info->bits_allocated || info->high_bit >= info->bits_allocated)
            return setError(error, CD_ERR_MALFORMED, "BitsStored %u / HighBit %u do not fit BitsAllocated %u",
                            info->bits_stored, info->high_bit, info->bits_allocated);

        const uint64_t pixels = uint64_t(info->rows) * info->columns;
        const uint64_t bytesPerSample = info->bits_allocated == 1 ? 1 : info->bits_allocated / 8;
        info->stored_frame_bytes = pixels * info->samples_per_pixel * bytesPerSample;
        // Native YBR_*_422 stores two samples per pixel (Y Y Cb Cr per pixel pair); decoded JPEG does not.
        if (!facts.pixelDataEncapsulated && info->samples_per_pixel == 3 && isSubsampled422(photometric.c_str()))
            info->stored_frame_bytes = pixels * 2 * bytesPerSample;

        cd_transfer_syntax_info syntax;
        cd_transfer_syntax_describe(file->transferSyntaxUID.c_str(), &syntax);
        if (!syntax.decodable)
            return setError(error, CD_ERR_UNSUPPORTED_SYNTAX,
                            "pixel data is compressed as %s (%s), which this build cannot decode; the header is "
                            "readable",
                            syntax.name, file->transferSyntaxUID.c_str());

        if (!facts.pixelDataEncapsulated) {
            // Native: the value must hold every declared frame.
            uint64_t frameBytes = pixels * info->samples_per_pixel;
            if (isSubsampled422(photometric.c_str()) && info->samples_per_pixel == 3) frameBytes = pixels * 2;
            uint64_t needed = info->bits_allocated == 1 ? (frameBytes * info->frames + 7) / 8
                                                        : frameBytes * bytesPerSample * info->frames;
            if (facts.pixelDataLength < needed)
                return setError(error, CD_ERR_MALFORMED,
                                "PixelData holds %llu bytes but %u frame(s) of %u x %u x %u sample(s) at %u bits need "
                                "%llu: the header declares more image than the file contains",
                                static_cast<unsigned long long>(facts.pixelDataLength), info->frames, info->columns,
                                info->rows, info->samples_per_pixel, info->bits_allocated,
                                static_cast<unsigned long long>(needed));
        } else if (facts.pixelFragments < info->frames) {
            return setError(error, CD_ERR_MALFORMED,
                            "NumberOfFrames is %u but the encapsulated pixel data has only %u fragment(s)",
                            info->frames, facts.pixelFragments);
        }
        if (info->stored_frame_bytes > file->options.max_decoded_bytes || info->stored_frame_bytes >= 0xFFFFFFF0ull)
            return setError(error, CD_ERR_TOO_LARGE,
                            "one frame of %u x %u x %u sample(s) at %u bits needs %llu bytes, over the %llu-byte "
                            "bound for a decoded image",
                            info->columns, info->rows, info->samples_per_pixel, info->bits_allocated,
                            static_cast<unsigned long long>(info->stored_frame_bytes),
                            static_cast<unsigned long long>(file->options.max_decoded_bytes));
        return CD_OK;  // in header-only files these facts come from the pre-scan; decoding needs a full open
    });
}

static void releaseLoadedFragments(DcmPixelData *pixelData);

/// True when the encapsulated pixel data's basic offset table (its first item) is empty.
static bool hasEmptyOffsetTable(DcmDataset *dataset) {
    DcmElement *element = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || !element) return false;
    auto *pixelData = static_cast<DcmPixelData *>(element);
    E_TransferSyntax syntax = EXS_Unknown;
    const DcmRepresentationParameter *parameter = nullptr;
    pixelData->getOriginalRepresentationKey(syntax, parameter);
    DcmPixelSequence *sequence = nullptr;
    if (pixelData->getEncapsulatedRepresentation(syntax, parameter, sequence).bad() || !sequence) return false;
    DcmPixelItem *table = nullptr;
    return sequence->getItem(table, 0).good() && table && table->getLength() == 0;
}

/// The bytes of one frame of encapsulated JPEG 2000 pixel data: all fragments for a single frame, one fragment
/// per frame when there are as many as frames, otherwise the fragments from the one that starts the frame's
/// codestream (SOC marker, or a JP2 signature) up to the next such fragment.
static cd_status jpeg2000Codestream(DcmPixelData *pixelData, uint32_t frame, uint32_t frames, std::vector<uint8_t> &bytes,
                                    cd_error *error) {
    E_TransferSyntax syntax = EXS_Unknown;
    const DcmRepresentationParameter *parameter = nullptr;
    pixelData->getOriginalRepresentationKey(syntax, parameter);
    DcmPixelSequence *sequence = nullptr;
    if (pixelData->getEncapsulatedRepresentation(syntax, parameter, sequence).bad() || !sequence)
        return setError(error, CD_ERR_DECODE, "the JPEG 2000 pixel data has no fragments");
    const unsigned long fragments = sequence->card() > 0 ? sequence->card() - 1 : 0;
    auto fragmentBytes = [&](unsigned long index, Uint8 *&value, Uint32 &length) -> bool {
        DcmPixelItem *item = nullptr;
        if (sequence->getItem(item, index).bad() || !item) return false;
        length = item->getLength();
        value = nullptr;
        return length == 0 || (item->getUint8Array(value).good() && value);
    };
    auto startsCodestream = [&](unsigned long index) -> bool {
        Uint8 *value = nullptr;
        Uint32 length = 0;
        if (!fragmentBytes(index, value, length) || length < 8) return false;
        return (value[0] == 0xFF && value[1] == 0x4F) ||
               (value[0] == 0 && value[1] == 0 && value[2] == 0 && value[3] == 0x0C && value[4] == 0x6A);
    };
    unsigned long first = 0, last = 0;  // item indices, inclusive
    if (frames == 1) {
        first = 1;
        last = fragments;
    } else if (fragments == frames) {
        first = last = frame + 1;
    } else {
        uint32_t seen = 0;
        for (unsigned long index = 1; index <= fragments; index++) {
            if (!startsCodestream(index)) continue;
            if (seen == frame) first = index;
            if (seen == frame + 1) {
                last = index - 1;
                break;
            }
            seen++;
        }
        if (first != 0 && last == 0) last = fragments;
    }
    if (first == 0 || first > last)
        return setError(error, CD_ERR_DECODE, "cannot find the JPEG 2000 codestream of frame %u among %lu fragment(s)",
                        frame, fragments);
    for (unsigned long index = first; index <= last; index++) {
        Uint8 *value = nullptr;
        Uint32 length = 0;
        if (!fragmentBytes(index, value, length))
            return setError(error, CD_ERR_DECODE, "fragment %lu of the JPEG 2000 pixel data cannot be read", index);
        if (length) bytes.insert(bytes.end(), value, value + length);
    }
    return CD_OK;
}

/// The fragment (item index) DCMTK's per-frame decoders start `frame` at, found as DcmCodec::determineStartFragment
/// does: the one carried from the previous frame, item 1 for the first frame, one item per frame, or the basic
/// offset table. 0 when DCMTK could not find it either (it then refuses the frame itself).
static Uint32 startFragmentOf(DcmPixelSequence *sequence, uint32_t frame, uint32_t frames, Uint32 carried) {
    if (carried != 0) return carried;
    const unsigned long items = sequence->card();
    if (frame == 0) return 1;
    if (items == uint64_t(frames) + 1) return frame + 1;
    DcmPixelItem *table = nullptr;
    Uint8 *offsets = nullptr;
    if (sequence->getItem(table, 0).bad() || !table || table->getLength() < 4 * (uint64_t(frame) + 1) ||
        table->getUint8Array(offsets).bad() || !offsets)
        return 0;
    const Uint8 *entry = offsets + 4 * size_t(frame);  // little endian (PS3.5 A.4)
    const uint64_t wanted = uint64_t(entry[0]) | uint64_t(entry[1]) << 8 | uint64_t(entry[2]) << 16 |
                            uint64_t(entry[3]) << 24;
    uint64_t offset = 0;
    for (unsigned long index = 1; index < items; index++) {
        if (offset == wanted) return static_cast<Uint32>(index);
        DcmPixelItem *item = nullptr;
        if (sequence->getItem(item, index).bad() || !item) return 0;
        offset += uint64_t(item->getLength()) + 8;
    }
    return 0;
}

/// Whether `uid` is a JPEG or JPEG-LS transfer syntax (every frame's codestream starts with an SOI marker).
static bool isJPEGFamily(const std::string &uid) {
    return uid == "1.2.840.10008.1.2.4.50" || uid == "1.2.840.10008.1.2.4.51" || uid == "1.2.840.10008.1.2.4.53" ||
           uid == "1.2.840.10008.1.2.4.55" || uid == "1.2.840.10008.1.2.4.57" || uid == "1.2.840.10008.1.2.4.70" ||
           uid == "1.2.840.10008.1.2.4.80" || uid == "1.2.840.10008.1.2.4.81";
}

/// The fragment (item index) each frame starts at, for JPEG or JPEG-LS pixel data whose basic offset table is
/// empty and whose frames span several fragments: there DCMTK 3.6.7 finds frame N only from where frame N-1 ended,
/// so a frame asked for out of order (by a decoder worker that did not decode the previous one, or by one of a
/// cine's renderers) would fail. A frame's first fragment begins with the SOI marker and a marker (FF D8 FF), as
/// pydicom and GDCM also use; found once per file by reading three bytes of each fragment. Empty (nothing guessed,
/// DCMTK refuses as before) unless exactly one such fragment per frame is found, the first being item 1.
static const std::vector<Uint32> &jpegFrameStarts(cd_file *file, DcmPixelData *pixelData, uint32_t frames) {
    if (file->frameStartsFound) return file->frameStarts;
    file->frameStartsFound = true;
    E_TransferSyntax syntax = EXS_Unknown;
    const DcmRepresentationParameter *parameter = nullptr;
    pixelData->getOriginalRepresentationKey(syntax, parameter);
    DcmPixelSequence *sequence = nullptr;
    if (pixelData->getEncapsulatedRepresentation(syntax, parameter, sequence).bad() || !sequence)
        return file->frameStarts;
    const unsigned long items = sequence->card();
    DcmPixelItem *table = nullptr;
    if (items <= uint64_t(frames) + 1 || sequence->getItem(table, 0).bad() || !table || table->getLength() != 0)
        return file->frameStarts;  // one fragment per frame, or an offset table: DCMTK finds every frame itself
    std::vector<Uint32> starts;
    for (unsigned long index = 1; index < items; index++) {
        DcmPixelItem *item = nullptr;
        if (sequence->getItem(item, index).bad() || !item) return file->frameStarts;
        Uint8 head[3] = {0, 0, 0};
        if (item->getLength() >= 3 && item->getPartialValue(head, 0, 3, &file->cache).good() && head[0] == 0xFF &&
            head[1] == 0xD8 && head[2] == 0xFF)
            starts.push_back(static_cast<Uint32>(index));
    }
    if (starts.size() == frames && starts.front() == 1) file->frameStarts = std::move(starts);
    return file->frameStarts;
}

/// Checks the header of the fragment DCMTK's per-frame decoder will read for `frame` (RLE: the RLE header against
/// that fragment; JPEG, JPEG-LS: SOF against the pixel module) before DCMTK decodes it.
static cd_status validateFrameHeader(cd_file *file, DcmPixelData *pixelData, const cd_pixel_info &info, uint32_t frame,
                                     Uint32 carried, cd_error *error) {
    const std::string &uid = file->transferSyntaxUID;
    const bool isRLE = uid == "1.2.840.10008.1.2.5";
    const bool isJPEG = (uid == "1.2.840.10008.1.2.4.50" || uid == "1.2.840.10008.1.2.4.51" ||
                         uid == "1.2.840.10008.1.2.4.57" || uid == "1.2.840.10008.1.2.4.70" ||
                         uid == "1.2.840.10008.1.2.4.80" || uid == "1.2.840.10008.1.2.4.81");
    if (!isRLE && !isJPEG) return CD_OK;
    E_TransferSyntax syntax = EXS_Unknown;
    const DcmRepresentationParameter *parameter = nullptr;
    pixelData->getOriginalRepresentationKey(syntax, parameter);
    DcmPixelSequence *sequence = nullptr;
    if (pixelData->getEncapsulatedRepresentation(syntax, parameter, sequence).bad() || !sequence) return CD_OK;
    const Uint32 start = startFragmentOf(sequence, frame, info.frames, carried);
    DcmPixelItem *item = nullptr;
    if (start == 0 || sequence->getItem(item, start).bad() || !item) return CD_OK;  // DCMTK refuses it itself
    Uint8 *bytes = nullptr;
    const Uint32 length = item->getLength();
    if (length > 0 && (item->getUint8Array(bytes).bad() || !bytes))
        return setError(error, CD_ERR_DECODE, "fragment %u of frame %u cannot be read", start, frame + 1);
    return isRLE ? cdicom::validateRLEFrame(bytes, length, info, frame, error)
                 : cdicom::validateJPEGFrame(bytes, length, info, frame, error);
}

cd_status cd_file_decode_stored_frame(cd_file *file, uint32_t frame, void *buffer, uint64_t buffer_size,
                                      char color_model[32], cd_error *error) noexcept {
    return guarded(error, [&]() -> cd_status {
        if (file->options.header_only)
            return setError(error, CD_ERR_HEADER_ONLY, "the file was opened header-only; open it fully to decode pixels");
        cd_pixel_info info;
        cd_status status = cd_file_pixel_info(file, &info, error);
        if (status != CD_OK) return status;
        if (frame >= info.frames)
            return setError(error, CD_ERR_FRAME_RANGE, "frame %u requested but the image has %u frame(s) (0-based index)",
                            frame, info.frames);
        if (buffer_size < info.stored_frame_bytes)
            return setError(error, CD_ERR_INVALID_ARGUMENT, "buffer of %llu bytes is smaller than a frame (%llu)",
                            static_cast<unsigned long long>(buffer_size),
                            static_cast<unsigned long long>(info.stored_frame_bytes));
        DcmDataset *dataset = file->format->getDataset();
        DcmElement *element = nullptr;
        if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
            return setError(error, CD_ERR_NO_PIXEL_DATA, "the object has no PixelData (7FE0,0010)");
        auto *pixelData = static_cast<DcmPixelData *>(element);
        const uint64_t pixels = uint64_t(info.rows) * info.columns;
        const uint64_t samples = info.stored_frame_bytes / (info.bits_allocated == 1 ? 1 : info.bits_allocated / 8);
        if (info.bits_allocated == 1) {
            // Native 1-bit frames need not start on a byte boundary: read the covering bytes and unpack.
            const uint64_t firstBit = uint64_t(frame) * pixels * info.samples_per_pixel;
            const uint64_t firstByte = firstBit / 8;
            const uint64_t byteCount = (firstBit % 8 + samples + 7) / 8;
            std::vector<unsigned char> packed(byteCount + 1);
            OFCondition condition = pixelData->getPartialValue(packed.data(), static_cast<Uint32>(firstByte),
                                                               static_cast<Uint32>(byteCount), &file->cache);
            if (condition.bad()) return setError(error, CD_ERR_DECODE, "reading frame %u failed: %s", frame, condition.text());
            auto *out = static_cast<uint8_t *>(buffer);
            for (uint64_t i = 0; i < samples; i++) {
                uint64_t bit = firstBit % 8 + i;
                out[i] = (packed[bit / 8] >> (bit % 8)) & 1;
            }
            snprintf(color_model, 32, "%s", info.photometric);
            return CD_OK;
        }
        if (!file->facts.pixelDataEncapsulated) {
            // Native: the frame is a plain byte range of the value, left on disk until now.
            OFCondition condition =
                pixelData->getPartialValue(buffer, static_cast<Uint32>(uint64_t(frame) * info.stored_frame_bytes),
                                           static_cast<Uint32>(info.stored_frame_bytes), &file->cache);
            if (condition.bad()) return setError(error, CD_ERR_DECODE, "reading frame %u failed: %s", frame, condition.text());
            snprintf(color_model, 32, "%s", info.photometric);
        } else if (cdicom::isJPEG2000(file->transferSyntaxUID.c_str()) ||
                   cdicom::isHTJ2K(file->transferSyntaxUID.c_str())) {
            std::vector<uint8_t> codestream;
            status = jpeg2000Codestream(pixelData, frame, info.frames, codestream, error);
            if (status != CD_OK) return status;
            releaseLoadedFragments(pixelData);
            status = cdicom::isHTJ2K(file->transferSyntaxUID.c_str())
                         ? cdicom::decodeHTJ2K(codestream.data(), codestream.size(), info, buffer, buffer_size,
                                               info.photometric, color_model, error)
                         : cdicom::decodeJPEG2000(codestream.data(), codestream.size(), info, buffer, buffer_size,
                                                  info.photometric, color_model, error);
            if (status != CD_OK) return status;
        } else {
            Uint32 frameSize = 0;
            OFCondition condition = pixelData->getUncompressedFrameSize(dataset, frameSize);
            if (condition.bad())
                return setError(error, CD_ERR_DECODE, "cannot determine the frame size: %s", condition.text());
            if (frameSize % 2) frameSize += 1;  // DCMTK wants an even buffer size
            std::vector<unsigned char> scratch;
            void *target = buffer;
            if (frameSize > buffer_size) {
                scratch.resize(frameSize);
                target = scratch.data();
            }
            if (frame != file->nextFrame) {
                // Random access: DCMTK finds the frame from the offset table or one fragment per frame; without
                // either, JPEG frames are found by their SOI marker.
                file->nextFragment = 0;
                if (isJPEGFamily(file->transferSyntaxUID)) {
                    const std::vector<Uint32> &starts = jpegFrameStarts(file, pixelData, info.frames);
                    if (frame < starts.size()) file->nextFragment = starts[frame];
                }
            }
            status = validateFrameHeader(file, pixelData, info, frame, file->nextFragment, error);
            if (status != CD_OK) return status;
            OFString colorModel;
            condition = pixelData->getUncompressedFrame(dataset, frame, file->nextFragment, target, frameSize,
                                                        colorModel, &file->cache);
            if (condition.bad()) {
                file->nextFragment = 0;
                return setError(error, CD_ERR_DECODE, "decoding frame %u failed: %s", frame, condition.text());
            }
            file->nextFrame = frame + 1;
            releaseLoadedFragments(pixelData);
            snprintf(color_model, 32, "%s", colorModel.empty() ? info.photometric : colorModel.c_str());
            if (target != buffer) std::memcpy(buffer, target, info.stored_frame_bytes);
        }
        const bool isSigned = info.pixel_representation == 1;
        if (info.bits_allocated == 8)
            normaliseSamples<uint8_t>(buffer, samples, info.bits_stored, info.high_bit, isSigned);
        else if (info.bits_allocated == 16)
            normaliseSamples<uint16_t>(buffer, samples, info.bits_stored, info.high_bit, isSigned);
        else if (info.bits_allocated == 32)
            normaliseSamples<uint32_t>(buffer, samples, info.bits_stored, info.high_bit, isSigned);
        return CD_OK;
    });
}

/// Frees the values of compressed fragments already read (they stay loadable from the file), so that reading a
/// long cine frame by frame does not accumulate its compressed data in memory.
static void releaseLoadedFragments(DcmPixelData *pixelData) {
    E_TransferSyntax syntax = EXS_Unknown;
    const DcmRepresentationParameter *parameter = nullptr;
    pixelData->getOriginalRepresentationKey(syntax, parameter);
    DcmPixelSequence *sequence = nullptr;
    if (pixelData->getEncapsulatedRepresentation(syntax, parameter, sequence).bad() || !sequence) return;
    for (unsigned long index = 0; index < sequence->card(); index++) {
        DcmPixelItem *item = nullptr;
        if (sequence->getItem(item, index).good() && item) item->compact();
    }
}

cd_status cd_file_render_frame8(cd_file *file, uint32_t frame, cd_voi_kind voi, uint32_t window_index, double center,
                                double width, uint8_t *buffer, uint64_t buffer_size, uint32_t *samples,
                                cd_error *error) noexcept {
    return guarded(error, [&]() -> cd_status {
        if (file->options.header_only)
            return setError(error, CD_ERR_HEADER_ONLY, "the file was opened header-only; open it fully to render pixels");
        cd_pixel_info info;
        cd_status status = cd_file_pixel_info(file, &info, error);
        if (status != CD_OK) return status;
        if (frame >= info.frames)
            return setError(error, CD_ERR_FRAME_RANGE, "frame %u requested but the image has %u frame(s) (0-based index)",
                            frame, info.frames);
        DcmDataset *dataset = file->format->getDataset();
        const bool wholeImage = frame > 0 && file->facts.pixelDataEncapsulated &&
                                file->facts.pixelFragments != info.frames && hasEmptyOffsetTable(dataset);
        DcmElement *pixelElement = nullptr;
        if (file->facts.pixelDataEncapsulated && dataset->findAndGetElement(DCM_PixelData, pixelElement).good() &&
            pixelElement) {
            // DCMTK's image pipeline decodes through the same per-frame decoders: check the headers it will read.
            const uint32_t last = wholeImage ? info.frames - 1 : frame;
            for (uint32_t index = wholeImage ? 0 : frame; index <= last; index++) {
                status = validateFrameHeader(file, static_cast<DcmPixelData *>(pixelElement), info, index, 0, error);
                if (status != CD_OK) return status;
            }
        }
        // As dcmj2pnm does: partial access (one frame decoded, the rest left on disk) for multi-frame images.
        unsigned long flags = info.frames > 1 ? CIF_UsePartialAccessToPixelData : 0;
        std::unique_ptr<DcmFileFormat> fresh;  // declared first: outlives the image made from it
        std::unique_ptr<DicomImage> owned;
        unsigned long outputFrame = 0;
        if (wholeImage) {
            // Without a basic offset table DCMTK cannot find where frame N starts when fragments outnumber
            // frames ("Cannot determine start fragment"); decode every frame instead, within the memory bound.
            if (uint64_t(info.frames) * info.stored_frame_bytes > file->options.max_decoded_bytes)
                return setError(error, CD_ERR_TOO_LARGE,
                                "frame %u cannot be located without a basic offset table, and decoding all %u frames "
                                "would exceed the %llu MiB image memory bound",
                                frame + 1, info.frames,
                                static_cast<unsigned long long>(file->options.max_decoded_bytes >> 20));
            // A freshly parsed copy: DCMTK cannot build a whole image from a data set it already decoded frames of.
            fresh = std::make_unique<DcmFileFormat>();
            if (fresh->loadFile(file->path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect).bad())
                return setError(error, CD_ERR_DECODE, "cannot re-read the file to decode all frames");
            owned.reset(new DicomImage(fresh.get(), fresh->getDataset()->getOriginalXfer(), 0UL, 0UL, 0UL));
            outputFrame = frame;
        } else {
            owned.reset(new DicomImage(file->format.get(), dataset->getOriginalXfer(), flags, frame, 1));
        }
        DicomImage &image = *owned;
        if (image.getStatus() != EIS_Normal)
            return setError(error, CD_ERR_DECODE, "DCMTK cannot render the image: %s",
                            DicomImage::getString(image.getStatus()));
        image.hideAllOverlays();
        for (unsigned int plane = 0; plane < 16 && plane < image.getOverlayCount(); plane++) image.showOverlay(plane);
        if (image.isMonochrome()) {
            switch (voi) {
            case CD_VOI_FILE_WINDOW:
                if (window_index >= image.getWindowCount())
                    return setError(error, CD_ERR_NO_WINDOW, "window %u requested but the file has %lu window(s)",
                                    window_index + 1, image.getWindowCount());
                if (!image.setWindow(window_index)) noteUnappliedVOI(file, "its window");
                break;
            case CD_VOI_EXPLICIT:
                if (!(width >= 1.0))
                    return setError(error, CD_ERR_INVALID_ARGUMENT, "window width must be at least 1 (got %g)", width);
                if (!image.setWindow(center, width))
                    return setError(error, CD_ERR_DECODE, "DCMTK cannot apply window centre %g width %g", center, width);
                break;
            case CD_VOI_MIN_MAX:
                if (!image.setMinMaxWindow(0)) noteUnappliedVOI(file, "a min-max window");
                break;
            case CD_VOI_NONE:
                image.setNoVoiTransformation();
                break;
            case CD_VOI_FILE_WINDOW_OR_MIN_MAX:
                if (window_index < image.getWindowCount() ? !image.setWindow(window_index) : !image.setMinMaxWindow(0))
                    noteUnappliedVOI(file, "the file's window or a min-max window");
                break;
            }
        }
        const unsigned long size = image.getOutputDataSize(8);
        if (size == 0 || size > buffer_size)
            return setError(error, CD_ERR_INVALID_ARGUMENT, "render buffer of %llu bytes, %lu needed",
                            static_cast<unsigned long long>(buffer_size), size);
        if (!image.getOutputData(buffer, size, 8, outputFrame, 0))
            return setError(error, CD_ERR_DECODE, "DCMTK produced no output for frame %u", frame);
        if (pixelElement)
            releaseLoadedFragments(static_cast<DcmPixelData *>(pixelElement));
        *samples = image.isMonochrome() ? 1 : 3;
        return CD_OK;
    });
}

cd_writer *cd_writer_new(void) noexcept {
    try {
        return new cd_writer();
    } catch (...) {
        return nullptr;
    }
}

void cd_writer_free(cd_writer *writer) noexcept {
    try {
        delete writer;
    } catch (...) {
    }
}

cd_status cd_writer_put_string(cd_writer *writer, uint16_t group, uint16_t element, const char *value, cd_error *error) noexcept {
    return guarded(error, [&]() -> cd_status {
        OFCondition condition = writer->format.getDataset()->putAndInsertString(DcmTag(group, element), value);
        if (condition.bad())
            return setError(error, CD_ERR_INVALID_ARGUMENT, "cannot set %s to '%s': %s",
                            cdicom::describeTag(group, element).c_str(), value, condition.text());
        return CD_OK;
    });
}

cd_status cd_writer_put_us(cd_writer *writer, uint16_t group, uint16_t element, uint16_t value, cd_error *error) noexcept {
    return guarded(error, [&]() -> cd_status {
        OFCondition condition = writer->format.getDataset()->putAndInsertUint16(DcmTag(group, element, EVR_US), value);
        if (condition.bad())
            return setError(error, CD_ERR_INVALID_ARGUMENT, "cannot set %s to %u: %s",
                            cdicom::describeTag(group, element).c_str(), value, condition.text());
        return CD_OK;
    });
}

cd_status cd_writer_put_pixels8(cd_writer *writer, const uint8_t *samples, uint64_t count, cd_error *error) noexcept {
    return guarded(error, [&]() -> cd_status {
        if (count >= 0xFFFFFFF0ull) return setError(error, CD_ERR_TOO_LARGE, "pixel data over 4 GiB");
        OFCondition condition =
            writer->format.getDataset()->putAndInsertUint8Array(DCM_PixelData, samples, static_cast<unsigned long>(count));
        if (condition.bad()) return setError(error, CD_ERR_WRITE, "cannot set PixelData: %s", condition.text());
        return CD_OK;
    });
}

cd_status cd_writer_put_pixels16(cd_writer *writer, const uint16_t *samples, uint64_t count, cd_error *error) noexcept {
    return guarded(error, [&]() -> cd_status {
        if (count >= 0x7FFFFFF0ull) return setError(error, CD_ERR_TOO_LARGE, "pixel data over 4 GiB");
        OFCondition condition = writer->format.getDataset()->putAndInsertUint16Array(DCM_PixelData, samples,
                                                                                     static_cast<unsigned long>(count));
        if (condition.bad()) return setError(error, CD_ERR_WRITE, "cannot set PixelData: %s", condition.text());
        return CD_OK;
    });
}

cd_status cd_writer_save(cd_writer *writer, const char *path, const char *transfer_syntax_uid, cd_error *error) noexcept {
    return guarded(error, [&]() -> cd_status {
        DcmXfer target(transfer_syntax_uid);
        E_TransferSyntax xfer = target.getXfer();
        if (xfer == EXS_Unknown)
            return setError(error, CD_ERR_INVALID_ARGUMENT, "unknown transfer syntax %s", transfer_syntax_uid);
        DcmDataset *dataset = writer->format.getDataset();
        if (target.isEncapsulated()) {
            DJLSRepresentationParameter lossless(0, OFTrue);
            const DcmRepresentationParameter *parameters = xfer == EXS_JPEGLSLossless ? &lossless : nullptr;
            OFCondition condition = dataset->chooseRepresentation(xfer, parameters);
            if (condition.bad() || !dataset->canWriteXfer(xfer))
                return setError(error, CD_ERR_WRITE, "cannot encode pixel data as %s: %s", target.getXferName(),
                                condition.bad() ? condition.text() : "no encoder");
            zeroFragmentPadding(dataset, xfer, parameters);
        }
        OFCondition condition = writer->format.saveFile(path, xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0,
                                                        EWM_createNewMeta);
        if (condition.bad()) return setError(error, CD_ERR_WRITE, "cannot write %s: %s", path, condition.text());
        return CD_OK;
    });
}

}  // extern "C"
