/* SPDX-License-Identifier: MIT */
/*
 * /dev/noxs: the dom0 backend module's ioctl interface.
 *
 * Shared by the kernel module (noxs-kmod/) and userspace (libchaos,
 * noxsctl). Fixed-width types only, explicit padding, sizes checked at
 * compile time. The module rejects any pad, flag or reserved field that is
 * not zero with -EINVAL, so these fields can gain a meaning later.
 *
 * Every ioctl needs CAP_SYS_ADMIN (so does open()). Domain ids must be in
 * 1..NOXS_DOMID_MAX-1; device ids in 0..NOXS_DEVID_MAX.
 *
 * A device outlives the file descriptor that created it: it lives until
 * NOXS_IOC_DESTROY or until the module is unloaded.
 */
#ifndef NOXS_IOCTL_H
#define NOXS_IOCTL_H

#include <linux/ioctl.h>
#include "noxs.h"

/* 2: NOXS_CREATE_F_NETDEV_AHEAD. */
#define NOXS_IOCTL_VERSION		2
#define NOXS_DEVICE_PATH		"/dev/noxs"

/* Time limits for the calls that wait on a guest (0 = the default). */
#define NOXS_TIMEOUT_DEFAULT_MS		5000u
#define NOXS_TIMEOUT_MAX_MS		60000u

/* NOXS_IOC_VERSION: what the loaded module speaks. */
struct noxs_ioc_version {
	uint32_t ioctl_version;	/* OUT: NOXS_IOCTL_VERSION */
	uint32_t abi_version;	/* OUT: NOXS_ABI_VERSION */
	uint32_t ctrl_version;	/* OUT: NOXS_CTRL_VERSION */
	uint32_t max_devices;	/* OUT: module parameter max_devices */
	uint64_t reserved[2];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ioc_version) == 32,
		   "noxs_ioc_version size");

/*
 * NOXS_IOC_CREATE: allocate a control page granted to domid and an unbound
 * event channel for it. grant and evtchn go into the guest's device page
 * entry (struct noxs_entry) through the noxs hypercall; the module does not
 * make that call. Errors: -EEXIST (domid, type, devid) exists, -EOPNOTSUPP
 * type not served yet, -ENOSPC max_devices reached, -ENOMEM, or the
 * hypervisor's error for the grant or the event channel.
 */
/*
 * noxs_ioc_create.flags: a vif whose settings come later, through
 * NOXS_IOC_VIF_CONFIG (a pooled shell's vif: everything that can be done
 * before the guest is known is done, and its params are all zero).
 */
#define NOXS_CREATE_F_UNCONFIGURED	(1u << 0)
/*
 * With NOXS_CREATE_F_UNCONFIGURED: make the vif's dom0 net device now,
 * on params' bridge (its only field set; "" lets xendevd choose), so that
 * it is on its bridge before the guest is known. NOXS_IOC_VIF_CONFIG
 * later gives the vif the rest of its settings, with the same bridge.
 * Until then the frontend cannot connect.
 */
#define NOXS_CREATE_F_NETDEV_AHEAD	(1u << 1)
#define NOXS_CREATE_F_KNOWN		(NOXS_CREATE_F_UNCONFIGURED | \
					 NOXS_CREATE_F_NETDEV_AHEAD)

struct noxs_ioc_create {
	uint16_t domid;		/* IN: the frontend's domain */
	uint16_t type;		/* IN: NOXS_DEV_POWER or NOXS_DEV_VIF */
	uint16_t devid;		/* IN: 0..NOXS_DEVID_MAX */
	uint16_t flags;		/* IN: NOXS_CREATE_F_* (vif only) */
	uint32_t grant;		/* OUT: grant ref of the control page */
	uint32_t evtchn;	/* OUT: dom0's unbound port for domid */
	uint64_t reserved[2];	/* zero */
	/*
	 * IN: parameters of the device's type, copied into the backend
	 * fields of the control page. Power takes none (all zero); a vif
	 * takes struct noxs_vif_params.
	 */
	uint8_t params[64];
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ioc_create) == 96,
		   "noxs_ioc_create size");

/*
 * noxs_ioc_create.params of a vif. The first 20 bytes have the layout of
 * the backend fields of struct noxs_ctrl_net, where they are copied. The
 * module creates the dom0 net device vif<domid>.<devid> at once (carrier
 * off until the frontend connects); its "add" uevent carries
 * XENDEVD_BRIDGE=<bridge> when bridge is not empty. Refused with -EINVAL:
 * a multicast or all-zero MAC; a netmask that is not contiguous, or set
 * without an address; a gateway without an address; a bridge name that
 * is not a valid interface name (1-15 bytes of printable ASCII other than
 * '/', ':' and space, NUL-terminated, zero after the NUL); pad or
 * reserved not zero. -EEXIST if a net device of that name exists.
 */
struct noxs_vif_params {
	uint8_t mac[6];		/* guest's MAC: unicast, not zero */
	uint16_t pad0;		/* zero */
	uint32_t ipv4_addr;	/* network order, 0 = unset */
	uint32_t ipv4_netmask;	/* network order, 0 = unset */
	uint32_t ipv4_gateway;	/* network order, 0 = unset */
	char bridge[16];	/* "" = let xendevd choose */
	uint32_t pad1;		/* zero */
	uint64_t reserved[3];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_vif_params) == 64,
		   "noxs_vif_params size");

/*
 * NOXS_IOC_VIF_CONFIG: give a vif created with NOXS_CREATE_F_UNCONFIGURED
 * its settings (the same checks as at create), then create its net
 * device, whose "add" uevent carries the bridge; a vif made with
 * NOXS_CREATE_F_NETDEV_AHEAD has its net device, and only gets the
 * settings. Errors: -ENOENT no such vif, -EALREADY it has its settings
 * already, -EBUSY its frontend has started (it must not see the settings
 * change), -EEXIST a net device of that name exists (the vif stays
 * unconfigured), -EXDEV its net device was made ahead on another bridge
 * than params' (the vif stays unconfigured), -EINVAL bad params.
 */
struct noxs_ioc_vif_config {
	uint16_t domid;		/* IN */
	uint16_t devid;		/* IN */
	uint32_t flags;		/* IN: zero */
	uint64_t reserved[3];	/* zero */
	uint8_t params[64];	/* IN: struct noxs_vif_params */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ioc_vif_config) == 96,
		   "noxs_ioc_vif_config size");

/* noxs_ioc_destroy.flags */
/* Destroy every device of domid (type and devid must be zero). */
#define NOXS_DESTROY_F_ALL		(1u << 0)
#define NOXS_DESTROY_F_KNOWN		(NOXS_DESTROY_F_ALL)

/*
 * NOXS_IOC_DESTROY: Closing, wait up to timeout_ms for the frontend to
 * answer Closed (not at all if it never connected), Closed, revoke the
 * grant (deferred while the guest still maps the page), close the port.
 * -ENOENT if there is no such device (none at all for NOXS_DESTROY_F_ALL
 * is not an error: count says how many went).
 */
struct noxs_ioc_destroy {
	uint16_t domid;		/* IN */
	uint16_t type;		/* IN */
	uint16_t devid;		/* IN */
	uint16_t flags;		/* IN: NOXS_DESTROY_F_* */
	uint32_t timeout_ms;	/* IN: 0 = NOXS_TIMEOUT_DEFAULT_MS */
	uint32_t count;		/* OUT: devices destroyed */
	uint64_t reserved[2];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ioc_destroy) == 32,
		   "noxs_ioc_destroy size");

/* Why the backend closed a device on its own (noxs_ioc_info.error). */
#define NOXS_ERR_NONE			0
#define NOXS_ERR_FE_STATE		1	/* fe_state out of range */
#define NOXS_ERR_FE_TRANSITION		2	/* illegal fe_state change */
#define NOXS_ERR_BE_FIELD		3	/* guest wrote a backend field */
#define NOXS_ERR_RESERVED		4	/* reserved field not zero */
#define NOXS_ERR_ACK_SEQ		5	/* ack_seq not in (last, req] */
#define NOXS_ERR_REPLY			6	/* reply not 0 or -1..-4095 */
/* vif only */
#define NOXS_ERR_NET_FEATURES		7	/* fe_features not offered */
#define NOXS_ERR_NET_CHANGED		8	/* rings/port moved after use */
#define NOXS_ERR_NET_EVTCHN		9	/* cannot bind the event channel */
#define NOXS_ERR_NET_RING_MAP		10	/* cannot map a ring grant */
#define NOXS_ERR_NET_RING_INDEX		11	/* ring producer out of bounds */
#define NOXS_ERR_NET_REQUEST		12	/* malformed ring request */
#define NOXS_ERR_NET_GRANT		13	/* grant copy failed */
#define NOXS_ERR_NET_SETUP		14	/* dom0 out of resources */
#define NOXS_ERR_MAX			14

/* noxs_ioc_info.flags */
#define NOXS_INFO_F_POWER_BUSY		(1u << 0)	/* request in flight */
#define NOXS_INFO_F_DEAD		(1u << 1)	/* being destroyed */

/*
 * One device. NOXS_IOC_QUERY takes domid, type and devid IN (every other
 * field zero) and fills the rest; NOXS_IOC_LIST fills an array of these.
 */
struct noxs_ioc_info {
	uint16_t domid;
	uint16_t type;
	uint16_t devid;
	uint16_t flags;		/* NOXS_INFO_F_* */
	uint32_t grant;
	uint32_t evtchn;	/* dom0's port */
	uint32_t be_state;	/* NOXS_STATE_* */
	uint32_t fe_state;	/* last valid value the frontend wrote */
	uint32_t error;		/* NOXS_ERR_*, set when closed for garbage */
	uint32_t req_seq;	/* power: last request's sequence number */
	uint32_t ack_seq;	/* power: last acknowledged sequence number */
	int32_t reply;		/* power: the guest's last reply */
	uint64_t events;	/* event channel notifications received */
	uint64_t reserved[2];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ioc_info) == 64, "noxs_ioc_info size");

/* noxs_ioc_list.domid: every domain. */
#define NOXS_LIST_ALL_DOMAINS		0xffffu

/*
 * NOXS_IOC_LIST: the devices of one domain, or of all. count is IN the
 * capacity of the array at entries (may be 0), OUT the number of matching
 * devices, which may exceed the capacity (then only capacity are written).
 */
struct noxs_ioc_list {
	uint16_t domid;		/* IN: a domid or NOXS_LIST_ALL_DOMAINS */
	uint16_t pad[3];	/* zero */
	uint32_t count;		/* IN/OUT */
	uint32_t pad1;		/* zero */
	uint64_t entries;	/* IN: user pointer to struct noxs_ioc_info[] */
	uint64_t reserved[2];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ioc_list) == 40, "noxs_ioc_list size");

/*
 * NOXS_IOC_POWER: ask the guest behind power device (domid, devid) to
 * power off, reboot or suspend, and wait for its acknowledgment. Waits up
 * to timeout_ms for the frontend to connect, then for the acknowledgment
 * within what is left. Returns 0 with the guest's reply (0 or a negative
 * errno value it chose) in reply, or: -ENOTCONN the frontend did not
 * connect in time, -ETIMEDOUT no acknowledgment in time, -ECONNRESET the
 * device closed meanwhile, -EBUSY another request is in flight, -EINTR a
 * signal came after the request was sent, -ENOENT no such device.
 */
struct noxs_ioc_power {
	uint16_t domid;		/* IN */
	uint16_t devid;		/* IN */
	uint32_t request;	/* IN: NOXS_POWER_POWEROFF..SUSPEND */
	uint32_t timeout_ms;	/* IN: 0 = NOXS_TIMEOUT_DEFAULT_MS */
	int32_t reply;		/* OUT */
	uint64_t reserved[2];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ioc_power) == 32,
		   "noxs_ioc_power size");

/*
 * NOXS_IOC_STATS: what the module holds right now, for leak checks.
 * grants counts grants still owned; a grant whose page the guest still
 * mapped at destroy time is handed to the kernel's deferred-free list and
 * counted in grants_deferred instead.
 */
struct noxs_ioc_stats {
	uint32_t devices;	/* live devices */
	uint32_t grants;	/* grants held by live devices */
	uint32_t ports;		/* event channel ports held */
	uint32_t irqs;		/* interrupt handlers bound */
	uint64_t created;	/* devices created since load */
	uint64_t destroyed;	/* devices destroyed since load */
	uint64_t closed_by_error; /* devices closed for guest garbage */
	uint64_t grants_deferred; /* grants revoked while still mapped */
	uint64_t reserved[4];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ioc_stats) == 80,
		   "noxs_ioc_stats size");

#define NOXS_IOC_MAGIC			'N'
#define NOXS_IOC_VERSION	_IOR(NOXS_IOC_MAGIC, 0xa0, struct noxs_ioc_version)
#define NOXS_IOC_CREATE		_IOWR(NOXS_IOC_MAGIC, 0xa1, struct noxs_ioc_create)
#define NOXS_IOC_DESTROY	_IOWR(NOXS_IOC_MAGIC, 0xa2, struct noxs_ioc_destroy)
#define NOXS_IOC_QUERY		_IOWR(NOXS_IOC_MAGIC, 0xa3, struct noxs_ioc_info)
#define NOXS_IOC_LIST		_IOWR(NOXS_IOC_MAGIC, 0xa4, struct noxs_ioc_list)
#define NOXS_IOC_POWER		_IOWR(NOXS_IOC_MAGIC, 0xa5, struct noxs_ioc_power)
#define NOXS_IOC_STATS		_IOR(NOXS_IOC_MAGIC, 0xa6, struct noxs_ioc_stats)
#define NOXS_IOC_VIF_CONFIG	_IOW(NOXS_IOC_MAGIC, 0xa7, struct noxs_ioc_vif_config)

#endif /* NOXS_IOCTL_H */
