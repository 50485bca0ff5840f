// SPDX-License-Identifier: MIT
/*
 * scribbler: a hostile guest. It connects its power device, takes the
 * control page away from the noxs core, and then writes garbage into the
 * header and the power area in every way it knows, kicking the backend
 * after each, and finally floods the event channel. dom0 must close the
 * device and stay up.
 *
 * Command line: first=<n> picks the garbage written first (the one the
 * backend should report; the others follow in order), flood=<n> the
 * number of events sent at the end (default 100000).
 */
#include <minios/app.h>
#include <minios/events.h>
#include <minios/lib.h>
#include <minios/noxs.h>
#include <minios/os.h>
#include <minios/sched.h>
#include <minios/time.h>
#include <xen/xen.h>

#define DEFAULT_FLOOD 100000

typedef void (*scribble_fn)(volatile struct noxs_ctrl_page *p);

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint8_t random_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

static void fe_state_range(volatile struct noxs_ctrl_page *p)
{
	p->hdr.fe_state = 99;
}

static void fe_state_backwards(volatile struct noxs_ctrl_page *p)
{
	p->hdr.fe_state = NOXS_STATE_INITIALISING;
}

static void magic(volatile struct noxs_ctrl_page *p)
{
	p->hdr.magic = 0xdeadbeef;
}

static void hdr_reserved(volatile struct noxs_ctrl_page *p)
{
	p->hdr.reserved[2] = ~0ULL;
}

static void ack_ahead(volatile struct noxs_ctrl_page *p)
{
	p->u.power.ack_seq = p->u.power.req_seq + 7;
}

static void be_state(volatile struct noxs_ctrl_page *p)
{
	p->hdr.be_state = NOXS_STATE_CLOSING;
}

static void type(volatile struct noxs_ctrl_page *p)
{
	p->hdr.type = NOXS_DEV_VIF;
}

static void version(volatile struct noxs_ctrl_page *p)
{
	p->hdr.version = 0xffff;
}

static void fe_state_initwait(volatile struct noxs_ctrl_page *p)
{
	p->hdr.fe_state = NOXS_STATE_INITWAIT;
}

static void request(volatile struct noxs_ctrl_page *p)
{
	p->u.power.request = NOXS_POWER_REBOOT;
}

static void req_seq(volatile struct noxs_ctrl_page *p)
{
	p->u.power.req_seq += 5;
}

static void power_reserved(volatile struct noxs_ctrl_page *p)
{
	p->u.power.reserved[5] = 1;
}

static void reply(volatile struct noxs_ctrl_page *p)
{
	p->u.power.reply = 12345;
	p->u.power.ack_seq = p->u.power.req_seq;
}

static void random_bytes(volatile struct noxs_ctrl_page *p)
{
	volatile uint8_t *b = (volatile uint8_t *)p;

	for (size_t i = 0; i < sizeof(p->hdr) + sizeof(p->u.power); i++)
		b[i] = random_byte();
}

static void zero_all(volatile struct noxs_ctrl_page *p)
{
	volatile uint8_t *b = (volatile uint8_t *)p;

	for (size_t i = 0; i < PAGE_SIZE; i++)
		b[i] = 0;
}

static const struct {
	const char *name;
	scribble_fn fn;
} kinds[] = {
	{ "fe_state-range", fe_state_range },
	{ "fe_state-backwards", fe_state_backwards },
	{ "magic", magic },
	{ "hdr-reserved", hdr_reserved },
	{ "ack_seq-ahead", ack_ahead },
	{ "be_state", be_state },
	{ "type", type },
	{ "version", version },
	{ "fe_state-initwait", fe_state_initwait },
	{ "request", request },
	{ "req_seq", req_seq },
	{ "power-reserved", power_reserved },
	{ "reply", reply },
	{ "random", random_bytes },
	{ "zero", zero_all },
};

static bool be_connected(const struct noxs_device *dev)
{
	return dev->ctrl->hdr.be_state == NOXS_STATE_CONNECTED;
}

/* Poll a condition on the page for up to ms milliseconds. */
static bool wait_for(const struct noxs_device *dev, bool want_connected,
		     unsigned int ms)
{
	uint64_t end = monotonic_ns() + ms * NSEC_PER_MSEC;

	while (monotonic_ns() < end) {
		if (be_connected(dev) == want_connected)
			return true;
		sched_sleep_until(monotonic_ns() + NSEC_PER_MSEC);
	}
	return false;
}

int app_main(const char *cmdline)
{
	struct noxs_device *dev = noxs_device_find(NOXS_DEV_POWER, 0);
	uint64_t first = 0, flood = DEFAULT_FLOOD, sent = 0;
	size_t n = ARRAY_SIZE(kinds);

	cmdline_get_u64(cmdline, MAX_GUEST_CMDLINE, "first", &first);
	cmdline_get_u64(cmdline, MAX_GUEST_CMDLINE, "flood", &flood);
	if (first >= n)
		first = 0;
	if (!dev) {
		printk("scribbler: no power device\n");
		return 1;
	}
	if (!wait_for(dev, true, 5000)) {
		printk("scribbler: backend never connected\n");
		return 1;
	}
	noxs_device_detach(dev);
	printk("scribbler: connected, first garbage %s\n", kinds[first].name);

	for (size_t i = 0; i < n; i++) {
		size_t k = (first + i) % n;

		kinds[k].fn(dev->ctrl);
		wmb();
		noxs_dev_notify(dev);
		printk("scribbler: wrote %s\n", kinds[k].name);
		/* Let the backend judge the first one alone. */
		if (i == 0 && !wait_for(dev, false, 2000))
			printk("scribbler: backend still connected\n");
	}
	for (sent = 0; sent < flood; sent++)
		if (evtchn_notify(dev->port))
			break;
	printk("scribbler: sent %lu events\n", sent);
	printk("scribbler: done\n");
	for (;;)
		sched_block();
	return 0;
}
