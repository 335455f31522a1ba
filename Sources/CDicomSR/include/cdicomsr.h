/* Annulus's DICOM Structured Reporting layer over DCMTK's dcmsr and libcmr: a plain-C face for Swift.
 *
 * It writes the findings report (TID 1500 Imaging Measurement Report, Enhanced SR) and the Key Object Selection
 * document into memory, and reads any SR document back as a flat list of content items for Swift to interpret.
 * Every function is noexcept in C++ and catches everything in its body; the caller writes the bytes atomically.
 * docs/design/sr.md explains the template choices. */
#ifndef CDICOMSR_H
#define CDICOMSR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define CSR_NOEXCEPT noexcept
extern "C" {
#else
#define CSR_NOEXCEPT
#endif

/** A coded entry: code value, coding scheme designator, code meaning (all three required where a code is). */
typedef struct csr_code {
    const char *value;
    const char *scheme;
    const char *meaning;
} csr_code;

/** A qualitative evaluation (TID 1501/1410 row "Qualitative Evaluations", TID 1500 report level): a CODE item when
 *  `text` is NULL, else a TEXT item. */
typedef struct csr_evaluation {
    csr_code name;
    csr_code code;
    const char *text;
} csr_evaluation;

/** A referenced image: its series, SOP class and instance; `frame` > 0 names one frame of a multi-frame image
 *  (0: the image has one frame, no frame is referenced). */
typedef struct csr_image {
    const char *series_instance_uid;
    const char *sop_class_uid;
    const char *sop_instance_uid;
    unsigned frame;
} csr_image;

/** One finding at one disc level. With `has_region` it is a TID 1410 planar ROI group (Image Region: a POINT, or a
 *  POLYLINE when `is_polyline`, on `image`; `points` holds column,row pairs); without, a TID 1501 group. */
typedef struct csr_group {
    const char *tracking_id;
    const char *tracking_uid;
    csr_code finding;
    /** The finding site; `site.value` NULL leaves it out. */
    csr_code site;
    int has_region;
    csr_image image;
    int is_polyline;
    const float *points;
    size_t point_count;
    const csr_evaluation *evaluations;
    size_t evaluation_count;
} csr_group;

/** A coding scheme the document uses that DICOM does not know (Coding Scheme Identification Sequence). */
typedef struct csr_scheme {
    const char *designator;
    const char *name;
    const char *url;
    const char *responsible_organization;
} csr_scheme;

/** One verifying observer: name (PN), organization, and when (DT, YYYYMMDDHHMMSS). */
typedef struct csr_verifier {
    const char *name;
    const char *organization;
    const char *datetime;
} csr_verifier;

/** What every document written here has: where the patient and study come from, its own identity and the time. */
typedef struct csr_document {
    /** A DICOM file of the study: its Patient and General Study attributes are copied (converted to UTF-8), so
     *  that the document files under the same patient and study in a PACS. No name passes through the caller. */
    const char *source_path;
    const char *study_instance_uid;
    const char *series_instance_uid;
    const char *sop_instance_uid;
    int series_number;
    int instance_number;
    const char *series_description;
    /** Content Date (YYYYMMDD) and Time (HHMMSS), and the instance creation time: fixed by the caller. */
    const char *content_date;
    const char *content_time;
    const char *manufacturer;
    const char *software_version;
    const csr_scheme *schemes;
    size_t scheme_count;
    /** Documents this one supersedes (Predecessor Documents Sequence); each in this study. */
    const csr_image *predecessors;
    size_t predecessor_count;
} csr_document;

/** The findings report (TID 1500). */
typedef struct csr_report {
    csr_document document;
    /** Person observers (TID 1001): the authors, with their organization. */
    const char *const *observers;
    size_t observer_count;
    const char *organization;
    /** The device observer (the software): its UID, name and model. */
    const char *device_uid;
    const char *device_name;
    csr_code procedure;
    const csr_group *groups;
    size_t group_count;
    /** The report-level qualitative evaluations: the candidacy per level with its reasons, the disclaimer. */
    const csr_evaluation *evaluations;
    size_t evaluation_count;
    /** Non-empty: COMPLETE and VERIFIED by each; empty: PARTIAL, UNVERIFIED and PRELIMINARY. */
    const csr_verifier *verifiers;
    size_t verifier_count;
    const char *completion_description;
} csr_report;

/** The Key Object Selection document (title "Of Interest", TID 2010). */
typedef struct csr_key_objects {
    csr_document document;
    const char *description;
    const csr_image *images;
    size_t image_count;
} csr_key_objects;

/** Bytes allocated here; free with `csr_bytes_free`. */
typedef struct csr_bytes {
    uint8_t *data;
    size_t size;
} csr_bytes;

/** Builds the report and encodes it as a DICOM file (Explicit VR Little Endian) into `out`. Returns 0, or -1 with
 *  a message naming the field in `error` (a dcmsr warning while building counts as an error). */
int csr_write_report(const csr_report *report, csr_bytes *out, char *error, size_t error_size) CSR_NOEXCEPT;

/** Builds the Key Object Selection document into `out`; as `csr_write_report`. */
int csr_write_key_objects(const csr_key_objects *document, csr_bytes *out, char *error, size_t error_size)
    CSR_NOEXCEPT;

/** Frees bytes from a writer. */
void csr_bytes_free(csr_bytes *bytes) CSR_NOEXCEPT;

/** Reads the SR document at `path` (at most `max_file_size` bytes, at most `max_items` content items) and returns
 *  it as text in `out` (free with `csr_bytes_free`): a first line
 *      `document TAB sopClass TAB studyUID TAB seriesUID TAB sopInstanceUID TAB completion TAB verification TAB
 *       template`
 *  then one line per content item, depth first:
 *      `depth TAB relationship TAB valueType TAB conceptValue TAB conceptScheme TAB conceptMeaning TAB template
 *       TAB v1 TAB v2 TAB v3 TAB v4`
 *  where TEXT/UIDREF/PNAME/DATE/TIME/DATETIME give v1 = the string; CODE v1..v3 = value, scheme, meaning; NUM
 *  v1 = the number and v2..v4 its unit; SCOORD v1 = the graphic type and v2 = "x,y,x,y…"; IMAGE/COMPOSITE v1 =
 *  SOP class, v2 = SOP instance, v3 = frames "1,2"; CONTAINER v1 = SEPARATE/CONTINUOUS. Every field is
 *  percent-encoded ('%', control characters, TAB, LF). Returns 0, or -1 with the reason in `error`. */
int csr_read_document(const char *path, size_t max_file_size, size_t max_items, csr_bytes *out, char *error,
                      size_t error_size) CSR_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif
