/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CHAOSD_H
#define CHAOS_CHAOSD_H

/*
 * chaosd, the per-host daemon, and how to talk to it.
 *
 * The wire protocol (docs/chaosd-protocol.md) is a stream of frames on a
 * Unix socket: a 4-byte big-endian length, then that many bytes holding
 * one JSON object. A request {"op": ...} gets exactly one response
 * {"ok": true, ...} or {"ok": false, "error": "..."}.
 *
 * Here: framing (shared by the daemon, clients and tests) and a small
 * client. The daemon's request parser is its own (chaosd/request.h).
 * Shells, what the daemon keeps in its pool, are in shell.h.
 *
 * Nothing here takes a chaos_host or touches the hypervisor. A
 * chaosd_conn is used by one thread at a time (open one per thread); the
 * other functions are reentrant. Writes to a daemon that went away raise
 * SIGPIPE: a program should ignore it (the call then fails with EPIPE).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/guest.h>
#include <chaos/config.h>
#include <chaos/console.h>
#include <chaos/domain.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHAOSD_SOCKET      "/run/chaos/chaosd.sock"
#define CHAOSD_PID_FILE    "/run/chaos/chaosd.pid"
#define CHAOSD_LOG_DIR     "/var/log/chaos"
#define CHAOSD_FRAME_MAX   (64 * 1024)   /* bytes of JSON in one frame */
#define CHAOSD_FLAVOURS_MAX 16
#define CHAOSD_POOL_SIZE_MAX 4096        /* shells per flavour */
#define CHAOSD_TIMEOUT_MS_MAX 600000u
#define CHAOSD_SHUTDOWN_TIMEOUT_MS_MAX 86400000u  /* a day, as the CLI's --timeout */

/* ---- Framing ---------------------------------------------------------- */

/*
 * Write one frame, the header then (buf, len) with len 1..CHAOSD_FRAME_MAX,
 * to (fd), looping over partial writes. On a non-blocking fd it waits at
 * most (timeout_ms) in all (-1: forever); a blocking fd blocks.
 *
 * Returns 0, or -1 with err set: EMSGSIZE len out of range, ETIMEDOUT,
 * EPIPE or ECONNRESET the peer closed; else write's errno.
 */
CHAOS_API int chaosd_frame_write(int fd, const void *buf, size_t len,
				 int timeout_ms, chaos_err *err);

/*
 * Read one frame from (fd) into a fresh NUL-terminated buffer (*out, *len
 * bytes without the NUL), looping over partial reads, waiting at most
 * (timeout_ms) in all (-1: forever).
 *
 * Returns 0, and the caller frees *out with free(). Or -1 with err set:
 * EPIPE the peer closed before a frame began, EPROTO a length of 0 or
 * above CHAOSD_FRAME_MAX or a frame cut short, ETIMEDOUT, ENOMEM; else
 * read's errno.
 */
CHAOS_API int chaosd_frame_read(int fd, char **out, size_t *len, int timeout_ms,
				chaos_err *err);

/* The 4-byte header: encode (len) into (hdr); and decode (hdr) into
 * (*len), returning 0, or -1 with EPROTO for a length of 0 or above
 * CHAOSD_FRAME_MAX. */
CHAOS_API void chaosd_frame_header(uint32_t len, uint8_t hdr[4]);
CHAOS_API int chaosd_frame_length(const uint8_t hdr[4], uint32_t *len,
				  chaos_err *err);

/* ---- Client ----------------------------------------------------------- */

typedef struct chaosd_conn chaosd_conn;

/*
 * Constructor. Connect to chaosd's socket at (path) (NULL: CHAOSD_SOCKET)
 * into (*out).
 *
 * Returns 0, and the caller closes the connection with chaosd_close().
 * Or -1 with *out NULL and err set: ENOENT or ECONNREFUSED chaosd is not
 * running, EACCES not allowed, ENAMETOOLONG path too long; else the
 * socket call's errno.
 */
CHAOS_API int chaosd_connect(const char *path, chaosd_conn **out,
			     chaos_err *err);
/* Destructor. Close (conn) and free it. NULL is allowed. */
CHAOS_API void chaosd_close(chaosd_conn *conn);

/*
 * Send one request (req, len), a JSON object, and wait for its response.
 * (timeout_ms) bounds the exchange (-1: forever), though writing to a
 * blocking socket (as chaosd_connect makes) may block beyond it.
 *
 * Returns 0 with the response text in (*resp, *resp_len), NUL-terminated,
 * whatever its "ok" says; the caller frees it with free(). Or -1 with err
 * set, as chaosd_frame_read() and chaosd_frame_write().
 */
CHAOS_API int chaosd_call_raw(chaosd_conn *conn, const char *req, size_t len,
			      int timeout_ms, char **resp, size_t *resp_len,
			      chaos_err *err);

/*
 * As chaosd_call_raw, then check the response: an {"ok": false} response
 * becomes -1 with its "error" text in err and code EIO, and a response
 * that is not a JSON object -1 with EPROTO; *resp is then NULL. On
 * success the caller frees *resp with free().
 */
CHAOS_API int chaosd_call(chaosd_conn *conn, const char *req, size_t len,
			  int timeout_ms, char **resp, chaos_err *err);

/*
 * The operations. Each sends one request on (conn) and waits for chaosd's
 * answer (up to 120 s, what a full create of a big kernel may take). Each
 * returns 0, or -1 with err set: EIO chaosd refused or failed the request
 * (its message in err), EPROTO a malformed response; else as
 * chaosd_call_raw().
 *
 * chaosd_ping: is chaosd there and answering?
 */
CHAOS_API int chaosd_ping(chaosd_conn *conn, chaos_err *err);

typedef struct chaosd_create_result {
	uint32_t domid;
	bool pooled;                  /* built in a shell from the pool */
	chaos_create_timing timing;   /* as the daemon measured it */
} chaosd_create_result;

/*
 * Create a guest from a config given as JSON text (config_json, len), what
 * chaos_config_parse_buffer takes, in a pooled shell when one fits (with
 * (allow_larger), a larger one may be used), else from scratch; left
 * paused with (paused). (config_path), absolute or NULL, is remembered
 * for restarts. (*res) gets the domain id, whether a shell was used and
 * the daemon's timing. Also EMSGSIZE: the request exceeds a frame.
 */
CHAOS_API int chaosd_create(chaosd_conn *conn, const char *config_json,
			    size_t len, const char *config_path, bool paused,
			    bool allow_larger, chaosd_create_result *res,
			    chaos_err *err);
/* Destroy the guest (domain), a name or a domain id, under
 * chaos_guest_check's rule. Returns as the operations above. */
CHAOS_API int chaosd_destroy(chaosd_conn *conn, const char *domain,
			     chaos_err *err);
/*
 * Ask chaosd to power off or reboot (domain) for (reason) (through its
 * power device when it has one), giving it (timeout_ms) to stop. Without
 * (wait), returns once chaosd has started the request (its reaper applies
 * the guest's action). With (wait), returns when the guest has stopped
 * and its action (on_poweroff / on_reboot) is applied, with
 * chaos_guest_shutdown's result and message: ETIMEDOUT when the guest did
 * not answer or stop in time. chaosd keeps serving other clients
 * meanwhile. (*domid) (may be NULL) gets the domain id.
 */
CHAOS_API int chaosd_shutdown(chaosd_conn *conn, const char *domain,
			      chaos_shutdown_reason reason,
			      unsigned int timeout_ms, bool wait,
			      uint32_t *domid, chaos_err *err);
/* Pause or unpause (domain) through chaosd (chaos_guest_pause's rule).
 * Returns as the operations above. */
CHAOS_API int chaosd_pause(chaosd_conn *conn, const char *domain,
			   chaos_err *err);
CHAOS_API int chaosd_unpause(chaosd_conn *conn, const char *domain,
			     chaos_err *err);

/*
 * A flavour: shells of one memory size, vCPU count and number of vifs.
 * A config with vifs takes only a shell with exactly as many (its guest
 * would see extra ones); the vifs get the config's MAC, address and
 * bridge at create.
 */
typedef struct chaosd_flavour {
	uint64_t memory_mib;
	unsigned int vcpus;
	unsigned int vifs;      /* vifs made ahead (noxs only) */
	unsigned int size;      /* wanted */
	unsigned int ready;     /* shells ready now */
} chaosd_flavour;

/* Set the pool's flavour to (*flavour) (its ready count is ignored):
 * chaosd builds or frees shells until size are ready. */
CHAOS_API int chaosd_pool_set(chaosd_conn *conn, const chaosd_flavour *flavour,
			      chaos_err *err);
/*
 * Parse (spec), "memory=M,vcpus=V,vifs=K,size=N" (vcpus defaults to 1,
 * vifs to 0), into (*out), as chaosd's --pool and `chaos pool set` take
 * it. Returns 0, or -1 with EINVAL and a message naming the bad key.
 */
CHAOS_API int chaosd_flavour_parse(const char *spec, chaosd_flavour *out,
				   chaos_err *err);
/* The pool's flavours into (*out, *count), which the caller frees with
 * free(), and whether larger shells may serve smaller configs into
 * (*allow_larger) (may be NULL). Also ENOMEM. */
CHAOS_API int chaosd_pool_get(chaosd_conn *conn, chaosd_flavour **out,
			      size_t *count, bool *allow_larger,
			      chaos_err *err);

/*
 * Turn the connection into domain's console stream: chaosd holds every chaos
 * guest's console while it runs, and this is how to reach one. On success
 * the connection carries no more requests: guest output (starting with the
 * last bytes chaosd kept) arrives on it and keystrokes written to it go to
 * the guest; chaosd closes it when the guest stops. Run it with
 * chaosd_console_run, or read and write chaosd_conn_fd yourself; close it
 * with chaosd_close(). (*domid) gets the guest's domain id. Returns as the
 * operations above (EIO with chaosd's message: no such guest, or its
 * console is not chaosd's).
 */
CHAOS_API int chaosd_console_attach(chaosd_conn *conn, const char *domain,
				    uint32_t *domid, chaos_err *err);

/*
 * Copy a console stream (conn, after chaosd_console_attach) to
 * opts->out_fd and opts->in_fd to it until one of the ends of
 * chaos_console_run, into (*end) (chaosd closing it is GUEST_GONE).
 *
 * Returns 0 with *end set, or -1 with err set: EINVAL opts->until is 256
 * bytes or longer; else the errno of a failed poll, read or write.
 */
CHAOS_API int chaosd_console_run(chaosd_conn *conn,
				 const chaos_console_opts *opts,
				 chaos_console_end *end, chaos_err *err);

/* The connection's socket (for poll, or a console stream). It stays
 * (conn)'s: closed by chaosd_close(). */
CHAOS_API int chaosd_conn_fd(const chaosd_conn *conn);

#ifdef __cplusplus
}
#endif

#endif
