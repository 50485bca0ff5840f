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
#include <sys/types.h>
#include <chaos/api.h>
#include <chaos/guest.h>
#include <chaos/checkpoint.h>
#include <chaos/config.h>
#include <chaos/console.h>
#include <chaos/domain.h>
#include <chaos/error.h>
#include <chaos/host.h>
#include <chaos/migrate.h>
#include <chaos/stats.h>
#include <chaos/network.h>
#include <chaos/block.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHAOSD_SOCKET      "/run/chaos/chaosd.sock"
#define CHAOSD_PID_FILE    "/run/chaos/chaosd.pid"
#define CHAOSD_LOG_DIR     "/var/log/chaos"
#define CHAOSD_FRAME_MAX   (64 * 1024)   /* bytes of JSON in one frame */
#define CHAOSD_FRAME_FDS_MAX 2           /* file descriptors one frame carries */
#define CHAOSD_FLAVOURS_MAX 16
#define CHAOSD_POOL_SIZE_MAX 4096        /* shells per flavour */
#define CHAOSD_TIMEOUT_MS_MAX 600000u
#define CHAOSD_SHUTDOWN_TIMEOUT_MS_MAX 86400000u  /* a day, as the CLI's --timeout */
/*
 * The protocol's version (docs/chaosd-protocol.md, *Versions*): raised by
 * one for every change a client may need to know of; additions also add
 * a capability to hello's list. Version 1 is the protocol before hello.
 */
#define CHAOSD_PROTOCOL_VERSION 2
#define CHAOSD_CAPS_MAX 32
#define CHAOSD_CAP_LEN 24

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

/*
 * The same with file descriptors: (fds, nfds), at most
 * CHAOSD_FRAME_FDS_MAX, travel with the frame's first bytes (SCM_RIGHTS
 * on a Unix socket); they stay the caller's (the peer gets copies).
 *
 * Returns as chaosd_frame_write(); also EINVAL more than
 * CHAOSD_FRAME_FDS_MAX, EBADF a negative one.
 */
CHAOS_API int chaosd_frame_write_fds(int fd, const void *buf, size_t len,
				     const int *fds, size_t nfds, int timeout_ms,
				     chaos_err *err);
/*
 * Read one frame as chaosd_frame_read(), and the descriptors that came
 * with it into (fds), room for CHAOSD_FRAME_FDS_MAX, their count into
 * (*nfds). They are received close-on-exec and are the caller's to
 * close. A peer that sends more than CHAOSD_FRAME_FDS_MAX gets none
 * taken: every one is closed and the call fails with EPROTO. On any
 * failure no descriptor is left open and *nfds is 0. chaosd_frame_read()
 * takes none: descriptors sent with its frame are closed (EPROTO).
 */
CHAOS_API int chaosd_frame_read_fds(int fd, char **out, size_t *len, int *fds,
				    size_t *nfds, int timeout_ms,
				    chaos_err *err);
/*
 * One receive (recvmsg) of up to (len) bytes into (buf), for an event
 * loop that assembles frames itself; descriptors that come with them are
 * appended to (fds)[*nfds..] (room for CHAOSD_FRAME_FDS_MAX in all),
 * close-on-exec. With (fds) NULL every descriptor received is closed.
 *
 * Returns the bytes read (0: the peer closed), or -1 with err set: the
 * recvmsg errno (EAGAIN on a non-blocking socket with nothing to read),
 * or EPROTO the peer sent more descriptors than CHAOSD_FRAME_FDS_MAX in
 * all, and then every one of fds[0..*nfds) is closed and *nfds is 0.
 */
CHAOS_API ssize_t chaosd_frame_recv(int fd, void *buf, size_t len, int *fds,
				    size_t *nfds, chaos_err *err);
/* Close fds[0..n) (skipping negative ones): descriptors a peer sent that
 * will not be used. */
CHAOS_API void chaosd_fds_close(int *fds, size_t n);

/* The 4-byte header: encode (len) into (hdr); and decode (hdr) into
 * (*len), returning 0, or -1 with EPROTO for a length of 0 or above
 * CHAOSD_FRAME_MAX. */
CHAOS_API void chaosd_frame_header(uint32_t len, uint8_t hdr[4]);
CHAOS_API int chaosd_frame_length(const uint8_t hdr[4], uint32_t *len,
				  chaos_err *err);

/* ---- Replies ---------------------------------------------------------- */

/*
 * A daemon's replies, {"ok": true, ...} built field by field or
 * {"ok": false, "error": msg, ...}: compact JSON, what the client below
 * reads. A chaosd_reply is used by one thread at a time.
 *
 * chaosd_reply_ok and chaosd_reply_failed (constructors) begin one; NULL
 * when out of memory, and every call below takes NULL and does nothing
 * with it (chaosd_reply_finish then fails), so a reply is written
 * without a check per field. Keys and strings must be UTF-8.
 */
typedef struct chaosd_reply chaosd_reply;

CHAOS_API chaosd_reply *chaosd_reply_ok(void);
CHAOS_API chaosd_reply *chaosd_reply_failed(const char *msg);
/* A field (key, value) of the object open now (arrays hold objects). */
CHAOS_API void chaosd_reply_str(chaosd_reply *r, const char *key,
				const char *value);
CHAOS_API void chaosd_reply_uint(chaosd_reply *r, const char *key,
				 unsigned long long value);
CHAOS_API void chaosd_reply_bool(chaosd_reply *r, const char *key, bool value);
/* Open an object, or with (array) an array, as the value of (key) (NULL:
 * an element of the array open now); close the innermost one. */
CHAOS_API void chaosd_reply_open(chaosd_reply *r, const char *key, bool array);
CHAOS_API void chaosd_reply_close(chaosd_reply *r, bool array);
/*
 * Destructor. Close the reply and give its text, NUL-terminated, into
 * (*out) (the caller frees it with free()) and its length into (*len).
 * Returns 0, or -1 (r NULL, out of memory, a malformed sequence of
 * calls) with *out untouched or NULL. (r) is freed either way.
 */
CHAOS_API int chaosd_reply_finish(chaosd_reply *r, char **out, size_t *len);
/* Destructor. Drop a reply not sent. NULL is allowed. */
CHAOS_API void chaosd_reply_free(chaosd_reply *r);
/*
 * A "timing_us" object of (t)'s fields, as chaosd's create, save and
 * migrate-send replies carry it (the migration's also "rounds" and
 * "pages_resent"), with the keys the client above reads back.
 */
CHAOS_API void chaosd_reply_create_timing(chaosd_reply *r,
					  const chaos_create_timing *t);
CHAOS_API void chaosd_reply_save_timing(chaosd_reply *r,
					const chaos_save_timing *t);
CHAOS_API void chaosd_reply_migrate_timing(chaosd_reply *r,
					   const chaos_migrate_timing *t);
/*
 * The reply fields of hello (protocol, version, caps), info (a "host"
 * object), network-list (a "vifs" array), block-list (a "disks" array)
 * and stats (one object per
 * guest: call it with the array "guests" open), with the keys the client
 * below reads back.
 */
CHAOS_API void chaosd_reply_hello(chaosd_reply *r);
CHAOS_API void chaosd_reply_host_info(chaosd_reply *r,
				      const chaos_host_info *info);
CHAOS_API void chaosd_reply_vifs(chaosd_reply *r, const chaos_vif_info *vifs,
				 size_t count);
CHAOS_API void chaosd_reply_disks(chaosd_reply *r,
				  const chaos_disk_info *disks, size_t count);
CHAOS_API void chaosd_reply_stats(chaosd_reply *r,
				  const chaos_guest_stats *stats);
/* {"ok":false,"error":msg} into (*out, *len), as chaosd_reply_finish. */
CHAOS_API int chaosd_reply_error(const char *msg, char **out, size_t *len);

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
 * Checkpoints through chaosd. The caller opens every file and transport
 * with its own credentials and hands chaosd the descriptors (they go with
 * the request; the caller's stay open and its own); chaosd never opens a
 * path for a client. chaosd runs the work in a thread of its own while it
 * serves others, marks the guest busy for it, and refuses a second
 * operation on a guest one is under way on (EIO, "... is under way").
 * These calls wait for the answer without a limit of their own: chaosd
 * bounds every wait of the work. The results and messages are those of
 * the library call named, run in chaosd; besides those, each returns as
 * the operations above.
 *
 * chaosd_save: chaos_checkpoint_save_fd of (domain) onto (fd) (a file
 * from chaos_checkpoint_file_begin, which the caller then commits), with
 * (keep_running); (timing) and (domid) may be NULL.
 */
CHAOS_API int chaosd_save(chaosd_conn *conn, const char *domain, int fd,
			  bool keep_running, chaos_save_timing *timing,
			  uint32_t *domid, chaos_err *err);
/* chaos_checkpoint_restore_fd from (fd) with (opts) (may be NULL): the new
 * domain's id into (*domid), its saved name into (name) (NULL, or
 * CHAOS_NAME_MAX bytes). chaosd holds its console from then on. */
CHAOS_API int chaosd_restore(chaosd_conn *conn, int fd,
			     const chaos_restore_opts *opts, uint32_t *domid,
			     char *name, chaos_err *err);
/* chaos_checkpoint_resume of (domain); (domid) may be NULL. */
CHAOS_API int chaosd_resume(chaosd_conn *conn, const char *domain,
			    uint32_t *domid, chaos_err *err);
/*
 * chaos_migrate_send (or, with (live), chaos_migrate_send_live) of
 * (domain) over (in_fd, out_fd), a transport the caller set up and
 * connected (they may be one descriptor), with (key) (NULL or len 0: the
 * transport authenticates). The key travels in the request, which is
 * wiped once sent. (timing) and (domid) may be NULL.
 */
CHAOS_API int chaosd_migrate_send(chaosd_conn *conn, const char *domain,
				  int in_fd, int out_fd, bool live,
				  const chaos_migrate_key *key,
				  chaos_migrate_timing *timing,
				  uint32_t *domid, chaos_err *err);
/* chaos_migrate_receive over (in_fd, out_fd) with (key) and (opts) (only
 * its bridges count): the running guest's id into (*domid). */
CHAOS_API int chaosd_migrate_receive(chaosd_conn *conn, int in_fd, int out_fd,
				     const chaos_migrate_key *key,
				     const chaos_restore_opts *opts,
				     uint32_t *domid, chaos_err *err);

/*
 * A flavour: shells of one memory size, vCPU count and number of vifs.
 * A config with vifs takes only a shell with exactly as many (its guest
 * would see extra ones); the vifs get the config's MAC, address and
 * bridge at create. With a bridge, the vifs' net devices are made with
 * the shell and put on that bridge (chaos_shell_new_on_bridge), so a
 * create only gives them MAC and address; such a shell serves only
 * configs whose vifs all name that bridge. Two flavours differing only
 * in their bridge are two flavours.
 */
typedef struct chaosd_flavour {
	uint64_t memory_mib;
	unsigned int vcpus;
	unsigned int vifs;      /* vifs made ahead (noxs only) */
	unsigned int size;      /* wanted */
	unsigned int ready;     /* shells ready now */
	char bridge[CHAOS_CONFIG_BRIDGE_MAX]; /* "": net devices at create */
} chaosd_flavour;

/* Set the pool's flavour to (*flavour) (its ready count is ignored):
 * chaosd builds or frees shells until size are ready. */
CHAOS_API int chaosd_pool_set(chaosd_conn *conn, const chaosd_flavour *flavour,
			      chaos_err *err);
/*
 * Parse (spec), "memory=M,vcpus=V,vifs=K,bridge=B,size=N" (vcpus defaults
 * to 1, vifs to 0, bridge to none; a bridge needs vifs), into (*out), as
 * chaosd's --pool and `chaos pool set` take it. Returns 0, or -1 with
 * EINVAL and a message naming the bad key.
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

/* ---- Protocol version, host and guests -------------------------------- */

typedef struct chaosd_hello_info {
	unsigned int protocol;              /* CHAOSD_PROTOCOL_VERSION it speaks */
	char version[32];                   /* chaosd's release, CHAOS_VERSION */
	size_t nr_caps;
	char caps[CHAOSD_CAPS_MAX][CHAOSD_CAP_LEN]; /* "events", "stats", ... */
} chaosd_hello_info;

/*
 * Ask chaosd which protocol version it speaks and what it can do into
 * (*out). A chaosd older than version 2 answers "op: unknown operation"
 * (EIO): treat it as version 1 (ping, create, destroy, pause, unpause,
 * shutdown, list, pool, console, checkpoints). Returns as the operations
 * above.
 */
CHAOS_API int chaosd_hello(chaosd_conn *conn, chaosd_hello_info *out,
			   chaos_err *err);
/* Whether (hello) lists capability (cap). Reentrant. */
CHAOS_API bool chaosd_has_cap(const chaosd_hello_info *hello, const char *cap);

/* The host's hypervisor, CPUs and memory (chaos_host_get_info, run in
 * chaosd) into (*out). Returns as the operations above. */
CHAOS_API int chaosd_info(chaosd_conn *conn, chaos_host_info *out,
			  chaos_err *err);

/* The vifs of (domain) into (*out, *count) (the caller frees *out with
 * free()). Returns as the operations above; also ENOMEM. */
CHAOS_API int chaosd_network_list(chaosd_conn *conn, const char *domain,
				  chaos_vif_info **out, size_t *count,
				  chaos_err *err);

/* The disks of (domain) into (*out, *count) (chaos_block_list, run in
 * chaosd; the caller frees *out with free()). Returns as the operations
 * above; also ENOMEM. */
CHAOS_API int chaosd_block_list(chaosd_conn *conn, const char *domain,
				chaos_disk_info **out, size_t *count,
				chaos_err *err);

/*
 * Statistics (stats.h) through chaosd: of (domain), or with (domain)
 * NULL of every domain the caller may see (root: all, others: their own
 * guests), into (*out, *count) (the caller frees *out with free()).
 * Returns as the operations above; also ENOMEM.
 */
CHAOS_API int chaosd_stats(chaosd_conn *conn, const char *domain,
			   chaos_guest_stats **out, size_t *count,
			   chaos_err *err);

/* One domain of chaosd's list, as `chaos list --json` shows it. */
typedef struct chaosd_domain {
	uint32_t domid;
	char name[CHAOS_NAME_MAX];
	char kind[16];                      /* "dom0", "guest", "shell", "foreign" */
	uint32_t owner;                     /* uid owning a guest, else 0 */
	chaos_domain_state state;
	uint64_t memory_mib, max_memory_mib;
	unsigned int vcpus;
	double cpu_time_s;
} chaosd_domain;

/* chaosd's list (root: every domain, shells included; others: their own
 * guests) into (*out, *count) (the caller frees *out with free()).
 * Returns as the operations above; also ENOMEM. */
CHAOS_API int chaosd_list(chaosd_conn *conn, chaosd_domain **out,
			  size_t *count, chaos_err *err);

/* ---- Events ----------------------------------------------------------- */

typedef enum chaosd_event_type {
	CHAOSD_EVENT_CREATED = 1,    /* a new guest (create, a restart) */
	CHAOSD_EVENT_STARTED,        /* it runs (a create not left paused) */
	CHAOSD_EVENT_PAUSED,
	CHAOSD_EVENT_UNPAUSED,
	CHAOSD_EVENT_SHUTDOWN,       /* it shut down: reason poweroff|reboot */
	CHAOSD_EVENT_CRASHED,        /* it shut down: reason crash|watchdog */
	CHAOSD_EVENT_DESTROYED,      /* the domain is gone: reason says why */
	CHAOSD_EVENT_SAVED,          /* its image is written */
	CHAOSD_EVENT_RESTORED,       /* a new guest from an image */
	CHAOSD_EVENT_MIGRATED_AWAY,  /* it runs on another host now */
	CHAOSD_EVENT_MIGRATED_IN,    /* a new guest from another host */
	CHAOSD_EVENT_RESUMED,        /* a suspended guest goes on */
	CHAOSD_EVENT_OVERFLOW,       /* this subscriber lost (lost) events */
} chaosd_event_type;

#define CHAOSD_EVENT_REASON_MAX 16

/*
 * One event. Every guest's events begin with CREATED, RESTORED or
 * MIGRATED_IN and end with DESTROYED (reason: "destroy", "poweroff",
 * "reboot", "crash", "watchdog", "saved", "migrated" or "gone" for a
 * domain that went behind chaosd's back). A restart is DESTROYED of the
 * old domain, then CREATED (and STARTED) of the new one, same name.
 */
typedef struct chaosd_event {
	chaosd_event_type type;
	uint64_t seq;                /* chaosd's counter, +1 per event */
	uint64_t time_ms;            /* wall clock (CLOCK_REALTIME) */
	uint32_t domid;              /* 0 for OVERFLOW */
	uint32_t owner;              /* uid the guest belongs to */
	char name[CHAOS_NAME_MAX];   /* "" when unnamed */
	char reason[CHAOSD_EVENT_REASON_MAX]; /* "" when the type has none */
	uint64_t lost;               /* OVERFLOW: how many were lost */
} chaosd_event;

/* "created", "started", ..., "migrated-away", "overflow"; NULL for a
 * value outside the enum. Reentrant. */
CHAOS_API const char *chaosd_event_type_name(chaosd_event_type type);

/*
 * An event as one frame's JSON, {"event": "crashed", "seq": 7,
 * "time_ms": ..., "domid": 12, "owner": 0, "name": "web1", "reason":
 * "crash"} ("lost" for overflow), into (*out, *len) (the caller frees
 * *out with free()); and back. Parsing checks every field (unknown keys
 * are skipped, so later versions may add some) and names the bad one.
 * Both return 0, or -1 with err set: EINVAL a bad event, ENOMEM.
 * Reentrant.
 */
CHAOS_API int chaosd_event_encode(const chaosd_event *ev, char **out,
				  size_t *len, chaos_err *err);
CHAOS_API int chaosd_event_parse(const char *text, size_t len,
				 chaosd_event *ev, chaos_err *err);

/*
 * Turn (conn) into an event stream: from now on chaosd sends one frame
 * per event (root: every guest's; others: their own guests') and the
 * connection carries no more requests. A subscriber that reads too
 * slowly does not lose events silently: once its queue (1024 events) is
 * full, later events are counted, and when it has room again it gets one
 * OVERFLOW event saying how many it lost (then resynchronise with
 * chaosd_stats or `list`). The connection's socket is non-blocking from
 * then on (poll chaosd_conn_fd for POLLIN, or let chaosd_event_next
 * wait). Returns as the operations above.
 */
CHAOS_API int chaosd_subscribe(chaosd_conn *conn, chaos_err *err);

/*
 * The next event of a subscribed (conn) into (*ev), waiting up to
 * (timeout_ms) (-1: forever). Returns 0, or -1 with err set: ETIMEDOUT
 * none came, EPIPE chaosd closed the stream, EINVAL a malformed event;
 * else as chaosd_frame_read().
 */
CHAOS_API int chaosd_event_next(chaosd_conn *conn, int timeout_ms,
				chaosd_event *ev, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
