// SPDX-License-Identifier: MIT
/*
 * Protocol version 2 on the wire: events encoded and parsed back (and
 * hostile ones refused by field), hello, info, stats and network-list
 * replies written as chaosd writes them and read by the client over a
 * socket pair, and the netdev counters read from a fake sysfs.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>

static void test_event_round_trip(void **state)
{
	chaosd_event e = { .type = CHAOSD_EVENT_CRASHED, .seq = 42,
			   .time_ms = 1764670000123ull, .domid = 12,
			   .owner = 2001 }, back;
	chaos_err err = { 0 };
	char *json;
	size_t len;

	(void)state;
	strcpy(e.name, "web1");
	strcpy(e.reason, "crash");
	assert_int_equal(chaosd_event_encode(&e, &json, &len, &err), 0);
	assert_non_null(strstr(json, "\"event\":\"crashed\""));
	assert_int_equal(chaosd_event_parse(json, len, &back, &err), 0);
	free(json);
	assert_int_equal(back.type, e.type);
	assert_int_equal(back.seq, 42);
	assert_int_equal(back.time_ms, e.time_ms);
	assert_int_equal(back.domid, 12);
	assert_int_equal(back.owner, 2001);
	assert_string_equal(back.name, "web1");
	assert_string_equal(back.reason, "crash");

	memset(&e, 0, sizeof(e));
	e.type = CHAOSD_EVENT_OVERFLOW;
	e.seq = 9;
	e.lost = 17;
	assert_int_equal(chaosd_event_encode(&e, &json, &len, &err), 0);
	assert_int_equal(chaosd_event_parse(json, len, &back, &err), 0);
	free(json);
	assert_int_equal(back.type, CHAOSD_EVENT_OVERFLOW);
	assert_int_equal(back.lost, 17);

	for (int t = CHAOSD_EVENT_CREATED; t <= CHAOSD_EVENT_OVERFLOW; t++)
		assert_non_null(chaosd_event_type_name((chaosd_event_type)t));
	assert_null(chaosd_event_type_name((chaosd_event_type)0));
	assert_null(chaosd_event_type_name((chaosd_event_type)99));
	e.type = (chaosd_event_type)99;
	assert_int_equal(chaosd_event_encode(&e, &json, &len, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

static void expect_bad(const char *text, const char *fragment)
{
	chaosd_event e;
	chaos_err err = { 0 };

	if (chaosd_event_parse(text, strlen(text), &e, &err) == 0)
		fail_msg("accepted: %s", text);
	if (!strstr(err.msg, fragment))
		fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, fragment);
	assert_int_equal(e.type, 0);  /* nothing half-filled */
}

static void test_event_hostile(void **state)
{
	char deep[64];
	chaosd_event e;

	(void)state;
	expect_bad("", "bytes is not");
	expect_bad("[1]", "not a JSON object");
	expect_bad("{\"seq\":1}", "event: missing");
	expect_bad("{\"event\":\"created\"}", "seq: missing");
	expect_bad("{\"event\":\"exploded\",\"seq\":1}", "unknown type");
	expect_bad("{\"event\":7,\"seq\":1}", "unknown type");
	expect_bad("{\"event\":\"created\",\"seq\":-1}", "seq: expected");
	expect_bad("{\"event\":\"created\",\"seq\":1,\"domid\":32752}",
		   "domid: expected");
	expect_bad("{\"event\":\"created\",\"seq\":1,\"owner\":4294967296}",
		   "owner: expected");
	expect_bad("{\"event\":\"created\",\"seq\":1,\"name\":"
		   "\"0123456789012345678901234567890123456789012345678901234567890123\"}",
		   "name: expected");
	expect_bad("{\"event\":\"created\",\"seq\":1,\"reason\":\"abcdefghijklmnop\"}",
		   "reason: expected");
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	expect_bad(deep, "nested too deep");
	assert_int_equal(chaosd_event_parse("{\"event\":\"created\",\"seq\":1\0}",
					    29, &e, NULL), -1);
	/* Keys of a later version are skipped. */
	{
		static const char later[] =
			"{\"event\":\"paused\",\"seq\":3,\"future\":{\"x\":[1]}}";

		assert_int_equal(chaosd_event_parse(later, sizeof(later) - 1, &e,
						    NULL), 0);
	}
	assert_int_equal(e.type, CHAOSD_EVENT_PAUSED);
}

/* Serve one request on (fd) with (reply), as chaosd would; then, when
 * (then) is set, that frame too and silence for a second. */
static pid_t serve_more(int fd, const char *reply, const char *then)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *req;
		size_t len;

		if (chaosd_frame_read(fd, &req, &len, 5000, NULL) ||
		    chaosd_frame_write(fd, reply, strlen(reply), 5000, NULL))
			_exit(1);
		free(req);
		if (then) {
			if (chaosd_frame_write(fd, then, strlen(then), 5000, NULL))
				_exit(1);
			sleep(1);
		}
		_exit(0);
	}
	return pid;
}

static const char *then_frame;

static char *finish(chaosd_reply *r)
{
	char *out;
	size_t len;

	assert_int_equal(chaosd_reply_finish(r, &out, &len), 0);
	return out;
}

/* A client on a listening socket in /tmp, served by a child. */
static chaosd_conn *client_for(const char *reply, pid_t *child, char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	chaosd_conn *c = NULL;
	chaos_err err = { 0 };
	int lfd, fd;

	snprintf(path, 64, "/tmp/chaos-api-test-%ld.sock", (long)getpid());
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(chaosd_connect(path, &c, &err), 0);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	*child = serve_more(fd, reply, then_frame);
	close(fd);
	close(lfd);
	unlink(path);
	return c;
}

static void reap(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_hello_and_info(void **state)
{
	chaosd_hello_info hello;
	chaos_host_info info = { .xen_major = 4, .xen_minor = 17,
				 .nr_cpus = 2, .total_kib = 1 << 20,
				 .usable_kib = 12345 }, back;
	chaosd_reply *r;
	chaosd_conn *c;
	chaos_err err = { 0 };
	char path[64], *text;
	pid_t pid;

	(void)state;
	r = chaosd_reply_ok();
	chaosd_reply_hello(r);
	text = finish(r);
	c = client_for(text, &pid, path);
	free(text);
	assert_int_equal(chaosd_hello(c, &hello, &err), 0);
	chaosd_close(c);
	reap(pid);
	assert_int_equal(hello.protocol, CHAOSD_PROTOCOL_VERSION);
	assert_string_equal(hello.version, CHAOS_VERSION);
	assert_true(chaosd_has_cap(&hello, "events"));
	assert_true(chaosd_has_cap(&hello, "stats"));
	assert_false(chaosd_has_cap(&hello, "teleport"));

	/* A chaosd of version 1 does not know hello. */
	c = client_for("{\"ok\":false,\"error\":\"op: unknown operation\"}", &pid,
		       path);
	assert_int_equal(chaosd_hello(c, &hello, &err), -1);
	assert_int_equal(err.code, EIO);
	chaosd_close(c);
	reap(pid);

	strcpy(info.xen_extra, ".3");
	strcpy(info.xen_caps, "xen-3.0-x86_64");
	r = chaosd_reply_ok();
	chaosd_reply_host_info(r, &info);
	text = finish(r);
	c = client_for(text, &pid, path);
	free(text);
	assert_int_equal(chaosd_info(c, &back, &err), 0);
	chaosd_close(c);
	reap(pid);
	assert_int_equal(back.xen_minor, 17);
	assert_int_equal(back.nr_cpus, 2);
	assert_int_equal(back.usable_kib, 12345);
	assert_string_equal(back.xen_extra, ".3");
	assert_string_equal(back.xen_caps, "xen-3.0-x86_64");
}

static void test_stats_and_vifs(void **state)
{
	chaos_guest_stats st = { .dom = { .domid = 7, .state = CHAOS_STATE_BLOCKED,
					  .mem_kib = 4096, .max_mem_kib = 4096,
					  .vcpus = 1, .cpu_time_ns = 123456789 },
				 .nr_vifs = 1 }, *back;
	chaos_vif_info vif = { .devid = 0 }, *vback;
	chaosd_reply *r;
	chaosd_conn *c;
	chaos_err err = { 0 };
	char path[64], *text;
	size_t n;
	pid_t pid;

	(void)state;
	strcpy(st.dom.name, "web1");
	st.vifs[0] = (chaos_vif_stats){ .devid = 0, .present = 1,
					.rx_bytes = 1000, .rx_packets = 10,
					.tx_bytes = 2000, .tx_packets = 20 };
	strcpy(st.vifs[0].ifname, "vif7.0");
	r = chaosd_reply_ok();
	chaosd_reply_open(r, "guests", true);
	chaosd_reply_stats(r, &st);
	chaosd_reply_close(r, true);
	text = finish(r);
	c = client_for(text, &pid, path);
	free(text);
	assert_int_equal(chaosd_stats(c, "web1", &back, &n, &err), 0);
	chaosd_close(c);
	reap(pid);
	assert_int_equal(n, 1);
	assert_int_equal(back[0].dom.domid, 7);
	assert_int_equal(back[0].dom.state, CHAOS_STATE_BLOCKED);
	assert_int_equal(back[0].dom.cpu_time_ns, 123456789);
	assert_string_equal(back[0].dom.name, "web1");
	assert_int_equal(back[0].nr_vifs, 1);
	assert_int_equal(back[0].vifs[0].tx_packets, 20);
	assert_true(back[0].vifs[0].present);
	assert_string_equal(back[0].vifs[0].ifname, "vif7.0");
	free(back);

	/* A state the client does not know is a malformed response. */
	c = client_for("{\"ok\":true,\"guests\":[{\"domid\":1,\"state\":\"zombie\","
		       "\"vifs\":[]}]}", &pid, path);
	assert_int_equal(chaosd_stats(c, NULL, &back, &n, &err), -1);
	assert_int_equal(err.code, EPROTO);
	assert_null(back);
	chaosd_close(c);
	reap(pid);

	strcpy(vif.ifname, "vif7.0");
	strcpy(vif.mac, "00:16:3e:00:00:01");
	strcpy(vif.ip, "10.0.0.2");
	strcpy(vif.bridge, "br0");
	strcpy(vif.backend, "connected");
	strcpy(vif.frontend, "connected");
	r = chaosd_reply_ok();
	chaosd_reply_vifs(r, &vif, 1);
	text = finish(r);
	c = client_for(text, &pid, path);
	free(text);
	assert_int_equal(chaosd_network_list(c, "web1", &vback, &n, &err), 0);
	chaosd_close(c);
	reap(pid);
	assert_int_equal(n, 1);
	assert_string_equal(vback[0].mac, "00:16:3e:00:00:01");
	assert_string_equal(vback[0].bridge, "br0");
	free(vback);
}

/* block-list: a XenStore guest's disks, written and read back. */
static void test_disks(void **state)
{
	chaos_disk_info d = { .devid = 51712, .be_state = 4, .fe_state = 4 },
			*back;
	chaosd_reply *r;
	chaosd_conn *c;
	chaos_err err = { 0 };
	char path[64], *text;
	size_t n;
	pid_t pid;

	(void)state;
	strcpy(d.vdev, "xvda");
	strcpy(d.target, "/images/a.raw");
	strcpy(d.mode, "w");
	strcpy(d.device, "/dev/loop0");
	strcpy(d.hotplug, "connected");
	r = chaosd_reply_ok();
	chaosd_reply_uint(r, "domid", 7);
	chaosd_reply_disks(r, &d, 1);
	text = finish(r);
	c = client_for(text, &pid, path);
	free(text);
	assert_int_equal(chaosd_block_list(c, "web1", &back, &n, &err), 0);
	chaosd_close(c);
	reap(pid);
	assert_int_equal(n, 1);
	assert_int_equal(back[0].devid, 51712);
	assert_string_equal(back[0].vdev, "xvda");
	assert_string_equal(back[0].target, "/images/a.raw");
	assert_string_equal(back[0].mode, "w");
	assert_string_equal(back[0].device, "/dev/loop0");
	assert_string_equal(back[0].hotplug, "connected");
	assert_int_equal(back[0].be_state, 4);
	assert_int_equal(back[0].fe_state, 4);
	free(back);

	/* No "disks" array: a malformed response, nothing returned. */
	c = client_for("{\"ok\":true,\"domid\":7}", &pid, path);
	assert_int_equal(chaosd_block_list(c, "web1", &back, &n, &err), -1);
	assert_int_equal(err.code, EPROTO);
	assert_null(back);
	chaosd_close(c);
	reap(pid);
}

static void test_list(void **state)
{
	chaosd_domain *d;
	chaosd_conn *c;
	chaos_err err = { 0 };
	char path[64];
	size_t n;
	pid_t pid;

	(void)state;
	c = client_for("{\"ok\":true,\"domains\":[{\"id\":0,\"name\":\"Domain-0\","
		       "\"kind\":\"dom0\",\"owner\":0,\"state\":\"running\","
		       "\"memory_mib\":1024,\"max_memory_mib\":1024,\"vcpus\":2,"
		       "\"cpu_time_s\":10.5},{\"id\":7,\"name\":\"web1\",\"kind\":"
		       "\"guest\",\"owner\":2001,\"state\":\"paused\",\"memory_mib\":4,"
		       "\"max_memory_mib\":4,\"vcpus\":1,\"cpu_time_s\":0}]}", &pid, path);
	assert_int_equal(chaosd_list(c, &d, &n, &err), 0);
	chaosd_close(c);
	reap(pid);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].kind, "dom0");
	assert_true(d[0].cpu_time_s > 10.4 && d[0].cpu_time_s < 10.6);
	assert_int_equal(d[1].domid, 7);
	assert_int_equal(d[1].owner, 2001);
	assert_int_equal(d[1].state, CHAOS_STATE_PAUSED);
	assert_string_equal(d[1].name, "web1");
	free(d);

	c = client_for("{\"ok\":true,\"domains\":[{\"id\":99999,\"state\":\"running\"}]}",
		       &pid, path);
	assert_int_equal(chaosd_list(c, &d, &n, &err), -1);
	assert_int_equal(err.code, EPROTO);
	chaosd_close(c);
	reap(pid);
}

/* A subscription: events come, and a quiet stream times out (the
 * socket is made non-blocking: a blocking read would wait for ever). */
static void test_subscribe_timeout(void **state)
{
	chaosd_conn *c;
	chaosd_event ev;
	chaos_err err = { 0 };
	char path[64];
	pid_t pid;
	long long t0;

	(void)state;
	then_frame = "{\"event\":\"started\",\"seq\":5,\"domid\":3,\"name\":\"a\"}";
	c = client_for("{\"ok\":true,\"protocol\":2}", &pid, path);
	then_frame = NULL;
	assert_int_equal(chaosd_subscribe(c, &err), 0);
	assert_int_equal(chaosd_event_next(c, 5000, &ev, &err), 0);
	assert_int_equal(ev.type, CHAOSD_EVENT_STARTED);
	assert_int_equal(ev.seq, 5);
	t0 = chaos_clock_ms();
	assert_int_equal(chaosd_event_next(c, 200, &ev, &err), -1);
	assert_int_equal(err.code, ETIMEDOUT);
	assert_true(chaos_clock_ms() - t0 < 900);
	/* The daemon going away ends the stream. */
	assert_int_equal(chaosd_event_next(c, 5000, &ev, &err), -1);
	assert_int_equal(err.code, EPIPE);
	chaosd_close(c);
	reap(pid);
}

static void put(const char *dir, const char *file, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_netdev_counters(void **state)
{
	char root[] = "/tmp/chaos-sysfs-XXXXXX", dir[256];
	chaos_vif_stats v;
	chaos_err err = { 0 };

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/vif3.0", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/vif3.0/statistics", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	put(dir, "rx_bytes", "1500\n");
	put(dir, "rx_packets", "3\n");
	put(dir, "tx_bytes", "18446744073709551615\n");
	put(dir, "tx_packets", "0\n");
	assert_int_equal(chaos_stats_read_netdev(root, "vif3.0", &v, &err), 0);
	assert_int_equal(v.rx_bytes, 1500);
	assert_int_equal(v.rx_packets, 3);
	assert_true(v.tx_bytes == UINT64_MAX);
	assert_true(v.present);
	put(dir, "tx_packets", "12abc\n");
	assert_int_equal(chaos_stats_read_netdev(root, "vif3.0", &v, &err), -1);
	assert_int_equal(err.code, EPROTO);
	assert_int_equal(chaos_stats_read_netdev(root, "vif9.0", &v, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(chaos_stats_read_netdev(root, "../etc", &v, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(chaos_stats_read_netdev(root, "..", &v, &err), -1);
	assert_int_equal(chaos_stats_read_netdev(root, "", &v, &err), -1);
	assert_int_equal(chaos_stats_read_netdev(root, "averyveryverylongname",
						 &v, &err), -1);
	{
		static const char *const files[] = { "rx_bytes", "rx_packets",
						     "tx_bytes", "tx_packets" };
		char p[300];

		for (size_t i = 0; i < 4; i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
			assert_int_equal(unlink(p), 0);
		}
		assert_int_equal(rmdir(dir), 0);
		snprintf(p, sizeof(p), "%s/vif3.0", root);
		assert_int_equal(rmdir(p), 0);
		assert_int_equal(rmdir(root), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_round_trip),
		cmocka_unit_test(test_event_hostile),
		cmocka_unit_test(test_hello_and_info),
		cmocka_unit_test(test_stats_and_vifs),
		cmocka_unit_test(test_subscribe_timeout),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_netdev_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
