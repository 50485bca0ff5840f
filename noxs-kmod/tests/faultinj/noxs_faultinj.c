// SPDX-License-Identifier: GPL-2.0
/*
 * noxs_faultinj: make one irq bind of noxs.ko fail, and stand in for the
 * other dom0 user that takes the freed port at once. Rig only (scenario
 * noxs-bind-fail, audit finding 14).
 *
 * The rig's kernel has no fault-injection framework, but it has kprobes:
 *  - a kprobe on request_threaded_irq() clears the handler of the call
 *    whose name is exactly fail_name, so Linux refuses it with -EINVAL
 *    (the failure the audit describes: bind_evtchn_to_irqhandler_lateeoi()
 *    then unbinds the irq, which closes the port);
 *  - a kretprobe on bind_evtchn_to_irqhandler_lateeoi() sees that bind
 *    return, and before noxs.ko runs its error path allocates an unbound
 *    port towards squat_remote: Xen hands out the lowest free port, which
 *    is the one just closed.
 * squat_status then says whether the squatter's port survived noxs.ko's
 * error path ("unbound") or was closed under it ("closed").
 *
 * Parameters (/sys/module/noxs_faultinj/parameters/):
 *   fail_name     write a name to arm one failure; reads back "" once used
 *   squat_remote  the squatter's remote domain (not the guest's)
 *   failed_port   the port whose bind failed, -1 before
 *   squat_port    the squatter's port, -1 if none
 *   squat_status  the squatter's port now: unbound, closed, other, none
 *   release       write 1: close the squatter's port if still its own
 */
#define pr_fmt(fmt) "noxs_faultinj: " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>

#ifndef CONFIG_X86_64
#error "noxs_faultinj rewrites x86-64 argument registers"
#endif

#define FAIL_NAME_MAX 32

static DEFINE_SPINLOCK(fi_lock);
static char fail_name[FAIL_NAME_MAX];	/* under fi_lock */
static atomic_t armed = ATOMIC_INIT(0);
/* Set by the kprobe, taken by the kretprobe of the same bind. */
static atomic_t injected = ATOMIC_INIT(0);

static int squat_remote = 32000;
module_param(squat_remote, int, 0600);
MODULE_PARM_DESC(squat_remote, "remote domain of the squatter's port");

static int failed_port = -1;
module_param(failed_port, int, 0400);
static int squat_port = -1;
module_param(squat_port, int, 0400);

static int fail_name_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strcspn(val, "\n");
	unsigned long flags;

	if (len >= FAIL_NAME_MAX)
		return -EINVAL;
	spin_lock_irqsave(&fi_lock, flags);
	memcpy(fail_name, val, len);
	fail_name[len] = '\0';
	atomic_set(&armed, len > 0);
	spin_unlock_irqrestore(&fi_lock, flags);
	return 0;
}

static int fail_name_get(char *buf, const struct kernel_param *kp)
{
	unsigned long flags;
	int n;

	spin_lock_irqsave(&fi_lock, flags);
	n = sysfs_emit(buf, "%s\n", atomic_read(&armed) ? fail_name : "");
	spin_unlock_irqrestore(&fi_lock, flags);
	return n;
}

static const struct kernel_param_ops fail_name_ops = {
	.set = fail_name_set,
	.get = fail_name_get,
};
module_param_cb(fail_name, &fail_name_ops, NULL, 0600);
MODULE_PARM_DESC(fail_name, "irq name whose next request fails");

static int port_status(int port, struct evtchn_status *st)
{
	st->dom = DOMID_SELF;
	st->port = port;
	return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

static bool squatter_holds(int port)
{
	struct evtchn_status st;

	return port >= 0 && !port_status(port, &st) &&
	       st.status == EVTCHNSTAT_unbound &&
	       st.u.unbound.dom == (domid_t)squat_remote;
}

static int squat_status_get(char *buf, const struct kernel_param *kp)
{
	struct evtchn_status st;
	int port = READ_ONCE(squat_port);

	if (port < 0)
		return sysfs_emit(buf, "none\n");
	if (port_status(port, &st))
		return sysfs_emit(buf, "error\n");
	if (squatter_holds(port))
		return sysfs_emit(buf, "unbound\n");
	return sysfs_emit(buf, st.status == EVTCHNSTAT_closed ?
			  "closed\n" : "other\n");
}

static const struct kernel_param_ops squat_status_ops = {
	.get = squat_status_get,
};
module_param_cb(squat_status, &squat_status_ops, NULL, 0400);

static void squatter_release(void)
{
	int port = xchg(&squat_port, -1);
	struct evtchn_close op = { .port = port };

	if (squatter_holds(port) &&
	    HYPERVISOR_event_channel_op(EVTCHNOP_close, &op))
		pr_warn("cannot close squatter port %d\n", port);
}

static int release_set(const char *val, const struct kernel_param *kp)
{
	squatter_release();
	return 0;
}

static const struct kernel_param_ops release_ops = {
	.set = release_set,
};
module_param_cb(release, &release_ops, NULL, 0200);

/* request_threaded_irq(irq, handler, thread_fn, flags, devname, dev_id) */
static int fail_request_irq(struct kprobe *p, struct pt_regs *regs)
{
	const char *devname = (const char *)regs->r8;
	unsigned long flags;
	bool match;

	if (!atomic_read(&armed) || !devname)
		return 0;
	spin_lock_irqsave(&fi_lock, flags);
	match = atomic_read(&armed) && !strcmp(devname, fail_name);
	if (match)
		atomic_set(&armed, 0);
	spin_unlock_irqrestore(&fi_lock, flags);
	if (!match)
		return 0;
	/* No handler and no thread: Linux answers -EINVAL, allocating nothing. */
	regs->si = 0;
	regs->dx = 0;
	atomic_set(&injected, 1);
	return 0;
}

static struct kprobe request_irq_probe = {
	.symbol_name = "request_threaded_irq",
	.pre_handler = fail_request_irq,
};

struct bind_call {
	unsigned int port;
};

/* bind_evtchn_to_irqhandler_lateeoi(evtchn, handler, flags, name, dev) */
static int bind_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct bind_call *call = (struct bind_call *)ri->data;

	call->port = regs->di;
	return 0;
}

static int bind_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct bind_call *call = (struct bind_call *)ri->data;
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = (domid_t)squat_remote,
	};

	/* An int: the upper half of rax is not the sign. */
	if ((int)regs_return_value(regs) >= 0 ||
	    !atomic_cmpxchg(&injected, 1, 0))
		return 0;
	WRITE_ONCE(failed_port, call->port);
	if (HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op)) {
		pr_warn("squatter could not allocate a port\n");
		return 0;
	}
	WRITE_ONCE(squat_port, op.port);
	pr_info("bind of port %u failed; squatter holds port %u\n",
		call->port, op.port);
	return 0;
}

static struct kretprobe bind_probe = {
	.kp.symbol_name = "bind_evtchn_to_irqhandler_lateeoi",
	.entry_handler = bind_entry,
	.handler = bind_return,
	.data_size = sizeof(struct bind_call),
	.maxactive = 16,
};

static int __init faultinj_init(void)
{
	int ret;

	ret = register_kretprobe(&bind_probe);
	if (ret) {
		pr_err("cannot probe %s: %d\n", bind_probe.kp.symbol_name, ret);
		return ret;
	}
	ret = register_kprobe(&request_irq_probe);
	if (ret) {
		pr_err("cannot probe %s: %d\n", request_irq_probe.symbol_name,
		       ret);
		unregister_kretprobe(&bind_probe);
		return ret;
	}
	return 0;
}

static void __exit faultinj_exit(void)
{
	unregister_kprobe(&request_irq_probe);
	unregister_kretprobe(&bind_probe);
	squatter_release();
}

module_init(faultinj_init);
module_exit(faultinj_exit);

MODULE_DESCRIPTION("noxs test: one failed irq bind and a port squatter");
MODULE_LICENSE("GPL");
