/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_RESTART_LIMIT_H
#define CHAOSD_RESTART_LIMIT_H

/*
 * The restart back-off (audit finding 15): a guest restarted by its
 * on_crash or on_reboot action more than RESTART_LIMIT times within
 * RESTART_WINDOW_MS is restarting too fast (as xl says): it is not
 * restarted again. Guests are told apart by name (or, unnamed, by config
 * path), which a restart keeps.
 * Pure: time is the caller's. One thread (the serving loop's reaper).
 */

#include <stdbool.h>
#include <stddef.h>

#include <chaos/chaos.h>

#define RESTART_LIMIT      5
#define RESTART_WINDOW_MS  60000LL

/* One guest's last restarts, oldest first. */
struct restart_history {
	char name[CHAOS_CONFIG_PATH_MAX];   /* its name, or config path */
	long long at[RESTART_LIMIT];
	unsigned int n;
};

struct restart_limit {
	struct restart_history *h;
	size_t n, cap;
};

/* May a guest with these last restarts restart at now_ms? If so, the
 * restart is counted. Never allows more than RESTART_LIMIT within any
 * RESTART_WINDOW_MS. */
bool restart_history_allow(struct restart_history *h, long long now_ms);

/* restart_history_allow for the guest named name (no history yet: a
 * first restart, allowed). Histories whose last restart is older than
 * the window are forgotten. Out of memory: allowed, not counted. */
bool restart_limit_allow(struct restart_limit *l, const char *name,
			 long long now_ms);
/* A guest that went for good (destroyed, or refused): forget it, so a
 * new guest of that name starts afresh. */
void restart_limit_forget(struct restart_limit *l, const char *name);
void restart_limit_free(struct restart_limit *l);

#endif
