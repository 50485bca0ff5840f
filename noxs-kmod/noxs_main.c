// SPDX-License-Identifier: GPL-2.0
/*
 * noxs: dom0 backends driven by per-device control pages instead of
 * XenStore. This file is the /dev/noxs character device: it checks who
 * calls and what they pass, then hands over to noxs_dev.c.
 *
 * Every ioctl argument is copied in once, every pad, flag and reserved
 * field must be zero, and only CAP_SYS_ADMIN may open or use the device.
 */
#define pr_fmt(fmt) "noxs: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <xen/xen.h>

#include "noxs_kmod.h"

unsigned int noxs_max_devices = 16384;
module_param_named(max_devices, noxs_max_devices, uint, 0444);
MODULE_PARM_DESC(max_devices, "Most backend devices at once (default 16384)");

static bool noxs_loopback;
module_param_named(loopback, noxs_loopback, bool, 0444);
MODULE_PARM_DESC(loopback,
		 "Accept domain 0 as a frontend, for tests only (default off)");

#define NOXS_ZERO(field) (!memchr_inv(&(field), 0, sizeof(field)))

static bool noxs_valid_domid(u16 domid)
{
	if (domid == 0)
		return noxs_loopback;
	return domid < NOXS_DOMID_MAX;
}

static bool noxs_valid_timeout(u32 *timeout_ms)
{
	if (*timeout_ms == 0)
		*timeout_ms = NOXS_TIMEOUT_DEFAULT_MS;
	return *timeout_ms <= NOXS_TIMEOUT_MAX_MS;
}

static int noxs_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

static long noxs_ioc_version(void __user *arg)
{
	struct noxs_ioc_version v = {
		.ioctl_version = NOXS_IOCTL_VERSION,
		.abi_version = NOXS_ABI_VERSION,
		.ctrl_version = NOXS_CTRL_VERSION,
		.max_devices = noxs_max_devices,
	};

	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long noxs_ioc_create(void __user *arg)
{
	struct noxs_ioc_create req;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (!noxs_valid_domid(req.domid) || req.devid > NOXS_DEVID_MAX ||
	    (req.flags & ~NOXS_CREATE_F_KNOWN) || req.grant || req.evtchn ||
	    !NOXS_ZERO(req.reserved))
		return -EINVAL;
	if (req.type == NOXS_DEV_NONE || req.type > NOXS_DEV_TYPE_MAX)
		return -EINVAL;
	if (req.type == NOXS_DEV_VIF &&
	    (req.flags & NOXS_CREATE_F_UNCONFIGURED)) {
		bool ahead = req.flags & NOXS_CREATE_F_NETDEV_AHEAD;
		struct noxs_vif_params params;

		/* The settings come with NOXS_IOC_VIF_CONFIG; the bridge
		 * now if the net device is made ahead.
		 */
		memcpy(&params, req.params, sizeof(params));
		if (!noxs_net_valid_ahead_params(&params, ahead))
			return -EINVAL;
	} else if (req.type == NOXS_DEV_VIF) {
		struct noxs_vif_params params;

		memcpy(&params, req.params, sizeof(params));
		if (req.flags || !noxs_net_valid_params(&params))
			return -EINVAL;
	} else if (req.flags) {
		return -EINVAL;
	} else if (req.type != NOXS_DEV_POWER) {
		return -EOPNOTSUPP;
	} else if (!NOXS_ZERO(req.params)) {
		/* Power takes no parameters. */
		return -EINVAL;
	}

	ret = noxs_dev_create(&req);
	if (ret)
		return ret;
	if (copy_to_user(arg, &req, sizeof(req))) {
		/* The caller cannot learn the ref: do not leave it behind. */
		struct noxs_ioc_destroy undo = {
			.domid = req.domid,
			.type = req.type,
			.devid = req.devid,
			.timeout_ms = 1,
		};

		noxs_dev_destroy(&undo);
		return -EFAULT;
	}
	return 0;
}

static long noxs_ioc_vif_config(void __user *arg)
{
	struct noxs_ioc_vif_config req;
	struct noxs_vif_params params;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (!noxs_valid_domid(req.domid) || req.devid > NOXS_DEVID_MAX ||
	    req.flags || !NOXS_ZERO(req.reserved))
		return -EINVAL;
	memcpy(&params, req.params, sizeof(params));
	if (!noxs_net_valid_params(&params))
		return -EINVAL;
	return noxs_dev_vif_config(req.domid, req.devid, &params);
}

static long noxs_ioc_destroy(void __user *arg)
{
	struct noxs_ioc_destroy req;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (!noxs_valid_domid(req.domid) ||
	    (req.flags & ~NOXS_DESTROY_F_KNOWN) || req.count ||
	    !NOXS_ZERO(req.reserved) || !noxs_valid_timeout(&req.timeout_ms))
		return -EINVAL;
	if (req.flags & NOXS_DESTROY_F_ALL) {
		if (req.type || req.devid)
			return -EINVAL;
	} else if (req.type == NOXS_DEV_NONE ||
		   req.type > NOXS_DEV_TYPE_MAX ||
		   req.devid > NOXS_DEVID_MAX) {
		return -EINVAL;
	}

	ret = noxs_dev_destroy(&req);
	if (ret)
		return ret;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long noxs_ioc_query(void __user *arg)
{
	struct noxs_ioc_info info;
	int ret;

	if (copy_from_user(&info, arg, sizeof(info)))
		return -EFAULT;
	if (!noxs_valid_domid(info.domid) || info.type == NOXS_DEV_NONE ||
	    info.type > NOXS_DEV_TYPE_MAX || info.devid > NOXS_DEVID_MAX)
		return -EINVAL;
	/* Everything after the key is output and must come in zero. */
	if (memchr_inv(&info.flags, 0,
		       sizeof(info) - offsetof(struct noxs_ioc_info, flags)))
		return -EINVAL;

	ret = noxs_dev_query(&info);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long noxs_ioc_list(void __user *arg)
{
	struct noxs_ioc_list req;
	struct noxs_ioc_info __user *entries;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if ((req.domid != NOXS_LIST_ALL_DOMAINS &&
	     !noxs_valid_domid(req.domid)) ||
	    !NOXS_ZERO(req.pad) || req.pad1 || !NOXS_ZERO(req.reserved))
		return -EINVAL;
	entries = u64_to_user_ptr(req.entries);
	if (req.count && !entries)
		return -EFAULT;

	ret = noxs_dev_list(req.domid, entries, req.count, &req.count);
	if (ret)
		return ret;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long noxs_ioc_power(void __user *arg)
{
	struct noxs_ioc_power req;
	struct noxs_dev *d;
	s32 reply = 0;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (!noxs_valid_domid(req.domid) || req.devid > NOXS_DEVID_MAX ||
	    req.request < NOXS_POWER_POWEROFF ||
	    req.request > NOXS_POWER_SUSPEND || req.reply ||
	    !NOXS_ZERO(req.reserved) || !noxs_valid_timeout(&req.timeout_ms))
		return -EINVAL;

	d = noxs_dev_get(req.domid, NOXS_DEV_POWER, req.devid);
	if (!d)
		return -ENOENT;
	ret = noxs_power_request(d, req.request, req.timeout_ms, &reply);
	noxs_dev_put(d);
	if (ret)
		return ret;
	req.reply = reply;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long noxs_ioc_stats(void __user *arg)
{
	struct noxs_counters *c = &noxs_counters;
	struct noxs_ioc_stats st = {
		.devices = atomic_read(&c->devices),
		.grants = atomic_read(&c->grants),
		.ports = atomic_read(&c->ports),
		.irqs = atomic_read(&c->irqs),
		.created = atomic64_read(&c->created),
		.destroyed = atomic64_read(&c->destroyed),
		.closed_by_error = atomic64_read(&c->closed_by_error),
		.grants_deferred = atomic64_read(&c->grants_deferred),
	};

	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long noxs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/* Checked on each call too: the fd may have been passed on. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case NOXS_IOC_VERSION:
		return noxs_ioc_version(uarg);
	case NOXS_IOC_CREATE:
		return noxs_ioc_create(uarg);
	case NOXS_IOC_DESTROY:
		return noxs_ioc_destroy(uarg);
	case NOXS_IOC_QUERY:
		return noxs_ioc_query(uarg);
	case NOXS_IOC_LIST:
		return noxs_ioc_list(uarg);
	case NOXS_IOC_POWER:
		return noxs_ioc_power(uarg);
	case NOXS_IOC_STATS:
		return noxs_ioc_stats(uarg);
	case NOXS_IOC_VIF_CONFIG:
		return noxs_ioc_vif_config(uarg);
	}
	return -ENOTTY;
}

static const struct file_operations noxs_fops = {
	.owner = THIS_MODULE,
	.open = noxs_open,
	.unlocked_ioctl = noxs_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice noxs_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "noxs",
	.fops = &noxs_fops,
	.mode = 0600,
};

static int __init noxs_init(void)
{
	int ret;

	if (!xen_domain())
		return -ENODEV;
	if (!noxs_max_devices)
		return -EINVAL;

	ret = noxs_dev_init();
	if (ret)
		return ret;
	ret = misc_register(&noxs_misc);
	if (ret) {
		noxs_dev_exit();
		return ret;
	}
	if (noxs_loopback)
		pr_warn("loopback on: domain 0 accepted as a frontend\n");
	pr_info("ready, ioctl version %u\n", NOXS_IOCTL_VERSION);
	return 0;
}

static void __exit noxs_exit(void)
{
	/* No open file is left (the module is pinned by them): no caller. */
	misc_deregister(&noxs_misc);
	noxs_dev_exit();
	pr_info("unloaded\n");
}

module_init(noxs_init);
module_exit(noxs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("noxs: Xen backends on per-device control pages");
