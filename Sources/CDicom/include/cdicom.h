/*
 * cdicom.h: the plain-C face of the project's C++ shim over DCMTK 3.6.7.
 *
 * Only DicomIO calls this. Every function catches C++ exceptions before they reach the caller (and is
 * noexcept in C++), reports failures through a cd_error, and never prints. Handles are not thread-safe: use one
 * cd_file per task and never share it across threads.
 */
#ifndef CDICOM_H
#define CDICOM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every function is noexcept in C++ (a C++ exception that crossed into Swift would abort the process): the
 * definitions in cdicom.cpp must say so too, or the compiler refuses them, and scripts/lint checks that every
 * declaration here carries CD_NOEXCEPT.
 */
#ifdef __cplusplus
#define CD_NOEXCEPT noexcept
#else
#define CD_NOEXCEPT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** What went wrong, as a stable code; the message in cd_error says it in words. */
typedef enum {
    CD_OK = 0,
    CD_ERR_DICTIONARY = 1,          /* the DICOM data dictionary could not be loaded */
    CD_ERR_IO = 2,                  /* the file could not be opened or read */
    CD_ERR_NOT_DICOM = 3,           /* the bytes are not a DICOM file or data set */
    CD_ERR_MALFORMED = 4,           /* the encoding is broken: truncated, inconsistent lengths, bad items */
    CD_ERR_TOO_DEEP = 5,            /* sequence nesting exceeds the configured bound */
    CD_ERR_UNSUPPORTED_SYNTAX = 6,  /* the transfer syntax's pixels cannot be decoded here */
    CD_ERR_NO_PIXEL_DATA = 7,       /* the object has no (usable) pixel data */
    CD_ERR_FRAME_RANGE = 8,         /* the requested frame does not exist */
    CD_ERR_TOO_LARGE = 9,           /* decoding would exceed the configured memory bound */
    CD_ERR_DECODE = 10,             /* the codec or DCMTK's image pipeline failed */
    CD_ERR_HEADER_ONLY = 11,        /* pixel access on a file opened header-only */
    CD_ERR_NO_WINDOW = 12,          /* the requested VOI window is not in the file */
    CD_ERR_INTERNAL = 13,           /* an unexpected C++ exception or allocation failure */
    CD_ERR_WRITE = 14,              /* writing a DICOM file failed */
    CD_ERR_INVALID_ARGUMENT = 15    /* the caller passed a value DCMTK refuses */
} cd_status;

/** A failure: code plus a human-readable message (UTF-8, NUL-terminated). */
typedef struct {
    cd_status code;
    char message[1024];
} cd_error;

/** DCMTK log levels as forwarded to the log callback. */
typedef enum {
    CD_LOG_TRACE = 0,
    CD_LOG_DEBUG = 1,
    CD_LOG_INFO = 2,
    CD_LOG_WARN = 3,
    CD_LOG_ERROR = 4,
    CD_LOG_FATAL = 5
} cd_log_level;

/** Receives every DCMTK (oflog) message at or above the configured level. */
typedef void (*cd_log_callback)(cd_log_level level, const char *logger, const char *message);

/**
 * Prepares DCMTK once per process: registers the RLE, IJG JPEG and JPEG-LS decoders and encoders,
 * routes oflog into `callback` (nothing goes to stderr), and checks that the data dictionary is
 * loaded. Safe to call more than once; later calls only update the callback and level.
 * Returns CD_OK, or CD_ERR_DICTIONARY with the dictionary path in the message.
 */
cd_status cd_initialize(cd_log_callback callback, cd_log_level minimum_level, cd_error *error) CD_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Transfer syntaxes
 * ------------------------------------------------------------------------------------------- */

/** What the shim knows about a transfer syntax UID. */
typedef struct {
    int known;          /* DCMTK knows the UID */
    int encapsulated;   /* pixel data is encapsulated (compressed) */
    int decodable;      /* this build can decode its pixel data */
    int decoded_here;   /* decoded by the shim itself (JPEG 2000, HTJ2K), not by DCMTK, which cannot display it */
    int explicit_vr;    /* explicit VR encoding of the data set */
    int big_endian;     /* big endian encoding of the data set */
    int deflated;       /* the whole data set is deflated */
    char name[128];     /* a human name, e.g. "JPEG 2000 Image Compression (Lossless Only)" */
} cd_transfer_syntax_info;

/** Describes `uid` (trailing spaces and NULs ignored). Always fills `info`. */
void cd_transfer_syntax_describe(const char *uid, cd_transfer_syntax_info *info) CD_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Files, data sets and elements
 * ------------------------------------------------------------------------------------------- */

typedef struct cd_file cd_file;        /* an open DICOM file (owns its data set) */
typedef struct cd_item cd_item;        /* a data set or sequence item, borrowed from its cd_file */
typedef struct cd_element cd_element;  /* an attribute, borrowed from its cd_file */

/** Bounds and mode for opening a file. */
typedef struct {
    uint32_t max_sequence_depth;  /* deepest sequence nesting accepted before DCMTK parses (e.g. 64) */
    uint64_t max_decoded_bytes;   /* largest decoded frame accepted (e.g. 1 GiB) */
    int header_only;              /* stop parsing at PixelData; pixel access then fails */
} cd_open_options;

/**
 * Opens and parses a DICOM file. The structure is first checked by a bounded pre-scan
 * (nesting depth, element lengths against the file size, truncation), so DCMTK never sees a file
 * that would overflow its stack. Strings are converted to UTF-8 according to SpecificCharacterSet.
 * Returns NULL and fills `error` on failure.
 */
cd_file *cd_file_open(const char *path, const cd_open_options *options, cd_error *error) CD_NOEXCEPT;

/** Closes a file; every cd_item and cd_element borrowed from it becomes invalid. */
void cd_file_close(cd_file *file) CD_NOEXCEPT;

/** The main data set. */
cd_item *cd_file_dataset(cd_file *file) CD_NOEXCEPT;

/** The file meta information (group 0002); may be empty for files without it. */
cd_item *cd_file_meta(cd_file *file) CD_NOEXCEPT;

/** The transfer syntax UID the data set was read with (from the meta header or detected). */
const char *cd_file_transfer_syntax_uid(const cd_file *file) CD_NOEXCEPT;

/** Non-fatal remarks collected while opening (e.g. a character set that could not be converted). */
const char *cd_file_warnings(const cd_file *file) CD_NOEXCEPT;

/** Finds an attribute in `item` (not in nested sequences). Returns NULL when absent. */
cd_element *cd_item_find(cd_item *item, uint16_t group, uint16_t element) CD_NOEXCEPT;

/** Number of attributes directly in `item`. */
uint32_t cd_item_count(cd_item *item) CD_NOEXCEPT;

/** The attribute at `index` in `item` (tag order). */
cd_element *cd_item_at(cd_item *item, uint32_t index) CD_NOEXCEPT;

/** The tag of an attribute. */
void cd_element_tag(const cd_element *element, uint16_t *group, uint16_t *elem) CD_NOEXCEPT;

/** The value representation as two letters ("US", "SQ", ...). */
void cd_element_vr(const cd_element *element, char vr[3]) CD_NOEXCEPT;

/** The value multiplicity (number of values; items for a sequence). */
uint32_t cd_element_vm(cd_element *element) CD_NOEXCEPT;

/** The value length in bytes as encoded (0xFFFFFFFF when undefined). */
uint32_t cd_element_length(const cd_element *element) CD_NOEXCEPT;

/**
 * The whole value as text: string values (UTF-8) and numbers, several values separated by '\\'.
 * Returns a malloc'ed string the caller frees with cd_free, or NULL for binary or sequence values.
 */
char *cd_element_string(cd_element *element) CD_NOEXCEPT;

/** Value `index` as a double (DS, FL, FD, IS, US, SS, UL, SL, ...). Returns 1 on success. */
int cd_element_double(cd_element *element, uint32_t index, double *value) CD_NOEXCEPT;

/** Value `index` as a 64-bit integer (IS, US, SS, UL, SL, UV, SV, AT). Returns 1 on success. */
int cd_element_int64(cd_element *element, uint32_t index, int64_t *value) CD_NOEXCEPT;

/** Number of items of a sequence attribute (0 for other attributes). */
uint32_t cd_element_item_count(cd_element *element) CD_NOEXCEPT;

/** Item `index` of a sequence attribute, or NULL. */
cd_item *cd_element_item(cd_element *element, uint32_t index) CD_NOEXCEPT;

/** DCMTK's name for a well-known UID (SOP class, transfer syntax), or NULL. */
const char *cd_uid_name(const char *uid) CD_NOEXCEPT;

/** Frees memory returned by this library. */
void cd_free(void *pointer) CD_NOEXCEPT;

/**
 * Writes the data set of `file` as a DICOM JSON object (PS3.18 F.2) through DCMTK's JSON writer (dicomjson.cpp), for
 * DICOMweb metadata. Bulk data is never inline: pixel data (native or encapsulated, float or double) and every binary
 * value (OB, OW, OF, OD, OL, OV, UN) longer than `inline_limit` bytes is written as {"BulkDataURI":
 * `bulk_data_uri_prefix` + the tag as eight upper-case hex digits}; shorter binary values as InlineBinary. Open the
 * file without `header_only` so that attributes after the pixel data are present (large values stay on disk). On
 * success `*json` holds `*length` bytes of UTF-8 (NUL-terminated; free with cd_free). More than `max_bytes` of output
 * fails with CD_ERR_TOO_LARGE. DCMTK writes some malformed decimal values as invalid JSON numbers: callers check.
 */
cd_status cd_file_dicom_json(cd_file *file, const char *bulk_data_uri_prefix, uint32_t inline_limit,
                             uint64_t max_bytes, char **json, size_t *length, cd_error *error) CD_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Pixels
 * ------------------------------------------------------------------------------------------- */

/** The image pixel module as the decoder will see it. */
typedef struct {
    uint32_t rows;
    uint32_t columns;
    uint32_t samples_per_pixel;
    uint32_t bits_allocated;
    uint32_t bits_stored;
    uint32_t high_bit;
    uint32_t pixel_representation;  /* 0 unsigned, 1 two's complement */
    uint32_t planar_configuration;
    uint32_t frames;
    uint64_t stored_frame_bytes;     /* bytes of one frame as returned by cd_file_decode_stored_frame */
    char photometric[32];
} cd_pixel_info;

/**
 * Validates the pixel module and returns its description: dimensions present and non-zero, frame
 * bytes within the bound, native pixel data long enough for every declared frame, transfer syntax
 * decodable. Fails with a precise code otherwise.
 */
cd_status cd_file_pixel_info(cd_file *file, cd_pixel_info *info, cd_error *error) CD_NOEXCEPT;

/**
 * Decodes frame `frame` (0-based) into `buffer` as stored values: one sample per
 * bits_allocated/8 bytes (1-bit data unpacked to one byte per pixel), little-endian host order,
 * masked to BitsStored (unsigned) or sign-extended (signed). `color_model` receives the
 * photometric interpretation of the decoded samples (it can differ from the file's, e.g. after
 * JPEG colour conversion).
 */
cd_status cd_file_decode_stored_frame(cd_file *file, uint32_t frame, void *buffer, uint64_t buffer_size,
                                      char color_model[32], cd_error *error) CD_NOEXCEPT;

/** How to choose the VOI transformation for an 8-bit rendering. */
typedef enum {
    CD_VOI_FILE_WINDOW = 0,  /* the file's window number `window_index` (0-based) */
    CD_VOI_EXPLICIT = 1,     /* centre and width given */
    CD_VOI_MIN_MAX = 2,      /* minimum to maximum of the frame */
    CD_VOI_NONE = 3,         /* no VOI transformation */
    CD_VOI_FILE_WINDOW_OR_MIN_MAX = 4  /* window `window_index` when the file has it, else min-max */
} cd_voi_kind;

/**
 * Renders frame `frame` to 8 bits through DCMTK's image pipeline (modality LUT, VOI, presentation
 * LUT, MONOCHROME1 inversion, overlays shown as dcmj2pnm shows them, colour models to RGB).
 * `buffer` needs rows*columns*samples bytes where samples is 1 (monochrome) or 3 (colour, RGB
 * interleaved); `samples` receives which.
 */
cd_status cd_file_render_frame8(cd_file *file, uint32_t frame, cd_voi_kind voi, uint32_t window_index,
                                double center, double width, uint8_t *buffer, uint64_t buffer_size,
                                uint32_t *samples, cd_error *error) CD_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------------------- */

typedef struct cd_writer cd_writer;  /* a data set being built */

/** A new, empty data set to fill and save. */
cd_writer *cd_writer_new(void) CD_NOEXCEPT;

/** Frees a writer. */
void cd_writer_free(cd_writer *writer) CD_NOEXCEPT;

/** Sets an attribute from its text form (DCMTK parses numbers for numeric VRs; '\\' separates values). */
cd_status cd_writer_put_string(cd_writer *writer, uint16_t group, uint16_t element, const char *value,
                               cd_error *error) CD_NOEXCEPT;

/// Sets an attribute to one US (unsigned short) value, whatever VR the dictionary gives it (e.g. the US/SS
/// Pixel Padding Value).
cd_status cd_writer_put_us(cd_writer *writer, uint16_t group, uint16_t element, uint16_t value,
                           cd_error *error) CD_NOEXCEPT;

/** Sets PixelData from 8-bit samples (OB). */
cd_status cd_writer_put_pixels8(cd_writer *writer, const uint8_t *samples, uint64_t count,
                                cd_error *error) CD_NOEXCEPT;

/** Sets PixelData from 16-bit samples (OW). */
cd_status cd_writer_put_pixels16(cd_writer *writer, const uint16_t *samples, uint64_t count,
                                 cd_error *error) CD_NOEXCEPT;

/**
 * Encodes the pixel data in `transfer_syntax_uid` (native, RLE, JPEG-LS lossless) and writes a
 * DICOM file with meta information to `path`. The caller makes it atomic (temporary name, rename).
 */
cd_status cd_writer_save(cd_writer *writer, const char *path, const char *transfer_syntax_uid,
                         cd_error *error) CD_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* CDICOM_H */
