/* SPDX-License-Identifier: MIT */
/* Inside the noxs core: device probing and the frontend drivers. */
#ifndef NOXS_CORE_H
#define NOXS_CORE_H

#include <minios/noxs.h>

/* Map the device page and connect every device on it (noxs.c). */
int noxs_connect_all(void);

/* Connect one checked device-page entry with its driver (device.c). */
int noxs_dev_probe(const struct noxs_entry *entry,
		   const struct noxs_driver *drv);

/* The frontends (one file each), listed in noxs.c. */
extern const struct noxs_driver noxs_power_driver;
extern const struct noxs_driver noxs_net_driver;

#endif
