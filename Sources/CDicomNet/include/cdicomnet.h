/* Annulus's DICOM network layer over DCMTK's dcmnet (and dcmtls): a plain-C face for Swift.
 *
 * Every function is noexcept in C++ and catches everything in its body. The receiver runs in its own process
 * (`annulus-dicom-receiver`), never inside `annulus serve`: DCMTK's network layer can crash on crafted PDUs, and
 * a crash must end one association, not the service (docs/design/dicom-network.md). */
#ifndef CDICOMNET_H
#define CDICOMNET_H

#include <stddef.h>

#ifdef __cplusplus
#define CDN_NOEXCEPT noexcept
extern "C" {
#else
#define CDN_NOEXCEPT
#endif

/** How the receiver listens and what it accepts. Strings are copied before `cdn_receiver_run` returns control to
 *  any association; the caller keeps them alive for the call. */
typedef struct cdn_receiver_config {
    /** A listening TCP socket (bound by the server; the receiver only accepts on it). */
    int listen_fd;
    /** A SOCK_SEQPACKET socket to the server: each association sends its own channel over it (SCM_RIGHTS); the
     *  listener reports ended processes on it. */
    int control_fd;
    /** This node's AE title; associations calling another one are rejected (reason 7). */
    const char *ae_title;
    /** Calling AE titles allowed (`allowed_count` of them); 0 with `allow_any` = 1 accepts every calling AE. */
    const char *const *allowed_calling;
    size_t allowed_count;
    int allow_any;
    /** The staging folder (`<data>/received`), on the archive's file system. */
    const char *staging_folder;
    /** Largest P-DATA PDU this side receives (bytes; 4096 … 131072 recommended). */
    unsigned max_pdu;
    /** Seconds for each A-ASSOCIATE and A-RELEASE step. */
    unsigned acse_timeout;
    /** Seconds a peer may stay silent between commands and inside a data set. */
    unsigned dimse_timeout;
    /** Seconds an association may last in all (a slow sender trickling bytes is cut here). */
    unsigned association_deadline;
    /** Seconds to wait for the server's verdict on a stored object before answering "out of resources". */
    unsigned verdict_timeout;
    /** Associations at once; more are rejected (transient, local limit exceeded). */
    unsigned max_associations;
    /** Associations from one address at once; more are rejected the same way (0: no per-address limit). */
    unsigned max_associations_per_peer;
    /** Largest object accepted, in bytes: a longer one aborts its association. */
    unsigned long long max_object_bytes;
    /** Free bytes the staging folder's file system must keep: below them an object is refused with "out of
     *  resources" before any of it is written (its data set read and dropped), so the sender keeps it and retries. */
    unsigned long long min_free_bytes;
    /** PEM files for DICOM TLS (all NULL: plain TCP). With `tls_trusted`, clients must present a certificate
     *  signed by it (mutual TLS). */
    const char *tls_certificate;
    const char *tls_key;
    const char *tls_trusted;
} cdn_receiver_config;

/** Accepts associations until the control socket closes (the server is gone) or a fatal error; forks one
 *  process per association. Writes a reason into `error` (of `error_size` bytes) and returns non-zero when it
 *  cannot run; returns 0 when the server closed the control socket. */
int cdn_receiver_run(const cdn_receiver_config *config, char *error, size_t error_size) CDN_NOEXCEPT;

/** A C-STORE status the server sends back as its verdict (PS3.4 B.2.3). */
enum {
    CDN_STATUS_SUCCESS = 0x0000,
    CDN_STATUS_OUT_OF_RESOURCES = 0xA700,
    CDN_STATUS_DATASET_MISMATCH = 0xA900,
    CDN_STATUS_CANNOT_UNDERSTAND = 0xC000
};

/* ---- Query/Retrieve and Storage SCU (query.cpp): C-FIND and C-MOVE (Study Root, for `annulus pull`), C-STORE ----
 * Run only in the `annulus-dicom-query` process: the answers are a PACS's data parsed by DCMTK. */

/** The PACS to query and how long to wait for it. Strings are used during the call only. */
typedef struct cdn_scu_peer {
    /** Host name or address, and TCP port. */
    const char *host;
    unsigned port;
    /** The PACS's AE title (called) and ours (calling: the PACS must know it to answer C-FIND and C-MOVE). */
    const char *called_ae;
    const char *calling_ae;
    /** Seconds for the TCP connection; for each association step (A-ASSOCIATE, A-RELEASE); for each DIMSE message
     *  (between a request and its first response, and between responses). */
    unsigned connect_timeout;
    unsigned acse_timeout;
    unsigned dimse_timeout;
} cdn_scu_peer;

/** Study-level matching keys (PS3.4 C.6.2.1.2). NULL or "" is a universal match (the attribute is still returned).
 *  PatientName and AccessionNumber may hold `*` and `?`; StudyDate a range `YYYYMMDD-YYYYMMDD` (either end open);
 *  ModalitiesInStudy one or more codes separated by a backslash. */
typedef struct cdn_study_keys {
    const char *patient_id;
    const char *patient_name;
    const char *study_date;
    const char *modalities_in_study;
    const char *accession_number;
    const char *study_instance_uid;
} cdn_study_keys;

/** One C-FIND match as the PACS sent it (converted to UTF-8 where its character set allows; never NULL, "" when
 *  absent). Nothing here is validated: the caller must. */
typedef struct cdn_study_match {
    const char *study_instance_uid;
    const char *study_date;
    const char *study_time;
    const char *study_description;
    const char *modalities_in_study;
    const char *accession_number;
    const char *patient_id;
    const char *patient_name;
    const char *number_of_instances;
} cdn_study_match;

/** Called once per match, in the order received; the match lives for the call only. */
typedef void (*cdn_study_handler)(const cdn_study_match *match, void *context);

/** How a C-FIND ended. */
typedef struct cdn_find_outcome {
    /** The final response's status (0x0000 success, 0xFE00 cancelled, Axxx/Cxxx failures). */
    unsigned final_status;
    /** Matches handed to the handler. */
    unsigned matches;
    /** 1 when more matches came than `max_matches`: the rest were dropped and the query cancelled (C-CANCEL). */
    int truncated;
} cdn_find_outcome;

/** How one study's C-MOVE ended. Counts are the largest each response reported. */
typedef struct cdn_move_outcome {
    /** The final response's status (0x0000 success, 0xB000 some sub-operations failed, 0xA801 move destination
     *  unknown, 0xA701/0xA702 out of resources, 0xC000… unable to process), or 0xFFFF when none came. */
    unsigned final_status;
    unsigned completed, failed, warning, remaining;
    /** Responses received for this move. */
    unsigned responses;
    /** The PACS's Error Comment (0000,0902), if it sent one: at most 64 characters, as sent. */
    char error_comment[68];
} cdn_move_outcome;

/** Called once per study moved, in order. */
typedef void (*cdn_move_handler)(const char *study_instance_uid, const cdn_move_outcome *outcome, void *context);

/** Why a query or a move failed as a whole (0: it did not). */
enum {
    CDN_SCU_OK = 0,
    /** No TCP connection (refused, no route, host unknown, connect timeout). */
    CDN_SCU_UNREACHABLE = 1,
    /** The PACS rejected the association permanently (`error` holds result, source and reason when it sent them). */
    CDN_SCU_REJECTED = 2,
    /** The PACS accepted the association but not the Study Root FIND or MOVE SOP class. */
    CDN_SCU_NO_CONTEXT = 3,
    /** The PACS stopped answering (ACSE or DIMSE timeout). */
    CDN_SCU_TIMEOUT = 4,
    /** Anything else on the network or in DCMTK (aborted association, malformed answer). */
    CDN_SCU_FAILED = 5,
    /** The request itself cannot be sent (a bad argument). */
    CDN_SCU_BAD_REQUEST = 6,
    /** The PACS rejected the association transiently (A-ASSOCIATE-RJ result 2: congestion, too many associations):
     *  the same request may succeed later (`error` holds source and reason). */
    CDN_SCU_BUSY = 7
};

/** Prepares the process: dies with its parent (PR_SET_PDEATHSIG), ignores SIGPIPE, no core files, DCMTK's log
 *  off (it could quote patient data), the data dictionary loaded. Non-zero with a reason in `error` on failure. */
int cdn_scu_prepare(char *error, size_t error_size) CDN_NOEXCEPT;

/** C-FIND (Study Root, STUDY level) on one association: each match to `handler`, at most `max_matches` of them.
 *  Returns a CDN_SCU_ code; `outcome` is filled as far as the query got. */
int cdn_scu_find(const cdn_scu_peer *peer, const cdn_study_keys *keys, unsigned max_matches,
                 cdn_study_handler handler, void *context, cdn_find_outcome *outcome, char *error,
                 size_t error_size) CDN_NOEXCEPT;

/** C-MOVE (Study Root, STUDY level) of each study in turn to `destination_ae`, on one association; each study's
 *  outcome to `handler`. Returns a CDN_SCU_ code (studies not reported were not moved). */
int cdn_scu_move(const cdn_scu_peer *peer, const char *destination_ae, const char *const *study_uids, size_t count,
                 cdn_move_handler handler, void *context, char *error, size_t error_size) CDN_NOEXCEPT;

/** How one file's C-STORE ended. */
typedef struct cdn_store_outcome {
    /** The C-STORE response status (0x0000 success, 0xB000/0xB006/0xB007 warnings, 0xA7xx out of resources,
     *  0xA9xx data set does not match the SOP class, 0xCxxx cannot understand), or 0xFFFF when the file was not sent
     *  (`comment` says why: unreadable, not a Part-10 file, its SOP class or transfer syntax not accepted). */
    unsigned status;
    /** The PACS's Error Comment (0000,0902) as sent (at most 64 characters), or why the file was not sent; "" when
     *  neither. */
    char comment[512];
} cdn_store_outcome;

/** Called once per file, in the order given (the path as given). */
typedef void (*cdn_store_handler)(const char *path, const cdn_store_outcome *outcome, void *context);

/** C-STORE of each DICOM Part-10 file in `paths` on one association. Every file's SOP class is proposed with the
 *  file's own transfer syntax (one presentation context) and with Explicit and Implicit VR Little Endian (another);
 *  a file is sent in its own transfer syntax when the PACS accepted it, else converted to the little endian one it
 *  accepted (uncompressed files only: this process has no codecs). Each file's outcome goes to `handler`: a file
 *  that cannot be read or whose SOP class was not accepted is reported there (status 0xFFFF), not as a failure of
 *  the whole. Returns a CDN_SCU_ code (files not reported were not sent). */
int cdn_scu_store(const cdn_scu_peer *peer, const char *const *paths, size_t count, cdn_store_handler handler,
                  void *context, char *error, size_t error_size) CDN_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif
