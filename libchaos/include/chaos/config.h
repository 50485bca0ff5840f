/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CONFIG_H
#define CHAOS_CONFIG_H

/*
 * Guest configuration: what `chaos create` builds. It comes from a JSON file
 * (docs/config.md is the reference) or is filled in C by an orchestrator:
 * chaos_config_init() sets the defaults, the caller changes fields, and
 * chaos_config_validate() applies the same rules as the parser.
 *
 * A chaos_config is a value the caller owns (stack or heap); its kernel,
 * ramdisk and cmdline strings are malloc'd and freed by
 * chaos_config_free(). Nothing here touches the hypervisor, and every
 * function is reentrant: two threads may parse at once, into different
 * configs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/domain.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHAOS_CONFIG_FILE_MAX     (1024 * 1024)  /* bytes of JSON */
#define CHAOS_CONFIG_PATH_MAX     4096    /* kernel, ramdisk; with the NUL */
#define CHAOS_CONFIG_CMDLINE_MAX  1024    /* Xen's MAX_GUEST_CMDLINE; with NUL */
#define CHAOS_CONFIG_MEMORY_MAX   1048576 /* MiB */
#define CHAOS_CONFIG_VCPUS_MAX    128
#define CHAOS_CONFIG_CPUS_MAX     1024    /* CPU numbers are below this */
#define CHAOS_CONFIG_VIFS_MAX     8
#define CHAOS_CONFIG_BRIDGE_MAX   16      /* Linux IFNAMSIZ; with the NUL */
#define CHAOS_CONFIG_DISKS_MAX    16
#define CHAOS_CONFIG_VDEV_MAX     16      /* "xvdzz15" and the like; with NUL */

#define CHAOS_CONFIG_DEFAULT_MEMORY 32    /* MiB */
#define CHAOS_CONFIG_DEFAULT_VCPUS  1

/* What to do when the guest powers off, reboots or crashes. */
typedef enum chaos_config_action {
	CHAOS_ACTION_DESTROY,
	CHAOS_ACTION_RESTART,
	CHAOS_ACTION_PRESERVE,
} chaos_config_action;

typedef struct chaos_config_vif {
	uint8_t mac[6];
	bool mac_set;        /* false: chaos_config_assign_macs() generates it */
	bool ip_set;
	uint8_t ip[4];       /* dotted IPv4, most significant byte first */
	char bridge[CHAOS_CONFIG_BRIDGE_MAX]; /* "": the toolstack's default */
} chaos_config_vif;

/* How a disk's target is served. AUTO: decided when the disk is attached,
 * from what the path is (a block device, or a regular file through a loop
 * device), as xl's block script does. */
typedef enum chaos_config_disk_kind {
	CHAOS_DISK_AUTO,
	CHAOS_DISK_FILE,
	CHAOS_DISK_BLOCK,
} chaos_config_disk_kind;

/*
 * A block device for the guest, served by dom0's blkback through the
 * XenStore device path (a noxs guest cannot have disks).
 */
/*
 * How the guest's devices are announced to it. NOXS: chaos's device page,
 * for guests built on noxs (minios-noxs). XENSTORE: xenstored and dom0's
 * stock netback and blkback, for guests that speak only XenStore (stock
 * Linux). AUTO: XENSTORE for a Linux kernel (its GUEST_OS note says
 * "linux"), NOXS for every other kernel; decided when the kernel is read.
 */
typedef enum chaos_config_devices {
	CHAOS_DEVICES_AUTO,
	CHAOS_DEVICES_NOXS,
	CHAOS_DEVICES_XENSTORE,
} chaos_config_devices;

typedef struct chaos_config_disk {
	char *target;                /* the image or device path; heap, owned */
	chaos_config_disk_kind kind;
	bool readonly;               /* false: read-write */
	char vdev[CHAOS_CONFIG_VDEV_MAX]; /* as the guest sees it: "xvda" */
	uint32_t devid;              /* Xen's device number for vdev
					(chaos_config_parse_vdev) */
} chaos_config_disk;

typedef struct chaos_config {
	char name[CHAOS_NAME_MAX];   /* "": unnamed guest */
	/* Heap strings owned by the config (malloc'd; chaos_config_free). */
	char *kernel;                /* required */
	char *ramdisk;               /* NULL: none */
	char *cmdline;               /* NULL: empty command line */
	uint64_t memory_mib;
	unsigned int vcpus;
	/* CPU pinning: all vCPUs may run on the CPUs set here. */
	bool cpus_set;               /* false: no pinning, any CPU */
	uint8_t cpumap[CHAOS_CONFIG_CPUS_MAX / 8]; /* bit c%8 of byte c/8 */
	chaos_config_action on_poweroff;
	chaos_config_action on_reboot;
	chaos_config_action on_crash;
	bool paused;                 /* leave the guest paused after creation */
	size_t nr_vifs;
	chaos_config_vif vifs[CHAOS_CONFIG_VIFS_MAX];
	size_t nr_disks;
	chaos_config_disk disks[CHAOS_CONFIG_DISKS_MAX];
	chaos_config_devices devices; /* AUTO by default */
} chaos_config;

/* Constructor. Set (*cfg) to the defaults: everything zero or NULL, except
 * memory (CHAOS_CONFIG_DEFAULT_MEMORY), vcpus (CHAOS_CONFIG_DEFAULT_VCPUS)
 * and the actions (destroy on poweroff and crash, restart on reboot).
 * Whatever *cfg held is overwritten, not freed. */
CHAOS_API void chaos_config_init(chaos_config *cfg);

/* Destructor. Free (cfg)'s heap strings (disk targets too) with free() and reset it to the
 * defaults, so freeing twice is harmless. NULL is allowed. */
CHAOS_API void chaos_config_free(chaos_config *cfg);

/*
 * Constructors. Parse a guest config (docs/config.md), from the file at
 * (path) or from (text, len), into (*cfg), and check it as
 * chaos_config_validate() does. The format is told by the content: JSON
 * when the first non-blank character is not a letter, '_' or '#' (or the
 * first word is true, false or null), else xl.cfg (as
 * chaos_config_parse_xl_buffer). cfg need not be initialised beforehand;
 * what it held is overwritten, not freed. (source_name), which may be
 * NULL, only labels messages; text need not be NUL-terminated. A file must
 * be a regular file of at most CHAOS_CONFIG_FILE_MAX bytes. The kernel and
 * ramdisk are not opened here.
 *
 * Returns 0, and the caller frees *cfg with chaos_config_free(). Or -1
 * with cfg holding the defaults (nothing to free) and err set, the message
 * naming the place and key, such as
 * "noop.json:4:13: memory: expected an integer from 1 to 1048576, got -5":
 * EINVAL the text is not a valid config (or the path not a regular file),
 * EFBIG it is too large, ENOENT or EACCES the file cannot be opened (its
 * errno).
 */
CHAOS_API int chaos_config_parse_file(const char *path, chaos_config *cfg,
				      chaos_err *err);
CHAOS_API int chaos_config_parse_buffer(const char *text, size_t len,
					const char *source_name,
					chaos_config *cfg, chaos_err *err);

/*
 * Constructor. Parse (text, len) as an xl.cfg file (the subset in
 * docs/config.md) into (*cfg), as chaos_config_parse_buffer does for JSON:
 * same ownership, same errors ("guest.cfg:4:1: vfb: ..." names the line,
 * column and key), unsupported keys and values refused.
 */
CHAOS_API int chaos_config_parse_xl_buffer(const char *text, size_t len,
					   const char *source_name,
					   chaos_config *cfg, chaos_err *err);

/*
 * Parse (text) as a disk's virtual device name ("xvda", "xvdb3", "hda",
 * "sdb") and write Xen's device number for it into (*devid): xvd disks a
 * to p with partitions 0 to 15 in the 202 major, later ones (up to "xvdzz")
 * and partitions up to 255 in the extended form, hda-hdd and sda-sdp as
 * Linux numbers them.
 *
 * Returns 0, or -1 with EINVAL and the reason (without a key prefix).
 */
CHAOS_API int chaos_config_parse_vdev(const char *text, uint32_t *devid,
				      chaos_err *err);

/*
 * Write (cfg) as a JSON config (docs/config.md) into (*json), a
 * NUL-terminated malloc'd string the caller frees: one line, every key
 * chaos_config_parse_buffer() reads, so parsing it gives (cfg) back. This
 * is how a config from an xl.cfg file travels to chaosd.
 *
 * Returns 0, or -1 with *json NULL and err set: EINVAL (cfg) does not
 * validate (chaos_config_validate's message) or holds a string that is
 * not UTF-8, ENOMEM.
 */
CHAOS_API int chaos_config_to_json(const chaos_config *cfg, char **json,
				   chaos_err *err);

/*
 * Check (cfg) by the parser's rules, for configs built in C: ranges,
 * names, paths as strings (the files are not opened), vifs and their
 * MACs, disks (target, vdev and devid agreeing, no vdev twice). cfg is not
 * changed.
 *
 * Returns 0, or -1 with EINVAL and the message "key: why", e.g.
 * "vcpus: expected an integer from 1 to 128, got 0".
 */
CHAOS_API int chaos_config_validate(const chaos_config *cfg, chaos_err *err);

/*
 * Check (name) as a guest name: 1 to 63 characters from [A-Za-z0-9_.-],
 * not all digits (it would look like a domain id) and not starting with
 * '.' or '-' (it is used as a file name and a command-line argument).
 *
 * Returns 0, or -1 with EINVAL and the reason (without a key prefix).
 */
CHAOS_API int chaos_config_check_name(const char *name, chaos_err *err);
/*
 * Check (bridge) as a bridge name, as a vif's "bridge" key takes it: an
 * interface name of 1 to CHAOS_CONFIG_BRIDGE_MAX - 1 bytes, without '/',
 * ':', whitespace or control characters, not "." or "..".
 *
 * Returns 0, or -1 with EINVAL and the reason (prefixed "bridge: ").
 */
CHAOS_API int chaos_config_check_bridge(const char *bridge, chaos_err *err);

/* "auto", "noxs" or "xenstore"; "unknown" for a value outside the enum.
 * A static string. */
CHAOS_API const char *chaos_config_devices_name(chaos_config_devices devices);

/* "destroy", "restart" or "preserve"; "unknown" for a value outside the
 * enum. A static string. */
CHAOS_API const char *chaos_config_action_name(chaos_config_action action);

/* CPU pinning: whether (cpu) is in cfg's CPU map, and add it (which also
 * sets cpus_set). A cpu at or above CHAOS_CONFIG_CPUS_MAX is never set and
 * cannot be added (ignored). */
CHAOS_API bool chaos_config_cpu_isset(const chaos_config *cfg,
				      unsigned int cpu);
CHAOS_API void chaos_config_cpu_set(chaos_config *cfg, unsigned int cpu);

/*
 * MAC addresses. Write into (mac) the generated MAC of vif (index) of a
 * guest: a unicast, locally administered address that depends only on
 * (name, index), or on (domid, index) when name is NULL or "". See
 * docs/config.md for the exact rule. index < CHAOS_CONFIG_VIFS_MAX.
 */
CHAOS_API void chaos_config_generate_mac(const char *name, uint32_t domid,
					 unsigned int index, uint8_t mac[6]);

/*
 * Fill every vif of (cfg) whose mac_set is false with a generated MAC (from
 * the guest's name, or from (domid) if unnamed) and set mac_set.
 *
 * Returns 0, or -1 with err set: EEXIST two vifs of the guest end up with
 * the same MAC (a given one equals a generated one), EINVAL nr_vifs is
 * above CHAOS_CONFIG_VIFS_MAX. The MACs generated so far stay set.
 */
CHAOS_API int chaos_config_assign_macs(chaos_config *cfg, uint32_t domid,
				       chaos_err *err);

/* (mac) as "xx:xx:xx:xx:xx:xx" (lower case, NUL-terminated) into (out),
 * which holds at least 18 bytes. */
CHAOS_API void chaos_config_format_mac(const uint8_t mac[6], char out[18]);

/*
 * Parse (text) as a vif's MAC into (mac): six two-digit hex octets
 * separated by ':', unicast (the group bit of the first octet clear), not
 * all zero.
 *
 * Returns 0, or -1 with EINVAL and the reason (without a key prefix).
 */
CHAOS_API int chaos_config_parse_mac(const char *text, uint8_t mac[6],
				     chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
