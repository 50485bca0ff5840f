// SPDX-License-Identifier: MIT
/* Unit tests: uevent parsing, rtnetlink link parsing, the vif table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "../../rtnl.h"
#include "../../uevent.h"
#include "../../vifs.h"

/* Build "a\0b\0c\0" from "a|b|c|". */
static size_t msg(char *buf, const char *spec)
{
	size_t n = strlen(spec);

	memcpy(buf, spec, n);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	return n;
}

static void test_uevent_add(void **state)
{
	struct xd_uevent ev;
	char buf[512], err[128];
	size_t n = msg(buf, "add@/devices/virtual/net/vif3.0|ACTION=add|"
		       "DEVPATH=/devices/virtual/net/vif3.0|SUBSYSTEM=net|"
		       "INTERFACE=vif3.0|IFINDEX=7|XENDEVD_BRIDGE=br1|"
		       "SEQNUM=853|");

	(void)state;
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.action, XD_UEVENT_ADD);
	assert_string_equal(ev.ifname, "vif3.0");
	assert_string_equal(ev.bridge, "br1");
	assert_int_equal(ev.ifindex, 7);
	n = msg(buf, "add@/devices/virtual/net/vif3.0|ACTION=add|"
		"SUBSYSTEM=net|INTERFACE=vif3.0|SYNTH_UUID=0|"
		"SYNTH_ARG_XENDEVDBRIDGE=br2|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_string_equal(ev.bridge, "br2");
}

static void test_uevent_move_remove(void **state)
{
	struct xd_uevent ev;
	char buf[512], err[128];
	size_t n = msg(buf, "move@/devices/virtual/net/vif4.0|ACTION=move|"
		       "SUBSYSTEM=net|DEVPATH_OLD=/devices/virtual/net/tmp1|"
		       "INTERFACE=vif4.0|IFINDEX=3|");

	(void)state;
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.action, XD_UEVENT_MOVE);
	assert_string_equal(ev.old_ifname, "tmp1");
	assert_string_equal(ev.bridge, "");
	n = msg(buf, "remove@/x|ACTION=remove|SUBSYSTEM=net|"
		"INTERFACE=vif4.0|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.action, XD_UEVENT_REMOVE);
}

static void test_uevent_ignored(void **state)
{
	struct xd_uevent ev;
	char buf[512], err[128];
	size_t n;

	(void)state;
	n = msg(buf, "add@/devices/virtual/net/p3/queues/rx-0|ACTION=add|"
		"SUBSYSTEM=queues|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 0);
	n = msg(buf, "change@/x|ACTION=change|SUBSYSTEM=net|INTERFACE=a|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 0);
	n = msg(buf, "add@/x|ACTION=add|SUBSYSTEM=net|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 0);
	/* udev's own format is not a kernel header: refused. */
	n = msg(buf, "libudev|ACTION=add|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
}

static void test_uevent_hostile(void **state)
{
	struct xd_uevent ev;
	char buf[512], err[128];
	size_t n;

	(void)state;
	/* No terminating NUL on the last property. */
	n = msg(buf, "add@/x|ACTION=add|SUBSYSTEM=net|INTERFACE=vif1.0");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	/* No header terminator at all. */
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(xd_uevent_parse(buf, sizeof(buf), &ev, err,
					 sizeof(err)), -1);
	/* An interface name too long or with a slash. */
	n = msg(buf, "add@/x|ACTION=add|SUBSYSTEM=net|"
		"INTERFACE=vif1.0aaaaaaaaaaaaaaaaaaaaaaaa|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	n = msg(buf, "add@/x|ACTION=add|SUBSYSTEM=net|INTERFACE=../x|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	/* A bad bridge property is dropped, not trusted. */
	n = msg(buf, "add@/x|ACTION=add|SUBSYSTEM=net|INTERFACE=vif1.0|"
		"XENDEVD_BRIDGE=br 0|IFINDEX=-4|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_string_equal(ev.bridge, "");
	assert_int_equal(ev.ifindex, 0);
	assert_int_equal(xd_uevent_parse(buf, 0, &ev, err, sizeof(err)), -1);
}

static void test_uevent_xenbus(void **state)
{
	struct xd_uevent ev;
	char buf[512], err[128];
	size_t n;

	(void)state;
	n = msg(buf, "online@/devices/vif-5-0|ACTION=online|"
		"DEVPATH=/devices/vif-5-0|SUBSYSTEM=xen-backend|"
		"XENBUS_TYPE=vif|XENBUS_PATH=backend/vif/5/0|"
		"XENBUS_BASE_PATH=backend|script=/etc/xen/scripts/vif-bridge|"
		"vif=vif5.0|SEQNUM=12|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.kind, XD_UEVENT_XENBUS);
	assert_int_equal(ev.action, XD_UEVENT_ONLINE);
	assert_int_equal(ev.xb_type, XD_XENBUS_VIF);
	assert_int_equal(ev.domid, 5);
	assert_int_equal(ev.devid, 0);
	assert_string_equal(ev.xb_path, "backend/vif/5/0");
	assert_string_equal(ev.ifname, "vif5.0");

	n = msg(buf, "add@/devices/vbd-32751-51712|ACTION=add|"
		"SUBSYSTEM=xen-backend|XENBUS_TYPE=vbd|"
		"XENBUS_PATH=backend/vbd/32751/51712|XENBUS_BASE_PATH=backend|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.action, XD_UEVENT_ADD);
	assert_int_equal(ev.xb_type, XD_XENBUS_VBD);
	assert_int_equal(ev.domid, 32751);
	assert_int_equal(ev.devid, 51712);
	assert_string_equal(ev.ifname, "");

	n = msg(buf, "remove@/devices/vbd-3-268439552|ACTION=remove|"
		"SUBSYSTEM=xen-backend|XENBUS_TYPE=vbd|"
		"XENBUS_PATH=backend/vbd/3/268439552|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.action, XD_UEVENT_REMOVE);
	assert_int_equal(ev.devid, 268439552u);

	n = msg(buf, "offline@/devices/vif-5-0|ACTION=offline|"
		"SUBSYSTEM=xen-backend|XENBUS_TYPE=vif|"
		"XENBUS_PATH=backend/vif/5/0|vif=vif5.0|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.action, XD_UEVENT_OFFLINE);

	/* Other backends and other actions are not ours. */
	n = msg(buf, "add@/devices/console-5-0|ACTION=add|"
		"SUBSYSTEM=xen-backend|XENBUS_TYPE=console|"
		"XENBUS_PATH=backend/console/5/0|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 0);
	n = msg(buf, "change@/devices/vbd-5-0|ACTION=change|"
		"SUBSYSTEM=xen-backend|XENBUS_TYPE=vbd|"
		"XENBUS_PATH=backend/vbd/5/0|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 0);

	/* A netdev of netback: its backend is known from DEVPATH. */
	n = msg(buf, "add@/devices/vif-7-2/net/vif7.2|ACTION=add|"
		"DEVPATH=/devices/vif-7-2/net/vif7.2|SUBSYSTEM=net|"
		"INTERFACE=vif7.2|IFINDEX=9|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.kind, XD_UEVENT_NET);
	assert_int_equal(ev.xb_type, XD_XENBUS_VIF);
	assert_string_equal(ev.xb_path, "backend/vif/7/2");
	/* A noxs (virtual) one has none. */
	n = msg(buf, "add@/devices/virtual/net/vif7.2|ACTION=add|"
		"DEVPATH=/devices/virtual/net/vif7.2|SUBSYSTEM=net|"
		"INTERFACE=vif7.2|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.xb_type, XD_XENBUS_NONE);
	assert_string_equal(ev.xb_path, "");
	n = msg(buf, "add@/x|ACTION=add|DEVPATH=/devices/vif-7-02/net/v|"
		"SUBSYSTEM=net|INTERFACE=vif7.2|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.xb_type, XD_XENBUS_NONE);
}

static void xb_refused(const char *path, const char *type, const char *why)
{
	struct xd_uevent ev;
	char buf[512], spec[400], err[128];
	size_t n;

	snprintf(spec, sizeof(spec), "add@/devices/x|ACTION=add|"
		 "SUBSYSTEM=xen-backend|XENBUS_TYPE=%s|XENBUS_PATH=%s|",
		 type, path);
	n = msg(buf, spec);
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("%s: '%s' does not say '%s'", path, err, why);
}

static void test_uevent_xenbus_hostile(void **state)
{
	struct xd_uevent ev;
	char buf[600], err[128], spec[500];
	size_t n;

	(void)state;
	xb_refused("backend/vbd/5/51712/x", "vbd", "devid");
	xb_refused("backend/vbd/5", "vbd", "domid");
	xb_refused("backend/vbd/05/1", "vbd", "domid");
	xb_refused("backend/vbd/32752/1", "vbd", "domid");
	xb_refused("backend/vbd/-1/1", "vbd", "domid");
	xb_refused("backend/vbd/1/-1", "vbd", "devid");
	xb_refused("backend/vbd/1/2147483648", "vbd", "devid");
	xb_refused("backend/vif/1/65536", "vif", "devid");
	xb_refused("backend/vbd/1/1 ", "vbd", "devid");
	xb_refused("/local/domain/0/backend/vbd/1/1", "vbd", "not");
	xb_refused("backend/vbd//1", "vbd", "domid");
	xb_refused("backend/vbd/1/", "vbd", "devid");
	xb_refused("backend/tap/1/1", "vbd", "not");
	xb_refused("backend/vif/1/1", "vbd", "does not match");
	xb_refused("backend/vbd/1/1", "vif", "does not match");
	xb_refused("backend/vbd/1/1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "vbd",
		   "longer");
	/* No XENBUS_PATH at all. */
	n = msg(buf, "add@/x|ACTION=add|SUBSYSTEM=xen-backend|"
		"XENBUS_TYPE=vbd|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	/* Another base path. */
	n = msg(buf, "add@/x|ACTION=add|SUBSYSTEM=xen-backend|"
		"XENBUS_TYPE=vbd|XENBUS_PATH=backend/vbd/1/1|"
		"XENBUS_BASE_PATH=frontend|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	/* A vif property that is no interface name. */
	n = msg(buf, "online@/x|ACTION=online|SUBSYSTEM=xen-backend|"
		"XENBUS_TYPE=vif|XENBUS_PATH=backend/vif/1/1|vif=../../etc|");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	memset(spec, 0, sizeof(spec));
	snprintf(spec, sizeof(spec), "online@/x|ACTION=online|"
		 "SUBSYSTEM=xen-backend|XENBUS_TYPE=vif|"
		 "XENBUS_PATH=backend/vif/1/1|vif=%0300d|", 1);
	n = msg(buf, spec);
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	/* Unterminated last property. */
	n = msg(buf, "add@/x|ACTION=add|SUBSYSTEM=xen-backend|"
		"XENBUS_TYPE=vbd|XENBUS_PATH=backend/vbd/1/1");
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	/* A huge XENBUS_PATH is refused, not copied. */
	memset(spec, 'a', sizeof(spec));
	memcpy(spec, "add@/x|ACTION=add|SUBSYSTEM=xen-backend|XENBUS_TYPE=vbd|"
	       "XENBUS_PATH=backend/vbd/1/", 68);
	spec[sizeof(spec) - 2] = '|';
	spec[sizeof(spec) - 1] = '\0';
	n = msg(buf, spec);
	assert_int_equal(xd_uevent_parse(buf, n, &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer"));
}

struct link_msg {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[256];
};

static void put_attr(struct link_msg *m, unsigned short type,
		     const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)m +
					       NLMSG_ALIGN(m->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) +
			  (unsigned)RTA_ALIGN(rta->rta_len);
}

static void init_msg(struct link_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = NLMSG_LENGTH(sizeof(m->ifi));
	m->nh.nlmsg_type = RTM_NEWLINK;
	m->ifi.ifi_index = 9;
	m->ifi.ifi_flags = IFF_UP;
}

static void test_rtnl_parse(void **state)
{
	struct link_msg m;
	struct xd_link link;
	uint32_t master = 4;
	char info[32];
	struct rtattr *kind = (struct rtattr *)info;

	(void)state;
	init_msg(&m);
	put_attr(&m, IFLA_IFNAME, "vif1.0", 7);
	put_attr(&m, IFLA_MASTER, &master, sizeof(master));
	kind->rta_type = IFLA_INFO_KIND;
	kind->rta_len = RTA_LENGTH(7);
	memcpy(RTA_DATA(kind), "bridge", 7);
	put_attr(&m, IFLA_LINKINFO, info, RTA_ALIGN(kind->rta_len));
	assert_int_equal(xd_rtnl_parse_link(&m, m.nh.nlmsg_len, &link), 0);
	assert_string_equal(link.name, "vif1.0");
	assert_int_equal(link.ifindex, 9);
	assert_int_equal(link.master, 4);
	assert_string_equal(link.kind, "bridge");
	assert_true(link.flags & IFF_UP);
}

static void test_rtnl_hostile(void **state)
{
	struct link_msg m;
	struct xd_link link;
	uint16_t shortv = 1;

	(void)state;
	/* No name. */
	init_msg(&m);
	assert_int_equal(xd_rtnl_parse_link(&m, m.nh.nlmsg_len, &link), -1);
	/* A name without NUL, and one too long. */
	init_msg(&m);
	put_attr(&m, IFLA_IFNAME, "vif1.0", 6);
	assert_int_equal(xd_rtnl_parse_link(&m, m.nh.nlmsg_len, &link), -1);
	init_msg(&m);
	put_attr(&m, IFLA_IFNAME, "0123456789abcdefghij", 21);
	assert_int_equal(xd_rtnl_parse_link(&m, m.nh.nlmsg_len, &link), -1);
	/* A master of the wrong size. */
	init_msg(&m);
	put_attr(&m, IFLA_IFNAME, "a", 2);
	put_attr(&m, IFLA_MASTER, &shortv, sizeof(shortv));
	assert_int_equal(xd_rtnl_parse_link(&m, m.nh.nlmsg_len, &link), -1);
	/* Length fields that lie. */
	init_msg(&m);
	put_attr(&m, IFLA_IFNAME, "a", 2);
	assert_int_equal(xd_rtnl_parse_link(&m, 8, &link), -1);
	m.nh.nlmsg_len = 4000;
	assert_int_equal(xd_rtnl_parse_link(&m, sizeof(m), &link), -1);
	init_msg(&m);
	m.nh.nlmsg_type = RTM_DELLINK;
	assert_int_equal(xd_rtnl_parse_link(&m, m.nh.nlmsg_len, &link), -1);
}

static void test_vifs(void **state)
{
	struct xd_vifs t = { 0 };
	char name[IFNAMSIZ];

	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "vif%d.0", i & 0xfff);
		assert_non_null(xd_vifs_get(&t, name));
	}
	assert_int_equal(t.n, 300);
	assert_ptr_equal(xd_vifs_get(&t, "vif5.0"), xd_vifs_find(&t, "vif5.0"));
	xd_vifs_remove(&t, "vif5.0");
	xd_vifs_remove(&t, "vif5.0");
	xd_vifs_remove(&t, "vif299.0");
	assert_null(xd_vifs_find(&t, "vif5.0"));
	assert_non_null(xd_vifs_find(&t, "vif298.0"));
	assert_int_equal(t.n, 298);
	xd_vifs_free(&t);
	assert_null(xd_vifs_find(&t, "vif1.0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uevent_add),
		cmocka_unit_test(test_uevent_move_remove),
		cmocka_unit_test(test_uevent_ignored),
		cmocka_unit_test(test_uevent_hostile),
		cmocka_unit_test(test_uevent_xenbus),
		cmocka_unit_test(test_uevent_xenbus_hostile),
		cmocka_unit_test(test_rtnl_parse),
		cmocka_unit_test(test_rtnl_hostile),
		cmocka_unit_test(test_vifs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
