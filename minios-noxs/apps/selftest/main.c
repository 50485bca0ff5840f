// SPDX-License-Identifier: MIT
/*
 * selftest: exercise the kernel under a real hypervisor. Takes every page
 * the allocator has (mapping more as it goes), checks each is zeroed and
 * writable, frees them and takes them again; then dereferences NULL to
 * prove that a fault gives a register dump and SHUTDOWN_crash.
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/time.h>

static unsigned long take_all(void **head)
{
	unsigned long n = 0;
	void *page;

	*head = NULL;
	while ((page = page_alloc())) {
		const uint64_t *words = page;

		for (size_t i = 0; i < PAGE_SIZE / sizeof(*words); i++)
			BUG_ON(words[i]);
		/* Chain the pages through themselves; tag with the count. */
		((void **)page)[0] = *head;
		((unsigned long *)page)[1] = n;
		*head = page;
		n++;
	}
	return n;
}

static void give_back(void *head)
{
	while (head) {
		void *next = ((void **)head)[0];

		page_free(head);
		head = next;
	}
}

int app_main(const char *cmdline)
{
	uint64_t start = monotonic_ns();
	unsigned long first, second;
	void *head;

	(void)cmdline;
	printk("selftest: %lu pages, about %lu free\n", mm_total_pages(),
	       mm_free_pages());
	first = take_all(&head);
	give_back(head);
	second = take_all(&head);
	give_back(head);
	printk("selftest: allocated %lu pages (%lu KiB), then %lu, in %lu us\n",
	       first, first * 4, second,
	       (monotonic_ns() - start) / NSEC_PER_USEC);
	if (first == 0 || first != second)
		panic("allocator mismatch: %lu then %lu pages", first, second);
	printk("selftest: ok\n");
	printk("selftest: now faulting on purpose\n");
	volatile int *volatile null = NULL;

	return *null;
}
