// SPDX-License-Identifier: MIT
/* The restart back-off (restart_limit.h, audit finding 15). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restart_limit.h"

bool restart_history_allow(struct restart_history *h, long long now_ms)
{
	/* Full, and the oldest of the last RESTART_LIMIT is recent: the
	 * next one would make RESTART_LIMIT + 1 within the window. */
	if (h->n == RESTART_LIMIT && now_ms - h->at[0] < RESTART_WINDOW_MS)
		return false;
	if (h->n == RESTART_LIMIT) {
		memmove(h->at, h->at + 1, (RESTART_LIMIT - 1) * sizeof(h->at[0]));
		h->n--;
	}
	h->at[h->n++] = now_ms;
	return true;
}

static void drop(struct restart_limit *l, size_t i)
{
	l->h[i] = l->h[--l->n];
}

bool restart_limit_allow(struct restart_limit *l, const char *name,
			 long long now_ms)
{
	struct restart_history *h = NULL;

	/* Forget guests quiet for a whole window (not this one). */
	for (size_t i = 0; i < l->n;) {
		if (strcmp(l->h[i].name, name) &&
		    now_ms - l->h[i].at[l->h[i].n - 1] >= RESTART_WINDOW_MS)
			drop(l, i);
		else
			i++;
	}
	for (size_t i = 0; i < l->n && !h; i++)
		if (!strcmp(l->h[i].name, name))
			h = &l->h[i];
	if (!h) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 8;
			struct restart_history *n =
				realloc(l->h, cap * sizeof(*n));

			if (!n)
				return true;
			l->h = n;
			l->cap = cap;
		}
		h = &l->h[l->n++];
		memset(h, 0, sizeof(*h));
		snprintf(h->name, sizeof(h->name), "%s", name);
	}
	return restart_history_allow(h, now_ms);
}

void restart_limit_forget(struct restart_limit *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->h[i].name, name)) {
			drop(l, i);
			return;
		}
}

void restart_limit_free(struct restart_limit *l)
{
	free(l->h);
	memset(l, 0, sizeof(*l));
}
