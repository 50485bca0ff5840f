// SPDX-License-Identifier: MIT
/*
 * noxs-kmod's handling of what a guest writes into its control page, run
 * in userspace: the module's own functions (noxs_dev_process and what it
 * calls: header, power and vif checks, apply, follow), cut out of
 * noxs-kmod/ unchanged by fuzz/noxs_extract.sh (the list is
 * FUZZ_NOXS_FUNCS in fuzz/build.mk) and built over fuzz/shim/.
 *
 * Input: byte 0 picks the device (bit 0: vif, else power); a vif then
 * takes 64 bytes of create parameters (noxs_vif_params), refused as the
 * ioctl refuses them. Then steps of [op][64 bytes]: op bit 0 makes the
 * backend post a new power request first; op bit 1 writes the 64 bytes
 * over the header's guest-visible part and the device fields (a hostile
 * guest writing anything), else only the frontend's own fields are taken
 * from them (a guest playing by the rules, but with any values). Each
 * step runs the module's processing and checks what must always hold.
 *
 * Also the guest side's checks of backend responses (minios-noxs
 * noxs/net_checks.h), on the same bytes, in step mode 3.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noxs_kmod.h"
#include "fuzz.h"

struct noxs_counters noxs_counters;
unsigned int noxs_max_devices = 1024;

#include "noxs_checks.inc"

#define xen_mb() __sync_synchronize()
#define xen_rmb() __sync_synchronize()
#define xen_wmb() __sync_synchronize()
#include <xen/io/netif.h>
#include "noxs/net_checks.h"

static void netfront(const uint8_t *p)
{
	netif_rx_response_t rx;
	netif_tx_response_t tx;
	bool posted[64];
	uint32_t idx[3];

	memcpy(idx, p, sizeof(idx));
	memcpy(&rx, p + 12, sizeof(rx));
	memcpy(&tx, p + 24, sizeof(tx));
	for (unsigned int i = 0; i < 64; i++)
		posted[i] = p[32 + i / 8] >> (i % 8) & 1;
	if (nf_responses_sane(idx[0], idx[1], idx[2]) &&
	    idx[0] - idx[1] > idx[2] - idx[1])
		abort();
	if (nf_rx_check(&rx, posted, 64, 4096, 1518) == NF_RX_FRAME &&
	    (rx.id >= 64 || !posted[rx.id] || rx.status <= 0 ||
	     rx.status > 1518 || rx.offset + rx.status > 4096))
		abort();
	if (nf_tx_id_ok(&tx, posted, 64) && (tx.id >= 64 || !posted[tx.id]))
		abort();
}

/* The frontend's own fields of a page, from 64 bytes of input. */
static void guest_fields(struct noxs_dev *d, const uint8_t *p)
{
	struct noxs_ctrl_page *c = d->ctrl;

	memcpy(&c->hdr.fe_state, p, 4);
	if (d->type == NOXS_DEV_POWER) {
		memcpy(&c->u.power.ack_seq, p + 4, 4);
		memcpy(&c->u.power.reply, p + 8, 4);
	} else {
		memcpy(&c->u.net.fe_features, p + 4, 4);
		memcpy(&c->u.net.tx_ring_ref, p + 8, 4);
		memcpy(&c->u.net.rx_ring_ref, p + 12, 4);
		memcpy(&c->u.net.evtchn_tx, p + 16, 4);
		memcpy(&c->u.net.evtchn_rx, p + 20, 4);
	}
}

/* What must hold after every step, whatever the guest wrote. */
static void invariants(const struct noxs_dev *d, u32 be_before,
		       u32 ack_before, u32 req_seq)
{
	if (d->fe_state > NOXS_STATE_CLOSED ||
	    d->fe_state == NOXS_STATE_INITWAIT || d->error > NOXS_ERR_MAX)
		abort();
	if (be_before == NOXS_STATE_CLOSED && d->be_state != NOXS_STATE_CLOSED)
		abort();  /* a closed device came back */
	/* Once closed the backend no longer looks: the guest may scribble. */
	if (be_before != NOXS_STATE_CLOSED &&
	    d->ctrl->hdr.be_state != d->be_state)
		abort();  /* the page and the backend disagree */
	if (d->type == NOXS_DEV_POWER &&
	    d->ack_seq - ack_before > req_seq - ack_before)
		abort();  /* ack_seq ran ahead of the requests */
	if (d->type == NOXS_DEV_POWER && d->ack_seq == req_seq &&
	    d->ack_seq != ack_before && (d->reply > 0 || d->reply < -MAX_ERRNO))
		abort();
	if (d->type == NOXS_DEV_VIF && d->net_taken &&
	    (!(d->net_fe.fe_features & NOXS_NET_F_RX_COPY) ||
	     (d->net_fe.fe_features & ~(u32)NOXS_NET_F_RX_COPY) ||
	     d->net_fe.evtchn_rx != d->net_fe.evtchn_tx))
		abort();  /* rings taken on terms never offered */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct noxs_ctrl_page page;
	struct noxs_dev d;
	size_t at = 1;

	if (size < 1)
		return 0;
	memset(&d, 0, sizeof(d));
	memset(&page, 0, sizeof(page));
	d.ctrl = &page;
	d.type = data[0] & 1 ? NOXS_DEV_VIF : NOXS_DEV_POWER;
	if (d.type == NOXS_DEV_VIF) {
		if (size - at < sizeof(d.vif_params))
			return 0;
		memcpy(&d.vif_params, data + at, sizeof(d.vif_params));
		at += sizeof(d.vif_params);
		if (!noxs_net_valid_params(&d.vif_params))
			return 0;
	}
	/* As noxs_dev_create sets the page up, then binds the channel. */
	page.hdr.magic = NOXS_CTRL_MAGIC;
	page.hdr.version = NOXS_CTRL_VERSION;
	page.hdr.type = d.type;
	page.hdr.be_state = d.be_state = NOXS_STATE_INITIALISING;
	d.fe_state = NOXS_STATE_UNKNOWN;
	if (d.type == NOXS_DEV_VIF)
		noxs_net_init_page(&d);
	noxs_dev_write_be_state(&d, NOXS_STATE_INITWAIT);

	while (size - at >= 65) {
		uint8_t op = data[at];
		const uint8_t *p = data + at + 1;
		u32 be_before = d.be_state, ack_before = d.ack_seq;

		at += 65;
		if ((op & 3) == 3) {
			netfront(p);
			continue;
		}
		if ((op & 1) && d.type == NOXS_DEV_POWER &&
		    d.be_state != NOXS_STATE_CLOSED) {
			/* noxs_power_send: request, then req_seq. */
			d.request = (u32)(op >> 2) % 4;
			d.req_seq++;
			page.u.power.request = d.request;
			page.u.power.req_seq = d.req_seq;
		}
		if (op & 2)
			memcpy((uint8_t *)&page + 4, p, 64);  /* past the magic */
		else
			guest_fields(&d, p);
		(void)noxs_dev_process(&d);
		invariants(&d, be_before, ack_before, d.req_seq);
	}
	FZ_SAY("%s: be %u fe %u error %u ack %u/%u reply %d net_taken %d\n",
	       noxs_type_name(d.type), d.be_state, d.fe_state, d.error,
	       d.ack_seq, d.req_seq, d.reply, d.net_taken);
	return 0;
}
