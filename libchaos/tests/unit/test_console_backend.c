// SPDX-License-Identifier: MIT
/*
 * The console backend handle and the VIRQ_DOM_EXC watch, with Xen's event
 * channel and foreign memory calls stood in for at link time (--wrap, see
 * libchaos/build.mk): a console is found from its record, every console of
 * a host shares one fd, notifications go to the right console, the guest
 * is told only when something moved, and closing gives everything back.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dev/dev.h"
#include <xen/io/console.h>
#include <chaos/watch.h>

#define MAX_DOMS  4

/* ---- the stand-ins ------------------------------------------------------ */

static xenevtchn_handle *const XCE = (xenevtchn_handle *)0x1000;
static struct xencons_interface rings[MAX_DOMS];  /* domid i's page */
static int evtchn_opens, evtchn_closes, maps, unmaps, binds, unbinds;
static uint32_t bound_to[64];             /* local port -> remote + 1 */
static int next_local = 5;
static int notified[64];
static int pending[16], npending;         /* queued local ports */
static int unmasked;
static int bind_errno;                    /* bind_interdomain/virq fail */
static const uint8_t HANDLE[16] = { 'c', 'h', 'a', 'o', 's', 1 };
static int fake_fd = -1;                  /* /dev/null: fcntl works on it */

xenevtchn_handle *__wrap_xenevtchn_open(xentoollog_logger *l, unsigned f);
int __wrap_xenevtchn_close(xenevtchn_handle *xce);
int __wrap_xenevtchn_fd(xenevtchn_handle *xce);
xenevtchn_port_or_error_t __wrap_xenevtchn_bind_interdomain(
	xenevtchn_handle *xce, uint32_t domid, evtchn_port_t remote);
xenevtchn_port_or_error_t __wrap_xenevtchn_bind_virq(xenevtchn_handle *xce,
						     unsigned int virq);
int __wrap_xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port);
int __wrap_xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port);
xenevtchn_port_or_error_t __wrap_xenevtchn_pending(xenevtchn_handle *xce);
int __wrap_xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port);
void *__wrap_xenforeignmemory_map(xenforeignmemory_handle *fmem,
				  uint32_t dom, int prot, size_t pages,
				  const xen_pfn_t arr[], int err[]);
int __wrap_xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr,
				  size_t pages);
int __wrap_chaos_domain_get(chaos_host *host, uint32_t domid,
			    chaos_domain_info *out, chaos_err *err);
long long __wrap_chaos_clock_ms(void);

static long long clock_ms = 1000000;      /* the library's clock */
static int unmasked_port[64];

long long __wrap_chaos_clock_ms(void)
{
	return clock_ms;
}

xenevtchn_handle *__wrap_xenevtchn_open(xentoollog_logger *l, unsigned f)
{
	(void)l;
	(void)f;
	evtchn_opens++;
	return XCE;
}

int __wrap_xenevtchn_close(xenevtchn_handle *xce)
{
	assert_ptr_equal(xce, XCE);
	evtchn_closes++;
	return 0;
}

int __wrap_xenevtchn_fd(xenevtchn_handle *xce)
{
	assert_ptr_equal(xce, XCE);
	return fake_fd;
}

xenevtchn_port_or_error_t __wrap_xenevtchn_bind_interdomain(
	xenevtchn_handle *xce, uint32_t domid, evtchn_port_t remote)
{
	assert_ptr_equal(xce, XCE);
	if (bind_errno) {
		errno = bind_errno;
		return -1;
	}
	binds++;
	bound_to[next_local] = remote + 1;
	(void)domid;
	return next_local++;
}

xenevtchn_port_or_error_t __wrap_xenevtchn_bind_virq(xenevtchn_handle *xce,
						     unsigned int virq)
{
	assert_ptr_equal(xce, XCE);
	assert_int_equal(virq, VIRQ_DOM_EXC);
	if (bind_errno) {
		errno = bind_errno;
		return -1;
	}
	binds++;
	return 3;
}

int __wrap_xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	assert_ptr_equal(xce, XCE);
	assert_true(port < 64);
	bound_to[port] = 0;
	unbinds++;
	return 0;
}

int __wrap_xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	assert_ptr_equal(xce, XCE);
	assert_true(port < 64 && bound_to[port]);
	notified[port]++;
	return 0;
}

xenevtchn_port_or_error_t __wrap_xenevtchn_pending(xenevtchn_handle *xce)
{
	int p = pending[0];

	assert_ptr_equal(xce, XCE);
	if (!npending) {
		errno = EAGAIN;
		return -1;
	}
	memmove(pending, pending + 1, --npending * sizeof(pending[0]));
	return p;
}

int __wrap_xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	assert_ptr_equal(xce, XCE);
	assert_true(port < 64);
	unmasked_port[port]++;
	unmasked++;
	return 0;
}

void *__wrap_xenforeignmemory_map(xenforeignmemory_handle *fmem,
				  uint32_t dom, int prot, size_t pages,
				  const xen_pfn_t arr[], int err[])
{
	(void)fmem;
	(void)prot;
	assert_int_equal(pages, 1);
	assert_int_equal(arr[0], 0x1000 + dom);   /* the record's mfn */
	err[0] = 0;
	maps++;
	return &rings[dom];
}

int __wrap_xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr,
				  size_t pages)
{
	(void)fmem;
	(void)addr;
	assert_int_equal(pages, 1);
	unmaps++;
	return 0;
}

int __wrap_chaos_domain_get(chaos_host *host, uint32_t domid,
			    chaos_domain_info *out, chaos_err *err)
{
	(void)host;
	if (domid >= MAX_DOMS) {
		if (err)
			err->code = ESRCH;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->domid = domid;
	memcpy(out->handle, HANDLE, sizeof(HANDLE));
	return 0;
}

/* ---- fixtures ------------------------------------------------------------ */

static char state_dir[] = "/tmp/chaos-test-console-XXXXXX";
static struct chaos_host host;

/* Guests 1 and 2 have records (console mfn 0x1000 + domid, port 10 +
 * domid); 3 has none. */
static int setup(void **state)
{
	(void)state;
	fake_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fake_fd >= 0);
	assert_non_null(mkdtemp(state_dir));
	for (uint32_t d = 1; d <= 2; d++) {
		chaos_domain_record rec = {
			.domid = d, .console_mfn = 0x1000 + d,
			.console_port = 10 + d,
		};

		snprintf(rec.name, sizeof(rec.name), "g%u", d);
		memcpy(rec.handle, HANDLE, sizeof(HANDLE));
		assert_int_equal(chaos_record_save(state_dir, &rec, NULL), 0);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	close(fake_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int reset(void **state)
{
	(void)state;
	memset(&host, 0, sizeof(host));
	snprintf(host.state_dir, sizeof(host.state_dir), "%s", state_dir);
	memset(rings, 0, sizeof(rings));
	memset(bound_to, 0, sizeof(bound_to));
	memset(notified, 0, sizeof(notified));
	memset(unmasked_port, 0, sizeof(unmasked_port));
	evtchn_opens = evtchn_closes = maps = unmaps = binds = unbinds = 0;
	npending = unmasked = bind_errno = 0;
	next_local = 5;
	return 0;
}

static void guest_says(uint32_t domid, const char *text)
{
	struct xencons_interface *r = &rings[domid];

	for (const char *p = text; *p; p++)
		r->out[MASK_XENCONS_IDX(r->out_prod++, r->out)] = *p;
}

/* ---- tests -------------------------------------------------------------- */

static void test_open_binds_the_recorded_console(void **state)
{
	chaos_console *con;
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_console_open(&host, 1, &con, &err), 0);
	assert_int_equal(maps, 1);
	assert_int_equal(binds, 1);
	assert_int_equal(bound_to[con->port], 11 + 1);   /* remote port 11 */
	assert_int_equal(chaos_console_fd(con), fake_fd);
	chaos_console_close(con);
	assert_int_equal(unbinds, 1);
	assert_int_equal(unmaps, 1);
	assert_null(host.consoles);
	/* The host's handle outlives its consoles (its fd stays valid). */
	assert_int_equal(evtchn_closes, 0);
}

static void test_no_record_no_console(void **state)
{
	chaos_console *con = (chaos_console *)&host;
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_console_open(&host, 3, &con, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_null(con);
	assert_int_equal(chaos_console_open(&host, 9, &con, &err), -1);
	assert_int_equal(err.code, ESRCH);
	assert_int_equal(maps + binds, 0);
}

static void test_bind_failure_leaves_nothing(void **state)
{
	chaos_console *con;
	chaos_err err;

	(void)state;
	bind_errno = EBUSY;
	assert_int_equal(chaos_console_open(&host, 1, &con, &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "another console"));
	assert_int_equal(maps, 1);
	assert_int_equal(unmaps, 1);
	assert_null(host.consoles);
}

static void test_one_fd_and_events_find_their_console(void **state)
{
	chaos_console *a, *b;
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_console_open(&host, 1, &a, &err), 0);
	assert_int_equal(chaos_console_open(&host, 2, &b, &err), 0);
	assert_int_equal(evtchn_opens, 1);
	assert_int_equal(chaos_console_fd(a), chaos_console_fd(b));
	pending[npending++] = (int)b->port;
	pending[npending++] = 60;                   /* nobody's (closed) */
	pending[npending++] = (int)a->port;
	assert_ptr_equal(chaos_console_next_event(&host), b);
	assert_ptr_equal(chaos_console_next_event(&host), a);
	assert_null(chaos_console_next_event(&host));
	assert_int_equal(unmasked, 3);              /* every one acknowledged */
	chaos_console_close(a);
	pending[npending++] = 5;                    /* a's, after its close */
	assert_null(chaos_console_next_event(&host));
	assert_ptr_equal(host.consoles, b);
	chaos_console_close(b);
	assert_int_equal(unbinds, 2);
}

static void test_guest_told_only_when_something_moved(void **state)
{
	char buf[CHAOS_CONSOLE_OUT_RING];
	chaos_console *con;
	chaos_err err;
	bool corrupt;

	(void)state;
	assert_int_equal(chaos_console_open(&host, 2, &con, &err), 0);
	assert_int_equal(chaos_console_read(con, buf, sizeof(buf), &corrupt), 0);
	assert_int_equal(notified[con->port], 0);
	guest_says(2, "hello");
	assert_int_equal(chaos_console_read(con, buf, 3, &corrupt), 3);
	assert_memory_equal(buf, "hel", 3);
	assert_int_equal(chaos_console_read(con, buf, sizeof(buf), &corrupt), 2);
	assert_memory_equal(buf, "lo", 2);
	assert_int_equal(notified[con->port], 2);
	/* A lying producer: the ring is skipped, and the guest may go on. */
	rings[2].out_prod = rings[2].out_cons + sizeof(rings[2].out) + 1;
	assert_int_equal(chaos_console_read(con, buf, sizeof(buf), &corrupt), 0);
	assert_true(corrupt);
	assert_int_equal(notified[con->port], 3);
	/* Input: notified when it fits, not when the ring is full. */
	assert_int_equal(chaos_console_write(con, "ls\n", 3), 3);
	assert_memory_equal(rings[2].in, "ls\n", 3);
	assert_int_equal(notified[con->port], 4);
	rings[2].in_prod = rings[2].in_cons + sizeof(rings[2].in);
	assert_int_equal(chaos_console_write(con, "x", 1), 0);
	assert_int_equal(notified[con->port], 4);
	chaos_console_close(con);
}

/* Finding 10: a guest flooding its console channel gets its allowance of
 * acknowledged events per period, then its port stays masked (the
 * hypervisor keeps one pending bit, dom0 hears nothing) until the period
 * ends and next_event releases it; a quiet guest beside it is untouched. */
static void test_flood_is_held_masked(void **state)
{
	chaos_console *loud, *quiet;
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_console_open(&host, 1, &loud, &err), 0);
	assert_int_equal(chaos_console_open(&host, 2, &quiet, &err), 0);
	for (int i = 0; i < CHAOS_CONSOLE_EVENTS_MAX; i++) {
		pending[npending++] = (int)loud->port;
		assert_ptr_equal(chaos_console_next_event(&host), loud);
	}
	assert_int_equal(unmasked_port[loud->port], CHAOS_CONSOLE_EVENTS_MAX);
	/* One too many: still returned (to be read), not acknowledged. */
	pending[npending++] = (int)loud->port;
	assert_ptr_equal(chaos_console_next_event(&host), loud);
	assert_int_equal(unmasked_port[loud->port], CHAOS_CONSOLE_EVENTS_MAX);
	assert_null(chaos_console_next_event(&host));
	/* The quiet one is served as ever. */
	pending[npending++] = (int)quiet->port;
	assert_ptr_equal(chaos_console_next_event(&host), quiet);
	assert_int_equal(unmasked_port[quiet->port], 1);
	/* Not before the period ends; then once, with its port unmasked. */
	clock_ms += CHAOS_CONSOLE_PERIOD_MS - 1;
	assert_null(chaos_console_next_event(&host));
	clock_ms += 1;
	assert_ptr_equal(chaos_console_next_event(&host), loud);
	assert_int_equal(unmasked_port[loud->port], CHAOS_CONSOLE_EVENTS_MAX + 1);
	assert_null(chaos_console_next_event(&host));
	/* Held again, then closed while held: nothing left to release. */
	for (int i = 0; i < CHAOS_CONSOLE_EVENTS_MAX; i++) {
		pending[npending++] = (int)loud->port;
		assert_ptr_equal(chaos_console_next_event(&host), loud);
	}
	assert_int_equal(host.consoles_masked, 1);
	chaos_console_close(loud);
	assert_int_equal(host.consoles_masked, 0);
	clock_ms += 10 * CHAOS_CONSOLE_PERIOD_MS;
	assert_null(chaos_console_next_event(&host));
	chaos_console_close(quiet);
}

static void test_watch_acknowledges_everything_pending(void **state)
{
	chaos_watch *w;
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_watch_open(&w, &err), 0);
	assert_int_equal(chaos_watch_fd(w), fake_fd);
	assert_int_equal(chaos_watch_ack(w), 0);
	pending[npending++] = 3;
	pending[npending++] = 3;
	assert_int_equal(chaos_watch_ack(w), 1);
	assert_int_equal(npending, 0);
	assert_int_equal(unmasked, 2);
	chaos_watch_close(w);
	chaos_watch_close(NULL);
	assert_int_equal(unbinds, 1);
	assert_int_equal(evtchn_closes, 1);
}

static void test_watch_held_elsewhere(void **state)
{
	chaos_watch *w = (chaos_watch *)&host;
	chaos_err err;

	(void)state;
	bind_errno = EBUSY;
	assert_int_equal(chaos_watch_open(&w, &err), -1);
	assert_null(w);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "VIRQ_DOM_EXC"));
	assert_int_equal(evtchn_opens, evtchn_closes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open_binds_the_recorded_console, reset),
		cmocka_unit_test_setup(test_no_record_no_console, reset),
		cmocka_unit_test_setup(test_bind_failure_leaves_nothing, reset),
		cmocka_unit_test_setup(test_one_fd_and_events_find_their_console, reset),
		cmocka_unit_test_setup(test_guest_told_only_when_something_moved, reset),
		cmocka_unit_test_setup(test_flood_is_held_masked, reset),
		cmocka_unit_test_setup(test_watch_acknowledges_everything_pending, reset),
		cmocka_unit_test_setup(test_watch_held_elsewhere, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
