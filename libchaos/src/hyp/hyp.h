/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_HYP_LAYER_H
#define CHAOS_HYP_LAYER_H

/*
 * Layer hyp: The hypervisor: the host handle, domain listing and operations.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xentoollog.h>
struct xs_handle;
#include <chaos/domain.h>
#include <chaos/error.h>

#include "state/state.h"

/* ---- host.c ---- */

/* Records the last message from the Xen libraries instead of printing it. */
struct chaos_quiet_logger {
	xentoollog_logger vtable;
	char last[256];
};

struct chaos_registry;
struct chaos_console;
typedef struct xencall_handle xencall_handle;

/* Mappings left for chaos_host_tidy at most (the oldest goes first). */
#define CHAOS_HOST_LATER_MAX 8

struct chaos_host {
	xc_interface *xch;
	xenforeignmemory_handle *fmem;
	struct chaos_quiet_logger log;
	char state_dir[256];              /* CHAOS_STATE_DIR unless set */
	struct chaos_registry *registry;  /* opened on first use */
	xencall_handle *xcall;            /* noxs hypercalls, on first use */
	int noxs_fd;                      /* /dev/noxs, -1 until first use */
	int noxs_state;                   /* 0 unknown, 1 available, -1 not */
	struct xs_handle *xsh;            /* xenstored, on first use */
	/* Consoles this host is the backend of (dev/console_backend.c): one
	 * event channel handle for all of them, opened on first use and
	 * closed with the host. */
	xenevtchn_handle *console_xce;
	struct chaos_console *consoles;
	/* Pages copied by the hypervisor (page_copy.c): whether it can
	 * (0 unknown, 1 yes, -1 no), one call's frame list, and a staging
	 * buffer kept from one build to the next (hypercall memory is
	 * costly to map and unmap). */
	int copy_state;
	uint64_t *copy_frames;
	uint8_t *stage;
	size_t stage_pages;
	/* A vCPU context in hypercall memory (vcpu_context.c), kept; and
	 * room for a vCPU's XSAVE state and MSRs (vcpu_ext.c), kept too. */
	void *vcpu_ctx;
	void *vcpu_ext;
	/* Consoles whose port is left masked by the event rate limit, and
	 * the earliest time one of them may be released. */
	unsigned int consoles_masked;
	long long console_release_ms;
	/* Mappings of guests that already run, taken down by
	 * chaos_host_tidy (host_later.c). */
	struct {
		void *base;
		size_t len;
	} later[CHAOS_HOST_LATER_MAX];
	unsigned int nr_later;
	/* Descriptors left for chaos_host_tidy the same way. */
	int close_later[CHAOS_HOST_LATER_MAX];
	unsigned int nr_close_later;
};

/* Make q a logger that keeps the Xen libraries' last error in q->last
 * (chaos_err_xen appends it) instead of printing it. */
void chaos_quiet_logger_init(struct chaos_quiet_logger *q);

/* The host's name registry, opened (and its directory made) on first use. */
int chaos_host_registry(struct chaos_host *host, chaos_err *err);

/* host->xcall (noxs hypercalls and domctls with buffers of our own),
 * opened on first use. */
int chaos_host_xcall(struct chaos_host *host, chaos_err *err);

/* host->xsh, a connection to xenstored's socket, opened on first use
 * (never the kernel's xenbus device: with no xenstored behind it a
 * request would wait for good). NULL with err set if it is not running. */
struct xs_handle *chaos_host_xs(struct chaos_host *host, chaos_err *err);

/* Like chaos_err_set, appending the Xen library's last message if any. */
int chaos_err_xen(chaos_err *err, struct chaos_host *host, int code,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- host_later.c ---- */

/*
 * Take (len) bytes mapped at (base) down later: at chaos_host_tidy, or
 * at the start of the next create, destroy or wait for a domain to go
 * through this host, or when it closes. Its pages keep their domain a
 * zombie until then. NULL is allowed.
 */
void chaos_host_unmap_later(struct chaos_host *host, void *base, size_t len);
/* Close fd later, the same way (a pooled create's staged record). -1 is
 * allowed. */
void chaos_host_close_later(struct chaos_host *host, int fd);

/* ---- domain_state.c ---- */

/* A domain handle chaos made: bytes 0-4 "chaos", byte 5 the kind
 * (chaos_domain_handle_kind reads it back). */
#define CHAOS_HANDLE_MAGIC "chaos"
#define CHAOS_HANDLE_MAGIC_LEN 5

/* Map the hypervisor's XEN_DOMINF_* flags to one state. */
chaos_domain_state chaos_domain_state_from_flags(uint32_t flags);

/* ---- page_copy.c ---- */

/*
 * Whole pages between a PV domain and hypercall buffers of ours, copied
 * by the noxs hypervisor (NOXS_DOMCTL_copy_pages) instead of mapped into
 * dom0: on a PV dom0 the teardown of a mapping is a trapped page-table
 * write per page, which costs more than the copy.
 */

/* 1: the hypervisor copies pages (asked once per host, of domid); 0: it
 * cannot, map them instead; -1: an error. */
int chaos_copy_available(struct chaos_host *host, uint32_t domid,
			 chaos_err *err);
/* n pages of domid, by frame, to or from buf (hypercall memory: a
 * chaos_page_copy buffer or the host's stage), the time added to
 * *spent_us unless NULL. */
int chaos_copy_pages(struct chaos_host *host, uint32_t domid,
		     const uint64_t *frames, size_t n, uint8_t *buf,
		     bool to_domain, uint64_t *spent_us, chaos_err *err);
/* The host's staging buffer, at least pages long (kept until the host
 * closes, grown when asked for more; chaos_host_close frees it and the
 * frame list). */
uint8_t *chaos_host_stage(struct chaos_host *host, size_t pages,
			  chaos_err *err);

/* ---- vcpu_context.c ---- */

/* The host's vCPU context buffer in hypercall memory, allocated unless
 * it is already (kept until chaos_host_close). 0, or -1 if there is no
 * hypercall memory to be had. */
int chaos_host_vcpu_buffer(struct chaos_host *host);
/* xc_vcpu_setcontext through that buffer (allocated on first use).
 * 0, or -1 with errno, as libxenctrl. */
int chaos_vcpu_set_context(struct chaos_host *host, uint32_t domid,
			   uint32_t vcpu, const vcpu_guest_context_any_t *ctx);

/* ---- vcpu_ext.c ---- */

/* The most an image keeps (docs/image-format.md, VCPU_EXT): Xen 4.17's
 * PV MSR list is 11 at most and its PV XSAVE blob 2712 bytes (AVX-512,
 * MPX and PKRU included). */
#define CHAOS_VCPU_MSRS_MAX 16u
#define CHAOS_VCPU_XSAVE_MAX 4096u

struct chaos_vcpu_msr {
	uint32_t index;
	uint64_t value;
};

/* A PV vCPU's state beyond vcpu_guest_context (vcpu_ext.c says why it
 * matters). */
struct chaos_vcpu_ext {
	uint64_t syscall32_eip, sysenter_eip;
	uint16_t syscall32_cs, sysenter_cs;
	uint8_t syscall32_disables_events, sysenter_disables_events;
	uint64_t mcg_cap, mci_ctl2_bank0, mci_ctl2_bank1, mcg_ext_ctl;
	uint32_t nr_msrs;
	struct chaos_vcpu_msr msrs[CHAOS_VCPU_MSRS_MAX];
	/* Xen's PV blob: XCR0, XCR0_ACCUM, the standard-format area; 0 on
	 * a host without XSAVE. */
	uint32_t xsave_len;
	uint8_t xsave[CHAOS_VCPU_XSAVE_MAX];
};

/* Reads vCPU vcpu's (the domain paused or suspended). 0, or -1 with err. */
int chaos_vcpu_get_ext(struct chaos_host *host, uint32_t domid,
		       uint32_t vcpu, struct chaos_vcpu_ext *ext,
		       chaos_err *err);
/* Sets it, after chaos_vcpu_set_context. 0, or -1 with err naming what
 * the hypervisor refused. */
int chaos_vcpu_set_ext(struct chaos_host *host, uint32_t domid,
		       uint32_t vcpu, const struct chaos_vcpu_ext *ext,
		       chaos_err *err);

/* ---- cpu_policy.c ---- */

/* The most an image keeps (docs/image-format.md, CPU): Xen 4.17 writes
 * at most 120 CPUID leaves and 2 MSRs of a policy. */
#define CHAOS_CPU_LEAVES_MAX 160u
#define CHAOS_CPU_MSRS_MAX 14u
/* A leaf without subleaves has this one (Xen's XEN_CPUID_NO_SUBLEAF). */
#define CHAOS_CPU_NO_SUBLEAF 0xffffffffu

struct chaos_cpu_leaf {
	uint32_t leaf, subleaf;
	uint32_t a, b, c, d;
};

struct chaos_cpu_msr {
	uint32_t index, flags;
	uint64_t value;
};

/* What CPUID answers a domain, and the MSRs its policy holds, in the
 * hypervisor's order (ascending leaf, then subleaf). */
struct chaos_cpu_policy {
	uint32_t nr_leaves, nr_msrs;
	struct chaos_cpu_leaf leaves[CHAOS_CPU_LEAVES_MAX];
	struct chaos_cpu_msr msrs[CHAOS_CPU_MSRS_MAX];
};

/* The domain's time stamp counter: Xen's mode (0 default, 1 always
 * emulated, 2 never), the frequency the guest sees, the time it has run
 * and how many times it moved. */
struct chaos_cpu_tsc {
	uint32_t mode, khz, incarnation;
	uint64_t elapsed_nsec;
};

struct chaos_cpu_state {
	struct chaos_cpu_policy policy;
	struct chaos_cpu_tsc tsc;
};

/* The domain's (paused or suspended). 0, or -1 with err. */
int chaos_cpu_get_domain(struct chaos_host *host, uint32_t domid,
			 struct chaos_cpu_state *cpu, chaos_err *err);
/* The most this host gives a PV guest. 0, or -1 with err. */
int chaos_cpu_get_pv_max(struct chaos_host *host,
			 struct chaos_cpu_policy *max, chaos_err *err);
/* Sets both on a domain that has never run. 0, or -1 with err naming
 * the leaf or MSR the hypervisor refused. */
int chaos_cpu_set_domain(struct chaos_host *host, uint32_t domid,
			 const struct chaos_cpu_state *cpu, chaos_err *err);

#define CHAOS_PAGE_COPY_BUFFERS_MAX 2u

/* Buffers for one checkpoint's pages. */
struct chaos_page_copy {
	struct chaos_host *host;
	uint32_t domid;
	bool ready;
	uint8_t *buf[CHAOS_PAGE_COPY_BUFFERS_MAX];
	size_t nbufs, buf_pages;
	uint64_t *spent_us;	/* where the copies' time goes, or NULL */
};

/*
 * nbufs (1 .. CHAOS_PAGE_COPY_BUFFERS_MAX) buffers of buf_pages pages
 * each, in pc->buf. 0: ready; 1: the hypervisor has no such call
 * (nothing held: the caller maps the pages instead); -1: an error.
 */
int chaos_page_copy_open(struct chaos_page_copy *pc, struct chaos_host *host,
			 uint32_t domid, size_t nbufs, size_t buf_pages,
			 uint64_t *spent_us, chaos_err *err);
/* n pages of the domain, by frame, into buf (one of pc->buf, or within
 * one: at most buf_pages), or from buf into the domain. */
int chaos_page_copy_from(struct chaos_page_copy *pc, const uint64_t *frames,
			 size_t n, uint8_t *buf, chaos_err *err);
int chaos_page_copy_to(struct chaos_page_copy *pc, const uint64_t *frames,
		       size_t n, const uint8_t *buf, chaos_err *err);
/* Safe on a closed or never opened (zeroed) one. */
void chaos_page_copy_close(struct chaos_page_copy *pc);

#endif
