/* SPDX-License-Identifier: MIT */
/*
 * noxs: the per-domain device page and the per-device control pages.
 *
 * This is the one definition of the noxs ABI. It is compiled in four places:
 * the hypervisor (copied to xen/include/public/noxs.h by xen-patches/build),
 * the dom0 kernel module, libchaos and tools (userspace), and minios-noxs
 * (freestanding). So: fixed-width integers only, explicit padding, no
 * pointers, no enums in structures, every size checked at compile time.
 * All fields are little-endian (x86); IPv4 addresses are in network order.
 * docs/noxs-abi.md explains it with a drawing of the page layout.
 */
#ifndef NOXS_ABI_H
#define NOXS_ABI_H

#if defined(__XEN__) || defined(__KERNEL__)
/* uint8_t..uint64_t come from the environment's own headers. */
#else
#include <stdint.h>
#endif

/* Compile-time size checks, in every language level the header meets. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define NOXS_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif !defined(__cplusplus) && (defined(__GNUC__) || \
	(defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L))
#define NOXS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
/* Redeclaring one array is legal; a negative size is not. */
#define NOXS_STATIC_ASSERT(cond, msg) \
	extern char noxs_static_assert_[(cond) ? 1 : -1]
#endif

/* ------------------------------------------------------------------ */
/* The hypercall                                                       */
/* ------------------------------------------------------------------ */

/* HYPERVISOR_noxs_op(unsigned int cmd, void *arg); free slot in Xen 4.17. */
#define __HYPERVISOR_noxs_op		43

#define NOXS_ABI_VERSION		1

/*
 * A domctl beside XEN_DOMCTL_getpageframeinfo3, with the same argument
 * (u.getpageframeinfo3: at most 1024 frames): the same page types, plus
 * NOXS_PFINFO_ZERO on a data page whose 4096 bytes are all zero, read by
 * the hypervisor through its own mapping. A save asks it for every page
 * and maps only the pages with bytes. Control domain only (XSM_PRIV).
 */
#define NOXS_DOMCTL_getpageframeinfo_zero	0x4e01u
#define NOXS_PFINFO_ZERO		(1u << 27)

/*
 * A domctl that copies whole pages between a PV domain's memory and a
 * buffer of the caller's, through the hypervisor's own mapping. A save
 * or migration that way never maps the guest's pages into dom0, which
 * costs more (a mapping's teardown is a page-table write per page) than
 * the copy itself. The argument lives in the domctl's union (u); frames
 * and buf are addresses in the caller's memory (a hypercall buffer),
 * frames the domain's machine frames as XEN_DOMCTL_getpageframeinfo3
 * takes them, buf nr * 4096 bytes. From the domain any of its pages may
 * be read; to the domain (NOXS_COPY_TO_DOMAIN) only a page it may write
 * itself: a page table, a descriptor table or a page that is not its own
 * is refused (EPERM, EINVAL). On an error, done says how many pages were
 * copied, in order, before the failing one. Control domain only
 * (XSM_PRIV); not for the caller's own domain (EINVAL) nor for a
 * translated (HVM or PVH) one (EOPNOTSUPP). A hypervisor without it
 * answers ENOSYS.
 */
#define NOXS_DOMCTL_copy_pages		0x4e02u
#define NOXS_COPY_PAGES_MAX		1024u
#define NOXS_COPY_TO_DOMAIN		(1u << 0)

struct noxs_copy_pages {
	uint64_t frames;	/* IN: address of nr uint64_t frames */
	uint64_t buf;		/* IN: address of nr * 4096 bytes */
	uint32_t nr;		/* IN: 1 .. NOXS_COPY_PAGES_MAX */
	uint32_t flags;		/* IN: NOXS_COPY_TO_DOMAIN or 0 */
	uint32_t done;		/* OUT: the pages copied */
	uint32_t pad;		/* IN: 0 */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_copy_pages) == 32,
		   "noxs_copy_pages is 32 bytes");
#define NOXS_PAGE_MAGIC			0x53584f4eu	/* "NOXS" */
#define NOXS_PAGE_SIZE			4096u

/* "This domain" in the domid field of an op (same value as DOMID_SELF). */
#define NOXS_DOMID_SELF			0x7ff0u
/* Real domain ids are below this (Xen's DOMID_FIRST_RESERVED). */
#define NOXS_DOMID_MAX			0x7ff0u

/*
 * Sub-ops (cmd). Return 0 or a negative errno value (Xen's numbering,
 * which is Linux's on x86): -EINVAL bad field, -EPERM not the control
 * domain, -ESRCH no such domain or it is dying, -EEXIST duplicate
 * (type, devid), -ENOSPC page full, -ENOENT no such device, -EFAULT bad
 * argument pointer, -EOPNOTSUPP get_page from a non-PV domain, -ENOSYS
 * unknown cmd (or an unpatched hypervisor).
 */
#define NOXSOP_get_page			0	/* any domain */
#define NOXSOP_add			1	/* control domain only */
#define NOXSOP_remove			2	/* control domain only */
#define NOXSOP_list			3	/* control domain only */

/* ------------------------------------------------------------------ */
/* The device page: one per domain, read-only for the guest            */
/* ------------------------------------------------------------------ */

/* Device types (noxs_entry.type). 0 is never a valid type. */
#define NOXS_DEV_NONE			0
#define NOXS_DEV_POWER			1	/* power control ("sysctl") */
#define NOXS_DEV_CONSOLE		2
#define NOXS_DEV_VIF			3
#define NOXS_DEV_TYPE_MAX		3	/* highest known type */

/*
 * Names for logs and tools, defined here once. Each list calls X(value,
 * name) for every known value, in order; the *_NAME_OTHER string stands for
 * any other value. The header defines no objects and no functions: it is
 * C89 for Xen's public header checks, and the hypervisor never expands
 * these. NOXS_NAME_CASE makes a list the body of a switch:
 *
 *	switch (type) {
 *	NOXS_DEV_TYPES(NOXS_NAME_CASE)
 *	}
 *	return NOXS_DEV_TYPE_NAME_OTHER;
 */
#define NOXS_NAME_CASE(value, name)	case (value): return (name);

#define NOXS_DEV_TYPES(X) \
	X(NOXS_DEV_POWER, "power") \
	X(NOXS_DEV_CONSOLE, "console") \
	X(NOXS_DEV_VIF, "vif")
#define NOXS_DEV_TYPE_NAME_OTHER	"unknown"	/* NOXS_DEV_NONE too */

/* Device ids run from 0 to NOXS_DEVID_MAX per type. */
#define NOXS_DEVID_MAX			255u

/* noxs_entry.flags */
/* Added after the guest was unpaused: a hot-plug, the guest may rescan. */
#define NOXS_ENTRY_F_HOTPLUG		(1u << 0)
#define NOXS_ENTRY_F_KNOWN		(NOXS_ENTRY_F_HOTPLUG)

/*
 * Grant refs below this are reserved for the toolstack in every grant table
 * (Xen's GNTTAB_NR_RESERVED_ENTRIES); a backend never uses them for a
 * control page, so the hypervisor refuses them.
 */
#define NOXS_GRANT_MIN			8u

/* One device, as dom0 described it. Written only by the hypervisor. */
struct noxs_entry {
	uint16_t type;		/* NOXS_DEV_* */
	uint16_t devid;		/* 0..NOXS_DEVID_MAX, unique per type */
	uint16_t be_domid;	/* domain running the backend */
	uint16_t flags;		/* NOXS_ENTRY_F_* */
	uint32_t grant;		/* backend's grant of the control page */
	uint32_t evtchn;	/* backend's unbound port for this guest */
	uint64_t reserved[2];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_entry) == 32, "noxs_entry size");

/*
 * Page header. The generation works like a seqlock: the hypervisor makes
 * it odd before changing the page and even again after, so a guest copies
 * the page between two reads of an even, equal generation.
 */
struct noxs_page_hdr {
	uint32_t magic;		/* NOXS_PAGE_MAGIC */
	uint16_t version;	/* NOXS_ABI_VERSION */
	uint16_t hdr_size;	/* sizeof(struct noxs_page_hdr) */
	uint32_t generation;	/* bumped twice per change; odd = in flux */
	uint16_t count;		/* entries in use, packed from entries[0] */
	uint16_t max_entries;	/* NOXS_MAX_ENTRIES */
	uint16_t entry_size;	/* sizeof(struct noxs_entry) */
	uint16_t domid;		/* the domain this page belongs to */
	uint32_t pad0;
	uint64_t reserved[5];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_page_hdr) == 64, "noxs_page_hdr size");

#define NOXS_MAX_ENTRIES \
	((NOXS_PAGE_SIZE - sizeof(struct noxs_page_hdr)) / \
	 sizeof(struct noxs_entry))			/* 126 */

struct noxs_page {
	struct noxs_page_hdr hdr;
	struct noxs_entry entries[NOXS_MAX_ENTRIES];
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_page) == NOXS_PAGE_SIZE,
		   "noxs_page fills exactly one page");

/* ------------------------------------------------------------------ */
/* Hypercall arguments (pad and reserved fields must be zero)          */
/* ------------------------------------------------------------------ */

/* NOXSOP_get_page: frame of a domain's device page (MFN for PV guests). */
struct noxs_op_get_page {
	uint16_t domid;		/* IN: NOXS_DOMID_SELF; others: control only */
	uint16_t pad[3];
	uint64_t frame;		/* OUT */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_op_get_page) == 16, "get_page size");

/* NOXSOP_add: append one entry to domid's page. */
struct noxs_op_add {
	uint16_t domid;		/* IN: target guest */
	uint16_t pad[3];
	struct noxs_entry entry;	/* IN */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_op_add) == 40, "add size");

/* NOXSOP_remove: remove the one entry with exactly this (type, devid). */
struct noxs_op_remove {
	uint16_t domid;		/* IN */
	uint16_t type;		/* IN */
	uint16_t devid;		/* IN */
	uint16_t pad;
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_op_remove) == 8, "remove size");

/* NOXSOP_list: a consistent copy of domid's whole page. */
struct noxs_op_list {
	uint16_t domid;		/* IN */
	uint16_t pad[3];
	struct noxs_page page;	/* OUT */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_op_list) == 8 + NOXS_PAGE_SIZE,
		   "list size");

/* ------------------------------------------------------------------ */
/* Per-device control page: granted by the backend to the guest        */
/* ------------------------------------------------------------------ */

/*
 * Connection states, numbered like XenbusState so that code and logs
 * from the XenStore world read the same.
 */
#define NOXS_STATE_UNKNOWN		0
#define NOXS_STATE_INITIALISING		1
#define NOXS_STATE_INITWAIT		2
#define NOXS_STATE_INITIALISED		3
#define NOXS_STATE_CONNECTED		4
#define NOXS_STATE_CLOSING		5
#define NOXS_STATE_CLOSED		6

/* Their names (see NOXS_DEV_TYPES), lower case: "initwait", not "InitWait". */
#define NOXS_STATES(X) \
	X(NOXS_STATE_UNKNOWN, "unknown") \
	X(NOXS_STATE_INITIALISING, "initialising") \
	X(NOXS_STATE_INITWAIT, "initwait") \
	X(NOXS_STATE_INITIALISED, "initialised") \
	X(NOXS_STATE_CONNECTED, "connected") \
	X(NOXS_STATE_CLOSING, "closing") \
	X(NOXS_STATE_CLOSED, "closed")
#define NOXS_STATE_NAME_OTHER		"invalid"	/* above CLOSED */

#define NOXS_CTRL_MAGIC			0x4c52544eu	/* "NTRL" */
#define NOXS_CTRL_VERSION		1

/*
 * Who writes what: each field has exactly one writer, named in its
 * comment ("be" = backend in dom0, "fe" = frontend in the guest). The
 * other side only reads it, and must treat what it reads as hostile.
 * After writing, a side kicks the device's event channel.
 */
struct noxs_ctrl_hdr {
	uint32_t magic;		/* be: NOXS_CTRL_MAGIC */
	uint16_t version;	/* be: NOXS_CTRL_VERSION */
	uint16_t type;		/* be: NOXS_DEV_*, same as the entry */
	uint32_t be_state;	/* be: NOXS_STATE_* */
	uint32_t fe_state;	/* fe: NOXS_STATE_* */
	uint64_t reserved[6];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ctrl_hdr) == 64, "ctrl_hdr size");

/* Power control: requests from dom0 to the guest. */
#define NOXS_POWER_NONE			0
#define NOXS_POWER_POWEROFF		1
#define NOXS_POWER_REBOOT		2
#define NOXS_POWER_SUSPEND		3

struct noxs_ctrl_power {
	uint32_t request;	/* be: NOXS_POWER_* (written before req_seq) */
	uint32_t req_seq;	/* be: bumped once per new request */
	uint32_t ack_seq;	/* fe: set to req_seq when handled */
	int32_t reply;		/* fe: 0 done, negative errno refused */
	uint64_t reserved[6];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ctrl_power) == 64, "ctrl_power size");

/* Console: the guest provides the ring (struct xencons_interface). */
struct noxs_ctrl_console {
	uint32_t ring_ref;	/* fe: grant of the ring page to be_domid */
	uint32_t evtchn;	/* fe: guest's unbound port for be_domid */
	uint64_t reserved[7];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ctrl_console) == 64,
		   "ctrl_console size");

/* Network feature bits (be offers in be_features, fe picks in fe_features) */
#define NOXS_NET_F_RX_COPY		(1u << 0)
#define NOXS_NET_F_SG			(1u << 1)
#define NOXS_NET_F_CSUM_OFFLOAD		(1u << 2)
#define NOXS_NET_F_SPLIT_EVTCHN		(1u << 3)

struct noxs_ctrl_net {
	uint8_t mac[6];		/* be: guest MAC, from the toolstack */
	uint16_t pad0;
	uint32_t ipv4_addr;	/* be: network order, 0 = unset */
	uint32_t ipv4_netmask;	/* be: network order */
	uint32_t ipv4_gateway;	/* be: network order */
	uint32_t be_features;	/* be: NOXS_NET_F_* offered */
	uint32_t fe_features;	/* fe: subset of be_features in use */
	uint32_t tx_ring_ref;	/* fe: grant of the TX ring to be_domid */
	uint32_t rx_ring_ref;	/* fe: grant of the RX ring to be_domid */
	uint32_t evtchn_tx;	/* fe: guest's unbound port for be_domid */
	uint32_t evtchn_rx;	/* fe: == evtchn_tx unless SPLIT_EVTCHN */
	uint32_t pad1;
	uint64_t reserved[2];	/* zero */
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ctrl_net) == 64, "ctrl_net size");

/* The control page: header, then the area of the device's type. */
struct noxs_ctrl_page {
	struct noxs_ctrl_hdr hdr;
	union {
		struct noxs_ctrl_power power;
		struct noxs_ctrl_console console;
		struct noxs_ctrl_net net;
		uint8_t raw[NOXS_PAGE_SIZE - sizeof(struct noxs_ctrl_hdr)];
	} u;
};
NOXS_STATIC_ASSERT(sizeof(struct noxs_ctrl_page) == NOXS_PAGE_SIZE,
		   "noxs_ctrl_page fills exactly one page");

#endif /* NOXS_ABI_H */
