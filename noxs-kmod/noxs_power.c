// SPDX-License-Identifier: GPL-2.0
/*
 * noxs power control backend: power off, reboot and suspend requests to a
 * guest, and their acknowledgment, through struct noxs_ctrl_power.
 *
 * The backend writes request, then req_seq; the frontend writes reply,
 * then ack_seq = req_seq. A request is answered when ack_seq reaches its
 * req_seq. Acknowledging an older request late is legal (the guest may
 * have been slow); running ahead of req_seq is not.
 */
#define pr_fmt(fmt) "noxs: " fmt

#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <xen/events.h>
#include <asm/barrier.h>

#include "noxs_kmod.h"

/* The fields the frontend writes, read in the reverse of its order. */
void noxs_power_snapshot(const struct noxs_dev *d, struct noxs_ctrl_snap *s)
{
	const struct noxs_ctrl_power *p = &d->ctrl->u.power;

	s->u.power.ack_seq = READ_ONCE(p->ack_seq);
	/* The frontend writes reply before ack_seq: read them the other way. */
	virt_rmb();
	s->u.power.reply = READ_ONCE(p->reply);
}

u32 noxs_power_check(const struct noxs_dev *d, const struct noxs_ctrl_snap *s)
{
	const struct noxs_ctrl_power *p = &s->u.power;

	if (p->request != d->request || p->req_seq != d->req_seq)
		return NOXS_ERR_BE_FIELD;
	if (memchr_inv(p->reserved, 0, sizeof(p->reserved)))
		return NOXS_ERR_RESERVED;
	/* ack_seq moves forward, never past req_seq (modulo 2^32). */
	if (p->ack_seq - d->ack_seq > d->req_seq - d->ack_seq)
		return NOXS_ERR_ACK_SEQ;
	if (p->ack_seq != d->ack_seq && p->ack_seq == d->req_seq &&
	    (p->reply > 0 || p->reply < -MAX_ERRNO))
		return NOXS_ERR_REPLY;
	return NOXS_ERR_NONE;
}

/* Record a valid acknowledgment. Caller holds d->lock. */
bool noxs_power_apply(struct noxs_dev *d, const struct noxs_ctrl_snap *s)
{
	const struct noxs_ctrl_power *p = &s->u.power;

	if (p->ack_seq == d->ack_seq)
		return false;
	d->ack_seq = p->ack_seq;
	if (p->ack_seq == d->req_seq)
		d->reply = p->reply;
	return true;
}

static bool noxs_power_answered(const struct noxs_dev *d, u32 seq)
{
	return READ_ONCE(d->ack_seq) == seq;
}

/* Send one request; caller owns d->power_busy. */
static int noxs_power_send(struct noxs_dev *d, u32 request, long left,
			   s32 *reply)
{
	unsigned long flags;
	u32 seq;
	int ret;

	/* Nothing is sent yet: a signal may simply restart the call. */
	left = wait_event_interruptible_timeout(d->wq, noxs_dev_connected(d) ||
						noxs_dev_gone(d), left);
	if (left < 0)
		return -ERESTARTSYS;

	spin_lock_irqsave(&d->lock, flags);
	if (noxs_dev_gone(d)) {
		spin_unlock_irqrestore(&d->lock, flags);
		return -ECONNRESET;
	}
	if (!noxs_dev_connected(d)) {
		spin_unlock_irqrestore(&d->lock, flags);
		return -ENOTCONN;
	}
	seq = d->req_seq + 1;
	d->request = request;
	d->req_seq = seq;
	WRITE_ONCE(d->ctrl->u.power.request, request);
	/* The frontend must see the request before its sequence number. */
	virt_wmb();
	WRITE_ONCE(d->ctrl->u.power.req_seq, seq);
	/* Not dead under the lock, so the irq is still bound. */
	notify_remote_via_irq(d->irq);
	spin_unlock_irqrestore(&d->lock, flags);

	left = wait_event_interruptible_timeout(d->wq,
						noxs_power_answered(d, seq) ||
						noxs_dev_gone(d) ||
						!noxs_dev_connected(d),
						max(left, 1L));

	spin_lock_irqsave(&d->lock, flags);
	if (d->ack_seq == seq) {
		*reply = d->reply;
		ret = 0;
	} else if (noxs_dev_gone(d) || !noxs_dev_connected(d)) {
		ret = -ECONNRESET;
	} else if (left < 0) {
		/* Sent already: restarting would ask twice. */
		ret = -EINTR;
	} else {
		ret = -ETIMEDOUT;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return ret;
}

int noxs_power_request(struct noxs_dev *d, u32 request, u32 timeout_ms,
		       s32 *reply)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&d->lock, flags);
	if (d->power_busy) {
		spin_unlock_irqrestore(&d->lock, flags);
		return -EBUSY;
	}
	d->power_busy = true;
	spin_unlock_irqrestore(&d->lock, flags);

	ret = noxs_power_send(d, request, msecs_to_jiffies(timeout_ms), reply);

	spin_lock_irqsave(&d->lock, flags);
	d->power_busy = false;
	spin_unlock_irqrestore(&d->lock, flags);
	return ret;
}
