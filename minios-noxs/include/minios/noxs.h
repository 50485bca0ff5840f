/* SPDX-License-Identifier: MIT */
/*
 * noxs frontends: devices found through the per-domain device page
 * (abi/noxs.h, docs/noxs-abi.md) instead of XenStore.
 *
 * The core (minios-noxs/noxs/) reads the device page, maps each device's
 * control page, binds its event channel and runs the state handshake; a
 * frontend driver only fills in its own fields and reacts to events. To add
 * one (netfront next): write a struct noxs_driver in noxs/<name>.c and list
 * it in the driver table in noxs/noxs.c.
 */
#ifndef MINIOS_NOXS_H
#define MINIOS_NOXS_H

#include <minios/xen.h>
#include <noxs.h>

/* Devices handled at once; more entries on the page are ignored. */
#define NOXS_MAX_DEVICES 16

struct noxs_device;

struct noxs_driver {
	const char *name;
	uint16_t type;			/* NOXS_DEV_* it handles */
	/*
	 * false: the frontend goes Connected right after Initialised (the
	 * backend waits for that, e.g. power). true: it waits for the
	 * backend's Connected first (the backend maps our rings, e.g. vif).
	 */
	bool wait_for_backend;
	/* Write the frontend's fields into the control page; 0 or -errno. */
	int (*setup)(struct noxs_device *dev);
	/* Every event once both ends are Connected (in the upcall). */
	void (*event)(struct noxs_device *dev);
	/* The device goes away: stop using it (once, before Closed). */
	void (*teardown)(struct noxs_device *dev);
	/*
	 * Optional, for save/restore and migration. suspend(): instead of
	 * teardown() when the guest suspends; stop using the device and keep
	 * (in the driver's own memory, which is saved with the guest) what
	 * resume() needs. The device is closed right after. resume(): instead
	 * of setup() when a device of the same type and devid is on the device
	 * page after the resume; write the frontend's fields like setup() (new
	 * rings, new grants: the backend is a new one). A device that does not
	 * come back gets no call. Both run in the upcall, events masked.
	 */
	void (*suspend)(struct noxs_device *dev);
	int (*resume)(struct noxs_device *dev);
};

struct noxs_device {
	const struct noxs_driver *drv;
	struct noxs_entry entry;	/* validated copy of the page entry */
	volatile struct noxs_ctrl_page *ctrl;	/* mapped grant */
	evtchn_port_t port;		/* our end of the event channel */
	grant_handle_t handle;		/* of the control page mapping */
	uint32_t fe_state;		/* what we last wrote */
	bool in_use;
	bool detached;			/* the core no longer reacts to it */
	char name[20];			/* "power/0", for messages */
	void *priv;			/* the driver's */
};

/*
 * Called once by start_kernel() before app_main(). Returns 0 whether or
 * not there are devices (stock Xen: none), negative only on a broken page.
 */
int noxs_init(void);

/* For drivers: write fe_state and kick the backend. */
void noxs_dev_set_state(struct noxs_device *dev, uint32_t state);
void noxs_dev_notify(const struct noxs_device *dev);

/* Tell every backend Closed and release every device (before shutdown). */
void noxs_close_all(void);

/*
 * Around a suspend (kernel/suspend.c): noxs_suspend() runs the drivers'
 * suspend(), closes every device and unmaps the device page; noxs_resume()
 * reads the (maybe new) device page and connects every device again.
 */
void noxs_suspend(void);
int noxs_resume(void);

/* A connected device of this type and devid, or NULL. */
struct noxs_device *noxs_device_find(uint16_t type, uint16_t devid);
/*
 * Stop handling a device's events and state without closing it: the
 * caller owns the mapping and the port from now on. Test apps only (they
 * misbehave on purpose).
 */
void noxs_device_detach(struct noxs_device *dev);

/*
 * The power frontend asks the app before acting on a poweroff, reboot or
 * suspend request (from the upcall). Return 0 to go ahead: for poweroff
 * and reboot app_shutdown_hook() runs, the request is acknowledged and the
 * domain shuts down with the matching reason; a suspend is acknowledged,
 * then minios_suspend() runs (minios/suspend.h: app_suspend_hook() and
 * app_resume_hook()). Return a negative errno to refuse (acknowledged with
 * that reply), or NOXS_POWER_DEFER to leave it unanswered. The weak
 * default returns 0.
 */
#define NOXS_POWER_DEFER 1
int app_power_request(uint32_t request);

#endif
