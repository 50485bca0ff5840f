// SPDX-License-Identifier: MIT
/*
 * Unit tests for the xl.cfg parser (config/xlcfg*.c), the format
 * detection, and disks in both formats (config/disk.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <chaos/config.h>

static int parse(const char *text, chaos_config *cfg, chaos_err *err)
{
	return chaos_config_parse_buffer(text, strlen(text), "g.cfg", cfg, err);
}

static void ok(const char *text, chaos_config *cfg)
{
	chaos_err err = { 0 };

	if (parse(text, cfg, &err))
		fail_msg("%s\n  input: %s", err.msg, text);
	if (chaos_config_validate(cfg, &err))
		fail_msg("parsed but does not validate: %s", err.msg);
}

/* The parse fails with exactly want, on one line, leaving nothing. */
static void exact(const char *text, const char *want)
{
	chaos_config cfg;
	chaos_err err = { 0 };

	if (parse(text, &cfg, &err) == 0)
		fail_msg("parsed but expected: %s\n  input: %s", want, text);
	if (strcmp(err.msg, want))
		fail_msg("got:  %s\nwant: %s", err.msg, want);
	assert_null(cfg.kernel);
	assert_int_equal(cfg.nr_disks, 0);
}

/* The parse fails and the message, one line, contains want. */
static void refused(const char *text, const char *want)
{
	chaos_config cfg;
	chaos_err err = { 0 };

	if (parse(text, &cfg, &err) == 0)
		fail_msg("parsed but expected: %s\n  input: %s", want, text);
	if (!strstr(err.msg, want))
		fail_msg("got:  %s\nwant: ...%s...\n  input: %s", err.msg, want,
			 text);
	assert_null(strchr(err.msg, '\n'));
	assert_null(cfg.kernel);
}

/* kernel = "/k" then line: refused with want. */
static void line_refused(const char *line, const char *want)
{
	char text[4096];

	snprintf(text, sizeof(text), "kernel = \"/k\"\n%s\n", line);
	refused(text, want);
}

static void line_ok(const char *line, chaos_config *cfg)
{
	char text[4096];

	snprintf(text, sizeof(text), "kernel = \"/k\"\n%s\n", line);
	ok(text, cfg);
}

static void test_full(void **state)
{
	chaos_config cfg;
	char mac[18];

	(void)state;
	ok("# a stock PV guest\n"
	   "name = \"web-1\"\n"
	   "type = 'pv'\n"
	   "kernel = \"/guests/vmlinuz\"\n"
	   "ramdisk = '/guests/initrd.img'\n"
	   "root = \"/dev/xvda1 ro\"\n"
	   "extra = \"console=hvc0 quiet\"\n"
	   "memory = 128\n"
	   "maxmem = \"128\"\n"
	   "vcpus = 2; maxvcpus = 0x2\n"
	   "cpus = \"0-1,3\"\n"
	   "on_poweroff = \"preserve\"\n"
	   "on_reboot = 'destroy'\n"
	   "on_crash = \"restart\"   # comment after a value\n"
	   "vif = [ 'mac=00:16:3e:00:00:01, bridge=xenbr0, ip=10.0.0.2',\n"
	   "        '',    # a second vif with every default\n"
	   "        'type=vif,script=vif-bridge,backend=0',\n"
	   "      ]\n"
	   "disk = [ '/img/root.raw,raw,xvda,rw',\n"
	   "         'phy:/dev/vg/data,xvdb,r',\n"
	   "         'format=raw, vdev=xvdc, access=ro, target=/img/a,b.iso',\n"
	   "]\n", &cfg);
	assert_string_equal(cfg.name, "web-1");
	assert_string_equal(cfg.kernel, "/guests/vmlinuz");
	assert_string_equal(cfg.ramdisk, "/guests/initrd.img");
	assert_string_equal(cfg.cmdline, "root=/dev/xvda1 ro console=hvc0 quiet");
	assert_int_equal(cfg.memory_mib, 128);
	assert_int_equal(cfg.vcpus, 2);
	assert_true(cfg.cpus_set);
	assert_true(chaos_config_cpu_isset(&cfg, 0));
	assert_true(chaos_config_cpu_isset(&cfg, 1));
	assert_false(chaos_config_cpu_isset(&cfg, 2));
	assert_true(chaos_config_cpu_isset(&cfg, 3));
	assert_int_equal(cfg.on_poweroff, CHAOS_ACTION_PRESERVE);
	assert_int_equal(cfg.on_reboot, CHAOS_ACTION_DESTROY);
	assert_int_equal(cfg.on_crash, CHAOS_ACTION_RESTART);
	assert_int_equal(cfg.nr_vifs, 3);
	chaos_config_format_mac(cfg.vifs[0].mac, mac);
	assert_true(cfg.vifs[0].mac_set);
	assert_string_equal(mac, "00:16:3e:00:00:01");
	assert_string_equal(cfg.vifs[0].bridge, "xenbr0");
	assert_true(cfg.vifs[0].ip_set);
	assert_int_equal(cfg.vifs[0].ip[3], 2);
	assert_false(cfg.vifs[1].mac_set);
	assert_string_equal(cfg.vifs[1].bridge, "");
	assert_int_equal(cfg.nr_disks, 3);
	assert_string_equal(cfg.disks[0].target, "/img/root.raw");
	assert_string_equal(cfg.disks[0].vdev, "xvda");
	assert_int_equal(cfg.disks[0].devid, 51712);
	assert_false(cfg.disks[0].readonly);
	assert_int_equal(cfg.disks[0].kind, CHAOS_DISK_AUTO);
	assert_string_equal(cfg.disks[1].target, "/dev/vg/data");
	assert_string_equal(cfg.disks[1].vdev, "xvdb");
	assert_true(cfg.disks[1].readonly);
	/* "target=" takes the rest of the spec, commas included. */
	assert_string_equal(cfg.disks[2].target, "/img/a,b.iso");
	assert_true(cfg.disks[2].readonly);
	chaos_config_free(&cfg);
	chaos_config_free(&cfg);    /* twice is harmless */
}

static void test_minimal_and_defaults(void **state)
{
	chaos_config cfg;

	(void)state;
	ok("kernel=\"/k\"", &cfg);  /* no newline at the end */
	assert_string_equal(cfg.kernel, "/k");
	assert_string_equal(cfg.name, "");
	assert_null(cfg.cmdline);
	assert_int_equal(cfg.memory_mib, CHAOS_CONFIG_DEFAULT_MEMORY);
	assert_int_equal(cfg.vcpus, 1);
	assert_false(cfg.cpus_set);
	assert_int_equal(cfg.on_poweroff, CHAOS_ACTION_DESTROY);
	assert_int_equal(cfg.on_reboot, CHAOS_ACTION_RESTART);
	assert_int_equal(cfg.on_crash, CHAOS_ACTION_DESTROY);
	assert_int_equal(cfg.nr_vifs, 0);
	assert_int_equal(cfg.nr_disks, 0);
	chaos_config_free(&cfg);

	/* CRLF line ends, blank lines, ';' separators, empty lists. */
	ok("\r\n\r\nkernel = '/k';;\r\n vif = [ ]\r\ndisk=[]\r\n", &cfg);
	assert_int_equal(cfg.nr_vifs, 0);
	chaos_config_free(&cfg);
}

static void test_cmdline_joining(void **state)
{
	chaos_config cfg;

	(void)state;
	line_ok("root = \"/dev/xvda\"", &cfg);
	assert_string_equal(cfg.cmdline, "root=/dev/xvda");
	chaos_config_free(&cfg);
	line_ok("extra = \"console=hvc0\"", &cfg);
	assert_string_equal(cfg.cmdline, "console=hvc0");
	chaos_config_free(&cfg);
	line_ok("extra = \"b\"\nroot = \"a\"", &cfg);
	assert_string_equal(cfg.cmdline, "root=a b");
	chaos_config_free(&cfg);
	line_ok("cmdline = \"quiet\"", &cfg);
	assert_string_equal(cfg.cmdline, "quiet");
	chaos_config_free(&cfg);
	exact("kernel = \"/k\"\ncmdline = \"a\"\nroot = \"/dev/xvda\"\n",
	      "g.cfg:3:1: root: cannot be combined with cmdline (xl would "
	      "ignore it; say it in cmdline instead)");
	refused("kernel = \"/k\"\nextra = \"a\"\ncmdline = \"b\"\n",
		"g.cfg:2:1: extra: cannot be combined with cmdline");
}

static void test_strings_and_numbers(void **state)
{
	chaos_config cfg;

	(void)state;
	line_ok("cmdline = \"a\\tb\\\\c\\\"d\\'e\\x41\\101\\n\"", &cfg);
	assert_string_equal(cfg.cmdline, "a\tb\\c\"d'eAA\n");
	chaos_config_free(&cfg);
	/* Single quotes take backslashes literally. */
	line_ok("cmdline = 'a\\nb \"x\"'", &cfg);
	assert_string_equal(cfg.cmdline, "a\\nb \"x\"");
	chaos_config_free(&cfg);
	line_ok("memory = 0x40", &cfg);
	assert_int_equal(cfg.memory_mib, 64);
	chaos_config_free(&cfg);
	line_ok("memory = \"64\"\nvcpus = '3'", &cfg);
	assert_int_equal(cfg.memory_mib, 64);
	assert_int_equal(cfg.vcpus, 3);
	chaos_config_free(&cfg);
	line_ok("cmdline = \"caf\xc3\xa9\"", &cfg);
	chaos_config_free(&cfg);
}

/* Each syntax error, with its exact position. */
static void test_syntax_errors(void **state)
{
	(void)state;
	exact("kernel = \"/k\"\nmemory 64\n",
	      "g.cfg:2:8: memory: expected '=' after the key, got \"6\"");
	exact("kernel = \"/k\"\nmemory =\n",
	      "g.cfg:2:9: memory: no value after '='");
	exact("kernel = \"/k\n",
	      "g.cfg:1:10: kernel: unterminated string (no closing \" on its line)");
	exact("kernel = '/k",
	      "g.cfg:1:10: kernel: unterminated string (no closing ' on its line)");
	exact("kernel = \"/k\"\ntype = pv\n",
	      "g.cfg:2:8: type: a string needs quotes: got \"pv\" unquoted");
	exact("kernel = \"/k\"\nvif = [ 'a' 'b' ]\n",
	      "g.cfg:2:13: vif: expected ',' or ']' in the list, got \"'\"");
	exact("kernel = \"/k\"\nvif = [ 'a',\n",
	      "g.cfg:2:7: vif: the list has no closing ']'");
	exact("kernel = \"/k\"\nvif = [ ['a'] ]\n",
	      "g.cfg:2:9: vif: lists cannot be nested");
	exact("kernel = \"/k\" x\n",
	      "g.cfg:1:15: kernel: expected the end of the line after the "
	      "value, got \"x\"");
	exact("kernel = \"/k\"\n= 5\n",
	      "g.cfg:2:1: expected a setting (key = value), got \"=\"");
	exact("kernel = \"/k\"\n9lives = 5\n",
	      "g.cfg:2:1: expected a setting (key = value), got \"9\"");
	exact("kernel = \"/k\"\nextra += \"x\"\n",
	      "g.cfg:2:7: extra: '+=' is not supported: set the whole value once");
	exact("kernel = \"/k\"\nmemory = 010\n",
	      "g.cfg:2:10: memory: a number with a leading zero (xl would "
	      "read it as octal)");
	exact("kernel = \"/k\"\nmemory = 64M\n",
	      "g.cfg:2:10: memory: not a number (strings need quotes)");
	exact("kernel = \"/k\"\nmemory = 0x\n",
	      "g.cfg:2:10: memory: 0x needs hex digits");
	exact("kernel = \"/k\"\nmemory = -5\n",
	      "g.cfg:2:10: memory: expected a value (a quoted string, a number "
	      "or a list), got \"-\"");
	exact("kernel = \"/k\"\nextra = \"a\\qb\"\n",
	      "g.cfg:2:11: extra: unknown escape '\\q' in a string");
	exact("kernel = \"/k\"\nextra = \"a\\x4\"\n",
	      "g.cfg:2:11: extra: \\x needs two hex digits");
	exact("kernel = \"/k\"\nextra = \"a\\x00\"\n",
	      "g.cfg:2:11: extra: a string cannot hold a NUL byte");
	exact("kernel = \"/k\"\nextra = \"\\0\"\n",
	      "g.cfg:2:10: extra: a string cannot hold a NUL byte");
	exact("kernel = \"/k\"\nextra = \"\\777\"\n",
	      "g.cfg:2:10: extra: octal escape above \\377");
	exact("kernel = \"/k\"\n\xc3\xa9 = 1\n",
	      "g.cfg:2:1: expected a setting (key = value), got \"\\xc3\\xa9\"");
	refused("kernel = \"/k\"\nabcdefghijabcdefghijabcdefghijabcdefghij"
		"abcdefghijabcdefghijabcd = 1\n",
		"g.cfg:2:1: a key has at most 63 characters");
}

static void test_bytes(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };
	static const char nul[] = "kernel = \"/k\"\nname = \"a\0b\"\n";
	static const char bad[] = "kernel = \"/k\"\n# \xff\n";

	(void)state;
	assert_int_equal(chaos_config_parse_buffer(nul, sizeof(nul) - 1,
						   "g.cfg", &cfg, &err), -1);
	assert_string_equal(err.msg, "g.cfg:2:10: a NUL byte");
	assert_int_equal(chaos_config_parse_buffer(bad, sizeof(bad) - 1,
						   "g.cfg", &cfg, &err), -1);
	assert_string_equal(err.msg, "g.cfg:2:3: not valid UTF-8");
	assert_int_equal(chaos_config_parse_xl_buffer(NULL, 0, NULL, &cfg,
						      &err), -1);
	assert_int_equal(chaos_config_parse_xl_buffer("kernel='/k'",
		(size_t)CHAOS_CONFIG_FILE_MAX + 1, "big.cfg", &cfg, &err), -1);
	assert_int_equal(err.code, EFBIG);
	/* Without a name, messages say "(config)". */
	assert_int_equal(chaos_config_parse_xl_buffer("memory = 5", 10, NULL,
						      &cfg, &err), -1);
	assert_string_equal(err.msg,
			    "(config): kernel: required key is missing");
}

/* A list of 65 items, and many settings. */
static void test_limits(void **state)
{
	char text[8192];
	size_t n = 0;
	chaos_config cfg;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "kernel = \"/k\"\nvif = [");
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "'',");
	snprintf(text + n, sizeof(text) - n, "]\n");
	refused(text, "g.cfg:2:200: vif: a list has at most 64 items");

	n = (size_t)snprintf(text, sizeof(text), "kernel = \"/k\"\nvif = [");
	for (int i = 0; i < 9; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "'',");
	snprintf(text + n, sizeof(text) - n, "]\n");
	refused(text, "g.cfg:2:32: vif[8]: at most 8 vifs");

	n = (size_t)snprintf(text, sizeof(text), "kernel = \"/k\"\ndisk = [");
	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "'/d,,xvd%c',", 'a' + i);
	snprintf(text + n, sizeof(text) - n, "]\n");
	refused(text, "disk[16]: at most 16 disks");

	n = (size_t)snprintf(text, sizeof(text), "kernel = \"/k\"\ndisk = [");
	for (int i = 0; i < 16; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "'/d,,xvd%c',", 'a' + i);
	snprintf(text + n, sizeof(text) - n, "]\n");
	ok(text, &cfg);
	assert_int_equal(cfg.nr_disks, 16);
	chaos_config_free(&cfg);
}

static void test_keys(void **state)
{
	(void)state;
	exact("kernel = \"/k\"\nmemroy = 5\n",
	      "g.cfg:2:1: memroy: unknown or unsupported xl.cfg key "
	      "(docs/config.md lists what chaos reads)");
	exact("kernel = \"/k\"\n  vfb = [ 'vnc=1' ]\n",
	      "g.cfg:2:3: vfb: not supported by chaos: this kind of device "
	      "is not supported; chaos has vifs and the console");
	exact("kernel = \"/k\"\nmemory = 5\nmemory = 6\n",
	      "g.cfg:3:1: memory: set twice (first at 2:1)");
	exact("memory = 5\n", "g.cfg: kernel: required key is missing");
	exact("# only a comment\n", "g.cfg: kernel: required key is missing");
	line_refused("bootloader = \"pygrub\"",
		     "g.cfg:2:1: bootloader: not supported by chaos: chaos "
		     "loads the kernel itself");
	line_refused("uuid = \"0\"", "uuid: not supported by chaos");
	line_refused("pci = [ '01:00.0' ]", "pci: not supported by chaos: PCI");
	line_refused("vnc = 1", "vnc: not supported by chaos: for HVM guests");
	line_refused("on_watchdog = 'destroy'", "on_watchdog: not supported");
	line_refused("cpus_soft = \"1\"", "cpus_soft: not supported");
	line_refused("vtpm = []", "vtpm: not supported by chaos");
	line_refused("pool = \"p\"", "pool: not supported by chaos");
	line_refused("cpuid = \"host,avx=0\"",
		     "cpuid: not supported by chaos: CPUID policies are not supported");
}

static void test_values(void **state)
{
	chaos_config cfg;

	(void)state;
	line_refused("type = \"hvm\"",
		     "g.cfg:2:8: type: \"hvm\" is not supported: chaos builds "
		     "PV guests (type = \"pv\")");
	line_refused("type = 'pvh'", "type: \"pvh\" is not supported");
	line_refused("type = 'x'", "type: expected \"pv\"");
	line_refused("builder = 'hvm'", "builder: only \"generic\"");
	line_ok("builder = 'generic'", &cfg);
	chaos_config_free(&cfg);
	line_refused("name = \"a b\"", "g.cfg:2:8: name: \"a b\": only A-Z");
	line_refused("name = 1234", "name: \"1234\": must not be all digits");
	line_refused("ramdisk = \"\"", "ramdisk: expected a path of 1 to 4095");
	line_refused("memory = 0",
		     "g.cfg:2:10: memory: expected an integer from 1 to "
		     "1048576, got \"0\"");
	line_refused("memory = 99999999999999999999999",
		     "memory: expected an integer from 1 to 1048576");
	line_refused("memory = \"12x\"", "memory: expected an integer");
	line_refused("memory = [1]",
		     "g.cfg:2:10: memory: expected a single value, not a list");
	line_refused("vcpus = 129", "vcpus: expected an integer from 1 to 128");
	line_refused("memory = 64\nmaxmem = 128",
		     "g.cfg:3:1: maxmem: 128 differs from memory (64): chaos "
		     "does not balloon");
	line_refused("maxvcpus = 4",
		     "g.cfg:2:1: maxvcpus: 4 differs from vcpus (1): chaos does "
		     "not hot-plug vCPUs");
	line_ok("maxmem = 32\nmaxvcpus = 1", &cfg);
	chaos_config_free(&cfg);

	/* on_*: xl's actions chaos lacks are named. */
	line_refused("on_crash = \"coredump-destroy\"",
		     "g.cfg:2:12: on_crash: \"coredump-destroy\" is not "
		     "supported by chaos (it has destroy, restart and preserve)");
	line_refused("on_crash = \"coredump-restart\"",
		     "\"coredump-restart\" is not supported");
	line_refused("on_reboot = \"rename-restart\"",
		     "on_reboot: \"rename-restart\" is not supported");
	line_refused("on_poweroff = \"soft-reset\"",
		     "on_poweroff: \"soft-reset\" is not supported");
	line_refused("on_poweroff = \"reboot\"",
		     "on_poweroff: expected \"destroy\", \"restart\" or "
		     "\"preserve\", got \"reboot\"");

	/* cpus */
	line_ok("cpus = \"all\"", &cfg);
	assert_false(cfg.cpus_set);
	chaos_config_free(&cfg);
	line_refused("cpus = [ \"2\", \"3\" ]",
		     "cpus: a list pins each vCPU on its own");
	line_refused("cpus = \"0-3,^1\"", "cpus: only CPU numbers and ranges");
	line_refused("cpus = \"nodes:0\"", "cpus: only CPU numbers and ranges");
	line_refused("cpus = \"3-1\"", "cpus: \"3-1\": range 3-1 is reversed");
	line_refused("cpus = \"1024\"", "cpus: \"1024\": CPU numbers go from");
	line_refused("cmdline = [ 'a' ]", "cmdline: expected a single value");
}

static void test_vifs(void **state)
{
	chaos_config cfg;

	(void)state;
	line_ok("vif = [ ' mac = 02:00:00:00:00:09 , bridge = br1 ' ]", &cfg);
	assert_true(cfg.vifs[0].mac_set);
	assert_int_equal(cfg.vifs[0].mac[5], 9);
	assert_string_equal(cfg.vifs[0].bridge, "br1");
	chaos_config_free(&cfg);
	line_ok("vif = [ 'script=/etc/xen/scripts/vif-bridge,type=vif' ]",
		&cfg);
	chaos_config_free(&cfg);

	line_refused("vif = 'bridge=br0'",
		     "g.cfg:2:7: vif: expected a list like [ '...', '...' ]");
	line_refused("vif = [ 'bridge=br0', 'model=e1000' ]",
		     "g.cfg:2:23: vif[1]: model: not supported: emulated NIC "
		     "models are for HVM guests");
	line_refused("vif = [ 'vifname=web0' ]", "vif[0]: vifname: not supported");
	line_refused("vif = [ 'rate=10Mb/s' ]", "vif[0]: rate: not supported");
	line_refused("vif = [ 'mtu=9000' ]",
		     "vif[0]: mtu: unknown or unsupported vif setting");
	line_refused("vif = [ 'Weird Key=1' ]",
		     "vif[0]: \"Weird Key\": unknown or unsupported vif setting");
	line_refused("vif = [ 'bridge' ]",
		     "vif[0]: bridge: expected key=value");
	line_refused("vif = [ 'script=vif-openvswitch' ]",
		     "vif[0].script: chaos runs no hotplug scripts");
	line_refused("vif = [ 'type=ioemu' ]",
		     "vif[0].type: only \"vif\"");
	line_refused("vif = [ 'backend=dd' ]",
		     "vif[0].backend: driver domains are not supported");
	line_refused("vif = [ 'mac=01:00:5e:00:00:01' ]",
		     "vif[0].mac: \"01:00:5e:00:00:01\": a multicast address");
	line_refused("vif = [ 'mac=00:16:3e:xx:00:01' ]",
		     "vif[0].mac: \"00:16:3e:xx:00:01\": expected six hex octets");
	line_refused("vif = [ 'mac=02:00:00:00:00:01', 'mac=02:00:00:00:00:01' ]",
		     "vif[1].mac: same MAC as vif[0]");
	line_refused("vif = [ 'ip=10.0.0.1 10.0.0.2' ]",
		     "vif[0].ip: one address only");
	line_refused("vif = [ 'ip=10.0.0.256' ]",
		     "vif[0].ip: \"10.0.0.256\": expected a dotted IPv4");
	line_refused("vif = [ 'bridge=br/0' ]",
		     "vif[0].bridge: \"br/0\": an interface name has no '/'");
	line_refused("vif = [ 'bridge=br0,bridge=br1' ]",
		     "vif[0].bridge: given twice");
}

static void test_disks_xl(void **state)
{
	chaos_config cfg;

	(void)state;
	/* The equivalent forms of xl-disk-configuration(5). */
	static const char *const same[] = {
		"/dev/vg/guest-volume,,hda",
		"/dev/vg/guest-volume,raw,hda,rw",
		"format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
		"raw:/dev/vg/guest-volume,hda,w",
		"vdev=hda,/dev/vg/guest-volume",
		"backendtype=phy,devtype=disk,/dev/vg/guest-volume,,hda",
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++) {
		char line[256];

		snprintf(line, sizeof(line), "disk = [ '%s' ]", same[i]);
		line_ok(line, &cfg);
		assert_int_equal(cfg.nr_disks, 1);
		assert_string_equal(cfg.disks[0].target, "/dev/vg/guest-volume");
		assert_string_equal(cfg.disks[0].vdev, "hda");
		assert_int_equal(cfg.disks[0].devid, 3 << 8);
		assert_false(cfg.disks[0].readonly);
		chaos_config_free(&cfg);
	}
	line_ok("disk = [ 'file:/img,xvdb,r', 'phy:/dev/sdz,sdb,ro' ]", &cfg);
	assert_string_equal(cfg.disks[0].target, "/img");
	assert_true(cfg.disks[0].readonly);
	assert_int_equal(cfg.disks[1].devid, 8 << 8 | 1 << 4);
	chaos_config_free(&cfg);

	line_refused("disk = [ '/img,qcow2,xvda' ]",
		     "g.cfg:2:10: disk[0].format: \"qcow2\" is not supported: "
		     "only raw images");
	line_refused("disk = [ '/img,vmdk,xvda' ]",
		     "disk[0].format: \"vmdk\": expected a format like \"raw\"");
	line_refused("disk = [ '/img,,xvda,rw', '/img2,,xvda,ro' ]",
		     "g.cfg:2:27: disk[1].vdev: \"xvda\" is already disk[0]'s");
	line_refused("disk = [ '/img,,xvda,rwx' ]",
		     "disk[0].access: expected \"r\", \"ro\", \"w\" or \"rw\", "
		     "got \"rwx\"");
	line_refused("disk = [ '/img,,vda' ]",
		     "disk[0].vdev: \"vda\": expected a virtual device like");
	line_refused("disk = [ '/img,,xvda0' ]", "disk[0].vdev: \"xvda0\"");
	line_refused("disk = [ '/img,,hde' ]",
		     "disk[0].vdev: \"hde\": IDE names go from hda to hdd");
	line_refused("disk = [ '/img,,sdq' ]",
		     "disk[0].vdev: \"sdq\": SCSI names go from sda to sdp");
	line_refused("disk = [ '/img' ]", "disk[0].vdev: missing");
	line_refused("disk = [ 'vdev=xvda' ]", "disk[0].target: missing");
	line_refused("disk = [ ',,xvda' ]", "disk[0].target: empty");
	line_refused("disk = [ '/img,,hdc,cdrom' ]",
		     "disk[0].cdrom: not supported: only disks");
	line_refused("disk = [ '/img,,hdc:cdrom' ]",
		     "disk[0].vdev: \"hdc:cdrom\": the \"vdev:devtype\" form");
	line_refused("disk = [ '/img,,xvda,devtype=cdrom' ]",
		     "disk[0].devtype: \"cdrom\" is not supported");
	line_refused("disk = [ '/img,,xvda,backendtype=qdisk' ]",
		     "disk[0].backendtype: \"qdisk\" is not supported: only \"phy\"");
	line_refused("disk = [ '/img,,xvda,script=block-iscsi' ]",
		     "disk[0]: script: not supported: chaos runs no hotplug scripts");
	line_refused("disk = [ '/img,,xvda,backend=dd' ]",
		     "disk[0]: backend: not supported");
	line_refused("disk = [ '/img,,xvda,discard' ]",
		     "disk[0]: discard: flag not supported");
	line_refused("disk = [ '/img,,xvda,colo-host=x' ]",
		     "disk[0]: colo-host: unknown or unsupported disk setting");
	line_refused("disk = [ '/img,raw,xvda,rw,extra' ]",
		     "disk[0]: too many positional parameters");
	line_refused("disk = [ '/img,,xvda,vdev=xvdb' ]",
		     "disk[0].vdev: given twice");
	line_refused("disk = [ 'tap:aio:/img,xvda,w' ]",
		     "disk[0].target: prefix \"tap:\" is not supported");
	line_refused("disk = [ 'qcow2:/img,xvda,w' ]",
		     "disk[0].target: prefix \"qcow2:\" is not supported");
	line_refused("disk = '/img,,xvda'", "disk: expected a list");
}

static void test_vdev_numbers(void **state)
{
	static const struct {
		const char *vdev;
		uint32_t devid;
	} cases[] = {
		{ "xvda", 202 << 8 }, { "xvdb", 202 << 8 | 16 },
		{ "xvda1", 202 << 8 | 1 }, { "xvdp15", 202 << 8 | 15 << 4 | 15 },
		{ "xvdq", 1u << 28 | 16 << 8 }, { "xvda16", 1u << 28 | 16 },
		{ "xvdaa", 1u << 28 | 26 << 8 }, { "xvdzz255", 1u << 28 | 701 << 8 | 255 },
		{ "hda", 3 << 8 }, { "hdb", 3 << 8 | 64 }, { "hdc", 22 << 8 },
		{ "hdd63", 22 << 8 | 127 }, { "sda", 8 << 8 }, { "sdp15", 8 << 8 | 255 },
	};
	static const char *const bad[] = {
		"", "xvd", "xvdA", "xvdaaa", "xvda0", "xvda256", "xvda01",
		"hd", "hdaa", "hde", "hda64", "sdq", "sda16", "vda", "xvda ",
		"xvdzz2555",
	};
	chaos_err err = { 0 };
	uint32_t devid;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		if (chaos_config_parse_vdev(cases[i].vdev, &devid, &err))
			fail_msg("%s: %s", cases[i].vdev, err.msg);
		if (devid != cases[i].devid)
			fail_msg("%s: %#x, want %#x", cases[i].vdev, devid,
				 cases[i].devid);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (!chaos_config_parse_vdev(bad[i], &devid, &err))
			fail_msg("\"%s\" parsed as %#x", bad[i], devid);
	assert_int_equal(chaos_config_parse_vdev(NULL, &devid, &err), -1);
}

static void test_disks_json(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };
	const char *good =
		"{\"kernel\": \"/k\", \"disks\": ["
		"{\"target\": \"/img/root.raw\", \"vdev\": \"xvda\"},"
		"{\"target\": \"/dev/vg/d\", \"vdev\": \"xvdb\", \"mode\": \"ro\","
		" \"kind\": \"block\"},"
		"{\"target\": \"/img/b\", \"vdev\": \"xvdc\", \"mode\": \"rw\","
		" \"kind\": \"file\"}]}";

	(void)state;
	assert_int_equal(chaos_config_parse_buffer(good, strlen(good), "t.json",
						   &cfg, &err), 0);
	assert_int_equal(cfg.nr_disks, 3);
	assert_string_equal(cfg.disks[0].target, "/img/root.raw");
	assert_int_equal(cfg.disks[0].kind, CHAOS_DISK_AUTO);
	assert_false(cfg.disks[0].readonly);
	assert_true(cfg.disks[1].readonly);
	assert_int_equal(cfg.disks[1].kind, CHAOS_DISK_BLOCK);
	assert_int_equal(cfg.disks[2].kind, CHAOS_DISK_FILE);
	assert_int_equal(cfg.disks[2].devid, 202 << 8 | 32);
	assert_int_equal(chaos_config_validate(&cfg, &err), 0);
	chaos_config_free(&cfg);

#define J(x) "{\"kernel\": \"/k\", \"disks\": [" x "]}"
	refused(J("{\"vdev\": \"xvda\"}"),
		"g.cfg:1:28: disks[0].target: required key is missing");
	refused(J("{\"target\": \"/i\"}"),
		"disks[0].vdev: required key is missing");
	refused(J("{\"target\": \"/i\", \"vdev\": \"xvda\", \"mode\": \"w\"}"),
		"disks[0].mode: expected \"ro\" or \"rw\", got \"w\"");
	refused(J("{\"target\": \"/i\", \"vdev\": \"xvda\", \"kind\": \"nbd\"}"),
		"disks[0].kind: expected \"file\" or \"block\", got \"nbd\"");
	refused(J("{\"target\": \"/i\", \"vdev\": \"xvda\"},"
		  "{\"target\": \"/j\", \"vdev\": \"xvda\"}"),
		"disks[1].vdev: \"xvda\" is already disks[0]'s");
	refused(J("{\"target\": \"/i\", \"vdev\": \"sdx\"}"),
		"disks[0].vdev: \"sdx\": SCSI names");
	refused(J("{\"target\": \"/i\", \"vdev\": \"xvda\", \"cache\": \"x\"}"),
		"disks[0].cache: unknown key");
	refused(J("{\"target\": 5}"), "disks[0].target: expected a string, got 5");
	refused(J("{\"target\": \"\"}"), "disks[0].target: expected a path");
	refused(J("[]"), "disks[0]: expected a disk object, got an array");
	refused("{\"kernel\": \"/k\", \"disks\": {}}",
		"disks: expected an array of disk objects, got an object");
	refused(J("{\"target\": \"/i\", \"target\": \"/j\"}"),
		"disks[0].target: duplicate key");
#undef J
	{
		char text[4096];
		size_t n = (size_t)snprintf(text, sizeof(text),
					    "{\"kernel\": \"/k\", \"disks\": [");

		for (int i = 0; i < 17; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
				"%s{\"target\": \"/i\", \"vdev\": \"xvd%c\"}",
				i ? "," : "", 'a' + i);
		snprintf(text + n, sizeof(text) - n, "]}");
		refused(text, "disks: at most 16 disks are allowed");
	}
}

static void test_validate_disks(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };

	(void)state;
	chaos_config_init(&cfg);
	cfg.kernel = strdup("/k");
	cfg.nr_disks = 2;
	cfg.disks[0].target = strdup("/img");
	snprintf(cfg.disks[0].vdev, sizeof(cfg.disks[0].vdev), "xvda");
	cfg.disks[0].devid = 202 << 8;
	cfg.disks[1].target = strdup("/img2");
	snprintf(cfg.disks[1].vdev, sizeof(cfg.disks[1].vdev), "xvdb");
	cfg.disks[1].devid = 202 << 8 | 16;
	assert_int_equal(chaos_config_validate(&cfg, &err), 0);
	cfg.disks[1].devid = 5;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "disks[1].vdev: devid 0x5 does not match"));
	snprintf(cfg.disks[1].vdev, sizeof(cfg.disks[1].vdev), "xvda");
	cfg.disks[1].devid = 202 << 8;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "disks[1].vdev: same device as disks[0]");
	cfg.disks[1].devid = 202 << 8 | 16;
	snprintf(cfg.disks[1].vdev, sizeof(cfg.disks[1].vdev), "xvdb");
	cfg.disks[1].kind = (chaos_config_disk_kind)7;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "disks[1].kind: unknown kind");
	cfg.disks[1].kind = CHAOS_DISK_FILE;
	free(cfg.disks[1].target);
	cfg.disks[1].target = NULL;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "disks[1].target: required key is missing");
	cfg.nr_disks = CHAOS_CONFIG_DISKS_MAX + 1;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "disks: at most 16 disks, got 17");
	chaos_config_free(&cfg);
}

/* Which parser a text goes to. */
static void test_detection(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };

	(void)state;
	/* JSON and what JSON can start with keep JSON's messages. */
	refused("  {\"kernel\": 5}", "kernel: expected a path");
	refused("[]", "expected a JSON object at the top level");
	refused("null", "expected a JSON object at the top level, got null");
	refused("true", "got true");
	refused("\"x\"", "got \"x\"");
	refused("/* c */ {}", "invalid JSON");
	refused("", "empty, expected a JSON object or xl.cfg settings");
	/* A key or a comment first: xl.cfg. */
	refused("\n\n  # c\nmemory = 5", "kernel: required key is missing");
	refused("nullable = 1", "nullable: unknown or unsupported xl.cfg key");
	refused("_x = 1", "_x: unknown or unsupported xl.cfg key");
	assert_int_equal(parse("kernel = \"/k\"", &cfg, &err), 0);
	chaos_config_free(&cfg);
	/* The xl entry point takes xl.cfg only. */
	assert_int_equal(chaos_config_parse_xl_buffer("{}", 2, "j", &cfg, &err),
			 -1);
	assert_string_equal(err.msg,
			    "j:1:1: expected a setting (key = value), got \"{\"");
}

/* Back to JSON and parsed again: the same config. */
static void test_to_json(void **state)
{
	chaos_config a, b;
	chaos_err err = { 0 };
	char *json;

	(void)state;
	ok("name = 'rt'\nkernel = '/k'\nramdisk = '/r'\n"
	   "extra = \"q \\\"x\\\" \\n\"\nmemory = 64\nvcpus = 2\n"
	   "cpus = \"1,3-4\"\non_crash = 'preserve'\n"
	   "vif = [ 'mac=02:00:00:00:00:01,ip=10.0.0.9,bridge=br0', '' ]\n"
	   "disk = [ '/d,,xvda,ro', 'vdev=hdb,target=/e' ]\n", &a);
	assert_int_equal(chaos_config_to_json(&a, &json, &err), 0);
	assert_null(strchr(json, '\n'));
	if (chaos_config_parse_buffer(json, strlen(json), "rt.json", &b, &err))
		fail_msg("%s\n  json: %s", err.msg, json);
	assert_string_equal(a.name, b.name);
	assert_string_equal(a.kernel, b.kernel);
	assert_string_equal(a.ramdisk, b.ramdisk);
	assert_string_equal(a.cmdline, b.cmdline);
	assert_int_equal(a.memory_mib, b.memory_mib);
	assert_int_equal(a.vcpus, b.vcpus);
	assert_true(b.cpus_set);
	assert_memory_equal(a.cpumap, b.cpumap, sizeof(a.cpumap));
	assert_int_equal(a.on_crash, b.on_crash);
	assert_int_equal(b.nr_vifs, 2);
	assert_memory_equal(&a.vifs, &b.vifs, sizeof(a.vifs));
	assert_int_equal(b.nr_disks, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(a.disks[i].target, b.disks[i].target);
		assert_string_equal(a.disks[i].vdev, b.disks[i].vdev);
		assert_int_equal(a.disks[i].devid, b.disks[i].devid);
		assert_int_equal(a.disks[i].readonly, b.disks[i].readonly);
		assert_int_equal(a.disks[i].kind, b.disks[i].kind);
	}
	free(json);
	chaos_config_free(&b);

	/* Refused: an invalid config, a string that is not UTF-8. */
	a.vcpus = 0;
	assert_int_equal(chaos_config_to_json(&a, &json, &err), -1);
	assert_null(json);
	assert_non_null(strstr(err.msg, "vcpus: expected"));
	a.vcpus = 1;
	a.cmdline[0] = (char)0xff;
	assert_int_equal(chaos_config_to_json(&a, &json, &err), -1);
	assert_string_equal(err.msg,
		"cmdline: not valid UTF-8, cannot be written as JSON");
	chaos_config_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_cmdline_joining),
		cmocka_unit_test(test_strings_and_numbers),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_vifs),
		cmocka_unit_test(test_disks_xl),
		cmocka_unit_test(test_vdev_numbers),
		cmocka_unit_test(test_disks_json),
		cmocka_unit_test(test_validate_disks),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_to_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
