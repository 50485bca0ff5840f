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
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/guest.h>
#include <chaos/config.h>
#include <chaos/console.h>
#include <chaos/domain.h>
#include <chaos/error.h>
#include <chaos/host.h>

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
 * Write one frame (len bytes, 1..CHAOSD_FRAME_MAX), looping over partial
 * writes, waiting at most timeout_ms in all (-1: forever).
 */
int chaosd_frame_write(int fd, const void *buf, size_t len, int timeout_ms,
		       chaos_err *err);

/*
 * Read one frame into a fresh NUL-terminated buffer (*out, caller frees),
 * looping over partial reads, waiting at most timeout_ms in all (-1:
 * forever). Errors: EPIPE the peer closed before a frame began, EPROTO a
 * length of 0 or above CHAOSD_FRAME_MAX or a frame cut short, ETIMEDOUT.
 */
int chaosd_frame_read(int fd, char **out, size_t *len, int timeout_ms,
		      chaos_err *err);

/* The 4-byte header: encode, and decode with its bounds check. */
void chaosd_frame_header(uint32_t len, uint8_t hdr[4]);
int chaosd_frame_length(const uint8_t hdr[4], uint32_t *len, chaos_err *err);

/* ---- Client ----------------------------------------------------------- */

typedef struct chaosd_conn chaosd_conn;

/* Connect (path NULL: CHAOSD_SOCKET). ENOENT/ECONNREFUSED: not running. */
int chaosd_connect(const char *path, chaosd_conn **out, chaos_err *err);
void chaosd_close(chaosd_conn *conn);

/*
 * Send one request (a JSON object) and wait for its response. On success
 * *resp is the response text (NUL-terminated, caller frees), whatever its
 * "ok" says. timeout_ms bounds the whole exchange (-1: forever).
 */
int chaosd_call_raw(chaosd_conn *conn, const char *req, size_t len,
		    int timeout_ms, char **resp, size_t *resp_len,
		    chaos_err *err);

/*
 * As chaosd_call_raw, then check the response: an {"ok": false} response
 * becomes -1 with its "error" in err (code EIO).
 */
int chaosd_call(chaosd_conn *conn, const char *req, size_t len,
		int timeout_ms, char **resp, chaos_err *err);

int chaosd_ping(chaosd_conn *conn, chaos_err *err);

typedef struct chaosd_create_result {
	uint32_t domid;
	bool pooled;                  /* built in a shell from the pool */
	chaos_create_timing timing;   /* as the daemon measured it */
} chaosd_create_result;

/*
 * Create from a config given as JSON text (what chaos_config_parse_buffer
 * takes); config_path (absolute, or NULL) is remembered for restarts.
 */
int chaosd_create(chaosd_conn *conn, const char *config_json, size_t len,
		  const char *config_path, bool paused, bool allow_larger,
		  chaosd_create_result *res, chaos_err *err);
int chaosd_destroy(chaosd_conn *conn, const char *domain, chaos_err *err);
/*
 * Ask chaosd to power off or reboot domain (through its power device when
 * it has one), giving it timeout_ms to stop. Without wait, returns once
 * chaosd has started the request (its reaper applies the guest's action).
 * With wait, returns when the guest has stopped and its action
 * (on_poweroff / on_reboot) is applied, with chaos_guest_shutdown's result
 * and message: ETIMEDOUT when the guest did not answer or stop in time.
 * chaosd keeps serving other clients meanwhile. *domid (may be NULL) gets
 * the domain id.
 */
int chaosd_shutdown(chaosd_conn *conn, const char *domain,
		    chaos_shutdown_reason reason, unsigned int timeout_ms,
		    bool wait, uint32_t *domid, chaos_err *err);

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

int chaosd_pool_set(chaosd_conn *conn, const chaosd_flavour *flavour,
		    chaos_err *err);
/*
 * "memory=M,vcpus=V,vifs=K,size=N" (vcpus defaults to 1, vifs to 0) into
 * *out, as chaosd's --pool and `chaos pool set` take it; the error names
 * the bad key.
 */
int chaosd_flavour_parse(const char *spec, chaosd_flavour *out,
			 chaos_err *err);
/* *out (caller frees) holds *count flavours. */
int chaosd_pool_get(chaosd_conn *conn, chaosd_flavour **out, size_t *count,
		    bool *allow_larger, chaos_err *err);

/*
 * Turn the connection into domain's console stream: chaosd holds every chaos
 * guest's console while it runs, and this is how to reach one. On success
 * the connection carries no more requests: guest output (starting with the
 * last bytes chaosd kept) arrives on it and keystrokes written to it go to
 * the guest; chaosd closes it when the guest stops. Run it with
 * chaosd_console_run, or read and write chaosd_conn_fd yourself.
 */
int chaosd_console_attach(chaosd_conn *conn, const char *domain,
			  uint32_t *domid, chaos_err *err);

/* Copy the stream to opts->out_fd and opts->in_fd to it until one of the
 * ends of chaos_console_run (chaosd closing it is GUEST_GONE). */
int chaosd_console_run(chaosd_conn *conn, const chaos_console_opts *opts,
		       chaos_console_end *end, chaos_err *err);

/* The connection's socket (for poll, or a console stream). */
int chaosd_conn_fd(const chaosd_conn *conn);

/* Pause or unpause a guest through chaosd (chaos_guest_pause's rule). */
int chaosd_pause(chaosd_conn *conn, const char *domain, chaos_err *err);
int chaosd_unpause(chaosd_conn *conn, const char *domain, chaos_err *err);

#endif
