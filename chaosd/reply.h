/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_REPLY_H
#define CHAOSD_REPLY_H

/*
 * chaosd's replies (docs/chaosd-protocol.md) are written with libchaos's
 * chaosd_reply_* (chaos/chaosd.h), beside the client that reads them;
 * here only the one way to send an error on a connection that is being
 * refused or dropped, for the socket loop and the console thread alike.
 */

/* {"ok":false,"error":msg} as one frame on fd, best effort (the client
 * may be gone or never read): waits at most timeout_ms. */
void reply_error_send(int fd, const char *msg, int timeout_ms);

#endif
