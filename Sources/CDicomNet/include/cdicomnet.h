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

#ifdef __cplusplus
}
#endif

#endif
