// The Storage SCP process: a listener that forks one process per association (docs/design/dicom-network.md,
// docs/conformance.md). Each association process runs a DcmSCP subclass on the accepted socket, writes every
// received object to a staging file as received (never parsing the data set), seals it by a rename, asks the server
// for its verdict (the server fsyncs, archives and indexes it) over its own channel and only then sends the
// C-STORE response.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/dcmtrans.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmnet/dul.h"
#include "dcmtk/dcmnet/scp.h"
#include "dcmtk/dcmtls/tlslayer.h"
#include "dcmtk/oflog/oflog.h"

#include "cdicomnet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

/// The receiver's settings, copied out of the C struct.
struct Settings {
    std::string aeTitle;
    std::set<std::string> allowed;
    bool allowAny = false;
    std::string staging;
    unsigned maxPDU = 65536, acseTimeout = 30, dimseTimeout = 60, deadline = 3600, verdictTimeout = 30;
    unsigned maxAssociations = 8, maxPerPeer = 0;
    unsigned long long maxObjectBytes = 2ull << 30;
    unsigned long long minFreeBytes = 64ull << 20;
    std::string tlsCertificate, tlsKey, tlsTrusted;
};

Settings gSettings;

/// The storage SOP classes a spine workflow meets (docs/conformance.md).
const char *const kStorageClasses[] = {
    UID_MRImageStorage,
    UID_EnhancedMRImageStorage,
    UID_EnhancedMRColorImageStorage,
    UID_XRayRadiofluoroscopicImageStorage,
    UID_XRayAngiographicImageStorage,
    UID_EnhancedXAImageStorage,
    UID_EnhancedXRFImageStorage,
    UID_CTImageStorage,
    UID_EnhancedCTImageStorage,
    UID_ComputedRadiographyImageStorage,
    UID_DigitalXRayImageStorageForPresentation,
    UID_DigitalXRayImageStorageForProcessing,
    UID_SecondaryCaptureImageStorage,
    UID_MultiframeGrayscaleByteSecondaryCaptureImageStorage,
    UID_MultiframeGrayscaleWordSecondaryCaptureImageStorage,
    UID_MultiframeTrueColorSecondaryCaptureImageStorage,
    UID_BasicTextSRStorage,
    UID_EnhancedSRStorage,
    UID_ComprehensiveSRStorage,
    UID_Comprehensive3DSRStorage,
    UID_KeyObjectSelectionDocumentStorage,
};

/// Transfer syntaxes accepted as offered, in order of preference when a sender offers several: the compressed ones
/// Annulus decodes first (stored as received, the sender converts nothing), then the uncompressed ones. HTJ2K's
/// UIDs are newer than DCMTK 3.6.7's dcuid.h and are given as strings.
const char *const kTransferSyntaxes[] = {
    UID_JPEGLSLosslessTransferSyntax,
    UID_JPEGProcess14SV1TransferSyntax,
    UID_JPEGProcess14TransferSyntax,
    UID_JPEG2000LosslessOnlyTransferSyntax,
    "1.2.840.10008.1.2.4.201",  // HTJ2K Lossless
    "1.2.840.10008.1.2.4.202",  // HTJ2K Lossless RPCL
    "1.2.840.10008.1.2.4.203",  // HTJ2K
    UID_RLELosslessTransferSyntax,
    UID_JPEGLSLossyTransferSyntax,
    UID_JPEG2000TransferSyntax,
    UID_JPEGProcess1TransferSyntax,
    UID_JPEGProcess2_4TransferSyntax,
    UID_LittleEndianExplicitTransferSyntax,
    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
    UID_BigEndianExplicitTransferSyntax,
    UID_LittleEndianImplicitTransferSyntax,
};

/// Sends one message (and optionally a descriptor) on a SOCK_SEQPACKET socket.
bool sendMessage(int socket, const std::string &text, int descriptor = -1) {
    struct iovec part = {const_cast<char *>(text.data()), text.size()};
    struct msghdr message = {};
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int))] = {};
    if (descriptor >= 0) {
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
    }
    ssize_t sent;
    do { sent = sendmsg(socket, &message, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    return sent == (ssize_t)text.size();
}

/// A field of a message: tabs and line ends from the peer cannot split it.
std::string field(const OFString &value) {
    std::string out(value.c_str());
    for (char &c : out)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return out;
}


/// One association, in its own process.
class AssociationSCP : public DcmSCP {
  public:
    AssociationSCP(int channel, bool overLimit) : channel_(channel), overLimit_(overLimit) {}

    /// How the association ended, for the END message.
    std::string ending = "closed";
    unsigned stored = 0, refused = 0;

  protected:
    OFBool checkCalledAETitleAccepted(const OFString &calledAE) override {
        if (calledAE == gSettings.aeTitle.c_str()) return OFTrue;
        rejection_ = "called-ae-not-recognized";
        return OFFalse;
    }

    OFBool checkCallingAETitleAccepted(const OFString &callingAE) override {
        if (gSettings.allowAny || gSettings.allowed.count(callingAE.c_str()) > 0) return OFTrue;
        rejection_ = "calling-ae-not-recognized";
        return OFFalse;
    }

    OFCondition processAssociationRQ() override {
        if (overLimit_) {
            rejection_ = "too-many-associations";
            // Rejected transient, by the service provider (presentation), local limit exceeded.
            refuseAssociation(DCMSCP_TOO_MANY_ASSOCIATIONS);
            report();
            return EC_Normal;
        }
        // Negotiates, and for an accepted association runs it to its end (DcmSCP::handleAssociation).
        OFCondition result = DcmSCP::processAssociationRQ();
        if (!accepted_) report();
        return result;
    }

    void notifyAssociationAcknowledge() override {
        accepted_ = true;
        report();
    }
    void notifyReleaseRequest() override { ending = "released"; }
    void notifyAbortRequest() override { ending = "aborted by the peer"; }
    void notifyConnectionTimeout() override { ending = "timed out"; }
    void notifyDIMSEError(const OFCondition &condition) override {
        ending = std::string("error: ") + condition.text();
    }
    OFBool stopAfterCurrentAssociation() override { return OFTrue; }

    OFCondition handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &context) override {
        if (message->CommandField == DIMSE_C_ECHO_RQ)
            return handleECHORequest(message->msg.CEchoRQ, context.presentationContextID);
        if (message->CommandField != DIMSE_C_STORE_RQ) {
            ending = "aborted: a command other than C-ECHO or C-STORE";
            return DIMSE_BADCOMMANDTYPE;  // the association is aborted
        }
        return store(message->msg.CStoreRQ, context.presentationContextID);
    }

  private:
    int channel_;
    bool overLimit_;
    bool accepted_ = false;
    std::string rejection_;
    unsigned long counter_ = 0;

    void report() {
        std::string text = "ASSOC\t" + field(getPeerAETitle()) + "\t" + field(getCalledAETitle()) + "\t"
                           + (accepted_ ? std::string("accepted") : "rejected:" + (rejection_.empty() ? std::string("no acceptable context") : rejection_));
        sendMessage(channel_, text);
    }

    OFCondition respond(T_ASC_PresentationContextID id, T_DIMSE_C_StoreRQ &request, Uint16 status,
                        const std::string &comment) {
        if (status == STATUS_Success) {
            stored++;
            return sendSTOREResponse(id, request, status);
        }
        refused++;
        DcmDataset detail;  // sent as (0000,0902) Error Comment
        detail.putAndInsertString(DCM_ErrorComment, comment.substr(0, 64).c_str());
        return sendSTOREResponse(id, request.MessageID, request.AffectedSOPClassUID, request.AffectedSOPInstanceUID,
                                 status, &detail);
    }

    /// Whether the staging file system has more than the reserve free.
    static bool hasRoom() {
        struct statvfs fs;
        if (statvfs(gSettings.staging.c_str(), &fs) != 0) return true;  // unknown: let the write itself tell
        return (unsigned long long)fs.f_bavail * fs.f_frsize > gSettings.minFreeBytes;
    }

    OFCondition store(T_DIMSE_C_StoreRQ &request, T_ASC_PresentationContextID id) {
        if (!hasRoom()) {
            // Refuse before writing: once a write fails inside DCMTK 3.6.7 on a data set's last PDV, its
            // DIMSE_receiveDataSetInFile waits for a PDV that never comes. A file that cannot be created makes
            // DcmSCP read and drop the data set cleanly, then report "out of resources".
            OFCondition dropped = receiveSTORERequest(request, id, OFString((gSettings.staging + "/.no-room/x").c_str()));
            if (dropped == DIMSE_OUTOFRESOURCES)
                return respond(id, request, STATUS_STORE_Refused_OutOfResources, "out of resources: the disk is full, send again later");
            ending = std::string("aborted while receiving: ") + dropped.text();
            return dropped;
        }
        char base[64];
        snprintf(base, sizeof base, "dicom-%d-%lu", (int)getpid(), counter_++);
        std::string part = gSettings.staging + "/" + base + ".part";
        std::string sealed = gSettings.staging + "/" + base + ".dcm";
        // The data set goes to the file as received (with a meta header), never parsed in this process.
        OFCondition received = receiveSTORERequest(request, id, OFString(part.c_str()));
        if (received.bad()) {
            unlink(part.c_str());
            if (received == DIMSE_OUTOFRESOURCES) {
                respond(id, request, STATUS_STORE_Refused_OutOfResources, "out of resources: cannot stage the object");
            }
            ending = std::string("aborted while receiving: ") + received.text();
            return received;
        }
        // Whole now: sealed by its name. The server fsyncs it while reading it, before its batch commits and
        // before any Success (the fsync here cost a millisecond per object on one association, in series).
        if (rename(part.c_str(), sealed.c_str()) != 0) {
            unlink(part.c_str());
            return respond(id, request, STATUS_STORE_Refused_OutOfResources, "out of resources: cannot seal the object");
        }
        std::string ask = "STORE\t" + sealed + "\t" + field(request.AffectedSOPClassUID) + "\t"
                          + field(request.AffectedSOPInstanceUID);
        Uint16 status = STATUS_STORE_Refused_OutOfResources;
        std::string comment = "out of resources: the server did not answer, send again";
        if (sendMessage(channel_, ask)) {
            struct pollfd wait = {channel_, POLLIN, 0};
            int ready;
            do { ready = poll(&wait, 1, (int)gSettings.verdictTimeout * 1000); } while (ready < 0 && errno == EINTR);
            char answer[512];
            ssize_t length = ready > 0 ? recv(channel_, answer, sizeof answer - 1, 0) : -1;
            if (length > 0) {
                answer[length] = 0;
                char *tab = strchr(answer, '\t');
                status = (Uint16)strtoul(answer, nullptr, 10);
                comment = tab ? tab + 1 : "";
            } else if (ready == 0) {
                comment = "out of resources: the server is slow, send again later";
            }
        }
        // A verdict never came: the object stays staged. A restarted server takes it, and the
        // sender's retry then lands as a duplicate.
        return respond(id, request, status, comment);
    }
};

void configure(DcmSCPConfig &config, Uint16 port) {
    config.setAETitle(gSettings.aeTitle.c_str());
    config.setPort(port);
    config.setRespondWithCalledAETitle(OFTrue);
    config.setMaxReceivePDULength(gSettings.maxPDU);
    config.setACSETimeout(gSettings.acseTimeout);
    config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    config.setDIMSETimeout(gSettings.dimseTimeout);
    config.setConnectionBlockingMode(DUL_NOBLOCK);
    config.setConnectionTimeout(1);
    config.setHostLookupEnabled(OFFalse);
    OFList<OFString> syntaxes;
    for (const char *syntax : kTransferSyntaxes) syntaxes.push_back(syntax);
    for (const char *sopClass : kStorageClasses) config.addPresentationContext(sopClass, syntaxes);
    OFList<OFString> verification;
    verification.push_back(UID_LittleEndianExplicitTransferSyntax);
    verification.push_back(UID_LittleEndianImplicitTransferSyntax);
    config.addPresentationContext(UID_VerificationSOPClass, verification);
}

/// The association process: never returns.
[[noreturn]] void runAssociation(int socket, int control, const std::string &peer, bool overLimit) {
    // A sender that trickles a byte at a time, or never releases, is cut here whatever DCMTK's per-read timeouts
    // say: SIGALRM's default action ends the process.
    alarm(gSettings.deadline);
    struct rlimit size = {(rlim_t)(gSettings.maxObjectBytes + (1u << 20)), (rlim_t)(gSettings.maxObjectBytes + (1u << 20))};
    setrlimit(RLIMIT_FSIZE, &size);  // an oversized object fails its write (EFBIG) and aborts the association
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit core = {0, 0};
    setrlimit(RLIMIT_CORE, &core);
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) _exit(3);
    if (!sendMessage(control, "HELLO\t" + std::to_string(getpid()) + "\t" + peer, pair[1])) _exit(3);
    close(pair[1]);
    close(control);
    dcmExternalSocketHandle.set(socket);
    AssociationSCP scp(pair[0], overLimit);
    configure(scp.getConfig(), 11112);
    DcmTLSTransportLayer *tls = nullptr;
    if (!gSettings.tlsCertificate.empty()) {
        tls = new DcmTLSTransportLayer(NET_ACCEPTOR, nullptr, OFTrue);
        bool ok = tls->setTLSProfile(TSP_Profile_BCP195_ND).good() && tls->activateCipherSuites().good()
                  && tls->setPrivateKeyFile(gSettings.tlsKey.c_str(), DCF_Filetype_PEM).good()
                  && tls->setCertificateFile(gSettings.tlsCertificate.c_str(), DCF_Filetype_PEM).good()
                  && tls->checkPrivateKeyMatchesCertificate();
        if (ok && !gSettings.tlsTrusted.empty()) {
            ok = tls->addTrustedCertificateFile(gSettings.tlsTrusted.c_str(), DCF_Filetype_PEM).good();
            tls->setCertificateVerification(DCV_requireCertificate);
        } else if (ok) {
            tls->setCertificateVerification(DCV_ignoreCertificate);
        }
        if (!ok) {
            sendMessage(pair[0], "END\t0\t0\tTLS could not be set up (certificate, key or trusted file)");
            _exit(4);
        }
        scp.getConfig().setTransportLayer(tls);
    }
    OFCondition result = scp.listen();
    if (result.bad() && result != NET_EC_StopAfterAssociation && scp.ending == "closed")
        scp.ending = std::string("error: ") + result.text();
    sendMessage(pair[0], "END\t" + std::to_string(scp.stored) + "\t" + std::to_string(scp.refused) + "\t" + scp.ending);
    _exit(0);
}

std::string describe(int status) {
    if (WIFSIGNALED(status)) {
        int signalNumber = WTERMSIG(status);
        if (signalNumber == SIGALRM) return "cut at the association deadline";
        return std::string("ended by signal ") + std::to_string(signalNumber) + " (" + strsignal(signalNumber) + ")";
    }
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

std::string peerAddress(const sockaddr_storage &address) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (address.ss_family == AF_INET)
        inet_ntop(AF_INET, &((const sockaddr_in &)address).sin_addr, text, sizeof text);
    else if (address.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const sockaddr_in6 &)address).sin6_addr, text, sizeof text);
    return text;
}

/// A connection turned away past the hard cap: the A-ASSOCIATE-RJ is written, and the socket kept (bounded) only
/// until the peer closes or a moment passes, so that closing with the peer's request unread does not reset the
/// connection before the peer reads the rejection.
struct TurnedAway {
    int socket;
    time_t until;
};

/// A-ASSOCIATE-RJ: rejected-transient (2), by the service provider, presentation related (3), local limit exceeded (2)
/// (PS3.8 9.3.4). Written without reading the request: no process is started and nothing the peer sent is parsed.
const unsigned char kLimitRejection[10] = {0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0x03, 0x02};

int listenLoop(int listening, int control) {
    std::map<pid_t, std::string> live;  // association process → peer address
    std::vector<TurnedAway> turnedAway;
    const size_t maxTurnedAway = 64;
    auto finish = [&](size_t index) {
        close(turnedAway[index].socket);
        turnedAway.erase(turnedAway.begin() + (long)index);
    };
    auto reap = [&]() {
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            auto found = live.find(pid);
            std::string peer = found == live.end() ? "?" : found->second;
            if (found != live.end()) live.erase(found);
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                sendMessage(control, "EXIT\t" + std::to_string(pid) + "\t" + peer + "\t" + describe(status));
        }
    };
    for (;;) {
        reap();
        std::vector<struct pollfd> waits = {{listening, POLLIN, 0}, {control, POLLIN, 0}};
        for (auto &away : turnedAway) waits.push_back({away.socket, POLLIN, 0});
        int ready = poll(waits.data(), (nfds_t)waits.size(), turnedAway.empty() ? 1000 : 250);
        if (ready < 0 && errno != EINTR) return 1;
        if (waits[0].revents & (POLLNVAL | POLLERR)) return 1;  // not a listening socket (any more)
        if (waits[1].revents & (POLLHUP | POLLERR | POLLIN)) {
            char probe[16];
            if (recv(control, probe, sizeof probe, MSG_DONTWAIT) == 0 || (waits[1].revents & (POLLHUP | POLLERR)))
                return 0;  // the server is gone: stop accepting
        }
        time_t now = time(nullptr);
        for (size_t i = turnedAway.size(); i-- > 0;) {
            // Drain and discard what the peer sends; close once it has closed, or after the moment has passed.
            char discard[4096];
            bool readable = waits[i + 2].revents != 0;
            if ((readable && recv(turnedAway[i].socket, discard, sizeof discard, MSG_DONTWAIT) <= 0)
                || now >= turnedAway[i].until)
                finish(i);
        }
        if (!(waits[0].revents & POLLIN)) continue;
        sockaddr_storage address = {};
        socklen_t length = sizeof address;
        int socket = accept4(listening, (sockaddr *)&address, &length, 0);
        if (socket < 0) continue;
        reap();
        std::string peer = peerAddress(address);
        if (live.size() >= gSettings.maxAssociations + 4) {
            // Past the hard cap no process is started at all. Over plain TCP the peer is told to retry later; over
            // TLS there is no handshake to answer in, so the connection is closed.
            sendMessage(control, "CAP\t" + peer);
            if (!gSettings.tlsCertificate.empty()
                || send(socket, kLimitRejection, sizeof kLimitRejection, MSG_DONTWAIT | MSG_NOSIGNAL)
                       != (ssize_t)sizeof kLimitRejection) {
                close(socket);
                continue;
            }
            shutdown(socket, SHUT_WR);
            if (turnedAway.size() >= maxTurnedAway) finish(0);
            turnedAway.push_back({socket, time(nullptr) + 2});
            continue;
        }
        unsigned fromPeer = 0;
        for (auto &entry : live) fromPeer += entry.second == peer;
        bool over = live.size() >= gSettings.maxAssociations
                    || (gSettings.maxPerPeer > 0 && fromPeer >= gSettings.maxPerPeer);
        int one = 1;
        setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // DCMTK leaves Nagle on
        setsockopt(socket, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        pid_t pid = fork();
        if (pid == 0) {
            close(listening);
            runAssociation(socket, control, peer, over);
        }
        close(socket);
        if (pid > 0) live[pid] = peer;
    }
}

}  // namespace

extern "C" int cdn_receiver_run(const cdn_receiver_config *config, char *error, size_t error_size) CDN_NOEXCEPT {
    try {
        gSettings.aeTitle = config->ae_title ? config->ae_title : "ANNULUS";
        for (size_t i = 0; i < config->allowed_count; i++) gSettings.allowed.insert(config->allowed_calling[i]);
        gSettings.allowAny = config->allow_any != 0;
        gSettings.staging = config->staging_folder ? config->staging_folder : "";
        gSettings.maxPDU = config->max_pdu;
        gSettings.acseTimeout = config->acse_timeout;
        gSettings.dimseTimeout = config->dimse_timeout;
        gSettings.deadline = config->association_deadline;
        gSettings.verdictTimeout = config->verdict_timeout;
        gSettings.maxAssociations = config->max_associations;
        gSettings.maxPerPeer = config->max_associations_per_peer;
        gSettings.maxObjectBytes = config->max_object_bytes;
        gSettings.minFreeBytes = config->min_free_bytes;
        gSettings.tlsCertificate = config->tls_certificate ? config->tls_certificate : "";
        gSettings.tlsKey = config->tls_key ? config->tls_key : "";
        gSettings.tlsTrusted = config->tls_trusted ? config->tls_trusted : "";
        if (gSettings.staging.empty()) {
            snprintf(error, error_size, "no staging folder");
            return 2;
        }
        // The listener dies with the server; association processes notice the server's end on their channels.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        signal(SIGPIPE, SIG_IGN);
        // DCMTK's own log could quote patient data from a header and control characters from a peer: off.
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        // The data dictionary once, before forking (else every association process parses it: +12 ms each).
        dcmDataDict.rdlock();
        dcmDataDict.rdunlock();
        return listenLoop(config->listen_fd, config->control_fd);
    } catch (const std::exception &caught) {
        snprintf(error, error_size, "%s", caught.what());
        return 1;
    } catch (...) {
        snprintf(error, error_size, "unknown failure");
        return 1;
    }
}
