/* SPDX-License-Identifier: MIT */
/* Readiness for systemd (Type=notify). */
#ifndef CHAOSD_NOTIFY_H
#define CHAOSD_NOTIFY_H

/* Sends "READY=1" to $NOTIFY_SOCKET when systemd set it; nothing else
 * otherwise. Returns 0, or -1 with errno when the message was not sent. */
int chaosd_notify_ready(void);

#endif
