// SPDX-License-Identifier: MIT
/*
 * memfill: the worst case for a checkpoint that leaves all-zero pages out.
 * It takes every free page but a small reserve and fills it with
 * pseudo-random bytes, then counts like hello-loop ("memfill: alive <n>"
 * once a second). After each resume it checks every page it filled and
 * says "memfill: verified <pages> pages" or names the first bad one, so a
 * save and restore (or a migration) is proven byte for byte.
 *
 * The pages are chained through their first word; the other 511 words of
 * page k are xorshift64 of a seed made from k.
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/suspend.h>
#include <minios/time.h>

/* Left free for the kernel: device reconnection after a resume. */
#define RESERVE_PAGES 256

struct filled {
	struct filled *next;
	uint64_t words[511];
};

static struct filled *head;
static unsigned long nr_filled;
static volatile bool check_due;

static uint64_t seed_of(unsigned long k)
{
	return (k + 1) * 0x9e3779b97f4a7c15ULL;
}

static uint64_t next_word(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void fill(void)
{
	while (mm_free_pages() > RESERVE_PAGES) {
		struct filled *p = page_alloc();
		uint64_t x = seed_of(nr_filled);

		if (!p)
			break;
		for (unsigned int i = 0; i < 511; i++)
			p->words[i] = next_word(&x);
		p->next = head;
		head = p;
		nr_filled++;
	}
}

/* Pages were chained newest first: page k is at depth nr_filled - 1 - k. */
static void verify(void)
{
	unsigned long k = nr_filled;

	for (struct filled *p = head; p; p = p->next) {
		uint64_t x = seed_of(--k);

		for (unsigned int i = 0; i < 511; i++) {
			if (p->words[i] != next_word(&x)) {
				printk("memfill: page %lu word %u corrupt\n", k, i);
				return;
			}
		}
	}
	printk("memfill: verified %lu pages\n", nr_filled);
}

void app_resume_hook(bool new_domain)
{
	printk("memfill: resumed%s\n", new_domain ? " in a new domain" : "");
	check_due = true;
}

int app_main(const char *cmdline)
{
	uint64_t next;

	(void)cmdline;
	fill();
	printk("memfill: filled %lu pages\n", nr_filled);
	next = monotonic_ns();
	for (unsigned long n = 1;; n++) {
		if (check_due) {
			check_due = false;
			verify();
		}
		printk("memfill: alive %lu\n", n);
		next += NSEC_PER_SEC;
		sched_sleep_until(next);
		if (monotonic_ns() >= next + NSEC_PER_SEC)
			next = monotonic_ns();
	}
	return 0;
}
