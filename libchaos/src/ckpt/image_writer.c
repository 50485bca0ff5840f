// SPDX-License-Identifier: MIT
/*
 * An image's writes on a thread of their own (ckpt.h): while it writes
 * one batch of guest memory into the file, the saver maps and checksums
 * the next one on the other dom0 vCPU. The checksum stays with the
 * saver (it sees the bytes in stream order); the writer only moves
 * bytes, in the order they were put. Bytes put with chaos_saveimg_put
 * are copied; bytes put with chaos_saveimg_put_held are written from
 * where they are, and the caller keeps them until chaos_saveimg_wait
 * says their ticket is done. The first write error stops the writer and
 * is what every later call returns.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"

struct write_job {
	const void *buf;
	size_t len;
	void *owned;		/* a copy the writer frees, or NULL (held) */
	uint64_t ticket;
	struct write_job *next;
};

struct chaos_saveimg_async {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a job queued, or stop */
	pthread_cond_t done;	/* a job written, or failed */
	struct write_job *head, *tail;
	uint64_t queued;	/* the last ticket handed out */
	uint64_t written;	/* every ticket up to this one is written */
	bool stop;
	bool discard;		/* stopping on a failure path: drop the rest */
	bool failed;
	chaos_err err;		/* the first failure */
};

static void *writer_main(void *arg)
{
	struct chaos_saveimg_stream *s = arg;
	struct chaos_saveimg_async *a = s->async;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct write_job *j;
		chaos_err err;
		uint64_t t;
		bool skip;
		int rc;

		while (!a->head && !a->stop)
			pthread_cond_wait(&a->work, &a->lock);
		if (!a->head)
			break;
		j = a->head;
		a->head = j->next;
		if (!a->head)
			a->tail = NULL;
		skip = a->failed || a->discard;
		pthread_mutex_unlock(&a->lock);
		rc = 0;
		if (!skip) {
			t = chaos_now_us();
			rc = s->io(s->ctx, (void *)j->buf, j->len, &err);
			chaos_lap(&s->ph->io_us, t);
		}
		pthread_mutex_lock(&a->lock);
		if (rc && !a->failed) {
			a->failed = true;
			a->err = err;
		}
		a->written = j->ticket;
		pthread_cond_broadcast(&a->done);
		free(j->owned);
		free(j);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int chaos_saveimg_stream_async(struct chaos_saveimg_stream *s, chaos_err *err)
{
	struct chaos_saveimg_async *a = calloc(1, sizeof(*a));
	int e;

	if (!a)
		return chaos_err_set(err, ENOMEM, "out of memory for the image writer");
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_cond_init(&a->done, NULL);
	s->async = a;
	e = pthread_create(&a->thread, NULL, writer_main, s);
	if (e) {
		s->async = NULL;
		pthread_cond_destroy(&a->done);
		pthread_cond_destroy(&a->work);
		pthread_mutex_destroy(&a->lock);
		free(a);
		return chaos_err_set(err, e, "cannot start the image writer: %s",
				     strerror(e));
	}
	return 0;
}

/* The writer's failure, if any, into err (lock held). */
static int failure(struct chaos_saveimg_async *a, chaos_err *err)
{
	if (!a->failed)
		return 0;
	if (err)
		*err = a->err;
	return -1;
}

int chaos_saveimg_async_queue(struct chaos_saveimg_stream *s, const void *buf,
			      size_t len, bool held, uint64_t *ticket,
			      chaos_err *err)
{
	struct chaos_saveimg_async *a = s->async;
	struct write_job *j = calloc(1, sizeof(*j));
	int rc;

	if (!j)
		return chaos_err_set(err, ENOMEM, "out of memory for the image writer");
	j->buf = buf;
	j->len = len;
	if (!held) {
		j->owned = malloc(len ? len : 1);
		if (!j->owned) {
			free(j);
			return chaos_err_set(err, ENOMEM,
					     "out of memory for the image writer");
		}
		memcpy(j->owned, buf, len);
		j->buf = j->owned;
	}
	pthread_mutex_lock(&a->lock);
	rc = failure(a, err);
	if (!rc) {
		j->ticket = ++a->queued;
		if (ticket)
			*ticket = j->ticket;
		if (a->tail)
			a->tail->next = j;
		else
			a->head = j;
		a->tail = j;
		pthread_cond_signal(&a->work);
		j = NULL;
	}
	pthread_mutex_unlock(&a->lock);
	if (j) {
		free(j->owned);
		free(j);
	}
	return rc;
}

int chaos_saveimg_wait(struct chaos_saveimg_stream *s, uint64_t ticket,
		       chaos_err *err)
{
	struct chaos_saveimg_async *a = s->async;
	int rc;

	if (!a)
		return 0;
	pthread_mutex_lock(&a->lock);
	while (a->written < ticket && !a->failed)
		pthread_cond_wait(&a->done, &a->lock);
	rc = failure(a, err);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int chaos_saveimg_flush(struct chaos_saveimg_stream *s, chaos_err *err)
{
	uint64_t last;

	if (!s->async)
		return 0;
	pthread_mutex_lock(&s->async->lock);
	last = s->async->queued;
	pthread_mutex_unlock(&s->async->lock);
	return chaos_saveimg_wait(s, last, err);
}

void chaos_saveimg_async_stop(struct chaos_saveimg_stream *s)
{
	struct chaos_saveimg_async *a = s->async;

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	/* After a flush nothing is left; on a failure path the rest need
	 * not be written, only freed. */
	a->discard = true;
	a->stop = true;
	pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_cond_destroy(&a->done);
	pthread_cond_destroy(&a->work);
	pthread_mutex_destroy(&a->lock);
	free(a);
	s->async = NULL;
}
