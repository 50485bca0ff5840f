// SPDX-License-Identifier: MIT
/* The vif table: a small array, linear search (hundreds of vifs at most). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vifs.h"

void xd_vifs_free(struct xd_vifs *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

struct xd_vif *xd_vifs_find(struct xd_vifs *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}

struct xd_vif *xd_vifs_get(struct xd_vifs *t, const char *name)
{
	struct xd_vif *v = xd_vifs_find(t, name);

	if (v)
		return v;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct xd_vif *nv = realloc(t->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		t->v = nv;
		t->cap = cap;
	}
	v = &t->v[t->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

void xd_vifs_remove(struct xd_vifs *t, const char *name)
{
	struct xd_vif *v = xd_vifs_find(t, name);

	if (!v)
		return;
	*v = t->v[--t->n];
}
