// SPDX-License-Identifier: MIT
/*
 * The console thread (consoles.h). It alone touches the consoles it holds;
 * the serving thread talks to it through a small command queue and a wake
 * pipe. One pass of its loop is bounded (at most EVENTS_PER_PASS event
 * channel notifications, each draining at most one ring), so streams are
 * served between guests however loud a guest is.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "consoles.h"
#include "console_log.h"
#include "console_stream.h"
#include "daemon.h"
#include "reply.h"
#include "slots.h"

#define TICK_MS          200   /* throttle windows end, missed events;
				 * CHAOS_CONSOLE_PERIOD_MS */
#define SYNC_MS          1000  /* compare with the hypervisor's list */
#define SWEEP_MS         1000  /* drain every console: a lost notification */
#define POKE_GAP_MS      100   /* at most one sync per gap when poked */
#define SYNC_GAP_TIMES   4     /* ... and per SYNC_GAP_TIMES its last time */
#define RETRY_MS         5000  /* a console we could not take */
#define CLOSE_GRACE_MS   2000  /* a gone guest's last output to clients */
#define EVENTS_PER_PASS  256
#define REPLY_TIMEOUT_MS 200
#define CONSOLE_DOMIDS   0x7ff0  /* guests' ids are below: DOMID_FIRST_RESERVED */

struct guest_console {
	uint32_t domid;
	size_t slot;                 /* its index in consoles.g */
	uint8_t handle[16];
	char name[CHAOS_NAME_MAX];
	chaos_console *con;          /* attached: ring mapped, port bound */
	long long retry_ms;          /* not attached: when to try again */
	char why[CHAOS_ERR_MSG_MAX]; /* ... and why it failed */
	struct console_log log;
	bool log_open, log_failed;
	bool corrupt_reported;
	long long window_ms;         /* start of the rate window */
	size_t window_bytes;
	bool throttled;              /* output waits for the next window */
	char hist[CONSOLE_HISTORY];  /* the last output, for new streams */
	size_t hist_head, hist_len;
};

enum cmd_kind { CMD_ATTACH, CMD_DETACH, CMD_STREAM };

struct cmd {
	enum cmd_kind kind;
	uint32_t domid;
	int fd;
	uint32_t uid;                /* CMD_STREAM: the client's */
	bool done;                   /* CMD_DETACH: the caller waits for it */
	bool last_words;             /* CMD_DETACH of a guest that stopped */
	bool waited;                 /* on the caller's stack, not malloc'd */
	struct cmd *next;
};

struct consoles {
	chaos_host *host;            /* the thread's own; holds the consoles */
	int event_fd;                /* their notifications, once one is held */
	int log_dir_fd;
	struct guest_console **g;
	size_t ng, capg;
	/* The same by domain id: with thousands of guests, a pass over
	 * them must not look each one up in a list. */
	struct guest_console *by_domid[CONSOLE_DOMIDS];
	struct console_stream *streams[CONSOLE_STREAMS_MAX];
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	struct cmd *head, *tail;
	bool stop;
	int wake_rd, wake_wr;
	long long next_tick_ms, next_sync_ms;   /* the thread's own */
	long long next_sweep_ms, last_sync_ms;
	long long sync_gap_ms;       /* the least time between two syncs */
	size_t nthrottled;           /* guests with g->throttled */
	bool poked;                  /* atomic: sync at the next pass */
	bool unwoken;                /* atomic: attaches queued, not woken */
	/* Guests a checkpoint holds (consoles_hold): not attached until
	 * released; under lock. */
	uint32_t held[CONSOLES_HELD_MAX];
	size_t nheld;
	bool adopting;               /* the first sync, at start-up */
};

static bool is_held(struct consoles *c, uint32_t domid)
{
	bool held = false;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nheld && !held; i++)
		held = c->held[i] == domid;
	pthread_mutex_unlock(&c->lock);
	return held;
}

static struct guest_console *find(struct consoles *c, uint32_t domid)
{
	return domid < CONSOLE_DOMIDS ? c->by_domid[domid] : NULL;
}

static struct guest_console *find_con(struct consoles *c,
				      const chaos_console *con)
{
	for (size_t i = 0; i < c->ng; i++)
		if (c->g[i]->con == con)
			return c->g[i];
	return NULL;
}

/* ---- output ------------------------------------------------------------ */

static void hist_add(struct guest_console *g, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		g->hist[g->hist_head] = buf[i];
		g->hist_head = (g->hist_head + 1) % CONSOLE_HISTORY;
	}
	g->hist_len = g->hist_len + n > CONSOLE_HISTORY ? CONSOLE_HISTORY :
		      g->hist_len + n;
}

static void hist_replay(const struct guest_console *g,
			struct console_stream *s)
{
	size_t start = (g->hist_head + CONSOLE_HISTORY - g->hist_len) %
		       CONSOLE_HISTORY;
	size_t first = CONSOLE_HISTORY - start;

	if (first > g->hist_len)
		first = g->hist_len;
	stream_queue(s, g->hist + start, first);
	stream_queue(s, g->hist, g->hist_len - first);
}

static void log_out(struct guest_console *g, const char *buf, size_t n,
		    const char *note)
{
	chaos_err err;

	if (!g->log_open)
		return;
	if ((note ? console_log_note(&g->log, note, &err) :
		    console_log_write(&g->log, buf, n, &err)) == 0) {
		g->log_failed = false;
		return;
	}
	/* Said once per run of failures (a full disk must not flood the
	 * daemon's own log); the output still reaches clients. */
	if (!g->log_failed)
		dlog("console of domain %u: %s", g->domid, err.msg);
	g->log_failed = true;
}

static void output(struct consoles *c, struct guest_console *g,
		   const char *buf, size_t n)
{
	log_out(g, buf, n, NULL);
	hist_add(g, buf, n);
	for (int i = 0; i < CONSOLE_STREAMS_MAX; i++) {
		struct console_stream *s = c->streams[i];

		if (s && !s->closing && s->domid == g->domid)
			stream_queue(s, buf, n);
	}
}

/* A guest whose budget is spent is drained on every tick until its
 * output fits again; the others only when they notify. */
static void set_throttled(struct consoles *c, struct guest_console *g,
			  bool on)
{
	if (g->throttled == on)
		return;
	g->throttled = on;
	if (on)
		c->nthrottled++;
	else
		c->nthrottled--;
}

/* Take what the guest wrote, within its rate budget. force: the guest is
 * going away, take what is left regardless. */
static void drain(struct consoles *c, struct guest_console *g, long long now,
		  bool force)
{
	char buf[CHAOS_CONSOLE_OUT_RING];
	size_t cap = sizeof(buf), n;
	bool corrupt;

	if (!g->con)
		return;
	if (now - g->window_ms >= 1000) {
		g->window_ms = now;
		g->window_bytes = 0;
	}
	set_throttled(c, g, !force && g->window_bytes >= CONSOLE_RATE_BYTES);
	if (!force) {
		if (g->throttled)
			return;
		if (CONSOLE_RATE_BYTES - g->window_bytes < cap)
			cap = CONSOLE_RATE_BYTES - g->window_bytes;
	}
	/* Tells the guest there is room again. */
	n = chaos_console_read(g->con, buf, cap, &corrupt);
	if (corrupt && !g->corrupt_reported) {
		log_out(g, NULL, 0, "console ring indexes are corrupt; output skipped");
		dlog("console of domain %u: ring indexes are corrupt", g->domid);
		g->corrupt_reported = true;
	}
	if (n == 0)
		return;
	g->window_bytes += n;
	set_throttled(c, g, !force && g->window_bytes >= CONSOLE_RATE_BYTES);
	output(c, g, buf, n);
}

/* Give the guest what its clients typed, as far as its ring has room. */
static void feed(struct consoles *c, struct guest_console *g)
{
	if (!g->con)
		return;
	for (int i = 0; i < CONSOLE_STREAMS_MAX; i++) {
		struct console_stream *s = c->streams[i];
		const char *in;
		size_t len, n;

		if (!s || s->closing || s->domid != g->domid ||
		    !stream_has_input(s))
			continue;
		in = stream_input(s, &len);
		n = chaos_console_write(g->con, in, len);   /* and notifies */
		stream_input_consumed(s, n);
	}
}

/* ---- attach and detach --------------------------------------------------- */

/* The guest's port goes back to unbound: chaos console can attach it. */
static void release(struct guest_console *g)
{
	chaos_console_close(g->con);
	g->con = NULL;
}

/* Map the ring and bind the channel; on failure g stays unattached. */
static int take(struct consoles *c, struct guest_console *g, chaos_err *err)
{
	if (chaos_console_open(c->host, g->domid, &g->con, err))
		return -1;
	/* One fd for every console of the thread's host. */
	c->event_fd = chaos_console_fd(g->con);
	return 0;
}

/* g, whose domid is set, into the list and the index. */
static int add(struct consoles *c, struct guest_console *g)
{
	if (g->domid >= CONSOLE_DOMIDS)
		return -1;
	if (c->ng == c->capg) {
		size_t cap = c->capg ? c->capg * 2 : 32;
		struct guest_console **n = realloc(c->g, cap * sizeof(*n));

		if (!n)
			return -1;
		c->g = n;
		c->capg = cap;
	}
	g->slot = c->ng;
	c->g[c->ng++] = g;
	c->by_domid[g->domid] = g;
	return 0;
}

/* g's log, under its name or "domain-<id>"; a failure is only noted. */
static void open_log(struct consoles *c, struct guest_console *g,
		     chaos_err *err)
{
	char base[CHAOS_NAME_MAX + 16];

	if (g->name[0])
		snprintf(base, sizeof(base), "%s", g->name);
	else
		snprintf(base, sizeof(base), "domain-%u", g->domid);
	g->log_open = console_log_open(&g->log, c->log_dir_fd, base,
				       CONSOLE_LOG_MAX_DEFAULT, err) == 0;
	if (!g->log_open)
		dlog("console of domain %u: no log: %s", g->domid, err->msg);
}

/*
 * A guest named after its console was taken (a migration's destination
 * takes its name last, and the sync may have found it before): its log
 * goes on under the name, as any other guest's.
 */
static void follow_name(struct consoles *c, struct guest_console *g)
{
	chaos_guest_info guest;
	chaos_err err;

	if (chaos_guest_get(c->host, g->domid, &guest, NULL) ||
	    !guest.name[0] || chaos_config_check_name(guest.name, NULL) ||
	    !strcmp(guest.name, g->name))
		return;
	snprintf(g->name, sizeof(g->name), "%s", guest.name);
	if (g->log_open)
		console_log_close(&g->log);
	open_log(c, g, &err);
}

/*
 * The console of info's domain, attached now if it is a chaos guest that
 * is not held yet. NULL with err when it is not a guest (ENOENT) or
 * cannot be taken now (retried every RETRY_MS by the sync).
 */
static struct guest_console *console_for(struct consoles *c,
					 const chaos_domain_info *info,
					 long long now, bool stopped_ok,
					 chaos_err *err)
{
	struct guest_console *g = find(c, info->domid);
	chaos_guest_info guest;
	char note[96];
	bool fresh = !g;

	if (g && (g->con || now < g->retry_ms)) {
		if (g->con)
			return g;
		derr(err, EBUSY, "%s", g->why);
		return NULL;
	}
	if (info->domid == 0 || info->state == CHAOS_STATE_DYING ||
	    (info->state == CHAOS_STATE_SHUTDOWN && !stopped_ok)) {
		derr(err, ESRCH, "domain %u is not running", info->domid);
		return NULL;
	}
	if (is_held(c, info->domid)) {
		derr(err, EBUSY,
		     "domain %u is being saved or migrated: its console is nobody's meanwhile",
		     info->domid);
		return NULL;
	}
	if (chaos_domain_handle_kind(info->handle) == CHAOS_KIND_FOREIGN ||
	    chaos_guest_get(c->host, info->domid, &guest, NULL)) {
		derr(err, ENOENT,
		     "domain %u is not a chaos guest (no record): its console is not chaosd's",
		     info->domid);
		return NULL;
	}
	if (fresh) {
		g = calloc(1, sizeof(*g));
		if (g)
			g->domid = info->domid;
		if (!g || add(c, g)) {
			free(g);
			derr(err, ENOMEM, "console: out of memory");
			return NULL;
		}
		memcpy(g->handle, info->handle, sizeof(g->handle));
		/* The record's name is checked again: it names a file. */
		if (guest.name[0] &&
		    chaos_config_check_name(guest.name, NULL) == 0)
			snprintf(g->name, sizeof(g->name), "%s", guest.name);
		open_log(c, g, err);
		/* Taking guests back after a restart: what they said before,
		 * from their logs. Never for a new guest: an earlier guest of
		 * the same name must not answer for it. */
		if (g->log_open && c->adopting) {
			g->hist_len = console_log_tail(&g->log, g->hist,
						       sizeof(g->hist));
			g->hist_head = g->hist_len % CONSOLE_HISTORY;
		}
	}
	if (take(c, g, err)) {
		if (fresh || strcmp(g->why, err->msg))
			dlog("console of domain %u: %s", g->domid, err->msg);
		snprintf(g->why, sizeof(g->why), "%s", err->msg);
		g->retry_ms = now + RETRY_MS;
		return NULL;
	}
	snprintf(note, sizeof(note), "console of domain %u attached",
		 g->domid);
	log_out(g, NULL, 0, note);
	g->window_ms = now;
	drain(c, g, now, false);
	return g;
}

static void detach_at(struct consoles *c, size_t i, const char *why)
{
	struct guest_console *g = c->g[i];
	long long now = chaos_clock_ms();
	char note[96];

	drain(c, g, now, true);
	if (g->con) {
		snprintf(note, sizeof(note), "console of domain %u detached: %s",
			 g->domid, why);
		log_out(g, NULL, 0, note);
	}
	release(g);
	set_throttled(c, g, false);
	for (int s = 0; s < CONSOLE_STREAMS_MAX; s++)
		if (c->streams[s] && c->streams[s]->domid == g->domid &&
		    !c->streams[s]->closing) {
			c->streams[s]->closing = true;
			c->streams[s]->close_by_ms = now + CLOSE_GRACE_MS;
		}
	if (g->log_open)
		console_log_close(&g->log);
	c->by_domid[g->domid] = NULL;
	free(g);
	if (i < --c->ng) {
		c->g[i] = c->g[c->ng];
		c->g[i]->slot = i;
	}
}

static void detach(struct consoles *c, uint32_t domid, const char *why)
{
	struct guest_console *g = find(c, domid);

	if (g)
		detach_at(c, g->slot, why);
}

static int domid_cmp(const void *key, const void *elem)
{
	uint32_t a = *(const uint32_t *)key;
	uint32_t b = ((const chaos_domain_info *)elem)->domid;

	return a < b ? -1 : a > b;
}

/* Compare with the hypervisor: let go of guests that stopped or went,
 * take guests we do not hold yet (and retry the ones we could not). */
static void sync_all(struct consoles *c, long long now)
{
	chaos_domain_info *doms;
	chaos_err err;
	size_t n;

	if (chaos_domain_list_unnamed(c->host, &doms, &n, &err)) {
		dlog("consoles: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < c->ng;) {
		struct guest_console *g = c->g[i];
		/* The list is sorted by id (chaos_domain_list). */
		const chaos_domain_info *d = bsearch(&g->domid, doms, n,
						     sizeof(*doms), domid_cmp);

		if (!d || memcmp(d->handle, g->handle, sizeof(g->handle))) {
			detach_at(c, i, "domain gone");
		} else if (d->state == CHAOS_STATE_SHUTDOWN ||
			   d->state == CHAOS_STATE_DYING) {
			detach_at(c, i, "domain stopped");
		} else {
			i++;
		}
	}
	for (size_t j = 0; j < n; j++) {
		struct guest_console *g = find(c, doms[j].domid);

		if (doms[j].domid == 0 || (g && (g->con || now < g->retry_ms)))
			continue;
		console_for(c, &doms[j], now, false, &err);
	}
	free(doms);
}

/* ---- streams ------------------------------------------------------------ */

static void stream_start(struct consoles *c, int fd, uint32_t domid,
			 uint32_t uid)
{
	struct console_stream *s;
	struct guest_console *g;
	chaos_domain_info info;
	chaos_err err;
	chaosd_reply *ok;
	char *resp = NULL;
	size_t len;
	uint8_t hdr[4];
	unsigned int used = 0, nonroot = 0;
	int slot = -1;

	/* The last few are root's (slots.h; audit finding 9). */
	for (int i = 0; i < CONSOLE_STREAMS_MAX; i++) {
		used += c->streams[i] != NULL;
		nonroot += c->streams[i] && c->streams[i]->uid != 0;
		if (!c->streams[i] && slot < 0)
			slot = i;
	}
	if (!slots_ok(uid, used, nonroot, CONSOLE_STREAMS_ORDINARY,
		      CONSOLE_STREAMS_MAX)) {
		reply_error_send(fd, "busy: too many console streams",
				 REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	if (chaos_domain_get(c->host, domid, &info, &err) ||
	    !(g = console_for(c, &info, chaos_clock_ms(), false, &err))) {
		reply_error_send(fd, err.msg, REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	if ((ok = chaosd_reply_ok())) {
		chaosd_reply_uint(ok, "domid", domid);
		chaosd_reply_str(ok, "name", g->name);
	}
	s = malloc(sizeof(*s));
	if (chaosd_reply_finish(ok, &resp, &len) || !s || stream_init(s, fd, domid)) {
		free(resp);
		free(s);
		reply_error_send(fd, "out of memory", REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	s->uid = uid;
	chaosd_frame_header((uint32_t)len, hdr);
	stream_queue(s, (const char *)hdr, sizeof(hdr));
	stream_queue(s, resp, len);
	free(resp);
	hist_replay(g, s);
	c->streams[slot] = s;
}

static void stream_end(struct consoles *c, int i)
{
	stream_free(c->streams[i]);
	free(c->streams[i]);
	c->streams[i] = NULL;
}

/* ---- the thread ----------------------------------------------------------- */

static void run_commands(struct consoles *c)
{
	struct cmd *list;
	char buf[64];

	while (read(c->wake_rd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&c->lock);
	list = c->head;
	c->head = c->tail = NULL;
	pthread_mutex_unlock(&c->lock);
	while (list) {
		struct cmd *cmd = list;
		struct guest_console *g;
		chaos_domain_info info;
		chaos_err err;

		list = cmd->next;
		switch (cmd->kind) {
		case CMD_ATTACH:
			if (chaos_domain_get(c->host, cmd->domid, &info,
					     &err) != 0)
				break;
			g = find(c, cmd->domid);
			if (g)
				follow_name(c, g);
			else
				console_for(c, &info, chaos_clock_ms(), false,
					    &err);
			break;
		case CMD_DETACH:
			/* A guest that stopped before the sync took its
			 * console (one crashing at boot) still has its last
			 * words in the ring: take them into its log first. */
			if (cmd->last_words && !find(c, cmd->domid) &&
			    chaos_domain_get(c->host, cmd->domid, &info,
					     &err) == 0 &&
			    info.state == CHAOS_STATE_SHUTDOWN)
				console_for(c, &info, chaos_clock_ms(), true,
					    &err);
			detach(c, cmd->domid, "destroyed by chaosd");
			break;
		case CMD_STREAM:
			stream_start(c, cmd->fd, cmd->domid, cmd->uid);
			break;
		}
		if (cmd->waited) {
			pthread_mutex_lock(&c->lock);
			cmd->done = true;
			pthread_cond_broadcast(&c->done_cv);
			pthread_mutex_unlock(&c->lock);
		} else {
			free(cmd);
		}
	}
}

static void events(struct consoles *c, long long now)
{
	for (int i = 0; i < EVENTS_PER_PASS; i++) {
		chaos_console *con = chaos_console_next_event(c->host);
		struct guest_console *g;

		if (!con)
			return;   /* nothing more pending */
		g = find_con(c, con);
		if (g) {
			drain(c, g, now, false);
			feed(c, g);
		}
	}
}

static void serve_streams(struct consoles *c, struct pollfd *pfd,
			  const int *slot, int npfd, long long now)
{
	for (int k = 0; k < npfd; k++) {
		int i = slot[k];
		struct console_stream *s = c->streams[i];

		if (!s || !pfd[k].revents)
			continue;
		if ((pfd[k].revents & POLLOUT) && stream_flush(s)) {
			stream_end(c, i);
			continue;
		}
		/* Gone while its last keystrokes wait for the guest. */
		if ((pfd[k].revents & (POLLHUP | POLLERR)) &&
		    stream_has_input(s)) {
			stream_end(c, i);
			continue;
		}
		if ((pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !s->closing && stream_read_input(s)) {
			stream_end(c, i);   /* the client detached */
			continue;
		}
		if (stream_has_input(s)) {
			struct guest_console *g = find(c, s->domid);

			if (g)
				feed(c, g);
		}
	}
	for (int i = 0; i < CONSOLE_STREAMS_MAX; i++) {
		struct console_stream *s = c->streams[i];

		if (s && s->closing &&
		    (!stream_has_output(s) || now >= s->close_by_ms))
			stream_end(c, i);
	}
}

/* Streams' typed input that did not fit in its guest's ring yet. */
static void feed_waiting(struct consoles *c)
{
	for (int i = 0; i < CONSOLE_STREAMS_MAX; i++) {
		struct console_stream *s = c->streams[i];
		struct guest_console *g;

		if (s && !s->closing && stream_has_input(s) &&
		    (g = find(c, s->domid)))
			feed(c, g);
	}
}

static void *consoles_main(void *arg)
{
	struct consoles *c = arg;
	struct pollfd pfd[CONSOLE_STREAMS_MAX + 2];
	int slot[CONSOLE_STREAMS_MAX];

	c->adopting = true;
	sync_all(c, chaos_clock_ms());
	c->adopting = false;
	dlog("consoles: holding %zu guest consoles", c->ng);
	for (;;) {
		long long now = chaos_clock_ms();
		int n = 2, ns = 0, wait;
		bool stop;

		pthread_mutex_lock(&c->lock);
		stop = c->stop;
		pthread_mutex_unlock(&c->lock);
		if (stop)
			break;
		pfd[0] = (struct pollfd){ .fd = c->wake_rd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = c->event_fd, .events = POLLIN };
		for (int i = 0; i < CONSOLE_STREAMS_MAX; i++) {
			struct console_stream *s = c->streams[i];
			short ev = 0;

			if (!s)
				continue;
			if (stream_has_output(s))
				ev |= POLLOUT;
			/* Read keystrokes only when the last ones are in. */
			if (!s->closing && !stream_has_input(s))
				ev |= POLLIN;
			slot[ns++] = i;
			pfd[n++] = (struct pollfd){ .fd = s->fd, .events = ev };
		}
		wait = (int)(c->next_tick_ms - now);
		if (wait < 0)
			wait = 0;
		if (poll(pfd, (nfds_t)n, wait) < 0 && errno != EINTR) {
			dlog("consoles: poll: %s", strerror(errno));
			usleep(100000);
			continue;
		}
		now = chaos_clock_ms();
		if (pfd[0].revents & POLLIN)
			run_commands(c);
		if (pfd[1].revents & POLLIN)
			events(c, now);
		serve_streams(c, pfd + 2, slot, ns, now);
		if (now >= c->next_tick_ms) {
			/* Consoles the event rate limit held are released
			 * (libchaos, finding 10); throttled guests get their
			 * next window; typed input waiting for room goes on.
			 * Every console only once a second (a notification
			 * lost is caught up): with thousands of guests, a
			 * pass over all of them is the thread's main cost. */
			bool sweep = now >= c->next_sweep_ms;

			events(c, now);
			if (sweep || c->nthrottled) {
				for (size_t i = 0; i < c->ng; i++)
					drain(c, c->g[i], now, false);
				if (sweep)
					c->next_sweep_ms = now + SWEEP_MS;
			}
			feed_waiting(c);
			c->next_tick_ms = now + TICK_MS;
		}
		/* A poke (a domain stopped, a create) syncs at once, but
		 * at most once a gap: thousands of guests going one after
		 * the other would each ask for a pass over all. A poke
		 * within the gap waits for the next tick. */
		if ((__atomic_load_n(&c->poked, __ATOMIC_ACQUIRE) &&
		     now >= c->last_sync_ms + c->sync_gap_ms) ||
		    now >= c->next_sync_ms) {
			long long took;

			__atomic_store_n(&c->poked, false, __ATOMIC_RELEASE);
			sync_all(c, now);
			took = chaos_clock_ms() - now;
			/* With any number of guests, syncing takes at most
			 * a fifth of the thread. */
			c->sync_gap_ms = took * SYNC_GAP_TIMES > POKE_GAP_MS ?
					 took * SYNC_GAP_TIMES : POKE_GAP_MS;
			c->last_sync_ms = now;
			c->next_sync_ms = now + (c->sync_gap_ms > SYNC_MS ?
						 c->sync_gap_ms : SYNC_MS);
		}
	}
	return NULL;
}

/* ---- the serving thread's side --------------------------------------------- */

static void wake(struct consoles *c)
{
	char x = 'w';

	if (write(c->wake_wr, &x, 1) < 0) {
		/* Pipe full: a wake-up is pending anyway. */
	}
}

static void queue(struct consoles *c, struct cmd *cmd)
{
	pthread_mutex_lock(&c->lock);
	cmd->next = NULL;
	if (c->tail)
		c->tail->next = cmd;
	else
		c->head = cmd;
	c->tail = cmd;
	pthread_mutex_unlock(&c->lock);
}

static void enqueue(struct consoles *c, struct cmd *cmd)
{
	queue(c, cmd);
	wake(c);
}

static void attach(struct consoles *c, uint32_t domid, bool now)
{
	struct cmd *cmd;

	if (!c)
		return;
	cmd = calloc(1, sizeof(*cmd));
	if (!cmd) {
		consoles_poke(c);  /* the sync takes it */
		return;
	}
	cmd->kind = CMD_ATTACH;
	cmd->domid = domid;
	if (now) {
		enqueue(c, cmd);
		return;
	}
	queue(c, cmd);
	__atomic_store_n(&c->unwoken, true, __ATOMIC_RELEASE);
}

void consoles_attach(struct consoles *c, uint32_t domid)
{
	attach(c, domid, true);
}

void consoles_attach_later(struct consoles *c, uint32_t domid)
{
	attach(c, domid, false);
}

void consoles_flush(struct consoles *c)
{
	if (c && __atomic_exchange_n(&c->unwoken, false, __ATOMIC_ACQ_REL))
		wake(c);
}

static void detach_waited(struct consoles *c, uint32_t domid, bool last_words)
{
	struct cmd cmd = { .kind = CMD_DETACH, .domid = domid, .waited = true,
			   .last_words = last_words };

	if (!c)
		return;
	enqueue(c, &cmd);
	pthread_mutex_lock(&c->lock);
	while (!cmd.done)
		pthread_cond_wait(&c->done_cv, &c->lock);
	pthread_mutex_unlock(&c->lock);
}

void consoles_detach(struct consoles *c, uint32_t domid)
{
	detach_waited(c, domid, false);
}

void consoles_reap(struct consoles *c, uint32_t domid)
{
	detach_waited(c, domid, true);
}

void consoles_hold(struct consoles *c, uint32_t domid)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->nheld < CONSOLES_HELD_MAX)
		c->held[c->nheld++] = domid;
	pthread_mutex_unlock(&c->lock);
	consoles_detach(c, domid);
}

void consoles_release(struct consoles *c, uint32_t domid)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nheld; i++)
		if (c->held[i] == domid) {
			c->held[i] = c->held[--c->nheld];
			break;
		}
	pthread_mutex_unlock(&c->lock);
	consoles_poke(c);
}

void consoles_poke(struct consoles *c)
{
	if (!c)
		return;
	__atomic_store_n(&c->poked, true, __ATOMIC_RELEASE);
	wake(c);
}

void consoles_stream(struct consoles *c, int fd, uint32_t domid,
		     uint32_t uid)
{
	struct cmd *cmd = calloc(1, sizeof(*cmd));

	if (!cmd) {
		reply_error_send(fd, "out of memory", REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	cmd->kind = CMD_STREAM;
	cmd->domid = domid;
	cmd->fd = fd;
	cmd->uid = uid;
	enqueue(c, cmd);
}

/* /var/log exists on any host; chaos's own directory is 0750 (guest output
 * is nobody else's business). */
static int open_log_dir(const char *dir, chaos_err *err)
{
	int fd;

	if (mkdir(dir, 0750) && errno != EEXIST)
		return derr(err, errno, "%s: %s", dir, strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return derr(err, errno, "%s: %s", dir, strerror(errno));
	return fd;
}

static void free_all(struct consoles *c)
{
	for (int i = 0; i < CONSOLE_STREAMS_MAX; i++)
		if (c->streams[i])
			stream_end(c, i);
	while (c->ng)
		detach_at(c, c->ng - 1, "chaosd stopped");
	free(c->g);
	for (struct cmd *cmd = c->head, *next; cmd; cmd = next) {
		next = cmd->next;
		if (cmd->kind == CMD_STREAM)
			close(cmd->fd);
		if (!cmd->waited)
			free(cmd);
	}
	chaos_host_close(c->host);   /* after its consoles */
	if (c->log_dir_fd >= 0)
		close(c->log_dir_fd);
	if (c->wake_rd >= 0)
		close(c->wake_rd);
	if (c->wake_wr >= 0)
		close(c->wake_wr);
	pthread_cond_destroy(&c->done_cv);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int consoles_start(struct consoles **out, const char *state_dir,
		   const char *log_dir, chaos_err *err)
{
	struct consoles *c = calloc(1, sizeof(*c));
	int pipefd[2], rc;

	*out = NULL;
	if (!c)
		return derr(err, ENOMEM, "consoles: out of memory");
	c->log_dir_fd = c->wake_rd = c->wake_wr = c->event_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->done_cv, NULL);
	if ((c->log_dir_fd = open_log_dir(log_dir, err)) < 0)
		goto fail;
	if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC)) {
		derr(err, errno, "consoles: pipe: %s", strerror(errno));
		goto fail;
	}
	c->wake_rd = pipefd[0];
	c->wake_wr = pipefd[1];
	if (chaos_host_open(&c->host, err) ||
	    chaos_host_set_state_dir(c->host, state_dir, err))
		goto fail;
	c->next_tick_ms = chaos_clock_ms() + TICK_MS;
	c->next_sync_ms = chaos_clock_ms() + SYNC_MS;
	c->sync_gap_ms = POKE_GAP_MS;
	c->next_sweep_ms = chaos_clock_ms() + SWEEP_MS;
	rc = pthread_create(&c->thread, NULL, consoles_main, c);
	if (rc) {
		derr(err, rc, "cannot start the console thread: %s",
		     strerror(rc));
		goto fail;
	}
	/* Named, so its CPU time shows apart (/proc/PID/task/TID/comm). */
	pthread_setname_np(c->thread, "chaosd-console");
	c->running = true;
	*out = c;
	return 0;
fail:
	free_all(c);
	return -1;
}

void consoles_stop(struct consoles *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_mutex_unlock(&c->lock);
	wake(c);
	if (c->running)
		pthread_join(c->thread, NULL);
	free_all(c);
}
